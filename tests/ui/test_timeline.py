"""Timeline screen and export dialog under Pilot: filter by kind, search, jump to the replay
moment, pin a milestone from a note, correct a note, live refresh."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from export.export_logs import T0, incident_log
from textual.widgets import Input, Select, Static

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.domain.fold import fold
from cockpit.domain.timeline import build_timeline
from cockpit.log.events import AlertsObserved, NoteAdded, SourcesConfigured
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.header import HeaderInfo
from cockpit.screens.timeline import TimelineScreen
from cockpit.screens.widgets import VirtualTable
from cockpit.session import LiveSession, ReplaySession


def replay_app(log: Path) -> tuple[CockpitApp, ReplaySession]:
    clock = FrozenClock(T0)
    session = ReplaySession(log, clock)
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    return CockpitApp(session, options, clock=clock), session


def live_app(log: Path) -> tuple[CockpitApp, LiveSession]:
    clock = FrozenClock(T0)
    clock.advance(600)
    store, _report = IncidentLog.open(log, clock=clock, from_start=True)
    session = LiveSession(store, lambda: ([], SourcesConfigured()), clock)
    options = AppOptions(header=HeaderInfo("LIVE"), author="ana@bastion")
    return CockpitApp(session, options, clock=clock), session


async def test_filter_search_and_jump_seeks_the_replay(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    expected = build_timeline(fold(r.event for r in LogReader(log)))
    app, session = replay_app(log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(100):  # the timeline comes from the background fold of the whole log
            if session.whole_log_complete:
                break
            await pilot.pause(0.05)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert screen.shown == expected  # the whole log, though the replay sits at its start
        await pilot.press("f")  # human events only
        assert screen.kind_filter == "human"
        assert screen.shown and all(e.kind != "alert" for e in screen.shown)
        while screen.kind_filter != "mitigation":
            await pilot.press("f")
        assert [e.kind for e in screen.shown] == ["mitigation", "mitigation"]
        while screen.kind_filter != "all":
            await pilot.press("f")
        await pilot.press("slash")
        await pilot.press(*"roll back")
        await pilot.pause()
        assert [e.ref for e in screen.shown] == ["n3"]
        status = str(screen.query_one("#timeline-status", Static).render())
        assert "1 of" in status and "roll back" in status
        await pilot.press("enter")  # leaves the search field for the table
        await pilot.press("enter")  # jumps: the fold runs in a worker
        for _ in range(100):
            if session.player.position.virtual_time == screen.shown[0].ts:
                break
            await pilot.pause(0.05)
        assert not isinstance(app.screen, TimelineScreen)
        assert session.player.position.virtual_time == screen.shown[0].ts
        assert "n3" in session.state.notes and "n4" not in session.state.notes


async def test_live_jump_says_how_to_replay_and_notes_pin_and_correct(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    app, session = live_app(log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        dialog.query_one("#note-milestone", Select).value = "identified"
        dialog.query_one("#tag-decision").value = True  # type: ignore[attr-defined]
        await pilot.click("#note")
        await pilot.press(*"missing env var found", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, NoteDialog)
        state = session.state
        note = next(n for n in state.notes.values() if n.text == "missing env var found")
        assert note.tags == ("decision",)
        assert state.milestones["identified"].note_id == note.note_id

        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        screen.set_search("Roll back kyc-consumer")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        fix = app.screen
        assert isinstance(fix, NoteDialog)
        assert fix.query_one("#note", Input).value == "Roll back kyc-consumer to the previous image"
        fix.query_one("#note", Input).value = "Roll back kyc-consumer AND its config map"
        await pilot.click("#note")
        await pilot.press("enter")
        await pilot.pause()
        assert session.state.notes["n3"].superseded_by is not None
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(f"cockpit replay {log} --at T+02:20" in m for m in messages), messages


async def wait_until(pilot: Any, check: Callable[[], bool], limit_s: float = 1.0) -> float:
    """Seconds until `check()` held (polling the app's loop), or fail past `limit_s`."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < limit_s, f"not within {limit_s} s"
        await pilot.pause(0.05)
    return time.monotonic() - start


async def test_a_note_from_another_cockpit_shows_within_a_second(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    app, session = live_app(log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        before = len(screen.shown)
        # A second writer on the same file, as a colleague's cockpit on the bastion would be.
        other, _report = IncidentLog.open(log, clock=FrozenClock(T0 + timedelta(minutes=11)))
        try:
            other.append(NoteAdded("bob-1", "bob: restarting kyc-consumer-2", "bob@bastion"))
        finally:
            other.close()
        await wait_until(pilot, lambda: "bob-1" in session.state.notes)
        await wait_until(pilot, lambda: any(e.ref == "bob-1" for e in screen.shown))
        assert len(screen.shown) == before + 1
        assert screen.shown[-1].actor == "bob@bastion"

        alert = {"key": "fp-ocr", "name": "OcrServiceDown", "state": "firing", "labels": {}}
        other, _report = IncidentLog.open(log, clock=FrozenClock(T0 + timedelta(minutes=12)))
        try:
            other.append(AlertsObserved(source="am", items=(alert,)))
        finally:
            other.close()
        await wait_until(pilot, lambda: any("OcrServiceDown" in e.text for e in screen.shown))
        assert screen.shown[-1].kind == "alert"
        assert "fp-ocr" in session.state.alerts["am"]
        alerts_table = app.dashboard.query_one("#pane-1").query_one(VirtualTable)
        shown_keys = alerts_table.keys()
        assert any(k.endswith("fp-ocr") for k in shown_keys)  # on the dashboard
