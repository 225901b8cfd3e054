"""Pilot: a drill from the shipped sample with a scripted trainee (declare, acknowledge, open
the right runbook, run a mitigation on the simulated platform, resolve). The debrief times are
the trainee's and the original responders', the original human events never reach the
trainee's timeline, the DRILL banner is on every screen, and the drill log verifies."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select
from uikit import screen_text

from cockpit.cli import main
from cockpit.clock import FrozenClock
from cockpit.domain.fold import fold
from cockpit.domain.timeline import build_timeline
from cockpit.drill_app import DrillApp
from cockpit.launch import build_drill, sample_log
from cockpit.log.reader import LogReader
from cockpit.log.verify import verify
from cockpit.screens.command import CommandScreen
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.dialogs import ConfirmDialog
from cockpit.screens.drill import BANNER_ID, DebriefScreen
from cockpit.screens.incident import IncidentDialog
from cockpit.screens.runbook_dialogs import MitigationDialog
from cockpit.screens.runbook_screen import RunbookScreen
from cockpit.screens.runbooks import RunbookListScreen
from cockpit.screens.timeline import TimelineScreen

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ORIGINAL = ("alice@bastion-1", "bruno@bastion-1", "chloe@bastion-1")


async def until(pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, screen_text(pilot.app)
        await pilot.pause(0.05)


async def at_drill_second(pilot: Pilot[Any], app: DrillApp, base: FrozenClock, s: float) -> None:
    """Move the drill clock to `s` seconds after its start and let the app fold it."""
    base.set(START + timedelta(seconds=s))
    app.drill.pump()
    app.advance()
    await pilot.pause()


def firing(app: DrillApp) -> list[str]:
    alerts = app.session.state.alerts.values()
    return [str(a.item.get("name")) for by in alerts for a in by.values() if a.fired_at]


def banner_on(app: DrillApp) -> bool:
    return bool(app.screen.query(f"#{BANNER_ID}")) and "DRILL" in screen_text(app)


async def test_a_scripted_trainee_gets_a_debrief(tmp_path: Path) -> None:
    base = FrozenClock(START)
    app, setup = build_drill(
        str(sample_log()), base, speed=1.0, log_dir=tmp_path, with_postgres=False
    )
    path = Path(app.drill.log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: setup.platform is not None and banner_on(app))
        assert "DRILL" in str(app.status_bar.render())
        # The first alert fires 60 s into the sample.
        await at_drill_second(pilot, app, base, 59)
        assert not firing(app)
        await at_drill_second(pilot, app, base, 60)
        await until(pilot, lambda: firing(app))
        # T+0:20 declare (the incident dialog), T+0:30 acknowledge (`a`).
        await at_drill_second(pilot, app, base, 80)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, IncidentDialog))
        await until(pilot, lambda: banner_on(app))
        app.screen.query_one("#incident-severity", Select).value = "SEV-2"
        app.screen.query_one("#incident-title", Input).focus()
        await pilot.press(*"Drill: KYC slow", "enter")
        await until(pilot, lambda: app.session.state.incident is not None)
        await at_drill_second(pilot, app, base, 90)
        await pilot.press("a")
        await until(pilot, lambda: app.session.state.current.milestones.get("acknowledged"))
        # T+0:50 the right runbook, from the alert.
        await at_drill_second(pilot, app, base, 110)
        labels = {"namespace": "kyc"}
        app.post_message(
            DashboardScreen.AlertOpened("a1", "PostgresConnectionsExhausted", "RB-004", labels)
        )
        await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        await until(pilot, lambda: banner_on(app))
        # T+3:00 the rollback, through the simulated platform's Argo CD (kyc-svc is Argo-managed
        # there, so the plain Kubernetes rollout undo is refused in favour of this one).
        await pilot.press("p")
        await until(pilot, lambda: app.screen.query("#param"))
        app.screen.query_one("#param", Input).value = "service=kyc-svc"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and screen.typed.get("service"))
        await at_drill_second(pilot, app, base, 240)
        ids = [s.id for s in screen.shown_steps]
        screen.query_one("#steps", OptionList).highlighted = ids.index("argo-rollback")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, MitigationDialog))
        dialog = app.screen
        await until(pilot, lambda: dialog.query("#typed"))  # confirm=typed: the service
        dialog.query_one("#typed", Input).value = "kyc-svc"
        dialog.query_one("#typed", Input).focus()
        await pilot.press("enter")
        await until(
            pilot, lambda: any(m.outcome for m in app.session.state.mitigations.values()), 30
        )
        (done,) = app.session.state.mitigations.values()
        assert done.outcome == "ok", done.summary
        assert done.step == "argo-rollback", done
        # T+4:00 resolve.
        await pilot.press("escape")
        await at_drill_second(pilot, app, base, 300)
        app.action_resolve()
        await until(
            pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.query("#yes")
        )
        await pilot.press("y")
        await until(pilot, lambda: app.session.state.current.milestones.get("resolved"))
        entries = build_timeline(app.session.state)
        humans = [e for e in entries if e.human]
        assert {e.actor for e in humans} == {app.options.author}, humans
        texts = " ".join(e.text for e in entries)
        assert "Drill: KYC slow" in texts and "2.14.0" not in texts and "Decision" not in texts
        # The end of the source log brings the debrief.
        await at_drill_second(pilot, app, base, 420)
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen) and banner_on(app))
        await until(pilot, lambda: "T+0:06" in screen_text(app))  # painted
        text = screen_text(app)
        assert "T+0:06" in text and "T+0:30" in text, text  # acknowledge: original, trainee
        await pilot.press("q")
    rows = _debrief(path)
    assert rows == [
        {"what": "acknowledge", "original_s": 6.0, "trainee_s": 30.0},
        {"what": "first right runbook", "original_s": 36.0, "trainee_s": 50.0},
        {"what": "first mitigation", "original_s": 240.0, "trainee_s": 180.0},
        {"what": "resolve", "original_s": 312.0, "trainee_s": 240.0},
    ]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    header = lines[0]["data"]
    assert header["mode"] == "drill" and header["source_log"] == "demo-sample.jsonl"
    assert header["source_sha256"] == hashlib.sha256(sample_log().read_bytes()).hexdigest()
    assert lines[1]["type"] == "drill.started" and lines[1]["data"]["source"] == "demo-sample.jsonl"
    for line in lines:
        assert not set(json.dumps(line).split('"')) & set(ORIGINAL), line
    assert verify(path, None).ok
    folded = fold(record.event for record in LogReader(path))
    assert folded.unknown_total == 0  # the drill's own events are known to the fold
    # `cockpit export` on the drill log writes the Markdown debrief.
    out = tmp_path / "debrief.md"
    assert main(["export", str(path), "-o", str(out)]) == 0
    markdown = out.read_text()
    assert markdown.startswith("# Drill debrief: demo-sample.jsonl")
    assert "| acknowledge | T+0:06 | T+0:30 | 24 s slower |" in markdown
    assert "| first mitigation | T+4:00 | T+3:00 | 60 s faster |" in markdown
    assert "Right runbook: RB-004" in markdown
    assert "T+0:20 incident.declared: Drill: KYC slow" in markdown
    assert not any(person in markdown for person in ORIGINAL)


async def test_q_brings_the_debrief_then_quits(tmp_path: Path) -> None:
    base = FrozenClock(START)
    app, setup = build_drill(
        str(sample_log()), base, speed=4.0, log_dir=tmp_path, with_postgres=False
    )
    path = Path(app.drill.log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: setup.platform is not None and banner_on(app))
        base.set(START + timedelta(seconds=20))  # x4: 80 s of the incident, the alert is in
        await until(pilot, lambda: firing(app))
        for key, kind in (("t", TimelineScreen), ("c", CommandScreen), ("r", RunbookListScreen)):
            await pilot.press(key)
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind) and banner_on(app))
            app.pop_screen()
            await until(pilot, lambda: app.screen is app.dashboard)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen) and banner_on(app))
        await until(pilot, lambda: "stopped by the trainee" in screen_text(app))  # painted
        text = screen_text(app)
        assert "stopped by the trainee" in text and "not done" in text and "T+0:06" in text
        await pilot.press("q")
        await until(pilot, lambda: app.drill.closed)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["type"] for line in lines[-2:]] == ["drill.debrief", "log.closed"]
    assert lines[1]["data"]["speed"] == 4.0
    assert setup.pagerduty is None  # the simulated platform was stopped with the session


def _debrief(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    (debrief,) = [line for line in lines if line["type"] == "drill.debrief"]
    rows: list[dict[str, Any]] = debrief["data"]["rows"]
    return rows
