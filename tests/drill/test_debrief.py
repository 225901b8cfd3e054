"""The debrief's reading of a log (marks, right runbook, verdicts), shifted observation times,
a drill log stopped before its debrief exported from the trainee's side, and hostile strings
on the debrief screen and banner shown as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static
from uikit import screen_text

from cockpit.clock import FrozenClock
from cockpit.domain.drill import DebriefRow, clock_text, marks, right_runbook, verdict
from cockpit.drill_session import shifted
from cockpit.export.run import export_markdown
from cockpit.launch import sample_log
from cockpit.log import events as ev
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.screens.drill import DebriefScreen, banner_text

T0 = datetime(2026, 3, 12, 2, 47, tzinfo=UTC)
FIRING = {"key": "k", "name": "PgDown", "state": "firing", "labels": {"runbook": "RB-004"}}


def test_the_sample_gives_the_original_responders_times() -> None:
    events = [record.event for record in LogReader(sample_log())]
    assert right_runbook(events) == "RB-004"
    assert marks(events, "RB-004").seconds() == (6.0, 36.0, 240.0, 312.0)
    # Another runbook than the responders' is not "the right one".
    assert marks(events, "RB-001").seconds()[1] is None


def test_verdicts_and_clock_texts() -> None:
    assert verdict(DebriefRow("acknowledge", 6.0, 30.0)) == "24 s slower"
    assert verdict(DebriefRow("resolve", 312.0, 240.0)) == "72 s faster"
    assert verdict(DebriefRow("resolve", 312.0, None)) == "not done"
    assert verdict(DebriefRow("resolve", None, 20.0)).startswith("done")
    assert clock_text(65.4) == "T+1:05" and clock_text(-3) == "T-0:03" and clock_text(None) == "—"


def test_observation_times_move_with_the_drill() -> None:
    data = {"items": [{"active_since": "2026-03-12T02:47:59.000000Z", "name": "2026-03-12"}]}
    moved = shifted(data, timedelta(days=1, seconds=1))
    assert moved == {"items": [{"active_since": "2026-03-13T02:48:00.000000Z",
                                "name": "2026-03-12"}]}  # fmt: skip


def test_a_drill_log_without_a_debrief_exports_the_trainee_side(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(tmp_path / "drill.jsonl", clock=clock, mode="drill")
    log.append(ev.DrillStarted("past.jsonl", "ab" * 32, "cd" * 32, "2026-03-12T02:47:00Z"))
    clock.advance(60)
    log.append(ev.AlertsObserved(source="am", items=(FIRING,)))
    clock.advance(12)
    log.append(ev.IncidentDeclared("INC-1", "[b]PG[/b] *down*", "SEV-2", actor="tina"))
    log.append(ev.MilestoneSet("acknowledged", "2026-03-12T02:48:12Z", actor="tina"))
    log.append(ev.NoteAdded("n-1", "called tina@example.com", "tina"))
    log.close()
    document = export_markdown(tmp_path / "drill.jsonl")
    assert document.drill and document.warning is None
    text = document.markdown
    assert "| acknowledge | — | T+0:12 | done (the original responders did not) |" in text
    assert "none recorded (the drill stopped before its debrief)" in text
    assert r"incident.declared: \[b\]PG\[/b\] \*down\*" in text
    assert "tina@example.com" in text
    redacted = export_markdown(tmp_path / "drill.jsonl", redact=True).markdown
    assert "tina@example.com" not in redacted and "called" in redacted


class DebriefApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("behind")

    def on_mount(self) -> None:
        rows = (DebriefRow("first right runbook", 36.0, 50.0),)
        banner = banner_text("[red]evil[/red].jsonl\x1b[2J", 2.0)
        self.push_screen(DebriefScreen(rows, "[bold]RB-9[/]", "quit", banner, "/tmp/d.jsonl"))


async def test_hostile_names_are_shown_as_text() -> None:
    app = DebriefApp()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        text = screen_text(app)
    assert "[red]evil[/red].jsonl" in text and "at 2x" in text and "\x1b" not in text
    assert "first right runbook ([bold]RB-9[/])" in text and "14 s slower" in text
