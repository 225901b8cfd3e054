"""Incident command under Pilot: declare SEV-2 from an alert, roles, SLA countdown, checklist,
an Identified status update with a leak warning, paging; then all of it read from the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from command.pd_support import PD_TOKEN, pd_config
from textual.widgets import Button, Input, OptionList, Select, Static, Switch

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.command.options import CommandOptions
from cockpit.log.events import AlertsObserved, IncidentDeclared, NoteAdded, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.screens.command import CommandScreen
from cockpit.screens.command_pd import PagerDutyPanel
from cockpit.screens.header import HeaderInfo
from cockpit.screens.incident import IncidentDialog
from cockpit.session import LiveSession
from cockpit.sim.pagerduty_fake import PagerDutyFake

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
LIVE = Permissions.decide(Mode.LIVE)
OCR_ALERT = {
    "key": "fp-ocr",
    "name": "OcrServiceDown",
    "state": "firing",
    "labels": {"alertname": "OcrServiceDown", "tenant": "acme-bank", "service": "ocr-svc"},
}


def make_app(
    tmp_path: Path, *, permissions: Permissions = LIVE
) -> tuple[CockpitApp, FrozenClock, Path]:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    session.append(AlertsObserved(source="am", items=(OCR_ALERT,)))
    options = AppOptions(header=HeaderInfo("LIVE"), permissions=permissions, author="ana@bastion")
    return CockpitApp(session, options, clock=clock), clock, Path(log.path)


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def static_text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_declare_command_and_find_it_all_in_the_log(tmp_path: Path) -> None:
    app, clock, path = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, IncidentDialog)
        hints = " ".join(str(s.render()) for s in dialog.query(Static))
        assert "Suggested from the firing alerts: SEV-2 (not applied)" in hints
        assert dialog.query_one("#incident-severity", Select).value == Select.NULL
        dialog.query_one("#incident-severity", Select).value = "SEV-2"
        dialog.query_one("#incident-tenants", Input).value = "acme-bank"
        dialog.query_one("#incident-title", Input).focus()
        await pilot.press(*"OCR down", "enter")
        await pilot.pause()
        clock.advance(60)
        app.render_state()
        header = str(app.status_bar.render())
        assert "SEV-2" in header and "ack due in 14m00s" in header

        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CommandScreen)
        assert "Response SLA: ack due in 14m00s" in static_text(screen, "#cmd-clocks")
        for index, person in enumerate(("ana", "bob", "cid")):
            screen.query_one(f"#role-{index}", Input).focus()
            await pilot.press(*person, "enter")
        checklist = screen.query_one("#cmd-checklist", OptionList)
        checklist.focus()
        checklist.highlighted = 0
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        first = str(checklist.get_option_at_index(0).prompt)
        assert first.startswith("[x]") and "ana@bastion 14:01" in first

        screen.query_one("#status-phase", Select).value = "Identified"
        await pilot.pause()
        text = screen.query_one("#status-text", Input)
        assert text.value.startswith("We found the cause")
        text.value = "Errors for acme-bank came from ocr-svc; a fix is rolling out."
        text.focus()
        await pilot.press("enter")
        warning = static_text(screen, "#status-warning")
        assert "tenant 'acme-bank'" in warning and "service 'ocr-svc'" in warning
        assert "Press Enter again" in warning
        assert "the page is PUBLIC; copy only" in static_text(screen, "#status-preview")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "copy the text" in static_text(screen, "#cmd-message")

        clock.advance(15 * 60)
        screen.refresh_view()
        assert "page L2 now (Tech Lead, Architect)" in static_text(screen, "#cmd-clocks")
        await pilot.press("ctrl+g")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()

    logged = events(path)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for line in logged:
        by_type.setdefault(line["type"], []).append(line["data"])
    (declared,) = by_type["incident.declared"]
    assert declared["severity"] == "SEV-2" and declared["tenants"] == ["acme-bank"]
    assert declared["detected_at"] is not None and declared["channel"].startswith("#inc-20251110-")
    roles = {r["role"]: r["person"] for r in by_type["role.assigned"]}
    assert roles == {"Incident Commander": "ana", "Communications Lead": "bob", "Scribe": "cid"}
    ticks = [(t["item"], t["done"], t["actor"]) for t in by_type["checklist.ticked"]]
    assert ticks == [("open-channel", True, "ana@bastion"), ("assign-ic", True, "ana@bastion")]
    (leak,) = [a for a in by_type["external.action"] if a["action"] == "leak-check"]
    assert leak["outcome"] == "warned" and "acme-bank" in leak["detail"]
    (posted,) = by_type["status.posted"]
    assert posted["phase"] == "Identified" and posted["target"] == "copy"
    assert posted["outcome"] == "ok" and "acme-bank" in posted["text"]
    (escalation,) = by_type["escalation.raised"]
    assert escalation["level"] == "L2" and escalation["paged"] is False


async def test_a_viewer_is_offered_no_command_action(tmp_path: Path) -> None:
    app, _clock, path = make_app(tmp_path, permissions=Permissions.decide("live", role="viewer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        assert not isinstance(app.screen, IncidentDialog)
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CommandScreen)
        assert "Read-only" in static_text(screen, "#cmd-message")
        assert screen.query_one("#role-0", Input).disabled
        assert screen.query_one("#status-text", Input).disabled
        assert "No incident declared" in static_text(screen, "#cmd-clocks")
        await pilot.press("ctrl+g")
        await pilot.pause()
    kinds = {line["type"] for line in events(path)}
    assert kinds.isdisjoint({"incident.declared", "role.assigned", "escalation.raised"})


async def test_outside_an_incident_command_is_read_only(tmp_path: Path) -> None:
    app, _clock, _path = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CommandScreen)
        assert "declare an incident first" in static_text(screen, "#cmd-message")
        assert screen.query_one("#cmd-checklist", OptionList).disabled


async def wait_workers(app: CockpitApp, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def pd_app(tmp_path: Path, fake: PagerDutyFake | None) -> tuple[CockpitApp, Path]:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    session.append(IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion"))
    config = pd_config(fake) if fake is not None else None
    options = AppOptions(author="ana@bastion", command=CommandOptions(pagerduty=config))
    return CockpitApp(session, options, clock=clock), Path(log.path)


def notes_posted(fake: PagerDutyFake) -> list[str]:
    return [str(r.body) for r in fake.requests if r.method == "POST" and r.path.endswith("/notes")]


async def test_pagerduty_panel_on_call_ack_note_mirror_resolve(tmp_path: Path) -> None:
    fake = PagerDutyFake(
        token=PD_TOKEN, clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC))
    )
    fake.start()
    try:
        app, path = pd_app(tmp_path, fake)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await wait_workers(app, pilot)
            screen = app.screen
            assert isinstance(screen, CommandScreen)
            panel = screen.query_one(PagerDutyPanel)
            assert "L2 Hugo Marchal" in static_text(screen, "#pd-oncall")
            (incident,) = panel.incidents
            ident = incident["id"]
            assert panel.selected() == incident

            note = screen.query_one("#pd-note", Input)
            note.value = "checking the OCR pods"
            note.focus()
            await pilot.press("enter")
            await wait_workers(app, pilot)
            assert any("checking the OCR pods" in body for body in notes_posted(fake))
            assert "PagerDuty note: done" in static_text(screen, "#pd-message")

            screen.query_one("#pd-ack", Button).press()
            await wait_workers(app, pilot)
            assert panel.incidents[0]["status"] == "acknowledged"

            screen.query_one("#pd-mirror", Switch).value = True
            await pilot.pause()
            assert app.note_mirror.target == ident
            assert ident in static_text(screen, "#pd-message")
            await pilot.press("escape", "n")
            await pilot.press(*"ocr-svc restarted")
            await pilot.press("enter")
            await wait_workers(app, pilot)
            assert any("ocr-svc restarted" in body for body in notes_posted(fake))

            await pilot.press("c")
            await wait_workers(app, pilot)
            screen = app.screen
            assert isinstance(screen, CommandScreen)
            assert screen.query_one("#pd-mirror", Switch).value  # the link outlives the screen
            screen.query_one("#pd-resolve", Button).press()
            await wait_workers(app, pilot)
            assert screen.query_one(PagerDutyPanel).incidents == []
    finally:
        fake.stop()
    actions = [
        (e["data"]["action"], e["data"]["outcome"])
        for e in events(path)
        if e["type"] == "external.action" and e["data"]["system"] == "pagerduty"
    ]
    assert ("oncall", "ok") in actions and ("list-incidents", "ok") in actions
    assert actions.count(("note", "ok")) == 2
    assert ("acknowledge", "ok") in actions and ("resolve", "ok") in actions


async def test_pagerduty_panel_says_how_to_configure_it(tmp_path: Path) -> None:
    app, _path = pd_app(tmp_path, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        message = static_text(app.screen, "#pd-message")
        assert "PagerDuty is not configured" in message and "token_env" in message
        assert not app.screen.query("#pd-ack")


async def test_declare_by_keys_alone_severity_by_its_digit(tmp_path: Path) -> None:
    """Title, Tab, the severity's digit, Enter: declared, without opening the list."""
    app, _clock, _path = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, IncidentDialog)
        await pilot.press(*"OCR down", "tab", "9")
        assert dialog.query_one("#incident-severity", Select).value == Select.NULL
        await pilot.press("2")
        await pilot.pause()
        assert dialog.query_one("#incident-services", Input).has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, IncidentDialog)
        incident = app.session.state.incident
        assert incident is not None and incident.severity == "SEV-2"
        assert incident.title == "OCR down"


async def test_a_state_that_arrives_while_a_screen_is_composed_waits_for_its_mount(
    tmp_path: Path,
) -> None:
    """The log advances between the push of the command screen and its mount: nothing is
    handed to the half-built screen (it crashed on a missing widget), its mount shows it."""
    app, _clock, _path = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_command()
        screen = app.screen_stack[-1]
        assert isinstance(screen, CommandScreen) and not screen.is_mounted
        app.session.append(NoteAdded("n-push", "arrived during the push", "ana@bastion"))
        app.render_state()
        app._tick()
        await pilot.pause()
        assert app.screen is screen and screen.is_mounted
        assert screen.query_one("#cmd-checklist", OptionList) is not None
