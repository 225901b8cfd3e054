"""PostgreSQL pane: connection use against the alert line, sessions by state and application."""

from __future__ import annotations

from itertools import zip_longest
from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content

from cockpit.domain.metrics_views import PgView, pg_view
from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import Thresholds
from cockpit.sanitize import clean
from cockpit.screens.widgets import Column, Row, VirtualTable

from .base import Pane
from .context import PaneContext
from .glyphs import DASH, duration_words, gauge, percent, sparkline
from .text_line import TextLine

BAR_WIDTH = 20
HISTORY_WIDTH = 20
DANGER, WARNING, GOOD = "$text-error bold", "$text-warning", "$text-success"
COLUMNS = (
    Column("state", "State", min_width=12, ratio=1, priority=10),
    Column("state_n", "Conns", width=6, align="right", priority=9),
    Column("app", "Application", min_width=12, ratio=1, priority=8),
    Column("app_n", "Conns", width=6, align="right", priority=7),
)


def pick_source(state: IncidentState) -> str | None:
    """The source with the freshest snapshot; on a tie the database beats the exporter."""
    dated = [(pg.ts, "exporter" not in name, name) for name, pg in state.postgres.items() if pg.ts]
    return max(dated)[2] if dated else None


def is_exporter(source: str) -> bool:
    """Whether data comes from the prometheus exporter fallback rather than the database."""
    return "exporter" in source


def usage_line(view: PgView | None, t: Thresholds) -> Content:
    """`████████████████|···  172/200  86 %  alert at 85 %`."""
    if view is None or view.used is None:
        return Content.styled("no connection snapshot yet", "$text-muted italic")
    mark = t.pg_usage_ratio
    ratio = view.ratio
    style = DANGER if view.over_threshold else WARNING if (ratio or 0) > 0.9 * mark else GOOD
    most = DASH if view.max_connections is None else f"{view.max_connections:,}"
    return Content.assemble(
        (gauge(ratio, BAR_WIDTH, mark), style),
        f"  {view.used:,}/{most}  ",
        (percent(ratio), style),
        f"  alert at {percent(mark)}",
    )


def count_line(label: str, count: int) -> Content:
    """`idle in transaction > 5 min: 3`, in danger style when the count is above zero."""
    return Content.assemble(f"{label}: ", (str(count), DANGER if count else GOOD))


def history_line(view: PgView | None) -> Content:
    """`usage ▁▂▃▅▆▇  peak 91 % at 14:03:12Z`."""
    if view is None or not view.history:
        return Content("")
    peak = ""
    if view.peak_ratio is not None and view.peak_ts is not None:
        peak = f"  peak {percent(view.peak_ratio)} at {view.peak_ts:%H:%M:%S}Z"
    spark = sparkline(view.history, HISTORY_WIDTH, 0.0, 1.0)
    return Content.assemble("usage ", (spark, "$accent"), peak)


class PostgresPane(Pane):
    """Usage bar, session counters, history, then sessions by state and by application."""

    NUMBER: ClassVar[int] = 3
    KIND: ClassVar[str] = "postgres"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: PgView | None = None
        self.rows: dict[str, str] = {}
        self.row_links: dict[str, dict[str, str]] = {}
        """Grafana placeholders of each row: its `state` and `application`."""

    def compose(self) -> ComposeResult:
        """Four text lines over a table."""
        yield TextLine(id="pg-usage")
        yield TextLine(id="pg-idle")
        yield TextLine(id="pg-long")
        yield TextLine(id="pg-history")
        yield VirtualTable(COLUMNS, empty_text="no sessions reported")

    def update_data(self, ctx: PaneContext) -> None:
        """Render the freshest source's snapshot."""
        t = ctx.thresholds
        source = pick_source(ctx.state)
        view = None if source is None else pg_view(ctx.state, ctx.now, t, source)
        self.view = view
        self.query_one("#pg-usage", TextLine).show(usage_line(view, t))
        idle, long = (0, 0) if view is None else (view.idle_in_tx_old, view.long_running)
        idle_label = f"idle in transaction > {duration_words(t.idle_in_tx_age_s)}"
        self.query_one("#pg-idle", TextLine).show(count_line(idle_label, idle))
        long_label = f"queries running > {duration_words(t.long_query_s)}"
        self.query_one("#pg-long", TextLine).show(count_line(long_label, long))
        self.query_one("#pg-history", TextLine).show(history_line(view))
        pairs = zip_longest(view.by_state if view else (), view.by_application if view else ())
        table_rows, self.rows, self.row_links = [], {}, {}
        for n, (by_state, by_app) in enumerate(pairs):
            cells = (*(by_state or ("", "")), *(by_app or ("", "")))
            self.row_links[str(n)] = {
                "state": str(by_state[0]) if by_state else "",
                "application": str(by_app[0]) if by_app else "",
            }
            text = tuple(c if isinstance(c, str) else f"{c:,}" for c in cells)
            table_rows.append(Row(str(n), text))
            self.rows[str(n)] = " ".join(c for c in text if c)
        self.table.set_rows(table_rows)

    def pane_title(self) -> Content:
        """`3 PostgreSQL 172/200 (database)` or `(exporter fallback)`."""
        view = self.view
        if view is None:
            return Content("3 PostgreSQL")
        origin = "exporter fallback" if is_exporter(view.source) else "database"
        used = DASH if view.used is None else f"{view.used:,}"
        most = DASH if view.max_connections is None else f"{view.max_connections:,}"
        source = clean(view.source, single_line=True, max_len=40)
        return Content(f"3 PostgreSQL {used}/{most} ({origin}: {source})")

    def pane_summary(self) -> Content:
        """`PG 86 %`, in danger style over the alert line."""
        view = self.view
        if view is None or view.ratio is None:
            return Content("PG -")
        if view.over_threshold:
            return Content.assemble("PG ", (percent(view.ratio), DANGER))
        return Content(f"PG {percent(view.ratio)}")

    def row_values(self) -> dict[str, str] | None:
        """`state` and `application` of the highlighted row, else just the pane."""
        key = self.table.cursor_key
        return dict(self.row_links.get(key, {})) if key is not None else {}

    def copy_text(self) -> str | None:
        """The highlighted state/application row, else the usage line."""
        key = self.table.cursor_key
        if key is not None and key in self.rows:
            return self.rows[key]
        return self.query_one("#pg-usage", TextLine).shown.plain or None
