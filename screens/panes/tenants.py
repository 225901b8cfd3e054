"""Tenant quotas pane: licence use against the 95 % line and RNE balance, worst first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content

from cockpit.domain.metrics_views import TenantRow, tenants_view
from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import Thresholds
from cockpit.screens.widgets import Column, PreparedRows, Row, VirtualTable

from .context import PaneContext
from .glyphs import DASH, gauge, percent, thousands
from .threaded import ThreadedPane

GAUGE_WIDTH = 10
EMPTY_TEXT = "no tenant quota reported"
"""From this many tenants the rows are built on a thread (5,000 held the loop about 0.1 s)."""
COLUMNS = (
    Column("tenant", "Tenant", min_width=12, ratio=2, priority=10),
    Column("checks", "Checks / limit", width=19, align="right", priority=8),
    Column("ratio", "Used", width=7, align="right", priority=9),
    Column("gauge", "Quota", width=GAUGE_WIDTH, priority=3),
    Column("rne", "RNE balance", width=11, align="right", priority=7),
)


def tenant_cells(row: TenantRow, thresholds: Thresholds) -> Row:
    """One table row; a tenant over quota or low on RNE balance is styled as danger."""
    cells = (
        row.tenant,
        f"{thousands(row.checks)} / {thousands(row.limit)}",
        percent(row.ratio, 1),
        gauge(row.ratio, GAUGE_WIDTH, thresholds.license_quota_ratio),
        thousands(row.rne_balance),
    )
    return Row(row.tenant, cells, "danger" if row.over_quota or row.rne_low else None)


@dataclass(frozen=True, slots=True)
class TenantTable:
    """The tenants of one state, worst first, and their table rows."""

    version: int
    view: list[TenantRow]
    rows: list[Row]


def tenant_table(version: int, state: IncidentState, thresholds: Thresholds) -> TenantTable:
    """Build the rows (pure: safe on a thread given a state nobody folds into)."""
    view = tenants_view(state, thresholds)
    return TenantTable(version, view, tenant_rows(view, thresholds))


def tenant_rows(view: Sequence[TenantRow], thresholds: Thresholds) -> list[Row]:
    """`tenant_cells` of every row, in one loop: a limit most tenants share is written
    once, and the NamedTuple is unpacked rather than read field by field (5,000 rows)."""
    mark = thresholds.license_quota_ratio
    limits: dict[float | None, str] = {}
    rows: list[Row] = []
    append = rows.append
    for tenant, checks, limit, ratio, over, balance, low, _bad in view:
        shown = limits.get(limit)
        if shown is None:
            shown = limits[limit] = thousands(limit)
        cells = (
            tenant,
            f"{DASH if checks is None else f'{round(checks):,}'} / {shown}",
            DASH if ratio is None else f"{ratio * 100:.1f} %",
            gauge(ratio, GAUGE_WIDTH, mark),
            DASH if balance is None else f"{round(balance):,}",
        )
        append(Row(tenant, cells, "danger" if over or low else None))
    return rows


class TenantsPane(ThreadedPane[TenantTable]):
    """Every tenant, worst first; virtualised, so 5,000 tenants cost only the visible lines."""

    NUMBER: ClassVar[int] = 4
    KIND: ClassVar[str] = "tenants"
    EMPTY_TEXT: ClassVar[str] = EMPTY_TEXT
    WAITING: ClassVar[str] = "{count:,} tenants: sorting them…"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, TenantRow] = {}
        self.over_quota = 0
        self.rne_low = 0
        self.bad = 0
        """Tenants over quota or low on balance (a tenant with both counts once)."""

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, empty_text=EMPTY_TEXT)

    def item_count(self, state: IncidentState) -> int:
        """Tenants in the state (rows in `tenants_view` order: worst first)."""
        return sum(len(by_key) for by_key in state.tenants.values())

    def build(self, version: int, ctx: PaneContext) -> TenantTable:
        """The tenants view of `ctx` and its rows."""
        return tenant_table(version, ctx.state, ctx.thresholds)

    def show_table(self, table: TenantTable, prepared: PreparedRows | None) -> None:
        """The rows and the counts of the title."""
        view = table.view
        self.rows = {row.tenant: row for row in view}
        self.over_quota = sum(1 for row in view if row.over_quota)
        self.rne_low = sum(1 for row in view if row.rne_low)
        self.bad = sum(1 for row in view if row.over_quota or row.rne_low)
        self.table.set_rows(table.rows, prepared)

    def pane_title(self) -> Content:
        """`4 Tenant quotas 5,000 · 12 over quota · 3 low RNE`."""
        parts: list[str | Content | tuple[str, str]] = [f"4 Tenant quotas {len(self.rows):,}"]
        if self.over_quota:
            parts += [" · ", (f"{self.over_quota:,} over quota", "$text-error bold")]
        if self.rne_low:
            parts += [" · ", (f"{self.rne_low:,} low RNE", "$text-error bold")]
        return Content.assemble(*parts)

    def pane_summary(self) -> Content:
        """`Quota 2 over` counting tenants over quota or low on balance."""
        if self.bad:
            return Content.assemble("Quota ", (f"{self.bad:,} over", "$text-error bold"))
        return Content(f"Quota {len(self.rows):,} ok" if self.rows else "Quota -")

    def row_values(self) -> dict[str, str] | None:
        """`tenant` of the highlighted row."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        return None if row is None else {"tenant": row.tenant}

    def copy_text(self) -> str | None:
        """`tenant=acme checks=9,812/10,000 (98.1 %) rne=500`."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        if row is None:
            return None
        return (
            f"tenant={row.tenant} checks={thousands(row.checks)}/{thousands(row.limit)} "
            f"({percent(row.ratio, 1)}) rne={thousands(row.rne_balance)}"
        )
