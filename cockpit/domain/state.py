"""IncidentState: everything the screens show, derived only from log events by the fold."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cockpit.domain.records import (
    Escalation,
    ExternalAction,
    IncidentInfo,
    Milestone,
    MitigationRun,
    Note,
    RoleAssignment,
    StatusUpdate,
    StepRun,
    Tick,
)
from cockpit.domain.series import KafkaSourceState, LagPeak, PgState

RESOLVED_LEN = 1_000
"""Resolved alerts kept for the timeline and the post-mortem."""
UNKNOWN_LEN = 1_000
"""Unknown or unreadable events kept by (type, seq, ts); all of them are counted."""

# Records on the hot path are NamedTuples: built in C-speed tuple construction, immutable, so
# a checkpoint can share them between copies instead of copying them.


class SourceInfo(NamedTuple):
    """A configured source: which pane kind it feeds and how often it is polled."""

    name: str
    kind: str
    interval_s: float


class EnvironmentInfo(NamedTuple):
    """The environment the writer watched (name, production, read-only by config)."""

    name: str
    production: bool
    read_only: bool


class SourceHealth:
    """How the last polls of one source went; data age is `now - last_ok`.

    Mutable because it changes on nearly every event; only the fold writes to it, and
    `IncidentState.copy` copies it.
    """

    __slots__ = (
        "consecutive_failures", "error_kind", "error_message", "error_ts", "failed",
        "last_attempt", "last_duration_ms", "last_ok", "retry_after_s", "source", "warnings",
    )  # fmt: skip

    def __init__(self, source: str) -> None:
        self.source = source
        self.last_attempt: datetime | None = None
        self.last_ok: datetime | None = None
        self.last_duration_ms: float | None = None
        self.warnings: tuple[str, ...] = ()
        self.consecutive_failures = 0
        self.failed = False
        """The last attempt failed."""
        self.error_kind: str | None = None
        """Kind of the last failure (kept after recovery, for the timeline)."""
        self.error_message: str | None = None
        self.error_ts: datetime | None = None
        self.retry_after_s: float | None = None

    def copy(self) -> SourceHealth:
        """An independent copy."""
        other = SourceHealth(self.source)
        for name in SourceHealth.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in SourceHealth.__slots__)
        return f"SourceHealth({fields})"


class AlertRecord(NamedTuple):
    """An alert as last observed (`item` is the source's normalised dict) and when."""

    key: str
    source: str
    item: Mapping[str, Any]
    first_seen: datetime
    last_seen: datetime
    fired_at: datetime | None
    """First observation in the `firing` state (None while only pending)."""


class UnknownEvent(NamedTuple):
    """An event the fold could not use: unknown type, or data it could not read."""

    type: str
    seq: int
    ts: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ResolvedAlert:
    """An alert that stopped being observed, with how long it lasted."""

    key: str
    source: str
    name: str
    item: Mapping[str, Any]
    first_seen: datetime
    fired_at: datetime | None
    resolved_at: datetime
    duration_s: float


@dataclass(frozen=True, slots=True)
class LogHeader:
    """What the log's first line says about where and by whom it was written."""

    incident_id: str
    host: str
    user: str
    version: str
    hash_mode: str
    format: int
    mode: str
    opened_at: datetime


class IncidentState:
    """The whole picture at one point of the log. Mutated only by the fold.

    Entity maps are per source (a `full` observation replaces one source's set), holding
    immutable records, so `copy()` is a structural copy of containers, not a deep copy.
    """

    __slots__ = (
        "alerts", "checklist", "close_reason", "closed", "environment", "escalations",
        "event_count", "external_actions", "header", "health", "incident", "kafka",
        "kafka_peak", "kafka_peaks", "last_seq", "last_ts", "milestones", "mitigations",
        "notes", "postgres", "resolved_alerts", "resolved_count", "roles", "sources",
        "status_updates", "steps", "tags", "tenants", "unknown", "unknown_counts",
    )  # fmt: skip

    def __init__(self) -> None:
        self.header: LogHeader | None = None
        self.sources: dict[str, SourceInfo] = {}
        """Configured sources by name (kind and poll interval), from `sources.configured`."""
        self.environment: EnvironmentInfo | None = None
        self.health: dict[str, SourceHealth] = {}
        self.alerts: dict[str, dict[str, AlertRecord]] = {}
        self.resolved_alerts: deque[ResolvedAlert] = deque(maxlen=RESOLVED_LEN)
        self.resolved_count = 0
        self.kafka: dict[str, KafkaSourceState] = {}
        self.kafka_peaks: dict[tuple[str, str], LagPeak] = {}
        """Peak lag per (group, topic) over the whole log, kept when the group vanishes."""
        self.kafka_peak: tuple[tuple[str, str], LagPeak] | None = None
        self.postgres: dict[str, PgState] = {}
        self.tenants: dict[str, dict[str, Mapping[str, Any]]] = {}
        self.incident: IncidentInfo | None = None
        self.roles: dict[str, RoleAssignment] = {}
        self.notes: dict[str, Note] = {}
        self.tags: dict[str, datetime] = {}
        """Tag -> when it first appeared (note tags and incident tag changes)."""
        self.milestones: dict[str, Milestone] = {}
        self.checklist: dict[str, Tick] = {}
        self.steps: dict[str, StepRun] = {}
        self.mitigations: dict[str, MitigationRun] = {}
        self.escalations: list[Escalation] = []
        self.status_updates: list[StatusUpdate] = []
        self.external_actions: list[ExternalAction] = []
        self.unknown: deque[UnknownEvent] = deque(maxlen=UNKNOWN_LEN)
        self.unknown_counts: dict[str, int] = {}
        self.closed = False
        self.close_reason: str | None = None
        self.last_seq = 0
        self.last_ts: datetime | None = None
        self.event_count = 0

    def copy(self) -> IncidentState:
        """An independent copy: later folding into either leaves the other unchanged."""
        other = IncidentState()
        for name in IncidentState.__slots__:
            setattr(other, name, getattr(self, name))
        other.sources = dict(self.sources)
        other.health = {s: h.copy() for s, h in self.health.items()}
        other.alerts = {s: dict(m) for s, m in self.alerts.items()}
        other.resolved_alerts = self.resolved_alerts.copy()
        other.kafka = {s: k.copy() for s, k in self.kafka.items()}
        other.kafka_peaks = dict(self.kafka_peaks)
        other.postgres = {s: p.copy() for s, p in self.postgres.items()}
        other.tenants = {s: dict(m) for s, m in self.tenants.items()}
        for name in ("roles", "notes", "tags", "milestones", "checklist", "steps"):
            setattr(other, name, dict(getattr(self, name)))
        other.mitigations = dict(self.mitigations)
        other.escalations = list(self.escalations)
        other.status_updates = list(self.status_updates)
        other.external_actions = list(self.external_actions)
        other.unknown = self.unknown.copy()
        other.unknown_counts = dict(self.unknown_counts)
        return other

    def iter_alerts(self) -> Iterator[AlertRecord]:
        """Every current alert of every source."""
        for by_key in self.alerts.values():
            yield from by_key.values()

    def alert_count(self) -> int:
        """How many alerts are currently observed."""
        return sum(len(m) for m in self.alerts.values())

    def iter_tenants(self) -> Iterator[Mapping[str, Any]]:
        """Every tenant quota item of every source."""
        for by_key in self.tenants.values():
            yield from by_key.values()

    @property
    def unknown_total(self) -> int:
        """How many events the fold could not use."""
        return sum(self.unknown_counts.values())

    def to_json(self) -> dict[str, Any]:
        """The state as canonical JSON data (datetimes as RFC 3339)."""
        from cockpit.domain.encode import state_to_json

        return state_to_json(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal digests mean equal states."""
        from cockpit.domain.encode import state_digest

        return state_digest(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IncidentState):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]
