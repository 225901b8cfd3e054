"""The dashboard's panes: alerts, Kafka lag, PostgreSQL, tenant quotas, and their summary strip."""

from __future__ import annotations

from .alerts import AlertsPane
from .base import Pane
from .context import PaneContext
from .filter import FilterBar
from .lag import LagPane
from .postgres import PostgresPane
from .status import PaneStatus, pane_status
from .summary import SummaryStrip, summary_line
from .tenants import TenantsPane
from .text_line import TextLine

__all__ = [
    "AlertsPane",
    "FilterBar",
    "LagPane",
    "Pane",
    "PaneContext",
    "PaneStatus",
    "PostgresPane",
    "SummaryStrip",
    "TenantsPane",
    "TextLine",
    "pane_status",
    "summary_line",
]
