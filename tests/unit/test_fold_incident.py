"""The fold over incident command: severity history, roles, notes, runs, updates."""

from __future__ import annotations

from test_fold_support import Log, at, scenario

from cockpit.domain.fold import fold
from cockpit.log import events as ev


def test_severity_history_records_every_change() -> None:
    state = fold(scenario())
    assert state.incident is not None
    assert state.incident.severity == "SEV-1"
    history = [(c.ts, c.severity, c.reason) for c in state.incident.severity_history]
    assert history == [(at(5), "SEV-2", "declared"), (at(9), "SEV-1", "all tenants")]


def test_superseded_note_is_marked_not_removed() -> None:
    notes = fold(scenario()).notes
    assert list(notes) == ["n1", "n2"]
    assert notes["n1"].superseded_by == "n2"
    assert notes["n1"].text == "OCR pods crash looping"
    assert notes["n2"].supersedes == "n1"
    assert notes["n2"].superseded_by is None


def test_duplicate_note_id_keeps_both_notes() -> None:
    log = Log()
    log.add(ev.NoteAdded("n1", "first", "a"), 0)
    log.add(ev.NoteAdded("n1", "second", "a"), 1)
    notes = fold(log.events).notes
    assert [n.text for n in notes.values()] == ["first", "second"]


def test_incident_fields_roles_and_tags() -> None:
    log = Log()
    declared = ev.IncidentDeclared(
        "INC-9", "Lag", "P2", scheme="p", detected_at="2025-11-10T13:55:00Z",
        services=("kafka",), tenants=("acme",), security=True,
    )  # fmt: skip
    log.add(declared, 0)
    log.add(ev.RoleAssigned("scribe", "bob", actor="ana"), 5)
    log.add(ev.RoleAssigned("scribe", "cid", actor="ana"), 6)
    log.add(ev.IncidentUpdated({"services": ["kafka", "api"], "tags": ["lag"], "owner": "x"}), 7)
    log.add(ev.NoteAdded("n1", "x", "bob", tags=("kafka", "lag")), 8)
    log.add(ev.MilestoneSet("resolved", "2025-11-10T14:30:00Z", actor="ana"), 9)
    state = fold(log.events)
    info = state.incident
    assert info is not None
    assert (info.incident_id, info.scheme, info.security, info.tenants) == (
        "INC-9",
        "p",
        True,
        ("acme",),
    )
    assert info.detected_at == at(-300)
    assert info.services == ("kafka", "api")
    assert info.extra == {"owner": "x"}
    assert info.state == "resolved"
    assert (state.roles["scribe"].person, state.roles["scribe"].ts) == ("cid", at(6))
    assert state.tags == {"lag": at(7), "kafka": at(8)}
    assert state.milestones["resolved"].at == at(1800)


def test_update_without_declaration_is_kept_as_undeclared() -> None:
    log = Log()
    log.add(ev.IncidentUpdated({"severity": "SEV-3"}), 0)
    info = fold(log.events).incident
    assert info is not None
    assert (info.declared, info.severity, len(info.severity_history)) == (False, "SEV-3", 1)


def test_mitigation_lifecycle() -> None:
    runs = fold(scenario()).mitigations
    run = runs["r1"]
    assert (run.runbook, run.what, run.requested_at) == ("RB-002", "rollout restart ocr", at(12))
    assert (run.confirmed_by, run.confirmed_at) == ("ana", at(13))
    assert (run.outcome, run.summary, run.completed_at) == ("ok", "restarted", at(14))


def test_step_runs_checklist_escalations_status_and_external() -> None:
    log = Log()
    log.add(ev.StepRunRequested("s1", "RB-003", "lag", "promql", "diagnose", actor="ana"), 0)
    log.add(ev.StepRunCompleted("s1", "RB-003", "lag", "ok", summary="12k", duration_ms=40), 1)
    log.add(ev.StepRunCompleted("s9", "RB-003", "orphan", "failed"), 2)
    log.add(ev.ChecklistTicked("comms", actor="bob"), 3)
    log.add(ev.ChecklistTicked("comms", done=False, actor="cid"), 4)
    log.add(ev.EscalationRaised("L2", targets=("tech-lead",), paged=True), 5)
    log.add(ev.StatusUpdatePosted("Investigating", "Looking into uploads"), 6)
    log.add(ev.ExternalActionRecorded("pagerduty", "ack", "ok"), 7)
    state = fold(log.events)
    assert (state.steps["s1"].requested_by, state.steps["s1"].outcome) == ("ana", "ok")
    assert state.steps["s9"].outcome == "failed"
    tick = state.checklist["comms"]
    assert (tick.done, tick.actor, tick.ts) == (False, "cid", at(4))
    assert [(e.level, e.paged) for e in state.escalations] == [("L2", True)]
    assert [u.phase for u in state.status_updates] == ["Investigating"]
    assert [(a.system, a.outcome) for a in state.external_actions] == [("pagerduty", "ok")]


def test_bad_command_data_is_kept_as_unreadable() -> None:
    log = Log()
    log.raw("incident.updated", {"changes": ["not", "a", "mapping"]}, 0)
    state = fold(log.events)
    assert state.unknown_counts == {"incident.updated": 1}
    assert state.incident is None
