"""Dashboard screen: the four live panes (alerts, Kafka lag, PostgreSQL, tenant quotas)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, Static

PANES = (
    ("alerts", "1 Alerts"),
    ("lag", "2 Kafka consumer lag"),
    ("postgres", "3 PostgreSQL connections"),
    ("tenants", "4 Tenant quotas"),
)


class DashboardScreen(Screen[None]):
    """Four panes in a grid; each pane renders its slice of the incident state."""

    CSS_PATH = "dashboard.tcss"

    def __init__(self, mode: str, read_only: bool) -> None:
        super().__init__()
        self._mode = mode
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        """Header line, the pane grid, the key footer."""
        flags = f"{self._mode}{' · READ-ONLY' if self._read_only else ''}"
        yield Static(f" cockpit · {flags}", id="status-bar")
        with Grid(id="panes"):
            for pane_id, title in PANES:
                pane = Static("no data yet", id=f"pane-{pane_id}", classes="pane")
                pane.border_title = title
                yield pane
        yield Footer()
