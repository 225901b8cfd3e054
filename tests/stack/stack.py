"""The whole loopback test stack as one value, for tests that need several servers."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.sim.exporter import ScenarioExporter

from .alertmanager import AlertmanagerServer
from .pg_exporter import PostgresExporter
from .postgres import PostgresServer
from .prometheus import PrometheusServer


@dataclass(frozen=True, slots=True)
class Stack:
    """Every server of the test stack, already started and ready."""

    pg: PostgresServer
    scenario: ScenarioExporter
    pg_exporter: PostgresExporter
    alertmanager: AlertmanagerServer
    prometheus: PrometheusServer
