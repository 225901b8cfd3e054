"""Fold handlers for incident command: declaration, roles, notes, milestones, runs, updates."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cockpit.clock import parse_rfc3339
from cockpit.domain.incident import IncidentRecord
from cockpit.domain.records import (
    Escalation,
    ExternalAction,
    IncidentInfo,
    Milestone,
    MitigationRun,
    Note,
    RoleAssignment,
    SeverityChange,
    SilenceChange,
    StatusUpdate,
    StepRun,
    Tick,
)
from cockpit.domain.state import EnvironmentInfo, IncidentState, LogHeader, SourceInfo
from cockpit.log import events as ev
from cockpit.log import events_outbox as eo

Handler = Callable[[IncidentState, ev.Event, Any], None]


def _when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_rfc3339(text)
    except ValueError:
        return None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return () if value is None else (str(value),)


STAMP = "incident_id"
"""The data key a live session adds to every operator event of an incident."""


_UNSTAMPED = frozenset({ev.LogOpened.TYPE, ev.LogClosed.TYPE, ev.SourcesConfigured.TYPE})


def stamp_for(state: IncidentState, event_type: str) -> str | None:
    """The `incident_id` an operator event appended now belongs to (None: no incident yet,
    or not an incident event). Observations are not stamped: their time places them."""
    if event_type in _UNSTAMPED or event_type not in COMMAND_HANDLERS:
        return None
    return state.current.incident_id or None


def _target(state: IncidentState, event: ev.Event) -> IncidentRecord:
    """The incident an operator event belongs to: the one its stamp names, else the current
    one (a log written before stamps: attribution by position)."""
    record = state.current
    stamp = event.data.get(STAMP)
    if isinstance(stamp, str) and stamp and stamp != record.incident_id:
        record = state.find_incident(stamp) or record
    record.touch(event.seq, event.ts)
    return record


def _run_owner(state: IncidentState, event: ev.Event, run_id: str, kind: str) -> IncidentRecord:
    """Where a run's later event goes: its stamp, else the incident that requested the run."""
    record = _target(state, event)
    if run_id in getattr(record, kind) or STAMP in event.data:
        return record
    for other in reversed(state.incidents):
        if run_id in getattr(other, kind):
            return other
    return record


def _adopt(state: IncidentState, record: IncidentRecord, info: IncidentInfo) -> None:
    record.info = info
    if not record.number:
        record.number = len(state.incidents) + 1
        state.incidents.append(record)


def log_opened(state: IncidentState, event: ev.Event, p: ev.LogOpened) -> None:
    if state.header is None:  # a second header (another process) does not rewrite the first
        state.header = LogHeader(
            p.incident_id, p.host, p.user, p.cockpit_version, p.hash_mode, p.format, p.mode,
            event.ts,
        )  # fmt: skip


def log_closed(state: IncidentState, event: ev.Event, p: ev.LogClosed) -> None:
    state.closed, state.close_reason = True, p.reason


def _detected(text: object, floor: datetime | None) -> datetime | None:
    """The detection time, never before the previous incident's resolution (the declare form
    takes the earliest alert still firing, which may be one of the previous incident's)."""
    when = _when(text)
    return floor if when is not None and floor is not None and when < floor else when


def declared(state: IncidentState, event: ev.Event, p: ev.IncidentDeclared) -> None:
    record = state.current
    info = record.info
    if (
        info is not None
        and info.declared
        and (info.state != "open" or info.incident_id != p.incident_id)
    ):
        previous_end = record.end
        record = state.current = IncidentRecord()  # a new incident starts clean
        record.floor = previous_end
        info = None
    record.touch(event.seq, event.ts)
    history = info.severity_history if info is not None else ()
    _adopt(
        state,
        record,
        IncidentInfo(
            incident_id=p.incident_id,
            title=p.title,
            severity=p.severity,
            declared_at=event.ts,
            declared_by=p.actor,
            scheme=p.scheme,
            channel=p.channel,
            detected_at=_detected(p.detected_at, record.floor),
            services=_strings(p.services),
            tenants=_strings(p.tenants),
            security=bool(p.security),
            severity_history=(*history, SeverityChange(event.ts, p.severity, p.actor, "declared")),
            updated_at=event.ts,
        ),
    )


_SIMPLE = {"title": str, "scheme": str, "channel": str, "state": str, "incident_id": str}


