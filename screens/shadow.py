"""What the terminal shows, cell by cell, so that an update writes only the cells it changes.

Textual repaints a dirty region whole: a table row that moved, a pane whose numbers ticked,
each is sent again from its widget's left edge even where most cells are the same. `Shadow`
keeps a copy of every cell this process wrote (text and style, see screens/shadow_cells.py);
`Shadow.wrap` turns Textual's full (`LayoutUpdate`) and partial (`ChopsUpdate`) updates into
one that compares each line with the copy and writes only the runs that differ
(screens/shadow_write.py). The copy is only ever changed when the update is rendered for
the terminal, which Textual does right before writing it.

The copy is forgotten (every cell unknown, so the next update is written whole) whenever it
may no longer match the terminal: another size, another screen, another driver or another
start of application mode (a suspend and resume, an external program: Textual starts a new
writer thread each time), a colour system change, inline mode, output that is not a
compositor update. A full update is compared like any other (Textual sends one for a
widget as large as the screen, not only to repair it). A line with text whose width is
unsure, or any error, is written exactly as Textual writes it and forgotten.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.color import ColorSystem
from rich.console import Console, RenderableType
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.strip import Strip

from cockpit.screens.shadow_cells import Cells, fill, repair
from cockpit.screens.shadow_write import Carry, Writer, changed_runs

__all__ = ["Shadow", "ShadowUpdate"]


class Shadow:
    """The terminal's cells as this process last wrote them (None: not known)."""

    def __init__(self) -> None:
        self.texts: list[Cells] = []
        self.keys: list[Cells] = []
        self.links: dict[str, Style] = {}
        self.carry: Carry | None = None
        """The driver's SGR carry, when it has one (screens/driver.py)."""
        self._owners: tuple[object, ...] = ()
        """The screen, driver and writer thread of the last write (held: compared by identity)."""
        self._values: tuple[object, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the copy."""
        return (len(self.texts[0]) if self.texts else 0, len(self.texts))

    def forget(self, width: int | None = None, height: int | None = None) -> None:
        """Every cell unknown (the next update writes all it covers), at a new size if given."""
        old_width, old_height = self.size
        width = old_width if width is None else width
        height = old_height if height is None else height
        self.texts = [[None] * width for _ in range(height)]
        self.keys = [[None] * width for _ in range(height)]
        self.links.clear()

    def wrap(self, app: Any, screen: Any, update: RenderableType | None) -> RenderableType | None:
        """`update`, for `app` to write: a ShadowUpdate when it is a compositor update that the
        copy can serve; else unchanged (and the copy forgotten)."""
        if update is None:
            return None
        driver = app._driver
        if (
            driver is None
            or driver.is_inline
            or not isinstance(update, (LayoutUpdate, ChopsUpdate))
        ):
            self.forget()
            self._owners = ()
            return update
        self.carry = getattr(driver, "carry", None)
        owners = (screen, driver, getattr(driver, "_writer_thread", None))
        values = (tuple(app.size), app.console.color_system)
        same = len(owners) == len(self._owners) and all(map(operator.is_, owners, self._owners))
        if not same or values != self._values:
            self.forget()
            self._owners, self._values = owners, values
        return ShadowUpdate(self, update)

    def render(self, update: LayoutUpdate | ChopsUpdate, console: Console) -> str:
        """The bytes that make the terminal show `update`, the copy updated to match."""
        color_system = console._color_system or ColorSystem.TRUECOLOR
        if isinstance(update, LayoutUpdate):
            region = update.region
            lines: Iterable[tuple[int, list[tuple[int, int, Sequence[Strip]]]]] = (
                (y, [(region.x, region.right, list(line))])
                for y, line in enumerate(update.strips, region.y)
            )
            width, height = region.right, region.bottom
        else:
            lines = _chop_lines(update)
            width = max((ends[-1] for ends in update.chop_ends if ends), default=0)
            height = len(update.chops)
        if (width, height) != self.size:
            self.forget(width, height)
        carry = self.carry
        writer = Writer(color_system, self.links, carry.sgr if carry is not None else "")
        for y, pieces in lines:
            self._line(writer, y, pieces, color_system, console)
        text = writer.done(keep=carry is not None)
        if carry is not None:
            carry.expect(text, writer.sgr)
        return text

    def _line(
        self,
        writer: Writer,
        y: int,
        pieces: list[tuple[int, int, Sequence[Strip]]],
        color_system: ColorSystem,
        console: Console,
    ) -> None:
        """Write the changed cells of `pieces` (x, end, strips) on line `y`."""
        old_texts, old_keys = self.texts[y], self.keys[y]
        texts, keys = old_texts.copy(), old_keys.copy()
        for x, end, strips in pieces:
            if fill(strips, x, texts, keys, color_system, self.links) != end:
                # Unsure text: this line as Textual writes it, then nothing known on it.
                writer.raw(
                    "".join(
                        f"\x1b[{y + 1};{x + 1}H" + "".join(s.render(console) for s in strips)
                        for x, _end, strips in pieces
                    )
                )
                self.texts[y] = [None] * len(texts)
                self.keys[y] = [None] * len(texts)
                return
        for x, end, _strips in pieces:
            repair(texts, keys, x)
            repair(texts, keys, end)
        if texts == old_texts and keys == old_keys:
            return
        writer.line(y, texts, keys, changed_runs(texts, keys, old_texts, old_keys))
        self.texts[y], self.keys[y] = texts, keys


def _chop_lines(
    update: ChopsUpdate,
) -> Iterable[tuple[int, list[tuple[int, int, Sequence[Strip]]]]]:
    """Per line, the pieces Textual's ChopsUpdate writes: (x, end, [strip]) for each chop
    under a span, from the chop's left edge to the span's right end (as Textual cuts them)."""
    chops: Sequence[Mapping[int, Strip | None]] = update.chops
    by_line: dict[int, list[tuple[int, int, Sequence[Strip]]]] = {}
    for y, x1, x2 in update.spans:
        pieces = by_line.setdefault(y, [])
        for end, (x, strip) in zip(update.chop_ends[y], chops[y].items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            right = min(end, x2)
            if right < end:
                strip = strip.crop(0, right - x)
            if right > x:
                pieces.append((x, right, [strip]))
    return sorted(by_line.items())


class ShadowUpdate(CompositorUpdate):
    """A compositor update written through a Shadow: only the cells that changed."""

    def __init__(self, shadow: Shadow, update: LayoutUpdate | ChopsUpdate) -> None:
        self.shadow = shadow
        self.update = update

    def __rich_console__(self, console: Any, options: Any) -> Any:
        return self.update.__rich_console__(console, options)

    def render_segments(self, console: Console) -> str:
        """The terminal sequences; Textual's own (and the copy forgotten) on any error."""
        try:
            return self.shadow.render(self.update, console)
        except Exception:
            self.shadow.forget()
            if self.shadow.carry is not None:
                self.shadow.carry.cancel()
            return self.update.render_segments(console)
