"""The alerts table: its columns, one row per alert, and rows aged without a rebuild (pure:
the pane builds them on a worker thread for big sets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from cockpit.domain.severity import severity_rank
from cockpit.domain.state import AlertRecord
from cockpit.domain.views import AlertRow, alerts_view
from cockpit.screens.widgets import Column, Row

from .context import PaneContext
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
EMPTY_TEXT = "no firing or pending alerts"

_SEVERITY_CELLS: dict[tuple[str | None, bool], Text] = {}


def severity_cell(label: str | None, muted: bool) -> Text:
    """The severity as a styled cell; muted alerts lose their colour on purpose.

    Cells are shared between rows (a handful of labels, thousands of rows); the table copies
    a Text before fitting it, so nothing mutates them.
    """
    cached = _SEVERITY_CELLS.get((label, muted))
    if cached is not None:
        return cached
    rank = severity_rank(label)
    style = "" if muted or rank >= len(SEVERITY_STYLES) else SEVERITY_STYLES[rank]
    cell = Text.styled(label or "?", style) if style else Text(label or "?", end="")
    if len(_SEVERITY_CELLS) < 256:
        _SEVERITY_CELLS[(label, muted)] = cell
    return cell


def alert_row(row: AlertRow, age: str | None = None) -> Row:
    """One table row of an alert (cells are already single-line sanitised by the view)."""
    muted = row.silenced or row.inhibited
    state = "silenced" if row.silenced else "inhibited" if row.inhibited else row.state
    cells = (
        severity_cell(row.severity, muted),
        row.name,
        state,
        row.target,
        compact_age(row.age_s) if age is None else age,
        row.runbook or DASH,
        row.summary,
    )
    return Row(f"{row.source}{KEY_SEP}{row.key}", cells, "muted" if muted else None)


AGE_CELL = 4
"""Position of the age in `alert_row` cells."""


@dataclass(frozen=True, slots=True)
class Built:
    """An alerts view and its table rows, computed at `at` for the state version `version`
    (the session's revision and the catalog's identity)."""

    version: tuple[int, ...]
    at: datetime
    view: list[AlertRow]
    rows: list[Row]


def build(
    version: tuple[int, ...],
    records: Sequence[AlertRecord],
    ctx: PaneContext,
) -> Built:
    """The view and rows of `records` (pure: safe on a worker thread over a snapshot)."""
    view = alerts_view(ctx.state, ctx.now, ctx.thresholds, ctx.policy, records=records)
    texts: dict[float, str] = {}  # thousands of alerts share a few start times
    rows: list[Row] = []
    for row in view:
        age = texts.get(row.age_s)
        if age is None:
            age = texts[row.age_s] = compact_age(row.age_s)
        rows.append(alert_row(row, age))
    return Built(version, ctx.now, view, rows)


def aged(built: Built, now: datetime) -> list[Row]:
    """`built.rows` with ages moved on to `now`; a row whose age text is unchanged is reused.

    Every age grows by the same amount, so the order (oldest first within a severity) holds.
    """
    shift = (now - built.at).total_seconds()
    texts: dict[float, str] = {}
    rows = built.rows
    out: list[Row] = []
    for row, table_row in zip(built.view, rows, strict=True):
        text = texts.get(row.age_s)
        if text is None:
            text = texts[row.age_s] = compact_age(row.age_s + shift)
        cells = table_row.cells
        if cells[AGE_CELL] == text:
            out.append(table_row)
        else:
            out.append(Row(table_row.key, (*cells[:AGE_CELL], text, *cells[AGE_CELL + 1 :]),
                           table_row.style))  # fmt: skip
    return out


def same_rows(rows: list[Row], shown: list[Row]) -> bool:
    """True when `rows` are the very objects of `shown` (`aged` reuses unchanged rows)."""
    return len(rows) == len(shown) and all(a is b for a, b in zip(rows, shown, strict=True))