def updated(state: IncidentState, event: ev.Event, p: ev.IncidentUpdated) -> None:
    record = _target(state, event)
    info = record.info
    if info is None:  # the log starts mid-incident: keep the changes on an undeclared record
        ident = state.header.incident_id if state.header else ""
        info = IncidentInfo(incident_id=ident, title="", severity="", declared=False)
    changes: dict[str, Any] = {"updated_at": event.ts}
    extra = dict(info.extra)
    for name, value in p.changes.items():
        if name == "severity":
            changes["severity"] = str(value)
            change = SeverityChange(event.ts, str(value), p.actor, p.reason)
            changes["severity_history"] = (*info.severity_history, change)
        elif name in _SIMPLE:
            changes[name] = str(value)
        elif name in ("services", "tenants"):
            changes[name] = _strings(value)
        elif name == "security":
            changes[name] = bool(value)
        elif name == "detected_at":
            changes[name] = _when(value)
        elif name == "tags":
            for tag in _strings(value):
                record.tags.setdefault(tag, event.ts)
        else:
            extra[str(name)] = value
    _adopt(state, record, dataclasses.replace(info, extra=extra, **changes))


def role_assigned(state: IncidentState, event: ev.Event, p: ev.RoleAssigned) -> None:
    record = _target(state, event)
    held = record.roles.get(p.role)
    previous = held.person if held is not None and held.person != p.person else ""
    assignment = RoleAssignment(p.role, p.person, event.ts, p.actor, previous)
    record.roles[p.role] = assignment
    record.role_history.append(assignment)


def note_added(state: IncidentState, event: ev.Event, p: ev.NoteAdded) -> None:
    record = _target(state, event)
    notes = record.notes
    note_id = p.note_id if p.note_id not in notes else f"{p.note_id}#{event.seq}"
    tags = _strings(p.tags)
    notes[note_id] = Note(note_id, p.text, p.author, event.ts, event.seq, tags, p.supersedes)
    old = notes.get(p.supersedes) if p.supersedes else None
    if old is not None and old.superseded_by is None:
        notes[old.note_id] = dataclasses.replace(old, superseded_by=note_id)
    for tag in tags:
        record.tags.setdefault(tag, event.ts)


def milestone_set(state: IncidentState, event: ev.Event, p: ev.MilestoneSet) -> None:
    record = _target(state, event)
    at = _when(p.at) or event.ts
    record.milestones[p.milestone] = Milestone(p.milestone, at, event.ts, p.actor, p.note_id)
    if p.milestone == "resolved" and record.info is not None:
        record.info = dataclasses.replace(record.info, state="resolved", updated_at=event.ts)


def ticked(state: IncidentState, event: ev.Event, p: ev.ChecklistTicked) -> None:
    record = _target(state, event)
    tick = Tick(p.item, bool(p.done), event.ts, p.actor)
    record.checklist[p.item] = tick
    record.ticks.append(tick)


def step_requested(state: IncidentState, event: ev.Event, p: ev.StepRunRequested) -> None:
    _target(state, event).steps[p.run_id] = StepRun(
        p.run_id, p.runbook, p.step, p.kind, p.role, dict(p.params), p.what, p.actor, event.ts
    )


def step_completed(state: IncidentState, event: ev.Event, p: ev.StepRunCompleted) -> None:
    steps = _run_owner(state, event, p.run_id, "steps").steps
    run = steps.get(p.run_id) or StepRun(p.run_id, p.runbook, p.step)
    steps[p.run_id] = dataclasses.replace(
        run, outcome=p.outcome, summary=p.summary, result=p.result, completed_at=event.ts,
        completed_by=p.actor, duration_ms=p.duration_ms,
    )  # fmt: skip


def mitigation_requested(state: IncidentState, event: ev.Event, p: ev.MitigationRequested) -> None:
    _target(state, event).mitigations[p.run_id] = MitigationRun(
        p.run_id, p.runbook, p.step, p.kind, p.what, dict(p.params), p.actor, event.ts
    )


def mitigation_confirmed(state: IncidentState, event: ev.Event, p: ev.MitigationConfirmed) -> None:
    runs = _run_owner(state, event, p.run_id, "mitigations").mitigations
    run = runs.get(p.run_id) or MitigationRun(p.run_id)
    runs[p.run_id] = dataclasses.replace(
        run, confirmed_by=p.actor, confirmed_at=event.ts, typed_target=p.typed_target
    )


