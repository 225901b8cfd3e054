"""The actions against a real log and the PagerDuty fake: acknowledge (refusals, SLA, MTTA,
PagerDuty), resolve writing the log hash on PagerDuty, notes mirrored, page then ack."""

from __future__ import annotations

from pathlib import Path

from actions_support import AUTHOR, INCIDENT, START, actions_for, open_session, writes

from cockpit.actions.notes import NoteDraft
from cockpit.actions.outcome import Outcome, Refused, Result
from cockpit.actions.paging import PagePlan
from cockpit.command.clocks import response_clock
from cockpit.command.declare import IncidentForm
from cockpit.export.impact import durations
from cockpit.log.reader import LogReader
from cockpit.permissions import Mode, Permissions
from cockpit.sim.pagerduty_fake import PagerDutyFake

LIVE = Permissions.decide(Mode.LIVE)


def outcome(result: Result) -> Outcome:
    assert isinstance(result, Outcome), result
    return result


def refusal(result: Result) -> str:
    assert isinstance(result, Refused), result
    return result.reason


def run_all(actions: object, result: Result) -> list[str]:
    from cockpit.actions.core import Actions

    assert isinstance(actions, Actions)
    return [actions.record(f.run()) for f in outcome(result).followups]


def test_acknowledge_needs_an_open_incident_and_happens_once(tmp_path: Path) -> None:
    empty = actions_for(open_session(tmp_path / "a.jsonl", declared=False), LIVE)
    assert "declare an incident first" in refusal(empty.acknowledge())

    session = open_session(tmp_path / "b.jsonl", severity="SEV-2")
    session.log._clock.advance(120)  # type: ignore[attr-defined]
    actions = actions_for(session, LIVE)
    clock = response_clock(session.state, session.now())
    assert clock is not None and clock.acknowledged_at is None and clock.remaining_s == 780
    assert outcome(actions.acknowledge()).message == f"Incident {INCIDENT} acknowledged."
    clock = response_clock(session.state, session.now())
    assert clock is not None and clock.remaining_s is None and not clock.breached
    assert clock.acknowledged_at == session.now()  # the response-SLA clock stopped
    assert durations(session.state).acknowledge_s == 120  # counted in MTTA
    again = refusal(actions.acknowledge())
    assert "already acknowledged by ana@bastion at 14:02:00 UTC" in again
    pinned = refusal(actions.add_note(NoteDraft("acked", (), "acknowledged")))
    assert "already acknowledged" in pinned
    acks = [r for r in LogReader(session.log_path) if r.event.type == "milestone.set"]
    assert len(acks) == 1 and acks[0].event.data["actor"] == AUTHOR


def test_resolve_then_nothing_more_to_command(tmp_path: Path) -> None:
    session = open_session(tmp_path / "r.jsonl")
    actions = actions_for(session, LIVE)
    outcome(actions.resolve())
    assert session.state.incident is not None and session.state.incident.state == "resolved"
    assert "declare an incident first" in refusal(actions.assign_role("Scribe", "cid"))
    assert "declare an incident first" in refusal(actions.resolve())
    declared = outcome(actions.declare_or_update(IncidentForm("Second one", "SEV-3")))
    assert declared.message == "Incident declared."


def test_page_then_acknowledge_acts_on_the_pagerduty_incident_we_opened(
    tmp_path: Path, pd_fake: PagerDutyFake
) -> None:
    session = open_session(tmp_path / "p.jsonl")
    actions = actions_for(session, LIVE, pd_fake)
    plan = actions.plan_page()
    assert isinstance(plan, PagePlan) and plan.level == 3 and plan.targets == ("CTO",)
    assert run_all(actions, actions.page(plan)) == ["L3 paged."]
    ours = [i for i in pd_fake.state.incidents.values() if i.incident_key == INCIDENT]
    assert len(ours) == 1 and ours[0].status == "triggered"
    lines = run_all(actions, actions.acknowledge())
    assert lines == [f"PagerDuty incident {ours[0].id}: acknowledged."]
    assert ours[0].status == "acknowledged"
    others = [i for i in pd_fake.state.incidents.values() if i.incident_key != INCIDENT]
    assert ("PUT", f"/incidents/{ours[0].id}") in writes(pd_fake)
    assert all(("PUT", f"/incidents/{i.id}") not in writes(pd_fake) for i in others)
    types = [r.event.type for r in LogReader(session.log_path)]
    assert types.count("external.action") >= 3  # trigger, listing, acknowledge


def test_resolve_writes_the_last_hash_on_pagerduty(tmp_path: Path, pd_fake: PagerDutyFake) -> None:
    session = open_session(tmp_path / "h.jsonl")
    actions = actions_for(session, LIVE, pd_fake)
    target = next(i for i in pd_fake.state.incidents.values() if i.status == "triggered")
    assert actions.link_mirror(target.id) is None
    result = actions.resolve()
    resolved = [r for r in LogReader(session.log_path) if r.event.type == "milestone.set"][-1]
    assert run_all(actions, result) == [f"PagerDuty incident {target.id}: log hash recorded."]
    expected = f"incident log {session.log_path} last hash {resolved.event.hash}"
    assert any(expected in str(n.get("content", "")) for n in target.notes), target.notes


def test_every_note_is_mirrored_and_a_failed_copy_is_logged(
    tmp_path: Path, pd_fake: PagerDutyFake
) -> None:
    session = open_session(tmp_path / "m.jsonl")
    actions = actions_for(session, LIVE, pd_fake)
    assert outcome(actions.add_note(NoteDraft("quiet"))).followups == ()  # nothing linked
    target = next(i for i in pd_fake.state.incidents.values() if i.status == "triggered")
    actions.link_mirror(target.id)
    lines = run_all(actions, actions.correct_note("n1", "three pods, not two"))
    assert lines == [f"Note copied to PagerDuty incident {target.id}."]
    assert any("three pods, not two" in str(n.get("content", "")) for n in target.notes)
    actions.link_mirror("QNOSUCH1")
    lines = run_all(actions, actions.add_note(NoteDraft("lost?")))
    assert lines[0].startswith("Note not copied to PagerDuty")
    failed = [
        r.event.data for r in LogReader(session.log_path) if r.event.type == "external.action"
    ]
    assert failed[-1]["action"] == "note" and failed[-1]["outcome"] == "failed"


def test_refusals_say_what_is_wrong(tmp_path: Path) -> None:
    session = open_session(tmp_path / "w.jsonl")
    actions = actions_for(session, LIVE)
    assert "type a name" in refusal(actions.assign_role("Scribe", "  "))
    assert "unknown role" in refusal(actions.assign_role("Janitor", "bob"))
    assert "no checklist item" in refusal(actions.tick("no-such-item"))
    assert "needs some text" in refusal(actions.add_note(NoteDraft("   ")))
    assert "no note 'zz'" in refusal(actions.correct_note("zz", "x"))
    assert "unknown milestone" in refusal(actions.add_note(NoteDraft("x", (), "done")))
    assert "not configured" in refusal(actions.pd_act("acknowledge", "Q1"))
    assert "needs some text" in refusal(actions.post_status("Investigating", " "))
    assert "severity 'SEV-9'" in refusal(actions.declare_or_update(IncidentForm("t", "SEV-9")))
    assert START.tzinfo is not None
