"""Timeline screen and export dialog under Pilot: filter by kind, search, jump to the replay
moment, pin a milestone from a note, correct a note, and write the post-mortem."""

from __future__ import annotations

from pathlib import Path

from export.export_logs import T0, incident_log
from textual.widgets import Input, Select, Static

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.domain.fold import fold
from cockpit.domain.timeline import build_timeline
from cockpit.log.events import SourcesConfigured
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.export import ExportDialog
from cockpit.screens.header import HeaderInfo
from cockpit.screens.timeline import TimelineScreen
from cockpit.session import LiveSession, ReplaySession


def replay_app(log: Path) -> tuple[CockpitApp, ReplaySession]:
    clock = FrozenClock(T0)
    session = ReplaySession(log, clock)
    options = AppOptions(header=HeaderInfo("REPLAY", read_only=True), read_only=True)
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
        await pilot.press("enter")  # jumps
        await pilot.pause()
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


async def test_export_dialog_writes_the_post_mortem_and_says_where(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    app, _session = replay_app(log)
    out = tmp_path / "out" / "pm.md"
    out.parent.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#export-template", Select).value = "incident-report"
        dialog.query_one("#export-redact").value = True  # type: ignore[attr-defined]
        dialog.query_one("#export-output", Input).value = str(out)
        await pilot.click("#export-go")
        await pilot.pause()
        result = str(dialog.query_one("#export-result", Static).render())
        assert f"Written to {out}" in result
        text = out.read_text(encoding="utf-8")
        assert text.startswith("# Incident report: KYC checks delayed by consumer lag")
        assert "acme-bank" not in text and "tenant-A" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
