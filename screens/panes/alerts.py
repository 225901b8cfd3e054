"""Alerts pane: firing and pending alerts, most severe then oldest first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content

from cockpit.domain.severity import severity_rank
from cockpit.domain.state import IncidentState
from cockpit.domain.views import AlertRow, alerts_view
from cockpit.sanitize import clean
from cockpit.screens.widgets import Column, Row, VirtualTable

from .base import Pane, PaneContext
from .glyphs import DASH, compact_age

COLUMNS = (
    Column("severity", "Sev", width=5, priority=9),
    Column("name", "Alert", min_width=14, ratio=3, priority=10),
    Column("state", "State", width=9, priority=6),
    Column("target", "Target", min_width=10, ratio=2, priority=7),
    Column("age", "Age", width=6, align="right", priority=8),
    Column("runbook", "Runbook", width=7, priority=5),
    Column("summary", "Summary", min_width=24, ratio=3, priority=1),
)
SEVERITY_STYLES = ("bold red", "red", "yellow", "dim")
"""Rich styles by severity rank: SEV-1/P0, SEV-2/P1, SEV-3/P2, SEV-4/P3."""
KEY_SEP = "\u241f"


def severity_cell(label: str | None, muted: bool) -> Text:
    """The severity as a styled cell; muted alerts lose their colour on purpose."""
    rank = severity_rank(label)
    style = "" if muted or rank >= len(SEVERITY_STYLES) else SEVERITY_STYLES[rank]
    return Text.styled(label or "?", style) if style else Text(label or "?", end="")


def alert_row(row: AlertRow) -> Row:
    """One table row of an alert (cells are already single-line sanitised by the view)."""
    muted = row.silenced or row.inhibited
    state = "silenced" if row.silenced else "inhibited" if row.inhibited else row.state
    cells = (
        severity_cell(row.severity, muted),
        row.name,
        state,
        row.target,
        compact_age(row.age_s),
        row.runbook or DASH,
        row.summary,
    )
    return Row(f"{row.source}{KEY_SEP}{row.key}", cells, "muted" if muted else None)


class AlertsPane(Pane):
    """The alerts table; Enter on a row asks the screen to open the alert's runbook."""

    NUMBER: ClassVar[int] = 1
    KIND: ClassVar[str] = "alerts"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, AlertRow] = {}
        self._state: IncidentState | None = None

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, empty_text="no firing or pending alerts")

    def update_data(self, ctx: PaneContext) -> None:
        """Alerts in `alerts_view` order."""
        view = alerts_view(ctx.state, ctx.now, ctx.thresholds, ctx.policy)
        table_rows = [alert_row(row) for row in view]
        self.rows = {tr.key: row for tr, row in zip(table_rows, view, strict=True)}
        self._state = ctx.state
        self.table.set_rows(table_rows)

    def pane_title(self) -> Content:
        """`1 Alerts 7 (SEV-1 1, SEV-2 2)`."""
        counts = Counter(row.severity for row in self.rows.values() if row.severity)
        ranked = sorted(counts.items(), key=lambda kv: (severity_rank(kv[0]), kv[0]))
        detail = ", ".join(f"{label} {n}" for label, n in ranked)
        return Content(f"1 Alerts {len(self.rows)}" + (f" ({detail})" if detail else ""))

    def pane_summary(self) -> Content:
        """`Alerts 7 !SEV-1`: the worst severity that nobody silenced."""
        live = [r for r in self.rows.values() if not (r.silenced or r.inhibited)]
        worst = min(live, key=lambda r: r.rank, default=None)
        text = Content(f"Alerts {len(self.rows)}")
        if worst is None or worst.severity is None:
            return text
        style = "$text-error bold" if worst.rank <= 1 else "$text-warning"
        return Content.assemble(text, " ", (f"!{worst.severity}", style))

    def selected(self) -> tuple[AlertRow, dict[str, str]] | None:
        """The highlighted alert and its sanitised labels, or None."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        if key is None or row is None:
            return None
        rec = None
        if self._state is not None:
            rec = self._state.alerts.get(row.source, {}).get(row.key)
        raw = rec.item.get("labels") if rec is not None else None
        labels = {
            clean(k, single_line=True, max_len=100): clean(v, single_line=True, max_len=300)
            for k, v in (raw.items() if isinstance(raw, Mapping) else ())
        }
        return row, labels

    def copy_text(self) -> str | None:
        """`KafkaConsumerLagHigh{consumergroup="kyc"} SEV-2 firing 12m RB-003`."""
        chosen = self.selected()
        if chosen is None:
            return None
        row, labels = chosen
        pairs = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        parts = [f"{row.name}{{{pairs}}}", row.severity or "", row.state, compact_age(row.age_s)]
        return " ".join(p for p in [*parts, row.runbook or ""] if p)
