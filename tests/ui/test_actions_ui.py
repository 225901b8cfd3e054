"""Operator actions from the keyboard (Pilot): acknowledge with `a`, the PagerDuty panel acting
on the incident that was on screen although the list reloaded, a runbook-screen note copied
to PagerDuty, the severity matrix when declaring, and `--read-only` keeping command only."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from command.pd_support import PD_TOKEN, pd_config
from textual.widgets import Button, Input, OptionList, Select, Static
from uikit import screen_text, wait_text

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.command.options import CommandOptions
from cockpit.command.policy import CommandPolicy
from cockpit.command.schemes import P
from cockpit.log.events import IncidentDeclared, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.screens.command import CommandScreen
from cockpit.screens.command_pd import PagerDutyPanel
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.incident import IncidentDialog
from cockpit.screens.runbook_screen import RunbookScreen
from cockpit.session import LiveSession
from cockpit.sim.pagerduty_fake import PagerDutyFake
from cockpit.sim.pd_seed import SERVICES

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
LIVE = Permissions.decide(Mode.LIVE)


def make_app(
    tmp_path: Path,
    *,
    fake: PagerDutyFake | None = None,
    permissions: Permissions = LIVE,
    declared: bool = True,
    command: CommandOptions | None = None,
) -> tuple[CockpitApp, FrozenClock, Path]:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    if declared:
        session.append(IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion"))
    if command is None:
        config = pd_config(fake, service_ids=()) if fake is not None else None
        command = CommandOptions(pagerduty=config)
    options = AppOptions(author="ana@bastion", permissions=permissions, command=command)
    return CockpitApp(session, options, clock=clock), clock, Path(log.path)


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def started_fake() -> PagerDutyFake:
    fake = PagerDutyFake(
        token=PD_TOKEN, clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC))
    )
    fake.start()
    return fake


async def settle(app: CockpitApp, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_key_a_acknowledges_once_and_stops_the_response_clock(tmp_path: Path) -> None:
    app, clock, path = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock.advance(90)
        app.render_state()
        assert "ack due in 13m30s" in str(app.status_bar.render())
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("a")  # a second time: refused, with the reason
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Incident INC-7 acknowledged." in messages
        assert any("already acknowledged by ana@bastion at 14:01:30 UTC" in m for m in messages)
        assert "ack due" not in str(app.status_bar.render())
        await pilot.press("c")
        await pilot.pause()
        clocks = str(app.screen.query_one("#cmd-clocks", Static).render())
        assert "Response SLA: acknowledged" in clocks
        assert "Alert at once (SEV-2): Tech Lead, CTO" in clocks
    acks = [e["data"] for e in events(path) if e["type"] == "milestone.set"]
    assert acks == [{"milestone": "acknowledged", "at": "2025-11-10T14:01:30.000000Z",
                     "actor": "ana@bastion", "note_id": None, "incident_id": "INC-7"}]  # fmt: skip


async def test_acknowledge_without_an_incident_says_so(tmp_path: Path) -> None:
    app, _clock, path = make_app(tmp_path, declared=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert any("declare an incident first" in n.message for n in app._notifications)
    assert "milestone.set" not in {e["type"] for e in events(path)}


async def test_pagerduty_acts_on_the_incident_on_screen_after_a_reload(tmp_path: Path) -> None:
    fake = started_fake()
    try:
        app, _clock, path = make_app(tmp_path, fake=fake)
        async with app.run_test(size=(100, 50)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, CommandScreen)
            panel = screen.query_one(PagerDutyPanel)
            assert len(panel.incidents) == 2  # the Kafka one, then the OCR one
            chosen = panel.incidents[1]["id"]
            listing = screen.query_one("#pd-incidents", OptionList)
            listing.focus()
            await pilot.press("down")
            assert panel.selected() == panel.incidents[1]
            # Meanwhile a new incident opens in PagerDuty; the note below reloads the list.
            fake.state.open_incident(SERVICES[0], "KYC API 5xx", "kyc-5xx", "high")
            note = screen.query_one("#pd-note", Input)
            note.value = "looking at the OCR pods"
            note.focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert len(panel.incidents) == 3 and panel.incidents[0]["id"] != chosen
            assert panel.selected() is not None and panel.selected()["id"] == chosen
            fake.clear_requests()
            screen.query_one("#pd-ack", Button).press()
            await settle(app, pilot)
            puts = [r.path for r in fake.requests if r.method == "PUT"]
            assert puts == [f"/incidents/{chosen}"]
            assert fake.state.incidents[chosen].status == "acknowledged"
            assert panel.selected() is not None and panel.selected()["id"] == chosen
    finally:
        fake.stop()
    notes = [e["data"] for e in events(path) if e["type"] == "external.action"]
    assert {"action": "note", "outcome": "ok"}.items() <= next(
        n for n in notes if n["action"] == "note"
    ).items()
    assert any(n["action"] == "acknowledge" and n["detail"] == chosen for n in notes)


async def test_a_runbook_screen_note_is_copied_to_pagerduty(tmp_path: Path) -> None:
    fake = started_fake()
    try:
        app, _clock, path = make_app(tmp_path, fake=fake)
        target = next(i for i in fake.state.incidents.values() if i.status == "triggered")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.actions.link_mirror(target.id) is None
            app.post_message(
                DashboardScreen.AlertOpened("a1", "OcrServiceDown", "RB-002", {"x": "[/]"})
            )
            await wait_text(pilot, "RB-002")
            assert isinstance(app.screen, RunbookScreen)
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NoteDialog)
            await pilot.press(*"gpu node drained", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, RunbookScreen)
    finally:
        fake.stop()
    assert any("gpu node drained" in str(n.get("content", "")) for n in target.notes)
    logged = events(path)
    (note,) = [e["data"] for e in logged if e["type"] == "note.added"]
    assert note["text"] == "gpu node drained" and "RB-002" in note["tags"]
    copies = [e["data"] for e in logged if e["type"] == "external.action"]
    assert copies[-1]["action"] == "note" and copies[-1]["outcome"] == "ok"


async def test_the_declare_dialog_shows_the_severity_matrix(tmp_path: Path) -> None:
    command = CommandOptions(policy=CommandPolicy(scheme=P))
    app, _clock, path = make_app(tmp_path, declared=False, command=command)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, IncidentDialog)
        matrix = screen_text(app)
        assert re.search(r"P0 +respond within 15 min · alert at once: Lead Engineer, CTO", matrix)
        assert re.search(r"P1 +respond within 1 h · alert at once: SRE on call", matrix)
        assert "down for every user" in matrix and "SEV-1" not in matrix
        dialog.query_one("#incident-severity", Select).value = "P1"
        dialog.query_one("#incident-title", Input).focus()
        await pilot.press(*"Login fails", "enter")
        await pilot.pause()
    declared = [e["data"] for e in events(path) if e["type"] == "incident.declared"]
    assert [(d["title"], d["severity"], d["scheme"]) for d in declared] == [
        ("Login fails", "P1", "p")
    ]


async def test_read_only_keeps_the_log_side_of_command_only(tmp_path: Path) -> None:
    fake = started_fake()
    try:
        permissions = Permissions.decide(Mode.LIVE, read_only=True)
        app, clock, path = make_app(tmp_path, fake=fake, permissions=permissions)
        async with app.run_test(size=(100, 50)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, CommandScreen)
            assert not screen.query_one("#role-0", Input).disabled
            assert screen.query_one("#status-text", Input).disabled
            assert "--read-only" in str(screen.query_one("#cmd-message", Static).render())
            clock.advance(16 * 60)
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert "Paging is not offered" in str(screen.query_one("#cmd-message").render())
            screen.query_one("#pd-ack", Button).press()
            await settle(app, pilot)
            assert "--read-only" in str(screen.query_one("#pd-message").render())
            await pilot.press("escape", "a")
            await settle(app, pilot)
        methods = {r.method for r in fake.requests}
    finally:
        fake.stop()
    assert methods <= {"GET"}  # the panel may read PagerDuty, never change it
    kinds = [e["type"] for e in events(path)]
    assert "milestone.set" in kinds and "escalation.raised" not in kinds


async def test_resolve_from_the_palette_records_the_log_hash_on_pagerduty(tmp_path: Path) -> None:
    fake = started_fake()
    try:
        app, _clock, path = make_app(tmp_path, fake=fake)
        target = next(i for i in fake.state.incidents.values() if i.status == "triggered")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.actions.link_mirror(target.id) is None
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Resolve")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            assert app.session.state.incident is not None
            assert app.session.state.incident.state == "resolved"
    finally:
        fake.stop()
    logged = events(path)
    resolved = next(e for e in logged if e["type"] == "milestone.set")
    assert resolved["data"]["milestone"] == "resolved"
    wanted = f"incident log {path} last hash {resolved['hash']} (seq {resolved['seq']})"
    assert [n["content"] for n in target.notes if "last hash" in str(n.get("content"))] == [wanted]
