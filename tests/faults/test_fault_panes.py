"""The dashboard while one HTTP source fails: what its pane says, how fast, and recovery."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from appkit import build_app, status_line, wait_until
from fakeapi import HTML, FaultyApi

from cockpit.screens.dialogs import NoteDialog
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.scheduler import next_delay
from cockpit.sources.tenants import PrometheusTenantQuota
from cockpit.wiring import PlannedSource

INTERVAL_S = 0.5
DEADLINE_S = 1.0
SLACK_S = 1.5
"""Event-loop and thread scheduling slack on a shared 2-core machine."""
LIVE = "● live"
HEALTHY = (LIVE, "◐ PARTIAL")
"""The exporter fallback is always partial: it cannot see session ages."""


@dataclass(frozen=True, slots=True)
class Fault:
    """How to break the alerts server, what the pane must then say, and how to mend it."""

    name: str
    brk: Callable[[FaultyApi], None]
    shown: str
    retry_after_s: float | None = None


def _status(code: int, **headers: str) -> Callable[[FaultyApi], None]:
    return lambda api: api.set_fault(r"^/api/", status=code, headers=headers)


FAULTS = [
    Fault("down", lambda api: api.stop(), "cannot "),
    Fault("hangs", lambda api: api.set_fault(r"^/api/", delay_s=30.0), f"within {DEADLINE_S:g} s"),
    Fault("500", _status(500), "HTTP 500 from 127.0.0.1:"),
    Fault("503", _status(503), "HTTP 503 from 127.0.0.1:"),
    Fault("429", _status(429, **{"Retry-After": "2"}), "HTTP 429 from", retry_after_s=2.0),
    Fault("html", lambda api: setattr(api, "misbehaviour", HTML), "not JSON: '<html>"),
]


def mend(api: FaultyApi) -> None:
    api.clear_faults()
    api.misbehaviour = None
    api.start()  # no-op unless the fault stopped it (same port: it was fixed at creation)


@pytest.fixture
def servers() -> Iterator[tuple[FaultyApi, FaultyApi]]:
    prom = FaultyApi()
    prom.start()
    probe = FaultyApi()
    probe.start()
    port = probe.port
    probe.stop()
    am = FaultyApi(port=port)  # a fixed port, so a stopped server comes back where it was
    am.start()
    yield am, prom
    am.stop()
    prom.stop()


def planned(am: FaultyApi, prom: FaultyApi) -> list[PlannedSource]:
    """The four sources `cockpit demo` wires, with this test's interval and deadline."""
    sources = [
        AlertmanagerAlerts(am.url, timeout_s=DEADLINE_S),
        PrometheusKafkaLag(prom.url, timeout_s=DEADLINE_S),
        ExporterConnections(prom.url, timeout_s=DEADLINE_S),
        PrometheusTenantQuota(prom.url, timeout_s=DEADLINE_S),
    ]
    return [PlannedSource(source, INTERVAL_S) for source in sources]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_failing_alerts_source_shows_in_its_pane_only_and_recovers(
    fault: Fault, servers: tuple[FaultyApi, FaultyApi], tmp_path: Path
) -> None:
    am, prom = servers
    app = build_app(tmp_path / "faults.jsonl", planned(am, prom), INTERVAL_S)
    async with app.run_test(size=(120, 40)) as pilot:

        def all_live() -> bool:
            return all(status_line(app, n).startswith(HEALTHY) for n in (1, 2, 3, 4))

        await wait_until(pilot, all_live, "all four panes live", 10.0)
        fault.brk(am)
        took = await wait_until(
            pilot,
            lambda: (
                status_line(app, 1).startswith("✖ FAILED") and fault.shown in status_line(app, 1)
            ),
            f"alerts pane showing {fault.shown!r} (now {status_line(app, 1)!r})",
            INTERVAL_S + DEADLINE_S + SLACK_S,
        )
        assert took <= INTERVAL_S + DEADLINE_S + SLACK_S
        assert app.dashboard.pane(1).has_class("-failed")
        for other in (2, 3, 4):
            assert status_line(app, other).startswith(HEALTHY), status_line(app, other)
        # Keys keep working while the source is failing.
        await pilot.press("3")
        assert app.dashboard.current == 3
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.dashboard
        # Recovery: within the delay the scheduler had armed when the server came back.
        scheduler = app.session._scheduler  # type: ignore[attr-defined]
        failures = scheduler.failures("alertmanager")
        armed = next_delay(INTERVAL_S, failures, fault.retry_after_s, INTERVAL_S)
        mend(am)
        back = await wait_until(
            pilot,
            lambda: status_line(app, 1).startswith(LIVE),
            f"alerts pane live again (now {status_line(app, 1)!r})",
            armed + DEADLINE_S + SLACK_S,
        )
        assert back <= armed + DEADLINE_S + SLACK_S
        await pilot.press("q")
    log = (tmp_path / "faults.jsonl").read_text(encoding="utf-8")
    assert '"type":"source.failed"' in log.replace(" ", "")
