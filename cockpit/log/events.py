"""Typed incident-log events: the envelope every line carries and one payload class per type."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

FORMAT_VERSION = 1
"""Version of the log format written by this cockpit (the header's `format`)."""

ZERO_HASH = "0" * 64
"""The `prev` of the first line."""

JSON = Any
"""A JSON-compatible value (dict, list, str, int, float, bool, None)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the log: the envelope, with the payload still as plain JSON data."""

    seq: int
    ts: datetime
    type: str
    data: Mapping[str, JSON]
    prev: str
    hash: str

    def payload(self) -> Payload:
        """The typed payload; an `UnknownPayload` for types this version does not know."""
        return decode_payload(self.type, self.data)


@dataclass(frozen=True, slots=True)
class Payload:
    """Base class of typed payloads; `TYPE` is the dotted event type."""

    TYPE: ClassVar[str] = ""

    def to_data(self) -> dict[str, JSON]:
        """The payload as JSON data (the line's `data`)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


P = TypeVar("P", bound=Payload)
PAYLOADS: dict[str, type[Payload]] = {}
"""Registry: event type -> payload class."""


def register(cls: type[P]) -> type[P]:
    """Class decorator adding a payload class to the registry under its `TYPE`."""
    if not cls.TYPE or cls.TYPE in PAYLOADS:
        raise ValueError(f"payload type missing or registered twice: {cls.TYPE!r}")
    PAYLOADS[cls.TYPE] = cls
    return cls


@dataclass(frozen=True, slots=True)
class UnknownPayload(Payload):
    """An event type written by a newer cockpit: kept verbatim and shown as such."""

    type: str = ""
    data: Mapping[str, JSON] = field(default_factory=dict)


def _plain(value: Any) -> JSON:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def decode_payload(type_: str, data: Mapping[str, JSON]) -> Payload:
    """Build the typed payload for `type_`; unknown types and unknown keys never raise."""
    cls = PAYLOADS.get(type_)
    if cls is None:
        return UnknownPayload(type=type_, data=dict(data))
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: _freeze(v) for k, v in data.items() if k in names}
    try:
        return cls(**kwargs)
    except TypeError:
        # A required field is missing (a damaged or foreign line): keep it, do not guess.
        return UnknownPayload(type=type_, data=dict(data))


def _freeze(value: JSON) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- log lifecycle --------------------------------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class LogOpened(Payload):
    """Header line: who opened the log, where, with which cockpit and hash mode."""

    TYPE: ClassVar[str] = "log.opened"
    format: int
    incident_id: str
    host: str
    user: str
    cockpit_version: str
    hash_mode: str = "sha256"
    mode: str = "live"
    source_url: str = ""
    """`backfill`: the Prometheus the log was rebuilt from (credentials removed)."""
    window_from: str = ""
    """`backfill`: the start of the window rebuilt (RFC 3339)."""
    window_to: str = ""
    """`backfill`: its end (RFC 3339)."""
    source_log: str = ""
    """`drill`: the file name of the past incident log replayed."""
    source_sha256: str = ""
    """`drill`: the SHA-256 of that file's bytes."""

    def to_data(self) -> dict[str, JSON]:
        """The header's data; the backfill and drill fields only when set (live headers stay
        as they were)."""
        data = Payload.to_data(self)
        for name in ("source_url", "window_from", "window_to", "source_log", "source_sha256"):
            if not data[name]:
                del data[name]
        return data


@register
@dataclass(frozen=True, slots=True)
class LogClosed(Payload):
    """The writer closed the log cleanly (quit, SIGTERM, end of a recording)."""

    TYPE: ClassVar[str] = "log.closed"
    reason: str = "quit"


@register
@dataclass(frozen=True, slots=True)
class LogDamaged(Payload):
    """A writer found damage made by another process and kept recording past it.

    kind: foreign (a line that is not a log line), forged (a log line whose hash does not
    match it), chain (a line that does not continue the chain), truncated (the file shrank),
    torn (a write without its newline, moved to `moved_to`). `offset` and `size` are bytes of
    the file, `after_seq` the last good seq before it. With `segment`, this line starts a new
    segment: its prev is the writer's last good hash, and readers resume here.
    """

    TYPE: ClassVar[str] = "log.damaged"
    kind: str
    offset: int
    size: int
    after_seq: int
    detail: str
    segment: bool = False
    moved_to: str = ""


# --- observations (what sources returned, normalised) ---------------------------------------


@register
@dataclass(frozen=True, slots=True)
class SourcesConfigured(Payload):
    """Which sources this writer polls: items {name, kind, interval_s}. Written at start and
    on an environment switch, so a replay knows each pane's sources and refresh interval."""

    TYPE: ClassVar[str] = "sources.configured"
    sources: tuple[Mapping[str, JSON], ...] = ()
    environment: str = ""
    production: bool = False
    read_only: bool = False


@register
@dataclass(frozen=True, slots=True)
class SourcePolled(Payload):
    """A poll succeeded and returned nothing new since the last recorded observation."""

    TYPE: ClassVar[str] = "source.polled"
    source: str
    duration_ms: float
    warnings: tuple[str, ...] = ()


@register
@dataclass(frozen=True, slots=True)
class SourceFailed(Payload):
    """A poll failed; `kind` is one of timeout, connect, http, auth, rate_limited, parse."""

    TYPE: ClassVar[str] = "source.failed"
    source: str
    kind: str
    message: str
    duration_ms: float
    retry_after_s: float | None = None


@dataclass(frozen=True, slots=True)
class Observation(Payload):
    """Keyed collection observed by a source: a full snapshot or a delta against the last one.

    `items` are upserts (each a dict with a `key`); `removed` lists keys that disappeared.
    A `full` observation replaces everything the fold knew for that source.
    """

    source: str = ""
    full: bool = True
    items: tuple[Mapping[str, JSON], ...] = ()
    removed: tuple[str, ...] = ()
    duration_ms: float = 0.0
    warnings: tuple[str, ...] = ()


@register
@dataclass(frozen=True, slots=True)
class AlertsObserved(Observation):
    """Alerts. Item keys: key (fingerprint), name, labels, annotations, state
    (firing/pending), active_since, value, silenced, inhibited."""

    TYPE: ClassVar[str] = "alerts.observed"


@register
@dataclass(frozen=True, slots=True)
class KafkaLagObserved(Observation):
    """Consumer lag. Item keys: key (group/topic/partition), group, topic, partition
    (None for a total), lag."""

    TYPE: ClassVar[str] = "kafka.lag.observed"


@register
@dataclass(frozen=True, slots=True)
class TenantQuotaObserved(Observation):
    """Tenant quotas. Item keys: key (tenant), tenant, checks_month, license_limit, rne_balance."""

    TYPE: ClassVar[str] = "tenants.quota.observed"


@register
@dataclass(frozen=True, slots=True)
class PostgresConnectionsObserved(Payload):
    """One snapshot of pg_stat_activity (small, so recorded whole when it changes)."""

    TYPE: ClassVar[str] = "postgres.connections.observed"
    source: str
    max_connections: int
    total: int
    by_state: Mapping[str, int] = field(default_factory=dict)
    by_application: Mapping[str, int] = field(default_factory=dict)
    long_running: int = 0
    idle_in_transaction_old: int = 0
    duration_ms: float = 0.0
    warnings: tuple[str, ...] = ()


# --- incident command -----------------------------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class IncidentDeclared(Payload):
    """An incident was declared from the cockpit."""

    TYPE: ClassVar[str] = "incident.declared"
    incident_id: str
    title: str
    severity: str
    scheme: str = "sev"
    channel: str = ""
    detected_at: str | None = None
    services: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    security: bool = False
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class IncidentUpdated(Payload):
    """Fields of the incident changed (severity, title, services, tenants, state...)."""

    TYPE: ClassVar[str] = "incident.updated"
    changes: Mapping[str, JSON] = field(default_factory=dict)
    reason: str = ""
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class RoleAssigned(Payload):
    """Incident Commander, Communications Lead or Scribe assigned to someone."""

    TYPE: ClassVar[str] = "role.assigned"
    role: str
    person: str
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class NoteAdded(Payload):
    """A scribe note; `supersedes` names the note_id it corrects."""

    TYPE: ClassVar[str] = "note.added"
    note_id: str
    text: str
    author: str
    tags: tuple[str, ...] = ()
    supersedes: str | None = None


@register
@dataclass(frozen=True, slots=True)
class MilestoneSet(Payload):
    """detected, acknowledged, identified, mitigated, resolved (at `at`, RFC 3339)."""

    TYPE: ClassVar[str] = "milestone.set"
    milestone: str
    at: str
    actor: str = ""
    note_id: str | None = None


@register
@dataclass(frozen=True, slots=True)
class ChecklistTicked(Payload):
    """A checklist item (incident or runbook `check` step) was ticked or unticked."""

    TYPE: ClassVar[str] = "checklist.ticked"
    item: str
    done: bool = True
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class StepRunRequested(Payload):
    """A runbook step was started (diagnostic or verification)."""

    TYPE: ClassVar[str] = "step.requested"
    run_id: str
    runbook: str
    step: str
    kind: str
    role: str
    params: Mapping[str, JSON] = field(default_factory=dict)
    what: str = ""
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class StepRunCompleted(Payload):
    """A runbook step finished; `outcome` is ok, failed, timeout or refused."""

    TYPE: ClassVar[str] = "step.completed"
    run_id: str
    runbook: str
    step: str
    outcome: str
    summary: str = ""
    result: JSON = None
    duration_ms: float = 0.0
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class MitigationRequested(Payload):
    """A mitigating step was asked for; `what` is exactly what will run."""

    TYPE: ClassVar[str] = "mitigation.requested"
    run_id: str
    runbook: str
    step: str
    kind: str
    what: str
    params: Mapping[str, JSON] = field(default_factory=dict)
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class MitigationConfirmed(Payload):
    """The operator confirmed (or typed back the target of) a mitigation."""

    TYPE: ClassVar[str] = "mitigation.confirmed"
    run_id: str
    actor: str = ""
    typed_target: str | None = None


@register
@dataclass(frozen=True, slots=True)
class MitigationCompleted(Payload):
    """A mitigation finished; `outcome` is ok, failed, timeout, cancelled or refused."""

    TYPE: ClassVar[str] = "mitigation.completed"
    run_id: str
    outcome: str
    summary: str = ""
    result: JSON = None
    duration_ms: float = 0.0
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class EscalationRaised(Payload):
    """The incident was escalated to a ladder level (L1..L4) or a named target."""

    TYPE: ClassVar[str] = "escalation.raised"
    level: str
    targets: tuple[str, ...] = ()
    reason: str = ""
    actor: str = ""
    paged: bool = False


@register
@dataclass(frozen=True, slots=True)
class StatusUpdatePosted(Payload):
    """A status-page update (Investigating / Identified / Monitoring / Resolved)."""

    TYPE: ClassVar[str] = "status.posted"
    phase: str
    text: str
    target: str = "copy"
    outcome: str = "ok"
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class ExternalActionRecorded(Payload):
    """A call to an outside system (PagerDuty, webhook) and its outcome."""

    TYPE: ClassVar[str] = "external.action"
    system: str
    action: str
    outcome: str
    detail: str = ""
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class SilenceCreated(Payload):
    """An Alertmanager silence was created; `matchers` are {name, value, isRegex, isEqual}."""

    TYPE: ClassVar[str] = "silence.created"
    silence_id: str
    matchers: tuple[Mapping[str, JSON], ...]
    starts_at: str
    ends_at: str
    comment: str
    created_by: str
    alert: str = ""
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class SilenceExpired(Payload):
    """An Alertmanager silence was expired before its end."""

    TYPE: ClassVar[str] = "silence.expired"
    silence_id: str
    matchers: tuple[Mapping[str, JSON], ...] = ()
    actor: str = ""


# --- drills ---------------------------------------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class DrillStarted(Payload):
    """Second line of a drill log: the past incident log replayed and how it was identified."""

    TYPE: ClassVar[str] = "drill.started"
    source: str
    """The source log's file name (its directory stays on the machine)."""
    source_sha256: str
    """SHA-256 of the source file's bytes."""
    source_last_hash: str
    """The chain hash of the source's last line (what `cockpit verify --expect` checks)."""
    source_first_ts: str
    speed: float = 1.0
    trainee: str = ""


@register
@dataclass(frozen=True, slots=True)
class RunbookOpened(Payload):
    """An operator opened a runbook (recorded in drills, to time the first right runbook)."""

    TYPE: ClassVar[str] = "runbook.opened"
    runbook: str
    actor: str = ""


@register
@dataclass(frozen=True, slots=True)
class DrillDebriefed(Payload):
    """The drill's debrief: the trainee's times against the original responders', in seconds
    after each log's first firing alert; each row is {what, original_s, trainee_s}."""

    TYPE: ClassVar[str] = "drill.debrief"
    reason: str
    right_runbook: str = ""
    rows: tuple[Mapping[str, JSON], ...] = ()
    trainee: str = ""
