"""Pilot: RB-004 walked from an alert (diagnose, confirm a mitigation, note); read-only/replay."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.log.events import SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import StepTargets
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.header import HeaderInfo
from cockpit.screens.runbook_dialogs import MitigationDialog
from cockpit.screens.runbook_live import LiveOutput
from cockpit.screens.runbook_screen import RunbookScreen
from cockpit.session import LiveSession, ReplaySession
from cockpit.wiring import PlannedSource

pytestmark = pytest.mark.servers
ALERT = DashboardScreen.AlertOpened("a1", "PostgresConnectionsExhausted", "RB-004", {"x": "[/]"})


def _planner() -> tuple[Sequence[PlannedSource], SourcesConfigured]:
    return [], SourcesConfigured(environment="test")


def live_app(
    path: Path,
    dsn: str,
    *,
    read_only: bool = False,
    role: str = "responder",
    dirs: str = "",
    author: str = "nadia@bastion",
) -> CockpitApp:
    clock = SystemClock()
    log, _report = IncidentLog.open(path, clock=clock, from_start=True)
    targets = StepTargets(postgres_dsn=dsn, postgres_mitigation_dsn=dsn)
    options = AppOptions(
        header=HeaderInfo("LIVE", read_only=read_only),
        permissions=Permissions.decide(Mode.LIVE, read_only=read_only, role=role),
        author=author,
        targets=lambda: targets,
        runbook_dirs=(dirs,) if dirs else (),
    )
    return CockpitApp(LiveSession(log, _planner, clock), options, clock=clock)


async def until(pilot: Pilot[int], cond: Callable[[], object], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached in time"
        await pilot.pause(0.05)


async def open_rb004(
    pilot: Pilot[int], app: CockpitApp, alert: DashboardScreen.AlertOpened = ALERT
) -> RunbookScreen:
    await pilot.pause()
    app.post_message(alert)
    await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
    screen = app.screen
    assert isinstance(screen, RunbookScreen)
    return screen


def ran_ok(app: CockpitApp, step_id: str) -> bool:
    return any(r.step == step_id and r.outcome == "ok" for r in app.session.state.steps.values())


async def run_step(pilot: Pilot[int], screen: RunbookScreen, step_id: str) -> None:
    ids = [s.id for s in screen.shown_steps]
    screen.query_one("#steps", OptionList).highlighted = ids.index(step_id)
    await pilot.press("x")


async def test_rb004_from_an_alert(pg_server, tmp_path: Path) -> None:
    app = live_app(tmp_path / "live.jsonl", pg_server.dsn)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app)
        state = app.session.state
        assert "kill-idle" in [s.id for s in screen.shown_steps]
        for step_id in ("who-holds", "long-running"):
            await run_step(pilot, screen, step_id)
            await until(pilot, lambda s=step_id: ran_ok(app, s))
        prompt = str(screen.query_one("#steps", OptionList).get_option_at_index(0).prompt)
        assert "ok" in prompt and "nadia" in prompt
        await run_step(pilot, screen, "kill-idle")
        await until(pilot, lambda: isinstance(app.screen, MitigationDialog))
        assert "pg_terminate_backend" in str(app.screen.query_one("#what").children[0].render())
        (pending,) = app.session.state.mitigations.values()
        assert pending.outcome is None and pending.confirmed_by is None
        app.screen.query_one("#typed", Input).value = "terminate-idle"
        await pilot.press("enter")
        await until(pilot, lambda: next(iter(state.mitigations.values())).outcome is not None)
        (done,) = app.session.state.mitigations.values()
        assert done.outcome == "ok" and done.typed_target == "terminate-idle", done.summary
        assert done.params["idle_minutes"] == {"value": "5", "from": "default"}
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"blocked on leaky-svc")
        await pilot.press("enter")
        await until(
            pilot, lambda: any("RB-004" in n.tags for n in app.session.state.notes.values())
        )
        assert isinstance(app.screen, RunbookScreen)
        assert app.screen.query_one("#results-list").children


async def test_mitigations_absent_in_read_only(pg_server, tmp_path: Path) -> None:
    app = live_app(tmp_path / "ro.jsonl", pg_server.dsn, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app)
        ids = [s.id for s in screen.shown_steps]
        assert "who-holds" in ids and "kill-idle" not in ids
        assert not any(s.mitigating for s in screen.shown_steps)


async def test_mitigations_absent_in_replay(pg_server, tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    log, _ = IncidentLog.open(path, clock=SystemClock())
    log.append(SourcesConfigured(environment="test"))
    log.close()
    options = AppOptions(header=HeaderInfo("REPLAY"), permissions=Permissions.decide(Mode.REPLAY))
    app = CockpitApp(ReplaySession(path, SystemClock()), options)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app)
        assert not any(s.mitigating for s in screen.shown_steps)
        await run_step(pilot, screen, "who-holds")
        await pilot.pause(0.3)
        assert app.session.state.steps == {}


async def test_a_viewer_is_never_offered_a_mitigation(tmp_path: Path) -> None:
    # Not read-only on purpose: the role alone must hide them.
    app = live_app(tmp_path / "viewer.jsonl", "host=127.0.0.1 port=1", role="viewer")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app)
        assert not any(s.mitigating for s in screen.shown_steps)
        assert "role is viewer" in str(screen.query_one("#rb-title").render())


async def test_a_forbidden_attempt_is_logged(tmp_path: Path) -> None:
    dirs = str(Path(__file__).parent.parent / "data" / "runbooks")
    app = live_app(tmp_path / "forbidden.jsonl", "host=127.0.0.1 port=1", dirs=dirs)
    alert = DashboardScreen.AlertOpened("a2", "TopicFlood", "RB-990", {})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app, alert)
        prompt = str(screen.query_one("#steps", OptionList).get_option_at_index(0).prompt)
        assert "needs approval outside the cockpit: CTO approval" in prompt
        await run_step(pilot, screen, "drop-topic")
        await until(pilot, lambda: app.session.state.mitigations)
        (run,) = app.session.state.mitigations.values()
        assert run.step == "drop-topic" and run.outcome == "refused"
        assert "CTO" in run.summary


async def test_a_two_person_step_is_requested_approved_by_another_then_runs(
    tmp_path: Path,
) -> None:
    """RB-003's purge: nadia's run files a request; bob, on his own command screen, approves
    it by typing the topic; nadia's next run goes on to the typed confirmation."""
    path = tmp_path / "shared.jsonl"
    alert = DashboardScreen.AlertOpened("a3", "KafkaConsumerLag", "RB-003", {"topic": "kyc.events"})
    nadia = live_app(path, "host=127.0.0.1 port=1")
    async with nadia.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, nadia, alert)
        index = [s.id for s in screen.shown_steps].index("purge-topic")
        prompt = str(screen.query_one("#steps", OptionList).get_option_at_index(index).prompt)
        assert "two-person rule: CTO" in prompt
        await run_step(pilot, screen, "purge-topic")
        book = nadia.session.approvals
        await until(pilot, lambda: book.requests)
        assert not isinstance(nadia.screen, MitigationDialog)
        (request,) = book.requests.values()
        assert request.request.target == "kyc.events" and "nadia" in request.request.requester
        request_id = request.request.request_id
    bob = live_app(path, "host=127.0.0.1 port=1", author="bob@bastion-2")
    async with bob.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await until(pilot, lambda: bob.screen.query("#approval-input"))
        shared = str(bob.screen.query_one("#cmd-shared").render())
        assert request_id in shared and "kyc.events" in shared
        field = bob.screen.query_one("#approval-input", Input)
        field.focus()
        field.value = f"approve {request_id} kyc.events"
        await pilot.press("enter")
        await until(pilot, lambda: bob.session.approvals.requests[request_id].decision)
        assert bob.session.approvals.requests[request_id].decision == "approved"
    again = live_app(path, "host=127.0.0.1 port=1")
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, again, alert)
        await run_step(pilot, screen, "purge-topic")
        await until(pilot, lambda: isinstance(again.screen, MitigationDialog))
        what = str(again.screen.query_one("#what").children[0].render())
        assert "kafka-configs.sh" in what and "kyc.events" in what
        await pilot.press("escape")


