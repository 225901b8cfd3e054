"""What every dashboard pane shares: the border title with counts, the status line and data age."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import events
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region
from textual.worker import Worker, WorkerState

from cockpit.domain.views import FAILED, STALE, first_stale_in
from cockpit.grafana import window
from cockpit.screens.foreground import awaited
from cockpit.screens.state import TICK_S
from cockpit.screens.widgets import VirtualTable

from .context import PaneContext
from .status import PaneStatus, kind_sources, pane_status

STATUS_CLASSES = ("-stale", "-partial", "-failed", "-never", "-unconfigured")


class Pane(Vertical):
    """A bordered pane: title with counts, subtitle with data age and status, a main table.

    Subclasses fill `update_data`, `pane_title`, `pane_summary` and `copy_text`, and may
    override `age_data` (the 1 Hz tick). Titles and status are only written when their text
    changes, so an unchanged refresh paints nothing.
    """

    NUMBER: ClassVar[int] = 0
    """Key that shows the pane (1-4)."""
    KIND: ClassVar[str] = ""
    """Source kind feeding the pane (alerts, kafka, postgres, tenants)."""
    USES_POLICY: ClassVar[bool] = False
    """The rows depend on the alert catalog (rebuilt when it is loaded after the first frame)."""

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
        border: round $primary 70%;
        border-title-align: left;
        border-subtitle-align: right;
        border-subtitle-color: $text-muted;
        padding: 0;
        &.-focused { border: round $primary; border-title-style: bold; }
        &.-stale, &.-partial { border: round $warning; border-subtitle-color: $text-warning; }
        &.-failed { border: round $error; border-subtitle-color: $text-error; }
        /* Old data stays on screen but must not pass for the present. */
        &.-failed > VirtualTable, &.-stale > VirtualTable { text-opacity: 55%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        # Born "never polled", as the first refresh finds it: no restyle before the first frame.
        super().__init__(id=id, classes="pane -never")
        self.status = PaneStatus("never", "")
        self._title: Content | None = None
        self._subtitle: Content | None = None
        self.context: PaneContext | None = None
        """The context last rendered (the 1 Hz tick moves its time only)."""
        self._key: tuple[object, ...] = ()
        self._rows_awaited = False

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The focus came in: highlight the border."""
        self._show_focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """The focus left (or moved inside): highlight the border only if it is still in."""
        self._show_focus()

    def _show_focus(self) -> None:
        # A class restyled on this node alone: a `:focus-within` rule made Textual restyle the
        # whole pane (its table and the table's component styles) on every focus move.
        inside = self.has_focus_within
        if inside != self.has_class("-focused"):
            self.set_class(inside, "-focused", update=False)
            self.app.stylesheet.update_nodes((self,), animate=False)

    def await_rows(self, waiting: bool) -> None:
        """Rows are being built for this pane (True) or have landed (False). Meanwhile the
        replay's background fold holds back (`foreground`); it starts again only once the
        landed rows are painted, or the first paint would wait for it."""
        if not waiting and not self._rows_awaited:
            return  # nothing was awaited, or its release is already on its way
        self._rows_awaited = waiting
        if waiting:
            awaited(self, True)
        elif self.is_attached:
            self.call_after_refresh(self._rows_painted)
        else:
            awaited(self, False)

    def _rows_painted(self) -> None:
        if not self._rows_awaited:  # else a newer build began meanwhile
            awaited(self, False)

    def on_unmount(self) -> None:
        """No rows are awaited by a pane that is gone."""
        awaited(self, False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A build that failed lands no rows: the background fold need not wait for them."""
        if event.state == WorkerState.ERROR:
            awaited(self, False)

    @property
    def table(self) -> VirtualTable:
        """The pane's main table (focus, filter and copy act on it)."""
        return self.query_one(VirtualTable)

    def refresh_from(self, ctx: PaneContext) -> None:
        """Render `ctx`: status line, data, then the title (which counts the data)."""
        if not self.is_attached or not self.children:
            return  # torn down (the app is exiting) while a message was still queued
        key = ctx.kind_key(self.KIND)
        same = self._same_data(ctx, key)
        self._key = key
        self.context = ctx
        self._show_status(ctx)
        if same:
            self.age_data(ctx.now)
            return
        self.update_data(ctx)
        self._set_title(self.pane_title())

    def _same_data(self, ctx: PaneContext, key: tuple[object, ...]) -> bool:
        """True when `ctx` shows what was last rendered (the time may differ): this pane's
        sources at the same seqs, the same thresholds and, for the alerts, the same catalog.
        Another pane's source polling leaves this one's rows alone."""
        last = self.context
        return (
            last is not None
            and ctx.revision >= 0
            and key == self._key
            and ctx.thresholds == last.thresholds
            and (
                not self.USES_POLICY
                or (ctx.policy is last.policy and ctx.catalog_pending == last.catalog_pending)
            )
        )

    def show_time(self, now: datetime) -> None:
        """The 1 Hz tick: the status line (data age) and the visible ages; no rebuild."""
        ctx = self.context
        if ctx is None or not self.is_attached or not self.children:
            return
        self.context = ctx = ctx.at(now)
        self._show_status(ctx)
        self.age_data(now)

    def _show_status(self, ctx: PaneContext) -> None:
        status = pane_status(
            ctx.state, self.KIND, ctx.now, ctx.thresholds, ctx.default_refresh_s, replay=ctx.replay
        )
        if status != self.status:
            self.status = status
            wanted = f"-{status.status}"
            if any(self.has_class(name) != (name == wanted) for name in STATUS_CLASSES):
                # One restyle of the pane and its table, not one per class changed.
                for name in STATUS_CLASSES:
                    self.set_class(name == wanted, name, update=False)
                self.update_node_styles(animate=False)
            self._set_subtitle(Content(status.text))

    def refresh_title(self) -> None:
        """Re-count the title after data arrived outside `refresh_from` (a worker's result)."""
        self._set_title(self.pane_title())

    def _set_title(self, title: Content) -> None:
        if self._title is None or not self._title.is_same(title):
            self._title = title
            self._set_border_text("_border_title", title, bottom=False)

    def _set_subtitle(self, subtitle: Content) -> None:
        if self._subtitle is None or not self._subtitle.is_same(subtitle):
            self._subtitle = subtitle
            self._set_border_text("_border_subtitle", subtitle, bottom=True)

    def _set_border_text(self, attribute: str, text: Content, *, bottom: bool) -> None:
        """Put `text` in the top or bottom border and repaint that one line.

        Textual's `border_title` setter repaints the whole pane, children included: a count
        in the title that moved at each poll re-sent every row of the pane to the terminal
        (about 5 kB a poll at 200x50). Stored as that setter stores it."""
        before = getattr(self, attribute, None)
        setattr(self, attribute, text.expand_tabs(4).split()[0])
        width, height = self.outer_size
        if not self.is_mounted or not height:
            self.refresh()
            return
        left, top = self.content_offset
        if not bottom and self.styles.border_title_align == "left":
            # Corner, dash and a space each side: the title starts at the third cell.
            old = before.cell_length if isinstance(before, Content) else width
            width = min(width, max(old, text.cell_length) + 4)
        self.refresh(Region(-left, height - 1 - top if bottom else -top, width, 1))

    def set_filter(self, text: str) -> None:
        """Show only the rows containing `text`; "" shows all."""
        self.table.set_filter(text)

    @property
    def filter_text(self) -> str:
        """The active filter ("" when none)."""
        return self.table.filter_text

    # To fill in subclasses ----------------------------------------------------------------

    def update_data(self, ctx: PaneContext) -> None:
        """Derive the pane's rows from `ctx` and hand them to its widgets."""
        raise NotImplementedError

    def age_data(self, now: datetime) -> None:
        """Move the ages shown in the rows to `now` (most panes show none)."""

    def time_due(self) -> float | None:
        """Seconds from the time last shown until this pane may show something else with no
        new data: 1 s while its status line counts an age (stale, failed), else when its
        first healthy source would turn stale; None if time alone changes nothing."""
        ctx = self.context
        if ctx is None:
            return None
        if self.status.status in (STALE, FAILED):
            return TICK_S
        sources = kind_sources(ctx.state, self.KIND, ctx.default_refresh_s)
        return first_stale_in(ctx.state, sources, ctx.now, ctx.thresholds)

    def pane_title(self) -> Content:
        """Border title: the key, the name and the headline counts."""
        raise NotImplementedError

    def pane_summary(self) -> Content:
        """A few words for the narrow layout's summary strip (e.g. `Lag 1 over`)."""
        raise NotImplementedError

    def copy_text(self) -> str | None:
        """Plain text of the highlighted row for the clipboard, or None."""
        raise NotImplementedError

    def link_values(self) -> dict[str, str] | None:
        """Grafana placeholders of the highlighted row (None: no row is highlighted):
        `pane`, a `from`/`to` range over the last hour, and the pane's own columns."""
        ctx = self.context
        row = self.row_values()
        if ctx is None or row is None:
            return None
        return {"pane": self.KIND, **window(ctx.now), **row}

    def row_values(self) -> dict[str, str] | None:
        """The highlighted row's columns as link placeholders (None: no row)."""
        return None
