"""The escalation ladder, reminders and checklist, each against a frozen clock."""

from __future__ import annotations

import pytest
from command_support import Story, at

from cockpit.clock import FrozenClock
from cockpit.command.checklist import checklist_rows, known_item
from cockpit.command.ladder import ladder_status, level_number
from cockpit.command.policy import CommandPolicy
from cockpit.command.reminders import reminders
from cockpit.log import events as ev


def ok_step(story: Story, minute: float, run: str) -> None:
    story.add(minute, ev.StepRunRequested(run, "RB-002", "pods", "k8s", "diagnose"))
    story.add(minute, ev.StepRunCompleted(run, "RB-002", "pods", "ok"))


def test_l1_to_l2_after_15_minutes_without_progress() -> None:
    story = Story().declare("SEV-2")
    clock = FrozenClock(at(14))
    early = ladder_status(story.state(), clock.now())
    assert early is not None and early.reached == 1 and early.required == 1
    assert early.next_level == 2 and early.next_due == at(15) and not early.overdue
    clock.advance(60)
    due = ladder_status(story.state(), clock.now())
    assert due is not None and due.required == 2 and due.overdue
    assert due.next_level == 2 and due.targets == ("Tech Lead", "Architect")


def test_progress_restarts_the_l1_clock() -> None:
    story = Story().declare("SEV-2")
    ok_step(story, 10, "r1")
    status = ladder_status(story.state(), at(20))
    assert status is not None and status.required == 1 and status.next_due == at(25)
    story.add(24, ev.NoteAdded("n1", "maybe the GPU node", "ana", tags=("hypothesis",)))
    status = ladder_status(story.state(), at(30))
    assert status is not None and status.next_due == at(39)


def test_a_failed_step_is_not_progress() -> None:
    story = Story().declare("SEV-3")
    story.add(10, ev.StepRunCompleted("r1", "RB-002", "pods", "failed"))
    status = ladder_status(story.state(), at(15))
    assert status is not None and status.required == 2


def test_l2_to_l3_after_30_minutes_at_l2_without_remediation() -> None:
    story = Story().declare("SEV-2")
    story.add(16, ev.EscalationRaised("L2", ("Hugo",), paged=True))
    waiting = ladder_status(story.state(), at(40))
    assert waiting is not None and waiting.reached == 2 and waiting.required == 2
    assert waiting.next_level == 3 and waiting.next_due == at(46)
    late = ladder_status(story.state(), at(46))
    assert late is not None and late.required == 3 and late.overdue
    assert late.targets == ("CTO",)


def test_remediation_restarts_the_l2_clock() -> None:
    story = Story().declare("SEV-2")
    story.add(16, ev.EscalationRaised("L2"))
    story.add(30, ev.MitigationRequested("m1", "RB-002", "scale", "k8s", "scale ocr to 4"))
    story.add(31, ev.MitigationCompleted("m1", "ok"))
    status = ladder_status(story.state(), at(50))
    assert status is not None and status.required == 2 and status.next_due == at(61)


def test_l3_clock_runs_even_when_nobody_paged_l2() -> None:
    status = ladder_status(Story().declare("SEV-3").state(), at(45))
    assert status is not None and status.required == 3 and status.reached == 1
    assert status.next_level == 3


def test_sev1_goes_to_l3_at_once_and_l4_when_clients_are_touched() -> None:
    plain = ladder_status(Story().declare("SEV-1").state(), at(0))
    assert plain is not None and plain.required == 3 and plain.next_level == 3
    assert plain.next_due == at(0)
    touched = ladder_status(Story().declare("SEV-1", tenants=("acme",)).state(), at(0))
    assert touched is not None and touched.required == 4
    assert touched.targets == ("CEO", "Compliance officer")
    regulators = ladder_status(Story().declare("P0", security=True).state(), at(0))
    assert regulators is not None and regulators.required == 4


def test_severity_upgrade_mid_incident_moves_the_ladder() -> None:
    story = Story().declare("SEV-2")
    assert (ladder_status(story.state(), at(5)) or pytest.fail()).required == 1
    story.add(6, ev.IncidentUpdated({"severity": "SEV-1"}))
    status = ladder_status(story.state(), at(6))
    assert status is not None and status.required == 3


def test_escalated_sev1_offers_nothing_more() -> None:
    story = Story().declare("SEV-1")
    story.add(1, ev.EscalationRaised("L3"))
    status = ladder_status(story.state(), at(2))
    assert status is not None and status.next_level is None and not status.overdue


def test_custom_policy_timings() -> None:
    policy = CommandPolicy(l1_no_progress_s=60)
    status = ladder_status(Story().declare("SEV-2").state(), at(1), policy)
    assert status is not None and status.required == 2
    assert level_number("l4") == 4 and level_number("CTO") is None


def test_role_and_status_reminders() -> None:
    story = Story().declare("SEV-2")
    clock = FrozenClock(at(9))
    assert reminders(story.state(), clock.now()) == []
    clock.advance(60)
    kinds = [(r.kind, r.text) for r in reminders(story.state(), clock.now())]
    assert ("role", "Scribe is not assigned") in kinds and len(kinds) == 3
    story.add(5, ev.RoleAssigned("Incident Commander", "ana"))
    story.add(5, ev.RoleAssigned("Communications Lead", "bob"))
    story.add(5, ev.RoleAssigned("Scribe", "cid"))
    assert reminders(story.state(), clock.now()) == []
    clock.set(at(30))
    (status,) = reminders(story.state(), clock.now())
    assert status.kind == "status" and status.waiting_s == 1800
    story.add(31, ev.StatusUpdatePosted("Investigating", "looking", outcome="failed"))
    assert len(reminders(story.state(), at(31))) == 1, "a failed post does not count"
    story.add(32, ev.StatusUpdatePosted("Investigating", "looking"))
    assert reminders(story.state(), at(40)) == []
    quick = CommandPolicy(status_silence_s=300)
    assert [r.kind for r in reminders(story.state(), at(40), quick)] == ["status"]


def test_checklist_records_who_and_when_and_adds_security_items() -> None:
    story = Story().declare("SEV-2")
    story.add(3, ev.ChecklistTicked("assign-ic", actor="ana"))
    story.add(4, ev.ChecklistTicked("triage.impact", actor="bob"))
    story.add(5, ev.ChecklistTicked("triage.impact", done=False, actor="bob"))
    rows = {r.item.key: r for r in checklist_rows(story.state())}
    assert rows["assign-ic"].done and rows["assign-ic"].by == "ana"
    assert rows["assign-ic"].at == at(3)
    assert not rows["triage.impact"].done and rows["triage.impact"].at == at(5)
    assert {r.item.group for r in rows.values()} == {
        "intervention", "detection", "triage", "resolution", "post-incident",
    }  # fmt: skip
    assert "security.isolate" not in rows
    secure = Story().declare("SEV-1", security=True).state()
    keys = [r.item.key for r in checklist_rows(secure)]
    assert "security.snapshot" in keys and "security.notify-regulator" in keys
    with pytest.raises(ValueError, match="no checklist item 'nope'"):
        known_item("nope", secure)