GATED = """import os, sys, time
print("hello from exec", flush=True)
end = time.monotonic() + 5
while not os.path.exists(sys.argv[1]) and time.monotonic() < end:
    time.sleep(0.02)
print("done")
"""
EXEC_RB = """---
id: RB-904
title: Streamed command
severity: SEV-4
params:
  - name: gate
    pattern: '.*'
    source: label:gate
---

```exec id=wait role=diagnose readonly=true title="Print, wait for the gate, print"
["PYTHON", "SCRIPT", "{{ gate }}"]
```
"""


async def test_exec_output_streams_into_the_results(tmp_path: Path) -> None:
    rb_dir = tmp_path / "runbooks"
    rb_dir.mkdir()
    script = tmp_path / "gated.py"
    script.write_text(GATED)
    text = EXEC_RB.replace("PYTHON", sys.executable).replace("SCRIPT", str(script))
    (rb_dir / "RB-904.md").write_text(text)
    gate = tmp_path / "gate"
    app = live_app(tmp_path / "exec.jsonl", "host=127.0.0.1 port=1", dirs=str(rb_dir))
    alert = DashboardScreen.AlertOpened("a3", "Local", "RB-904", {"gate": str(gate)})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rb004(pilot, app, alert)
        await run_step(pilot, screen, "wait")
        live = screen.query_one(LiveOutput)
        await until(pilot, lambda: "hello from exec" in str(live.render()))
        (pending,) = app.session.state.steps.values()
        assert live.display and pending.outcome is None  # seen while the command still runs
        gate.touch()
        await until(pilot, lambda: ran_ok(app, "wait"))
        await until(pilot, lambda: not live.display)
        (run,) = app.session.state.steps.values()
        assert run.result["text"] == "hello from exec\ndone"
