"""`s` on an alert creates a silence in the demo's Alertmanager; `S` lists it and `x` expires
it; both land in the log. In read-only mode `s` is refused before anything is asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.widgets import Input
from uikit import wait_text

from cockpit.actions.silences import SilenceApi
from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.log.events import AlertsObserved, IncidentDeclared, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import StepTargets
from cockpit.screens.silences import SilenceDialog, SilencesScreen
from cockpit.session import LiveSession
from cockpit.sim.demo import DemoPlatform

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
ALERT = {
    "key": "fp-pg",
    "name": "PostgresConnectionsExhausted",
    "state": "firing",
    "labels": {"alertname": "PostgresConnectionsExhausted", "service": "kyc-db"},
}


def _app(tmp_path: Path, platform: DemoPlatform, clock: FrozenClock, **kw: Any) -> CockpitApp:
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    session.append(IncidentDeclared("INC-9", "Connections", "SEV-2", actor="ana@bastion"))
    session.append(AlertsObserved(source="am", items=(ALERT,)))
    targets = StepTargets(alertmanager_url=platform.alertmanager_url)
    options = AppOptions(author="ana@bastion", targets=lambda: targets,
                         permissions=Permissions.decide(Mode.LIVE, **kw))  # fmt: skip
    return CockpitApp(session, options, clock=clock)


def _types(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["type"] for line in lines]


async def test_s_silences_the_alert_and_S_expires_it(tmp_path: Path) -> None:
    clock = FrozenClock(START)
    with DemoPlatform(clock) as platform:
        app = _app(tmp_path, platform, clock)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_text(pilot, "PostgresConnectionsExhaust")
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SilenceDialog)
            matchers = app.screen.query_one("#silence-matchers", Input).value
            assert matchers == 'alertname="PostgresConnectionsExhausted", service="kyc-db"'
            await pilot.press("enter")  # no comment yet
            await wait_text(pilot, "comment is required")
            await pilot.press(*"rollback of kyc-svc running", "enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            (silence,) = SilenceApi(platform.alertmanager_url).list()
            assert silence.state == "active" and silence.created_by == "ana@bastion"
            assert silence.comment == "rollback of kyc-svc running"
            assert "silence.created" in _types(tmp_path / "inc.jsonl")

            await pilot.press("S")
            await wait_text(pilot, "1 active or pending silence", silence.silence_id[:8])
            assert isinstance(app.screen, SilencesScreen)
            await pilot.press("x")
            await pilot.press("y")
            await wait_text(pilot, "0 active or pending silence")
            assert [s.state for s in SilenceApi(platform.alertmanager_url).list()] == ["expired"]
            assert _types(tmp_path / "inc.jsonl")[-1] == "silence.expired"


async def test_s_is_refused_in_read_only(tmp_path: Path) -> None:
    clock = FrozenClock(START)
    with DemoPlatform(clock) as platform:
        app = _app(tmp_path, platform, clock, read_only=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_text(pilot, "PostgresConnectionsExhaust")
            await pilot.press("s")
            await pilot.pause()
            assert not isinstance(app.screen, SilenceDialog)
            assert SilenceApi(platform.alertmanager_url).list() == []
            assert "silence.created" not in _types(tmp_path / "inc.jsonl")
