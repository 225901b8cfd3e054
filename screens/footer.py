"""KeyFooter: the key bar as one painted line, repainted only when the keys it shows change.

Textual's `Footer` rebuilds one widget per key whenever the focus moves (the bindings may have
changed), which costs a remount, a restyle and a relayout on every Tab. This one reads the same
bindings, compares them with what it shows, and repaints its single line only on a change.
It looks like the stock footer (same theme variables, palette key on the right) and a click
on a key presses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class FooterItem:
    """One key as shown: what is pressed on a click, its label, and whether it is enabled."""

    key: str
    display: str
    description: str
    enabled: bool


def footer_items(screen: Screen[object]) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
    """The keys the stock footer would show on `screen` (one per action, in binding order),
    and the command palette key shown at the right (None when there is none)."""
    app = screen.app
    active = screen.active_bindings
    items: dict[str, FooterItem] = {}
    for _node, binding, enabled, _tooltip in active.values():
        if binding.show and binding.action not in items:
            display = app.get_key_display(binding)
            items[binding.action] = FooterItem(binding.key, display, binding.description, enabled)
    palette: FooterItem | None = None
    if app.ENABLE_COMMAND_PALETTE and (found := active.get(app.COMMAND_PALETTE_BINDING)):
        _node, binding, enabled, _tooltip = found
        display = app.get_key_display(binding)
        palette = FooterItem(binding.key, display, binding.description, enabled)
    return tuple(items.values()), palette


class KeyFooter(Widget, can_focus=False):
    """The bindings of the screen's focus chain on one line, docked at the bottom."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--item { background: $footer-item-background; }
        & > .key-footer--edge { color: $foreground 20%; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--item",
        "key-footer--edge",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[FooterItem, ...] = ()
        """The keys shown, left to right."""
        self.palette: FooterItem | None = None
        """The command palette key, shown at the right edge."""
        self._spans: list[tuple[int, int, FooterItem]] = []
        self._strip: Strip | None = None

    def on_mount(self) -> None:
        """Follow the screen's binding changes (focus moves, screens stacked)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following the screen."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        items, palette = footer_items(screen)
        if items != self.items or palette != self.palette:
            self.items, self.palette = items, palette
            self._strip = None
            self.refresh()

    def notify_style_update(self) -> None:
        """A theme or style change: paint again with the new colours."""
        self._strip = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """The one line: the keys from the left, the palette key at the right edge."""
        width = self.size.width
        if y or width <= 0:
            return Strip.blank(width, self.rich_style)
        strip = self._strip
        if strip is None or strip.cell_length != width:
            strip = self._strip = self._paint(width)
        return strip

    def _paint(self, width: int) -> Strip:
        base = self.rich_style
        item = base + self.get_component_rich_style("key-footer--item", partial=True)
        key = item + self.get_component_rich_style("key-footer--key", partial=True)
        text = item + self.get_component_rich_style("key-footer--description", partial=True)
        dim = Style(dim=True)
        blank = Style(bgcolor=base.bgcolor)  # empty cells: the background, no ink
        right: list[Segment] = []
        if (palette := self.palette) is not None:
            # `$foreground 20%` over the footer: blended here, a Rich style has no alpha.
            tint = self.get_component_styles("key-footer--edge").color
            edge = base + Style(color=(self.background_colors[1] + tint).rich_color)
            on = (key, text) if palette.enabled else (key + dim, text + dim)
            right = [
                Segment("▏", edge),
                Segment(palette.display, on[0]),
                Segment(f" {palette.description}", on[1]),
                Segment(" ", blank),
            ]
        room = width - sum(s.cell_length for s in right)
        left: list[Segment] = []
        self._spans = []
        x = 0
        for shown in self.items:
            on = (key, text) if shown.enabled else (key + dim, text + dim)
            label = [Segment(f" {shown.display} ", on[0]), Segment(f"{shown.description} ", on[1])]
            size = sum(s.cell_length for s in label)
            self._spans.append((x, x + size, shown))
            left.extend(label)
            x += size
        line = Strip(left).crop_extend(0, max(room, 0), blank)
        if self.palette is not None and room >= 0:
            self._spans.append((room, width, self.palette))
            line = Strip([*line, *right])
        return line.crop_extend(0, width, blank)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key presses it (a disabled key rings the bell)."""
        for start, end, shown in reversed(self._spans):
            if start <= event.x < end:
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return
