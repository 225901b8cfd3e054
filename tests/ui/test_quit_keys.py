"""Every quit key asks while an incident is open, and every way out writes `log.closed`."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.log.events import IncidentDeclared, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.screens.dialogs import ConfirmDialog
from cockpit.screens.header import HeaderInfo
from cockpit.session import LiveSession
from cockpit.wiring import PlannedSource


def _planner() -> tuple[Sequence[PlannedSource], SourcesConfigured]:
    return [], SourcesConfigured(environment="test")


def app_on(path: Path, *, incident: bool) -> CockpitApp:
    clock = SystemClock()
    log, _ = IncidentLog.open(path, clock=clock)
    if incident:
        log.append(IncidentDeclared("INC-7", "db down", "SEV-2", "inc-7", actor="nadia"))
    return CockpitApp(LiveSession(log, _planner, clock), AppOptions(header=HeaderInfo("LIVE")))


async def until(pilot: Pilot[int], cond: Callable[[], object], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached in time"
        await pilot.pause(0.05)


def closing(path: Path) -> dict[str, object]:
    last = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert last["type"] == "log.closed", last
    data = last["data"]
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("key", ["q", "ctrl+q", "ctrl+c"])
async def test_each_quit_key_asks_while_an_incident_is_open(key: str, tmp_path: Path) -> None:
    path = tmp_path / "open.jsonl"
    app = app_on(path, incident=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.session.state.incident is not None)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert app.is_running
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    assert closing(path)["reason"] == "quit"


@pytest.mark.parametrize("key", ["q", "ctrl+q", "ctrl+c"])
async def test_each_quit_key_seals_the_log(key: str, tmp_path: Path) -> None:
    path = tmp_path / "quiet.jsonl"
    app = app_on(path, incident=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        await pilot.press(key)
        await until(pilot, lambda: not app.is_running)
    assert closing(path)["reason"] == "quit"


@pytest.mark.parametrize(
    ("sig", "reason"),
    [(signal.SIGTERM, "sigterm"), (signal.SIGINT, "sigint"), (signal.SIGHUP, "hangup")],
)
async def test_signals_close_without_asking(sig: int, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "sig.jsonl"
    app = app_on(path, incident=True)  # an open incident: a signal still does not ask
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.session.state.incident is not None)
        os.kill(os.getpid(), sig)
        await until(pilot, lambda: not app.is_running)
    assert closing(path)["reason"] == reason