def mitigation_completed(state: IncidentState, event: ev.Event, p: ev.MitigationCompleted) -> None:
    runs = _run_owner(state, event, p.run_id, "mitigations").mitigations
    run = runs.get(p.run_id) or MitigationRun(p.run_id)
    runs[p.run_id] = dataclasses.replace(
        run, outcome=p.outcome, summary=p.summary, result=p.result, completed_at=event.ts,
        completed_by=p.actor, duration_ms=p.duration_ms,
    )  # fmt: skip


def escalated(state: IncidentState, event: ev.Event, p: ev.EscalationRaised) -> None:
    _target(state, event).escalations.append(
        Escalation(event.ts, p.level, _strings(p.targets), p.reason, p.actor, bool(p.paged))
    )


def status_posted(state: IncidentState, event: ev.Event, p: ev.StatusUpdatePosted) -> None:
    _target(state, event).status_updates.append(
        StatusUpdate(event.ts, p.phase, p.text, p.target, p.outcome, p.actor)
    )


def external(state: IncidentState, event: ev.Event, p: ev.ExternalActionRecorded) -> None:
    _target(state, event).external_actions.append(
        ExternalAction(event.ts, p.system, p.action, p.outcome, p.detail, p.actor)
    )


def matcher_text(matchers: object) -> str:
    """Matchers as Alertmanager writes them: name="value", name!~"regex"."""
    parts = []
    for m in matchers if isinstance(matchers, list | tuple) else ():
        if not isinstance(m, dict):
            continue
        op = ("=" if m.get("isEqual", True) else "!") + ("~" if m.get("isRegex") else "")
        op = "!=" if op == "!" else op
        parts.append(f'{m.get("name", "")}{op}"{m.get("value", "")}"')
    return ", ".join(parts)


def silence_created(state: IncidentState, event: ev.Event, p: ev.SilenceCreated) -> None:
    _target(state, event).silences.append(
        SilenceChange(
            event.ts,
            "created",
            p.silence_id,
            matcher_text(p.matchers),
            p.ends_at,
            p.comment,
            p.actor or p.created_by,
        )
    )


def silence_expired(state: IncidentState, event: ev.Event, p: ev.SilenceExpired) -> None:
    _target(state, event).silences.append(
        SilenceChange(event.ts, "expired", p.silence_id, matcher_text(p.matchers), actor=p.actor)
    )


def sources_configured(state: IncidentState, event: ev.Event, p: ev.Payload) -> None:
    """Replace the configured source set (a new writer or an environment switch)."""
    assert isinstance(p, ev.SourcesConfigured)
    sources: dict[str, SourceInfo] = {}
    for item in p.sources:
        name, kind = str(item["name"]), str(item["kind"])
        sources[name] = SourceInfo(name, kind, float(item.get("interval_s") or 0.0))
    state.sources = sources
    state.environment = EnvironmentInfo(p.environment, p.production, p.read_only)


def outbox_recorded(state: IncidentState, event: ev.Event, p: ev.Payload) -> None:
    """Posts to Slack and GitHub (and exports to attach) are folded by `cockpit.outbox`;
    the incident's own state does not change."""


COMMAND_HANDLERS: dict[str, Handler] = {
    ev.LogOpened.TYPE: log_opened,
    ev.SourcesConfigured.TYPE: sources_configured,
    ev.LogClosed.TYPE: log_closed,
    ev.IncidentDeclared.TYPE: declared,
    ev.IncidentUpdated.TYPE: updated,
    ev.RoleAssigned.TYPE: role_assigned,
    ev.NoteAdded.TYPE: note_added,
    ev.MilestoneSet.TYPE: milestone_set,
    ev.ChecklistTicked.TYPE: ticked,
    ev.StepRunRequested.TYPE: step_requested,
    ev.StepRunCompleted.TYPE: step_completed,
    ev.MitigationRequested.TYPE: mitigation_requested,
    ev.MitigationConfirmed.TYPE: mitigation_confirmed,
    ev.MitigationCompleted.TYPE: mitigation_completed,
    ev.EscalationRaised.TYPE: escalated,
    ev.StatusUpdatePosted.TYPE: status_posted,
    ev.ExternalActionRecorded.TYPE: external,
    ev.SilenceCreated.TYPE: silence_created,
    ev.SilenceExpired.TYPE: silence_expired,
    eo.ChatPosted.TYPE: outbox_recorded,
    eo.TicketUpdated.TYPE: outbox_recorded,
    eo.PostmortemExported.TYPE: outbox_recorded,
}
"""Event type -> handler taking the decoded payload (these events are rare: decoding is fine)."""
