"""Dashboard screen: the four live panes in a 2x2 grid, or one at a time with a summary strip."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Input

from cockpit.domain.state import IncidentState
from cockpit.screens.footer import KeyFooter
from cockpit.screens.grafana_copy import copy_link, link_item
from cockpit.screens.panes import (
    AlertsPane,
    FilterBar,
    LagPane,
    Pane,
    PaneContext,
    PostgresPane,
    SummaryStrip,
    TenantsPane,
)
from cockpit.screens.widgets import VirtualTable

WIDE_MIN = Size(140, 36)
"""Smallest terminal that shows all four panes at once; below it one pane shows at a time."""
PANE_NAMES = {1: "Alerts", 2: "Kafka lag", 3: "PostgreSQL", 4: "Tenant quotas"}


class DashboardScreen(Screen[None]):
    """Alerts, Kafka lag, PostgreSQL and tenant quotas, rendered from a PaneContext."""

    CSS_PATH = "dashboard.tcss"

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual repaints the whole screen when the focus moves; the widgets that gain and lose
    it repaint themselves (the tables their cursor row, the panes their border)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"focus_pane({n})", name, show=False) for n, name in PANE_NAMES.items()),
        Binding("slash", "filter", "Filter"),
        Binding("enter", "open_alert", "Runbook"),
        Binding("y", "copy_link", "Copy"),
        Binding("Y", "copy", "Copy", show=False),
    ]

    class AlertOpened(Message):
        """Enter on an alert: the app opens its runbook (`runbook` None: none in the catalog)."""

        def __init__(
            self, alert_key: str, name: str, runbook: str | None, labels: Mapping[str, str]
        ) -> None:
            self.alert_key = alert_key
            self.name = name
            self.runbook = runbook
            self.labels = labels
            super().__init__()

    def __init__(self, header: Widget | None = None) -> None:
        super().__init__()
        self._header = header
        self._current = 1
        self._panes: list[Pane] = []
        self._strips: list[SummaryStrip] = []
        self._ctx: PaneContext | None = None
        self.revision = -1
        """The session revision last rendered (the app compares it on resume)."""
        self._resumed = False
        self._filter: FilterBar | None = None
        self._filter_mount: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        """The app's header, the panes, the summary strip and the key footer (the filter bar
        comes after the first frame: `_mount_filter`)."""
        # Classes are set before the children mount: changing them later restyles the tree.
        self._set_wide(self.app.size)
        if self._header is not None:
            yield self._header
        panes = (AlertsPane(id="pane-1"), LagPane(id="pane-2"), PostgresPane(id="pane-3"),
                 TenantsPane(id="pane-4"))  # fmt: skip
        panes[self._current - 1].add_class("-current")
        with Container(id="panes"):
            yield from panes
        yield SummaryStrip(id="summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Pick the layout for the terminal size and render any context given before mount."""
        self._panes = [self.query_one(f"#pane-{n}", Pane) for n in PANE_NAMES]
        self._strips = list(self.query(SummaryStrip))
        self._show_summary(self._current)
        if self._ctx is not None:
            self.refresh_from(self._ctx)
        self._panes[0].table.focus()
        # The filter bar (an Input) waits for the first frame, which its mount slowed by 15 ms.
        self.call_after_refresh(self._mount_filter)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles the whole screen on every resume. The first one comes right after
        # the mount, which has just styled each widget, and every class set since restyled
        # its own widgets: doing it all again cost 5 ms of the first frame. (Textual calls
        # this, then its own handler, which reads the flag.)
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        """Switch between the grid and the one-pane layout."""
        self._apply_layout(event.size)

    def _apply_layout(self, size: Size) -> None:
        self._set_wide(size)
        self._show_summary(self._current)

    def _set_wide(self, size: Size) -> None:
        wide = size.width >= WIDE_MIN.width and size.height >= WIDE_MIN.height
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")

    @property
    def wide(self) -> bool:
        """True when all four panes are on screen."""
        return self.has_class("-wide")

    @property
    def current(self) -> int:
        """Number (1-4) of the pane that keys act on (shown alone in the narrow layout)."""
        return self._current

    def pane(self, number: int) -> Pane:
        """Pane 1-4."""
        return self._panes[number - 1]

    # The app's API ----------------------------------------------------------------------------

    def refresh_from(self, ctx: PaneContext) -> None:
        """Render `ctx` in every pane; nothing is repainted where nothing changed."""
        self._ctx = ctx
        if not self._panes:
            return  # not mounted yet: on_mount renders it
        self.revision = ctx.revision
        for pane in self._panes:
            pane.refresh_from(ctx)
        self._show_summary(self._current)

    def show_state(self, state: IncidentState, now: datetime, revision: int) -> None:
        """Render a new state with the context (thresholds, catalog) last given."""
        if self._ctx is not None:
            self.refresh_from(replace(self._ctx, state=state, now=now, revision=revision))

    def show_time(self, now: datetime) -> None:
        """The 1 Hz tick: data ages in the borders and the alerts' ages, nothing rebuilt."""
        if not self._panes:
            return
        for pane in self._panes:
            pane.show_time(now)
        self._show_summary(self._current)

    def time_due(self) -> float | None:
        """Seconds until a pane may change with time alone (None: none will)."""
        return min((d for pane in self._panes if (d := pane.time_due()) is not None), default=None)

    def _show_summary(self, current: int) -> None:
        # Only where it is on screen (the narrow layout), and never on a torn-down screen.
        if self.wide:
            return
        for strip in self._strips:
            if strip.is_attached:
                strip.show_panes(self._panes, current)

    def focus_pane(self, n: int) -> None:
        """Show (narrow layout) and focus pane `n` (1-4)."""
        if n not in PANE_NAMES or not self._panes:
            return
        self._mark_current(n)
        self.pane(n).table.focus()

    def _mount_filter(self) -> AwaitMount:
        """Mount the filter bar above the key footer, once; what to await for it."""
        if self._filter_mount is None:
            self._filter = FilterBar(id="filter")
            self._filter_mount = self.mount(self._filter, before=self.query_one(KeyFooter))
        return self._filter_mount

    async def filter_focused(self) -> None:
        """Open the filter bar for the current pane."""
        pane = self.pane(self._current)
        if self._filter is None or not self._filter.is_mounted:  # `/` before the first frame
            self.set_focus(None)  # the keys typed behind it wait for the bar (typeahead.py)
            await self._mount_filter()
        assert self._filter is not None
        self._filter.open_for(pane.NUMBER, PANE_NAMES[pane.NUMBER], pane.filter_text)

    def focused_copy_text(self) -> str | None:
        """Plain text of the current pane's highlighted row, for `y`."""
        return self.pane(self._current).copy_text() if self._panes else None

    # Keys -------------------------------------------------------------------------------------

    def action_focus_pane(self, n: int) -> None:
        """Keys 1-4."""
        self.focus_pane(n)

    async def action_filter(self) -> None:
        """Key /."""
        await self.filter_focused()

    def action_copy_link(self) -> None:
        """Key y: OSC 52 copy of the highlighted row's Grafana link."""
        if not self._panes:
            return
        pane = self.pane(self._current)
        copy_link(self, link_item(pane.link_values()), "alert" if pane.NUMBER == 1 else "row")

    def action_copy(self) -> None:
        """Key Y: OSC 52 copy of the highlighted row's text."""
        text = self.focused_copy_text()
        if text is None:
            self.notify("nothing to copy: no row is highlighted", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"copied: {text}", markup=False, timeout=3)

    def action_open_alert(self) -> None:
        """Enter outside a table: open the highlighted alert if the alerts pane is current."""
        if self._current == AlertsPane.NUMBER:
            self._open_alert()

    def _open_alert(self) -> None:
        chosen = self.query_one(AlertsPane).selected()
        if chosen is not None:
            row, labels = chosen
            self.post_message(self.AlertOpened(row.key, row.name, row.runbook, labels))

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        """Enter (or a click) on an alert row opens it."""
        if message.table.parent is self.query_one(AlertsPane):
            message.stop()
            self._open_alert()

    # Focus and filter -------------------------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Keys act on the pane that holds the focus (Tab moves between panes in the grid)."""
        for node in event.widget.ancestors_with_self:
            if isinstance(node, Pane):
                self._mark_current(node.NUMBER)
                break

    def _mark_current(self, n: int) -> None:
        self._current = n
        # `-current` only shows and hides panes in the narrow layout: in the grid, restyling
        # two panes on each focus move would be wasted (the switch to narrow restyles all).
        wide = self.wide
        for pane in self._panes:
            pane.set_class(n == pane.NUMBER, "-current", update=not wide)
        if self._panes:
            self._show_summary(n)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        bar = self._filter
        if bar is not None and bar.target:
            self.pane(bar.target).set_filter(event.value)

    def on_filter_bar_closed(self, message: FilterBar.Closed) -> None:
        """Enter or Esc in the filter bar: back to the filtered pane's table."""
        target = message.bar.target or self._current
        if message.cleared:
            self.pane(target).set_filter("")
        message.bar.close()
        self.focus_pane(target)
