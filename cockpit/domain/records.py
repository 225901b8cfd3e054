"""Incident-command records kept by the fold: the incident, notes, runs, escalations, updates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SeverityChange:
    """One severity the incident had, from `ts` on."""

    ts: datetime
    severity: str
    actor: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """Who holds an incident role (Incident Commander, Communications Lead, Scribe...)."""

    role: str
    person: str
    ts: datetime
    actor: str = ""
    previous: str = ""
    """Who held the role before (a handover); empty for the first assignment."""


@dataclass(frozen=True, slots=True)
class IncidentInfo:
    """The declared incident. `declared` is False when only updates were seen (partial log)."""

    incident_id: str
    title: str
    severity: str
    declared: bool = True
    declared_at: datetime | None = None
    declared_by: str = ""
    scheme: str = "sev"
    channel: str = ""
    detected_at: datetime | None = None
    services: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    security: bool = False
    state: str = "open"
    severity_history: tuple[SeverityChange, ...] = ()
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Changed fields this version does not model, kept verbatim (last value wins)."""


@dataclass(frozen=True, slots=True)
class Note:
    """A scribe note. A correction adds a new note; the old one is marked, never removed."""

    note_id: str
    text: str
    author: str
    ts: datetime
    seq: int
    tags: tuple[str, ...] = ()
    supersedes: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True, slots=True)
class Milestone:
    """A lifecycle milestone (detected, acknowledged, identified, mitigated, resolved)."""

    name: str
    at: datetime
    recorded_at: datetime
    actor: str = ""
    note_id: str | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    """The latest state of one checklist item."""

    item: str
    done: bool
    ts: datetime
    actor: str = ""


@dataclass(frozen=True, slots=True)
class StepRun:
    """A runbook step run (diagnose/verify): requested, then completed with an outcome."""

    run_id: str
    runbook: str = ""
    step: str = ""
    kind: str = ""
    role: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    what: str = ""
    requested_by: str = ""
    requested_at: datetime | None = None
    outcome: str | None = None
    summary: str = ""
    result: Any = None
    completed_at: datetime | None = None
    completed_by: str = ""
    duration_ms: float | None = None


@dataclass(frozen=True, slots=True)
class MitigationRun:
    """A mitigating step: requested, confirmed (maybe with the target typed back), completed."""

    run_id: str
    runbook: str = ""
    step: str = ""
    kind: str = ""
    what: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    requested_by: str = ""
    requested_at: datetime | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    typed_target: str | None = None
    outcome: str | None = None
    summary: str = ""
    result: Any = None
    completed_at: datetime | None = None
    completed_by: str = ""
    duration_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation to a ladder level (L1..L4) or named targets."""

    ts: datetime
    level: str
    targets: tuple[str, ...] = ()
    reason: str = ""
    actor: str = ""
    paged: bool = False


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A status-page update (Investigating, Identified, Monitoring, Resolved)."""

    ts: datetime
    phase: str
    text: str
    target: str = "copy"
    outcome: str = "ok"
    actor: str = ""


@dataclass(frozen=True, slots=True)
class ExternalAction:
    """A call to an outside system (PagerDuty, a webhook) and how it went."""

    ts: datetime
    system: str
    action: str
    outcome: str
    detail: str = ""
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SilenceChange:
    """An Alertmanager silence created or expired from the cockpit."""

    ts: datetime
    action: str
    """created or expired"""
    silence_id: str
    matchers: str
    """The matchers as Alertmanager writes them: name="value", name=~"regex"."""
    ends_at: str = ""
    comment: str = ""
    actor: str = ""
