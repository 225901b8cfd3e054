"""Kafka lag pane: consumer groups by lag, over-threshold first, with rate, trend and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content

from cockpit.domain.metrics_views import LagRow, lag_view
from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import Thresholds
from cockpit.screens.widgets import Column, PreparedRows, Row, VirtualTable

from .context import PaneContext
from .glyphs import signed_rate, sparkline, thousands
from .threaded import ThreadedPane

SPARK_WIDTH = 10
COLUMNS = (
    Column("group", "Group", min_width=10, ratio=3, priority=10),
    Column("topic", "Topic", min_width=8, ratio=2, priority=6),
    Column("lag", "Lag", width=10, align="right", priority=9),
    Column("rate", "Rate/min", width=10, align="right", priority=8),
    Column("history", "History", width=SPARK_WIDTH, priority=5),
    Column("peak", "Peak", width=10, align="right", priority=4),
)
KEY_SEP = "\u241f"
EMPTY_TEXT = "no consumer group reported"
"""From this many groups the rows are built on a thread (2,000 held the loop 30 to 50 ms)."""


def lag_row(row: LagRow) -> Row:
    """One table row; over-threshold groups are styled as danger."""
    cells = (
        row.group,
        row.topic,
        thousands(row.lag),
        signed_rate(row.rate_per_min, row.trend),
        sparkline(row.history, SPARK_WIDTH),
        thousands(row.peak),
    )
    key = KEY_SEP.join((row.source, row.group, row.topic))
    return Row(key, cells, "danger" if row.over_threshold else None)


@dataclass(frozen=True, slots=True)
class LagTable:
    """The lag view and its table rows for build `version` (the pane's count of asks)."""

    version: int
    view: list[LagRow]
    rows: list[Row]
    limit: int


def lag_table(
    version: int, state: IncidentState, now: datetime, thresholds: Thresholds
) -> LagTable:
    """Build the rows (pure: safe on a thread given a state nobody folds into)."""
    view = lag_view(state, now, thresholds)
    return LagTable(version, view, [lag_row(row) for row in view], thresholds.kafka_lag)


class LagPane(ThreadedPane[LagTable]):
    """Consumer lag per (group, topic)."""

    NUMBER: ClassVar[int] = 2
    KIND: ClassVar[str] = "kafka"
    EMPTY_TEXT: ClassVar[str] = EMPTY_TEXT
    WAITING: ClassVar[str] = "{count:,} consumer groups: sorting them…"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, LagRow] = {}
        self._limit = 0

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, empty_text=EMPTY_TEXT)

    def item_count(self, state: IncidentState) -> int:
        """Rows in `lag_view` order: over threshold first, then the largest lag (built only
        when the state advanced; the 1 Hz tick leaves the rates as the last poll left them)."""
        return sum(len(kafka.totals) for kafka in state.kafka.values())

    def build(self, version: int, ctx: PaneContext) -> LagTable:
        """The lag view of `ctx` and its rows."""
        return lag_table(version, ctx.state, ctx.now, ctx.thresholds)

    def show_table(self, table: LagTable, prepared: PreparedRows | None) -> None:
        """The rows, their limit and the lookup by key."""
        self.rows = {tr.key: row for tr, row in zip(table.rows, table.view, strict=True)}
        self._limit = table.limit
        self.table.set_rows(table.rows, prepared)

    @property
    def over(self) -> int:
        """Groups over the lag threshold."""
        return sum(1 for row in self.rows.values() if row.over_threshold)

    def pane_title(self) -> Content:
        """`2 Kafka lag 14 groups · 1 over 10,000`."""
        head = f"2 Kafka lag {len(self.rows):,} groups"
        over = self.over
        if not over:
            return Content(head)
        return Content.assemble(head, " · ", (f"{over} over {self._limit:,}", "$text-error bold"))

    def pane_summary(self) -> Content:
        """`Lag 1 over` (or the group count when none is over)."""
        over = self.over
        if over:
            return Content.assemble("Lag ", (f"{over} over", "$text-error bold"))
        return Content(f"Lag {len(self.rows)} ok" if self.rows else "Lag -")

    def row_values(self) -> dict[str, str] | None:
        """`consumergroup` and `topic` of the highlighted row."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        return None if row is None else {"consumergroup": row.group, "topic": row.topic}

    def copy_text(self) -> str | None:
        """`group=kyc topic=docs lag=12,000 rate=+1,200/min peak=15,000`."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        if row is None:
            return None
        return (
            f"group={row.group} topic={row.topic} lag={thousands(row.lag)} "
            f"rate={round(row.rate_per_min):+,}/min peak={thousands(row.peak)}"
        )
