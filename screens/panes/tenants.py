"""Tenant quotas pane: licence use against the 95 % line and RNE balance, worst first."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content

from cockpit.domain.metrics_views import TenantRow, tenants_view
from cockpit.domain.thresholds import Thresholds
from cockpit.screens.widgets import Column, Row, VirtualTable

from .base import Pane, PaneContext
from .glyphs import gauge, percent, thousands

GAUGE_WIDTH = 10
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


class TenantsPane(Pane):
    """Every tenant, worst first; virtualised, so 5,000 tenants cost only the visible lines."""

    NUMBER: ClassVar[int] = 4
    KIND: ClassVar[str] = "tenants"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, TenantRow] = {}
        self.over_quota = 0
        self.rne_low = 0
        self.bad = 0
        """Tenants over quota or low on balance (a tenant with both counts once)."""

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, empty_text="no tenant quota reported")

    def update_data(self, ctx: PaneContext) -> None:
        """Rows in `tenants_view` order (worst first); called only when the state advanced."""
        state = ctx.state
        view = tenants_view(state, ctx.thresholds)
        self.rows = {row.tenant: row for row in view}
        self.over_quota = sum(1 for row in view if row.over_quota)
        self.rne_low = sum(1 for row in view if row.rne_low)
        self.bad = sum(1 for row in view if row.over_quota or row.rne_low)
        self.table.set_rows([tenant_cells(row, ctx.thresholds) for row in view])

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
