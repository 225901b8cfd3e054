"""Session fixtures: the real loopback test stack (PostgreSQL, exporters, Prometheus, Alertmanager).

Servers start lazily (a test asking only for `pg_server` starts only PostgreSQL), live for the
session in temp dirs on free ports, and are torn down at the end, also after Ctrl-C; a hard
kill of pytest takes them down through PR_SET_PDEATHSIG. A missing binary fails the session
with the Debian package to install: under CI a missing server is never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from logbox import LogBox
from stack.alertmanager import AlertmanagerServer
from stack.pg_exporter import PostgresExporter
from stack.postgres import PostgresServer
from stack.prometheus import PrometheusServer
from stack.stack import Stack

from cockpit.clock import SystemClock
from cockpit.log.store import IncidentLog
from cockpit.runbook.model import Runbook
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sim.exporter import ScenarioExporter


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """PostgreSQL 15 with db `kyc` (tests/stack/schema.sql); .dsn, .ro_dsn, restart(), pid()."""
    server = PostgresServer()
    try:
        server.setup()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def scenario() -> Iterator[ScenarioExporter]:
    """The scenario exporter in its healthy state; tests that change it use `fresh_scenario`."""
    exporter = ScenarioExporter().start()
    try:
        yield exporter
    finally:
        exporter.stop()


@pytest.fixture
def fresh_scenario(scenario: ScenarioExporter) -> Iterator[ScenarioExporter]:
    """The session exporter, reset to healthy defaults before and after the test."""
    scenario.reset()
    try:
        yield scenario
    finally:
        scenario.reset()


@pytest.fixture(scope="session")
def pg_exporter(pg_server: PostgresServer) -> Iterator[PostgresExporter]:
    """prometheus-postgres-exporter scraping `pg_server` as the read-only role; .url."""
    exporter = PostgresExporter(pg_server.url)
    try:
        yield exporter.start()
    finally:
        exporter.cleanup()


@pytest.fixture(scope="session")
def alertmanager_server() -> Iterator[AlertmanagerServer]:
    """Alertmanager with a null receiver, clustering off; .url."""
    server = AlertmanagerServer()
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def prom_server(
    scenario: ScenarioExporter,
    pg_exporter: PostgresExporter,
    alertmanager_server: AlertmanagerServer,
) -> Iterator[PrometheusServer]:
    """Prometheus scraping scenario, ocr-svc and postgres every 1 s, catalog rules with for=1s."""
    server = PrometheusServer(
        scenario=scenario.address,
        pg_exporter=pg_exporter.address,
        alertmanager=alertmanager_server.address,
    )
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def stack(
    pg_server: PostgresServer,
    scenario: ScenarioExporter,
    pg_exporter: PostgresExporter,
    alertmanager_server: AlertmanagerServer,
    prom_server: PrometheusServer,
) -> Stack:
    """All servers of the test stack, started."""
    return Stack(pg_server, scenario, pg_exporter, alertmanager_server, prom_server)


@pytest.fixture
def logbox(tmp_path: Path) -> Iterator[LogBox]:
    """A real incident log in `tmp_path`, folded as it grows."""
    log, _report = IncidentLog.open(tmp_path / "incident.jsonl", clock=SystemClock())
    box = LogBox(log)
    box.pump()
    yield box
    log.close()


@pytest.fixture(scope="session")
def runbooks() -> dict[str, Runbook]:
    """The shipped runbooks, by id (every file must load)."""
    found = load_runbooks(default_runbook_dirs())
    assert not found.refused, found.problems
    return {r.id: r for r in found.runbooks}
