"""IncidentState: everything the screens show, derived only from log events by the fold."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cockpit.domain.incident import IncidentRecord
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
        "alerts", "close_reason", "closed", "current", "environment", "event_count", "header",
        "health", "incidents", "kafka", "kafka_peak", "kafka_peaks", "keep_history", "last_seq",
        "last_ts", "postgres", "resolved_alerts", "resolved_count", "source_seq", "sources",
        "tenants", "unknown", "unknown_counts",
    )  # fmt: skip
    OPTIONS = frozenset({"keep_history"})
    """Slots that say how the state is folded, not what the log holds (not in `to_json`)."""

    def __init__(self, *, keep_history: bool = True) -> None:
        self.keep_history = keep_history
        """Keep the recent samples of each series (the sparklines); a whole-log pass that
        never shows them (`cockpit export`) folds faster without."""
        self.header: LogHeader | None = None
        self.sources: dict[str, SourceInfo] = {}
        """Configured sources by name (kind and poll interval), from `sources.configured`."""
        self.environment: EnvironmentInfo | None = None
        self.health: dict[str, SourceHealth] = {}
        self.source_seq: dict[str, int] = {}
        """Per source, the seq of its last poll event (observed, polled or failed): a pane
        rebuilds its rows only when one of its own sources moved."""
        self.alerts: dict[str, dict[str, AlertRecord]] = {}
        self.resolved_alerts: deque[ResolvedAlert] = deque(maxlen=RESOLVED_LEN)
        self.resolved_count = 0
        self.kafka: dict[str, KafkaSourceState] = {}
        self.kafka_peaks: dict[tuple[str, str], LagPeak] = {}
        """Peak lag per (group, topic) over the whole log, kept when the group vanishes."""
        self.kafka_peak: tuple[tuple[str, str], LagPeak] | None = None
        self.postgres: dict[str, PgState] = {}
        self.tenants: dict[str, dict[str, Mapping[str, Any]]] = {}
        self.current = IncidentRecord()
        """The incident operator events go to now (undeclared before the first declaration;
        the last declared one after it, resolved or not, until the next declaration)."""
        self.incidents: list[IncidentRecord] = []
        """Every incident of the log, in the order they were declared."""
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
        other.source_seq = dict(self.source_seq)
        other.alerts = {s: dict(m) for s, m in self.alerts.items()}
        other.resolved_alerts = self.resolved_alerts.copy()
        other.kafka = {s: k.copy() for s, k in self.kafka.items()}
        other.kafka_peaks = dict(self.kafka_peaks)
        other.postgres = {s: p.copy() for s, p in self.postgres.items()}
        other.tenants = {s: dict(m) for s, m in self.tenants.items()}
        other.incidents = [r.copy() for r in self.incidents]
        # The current record is the last incident (shared in the copy too) or the undeclared one.
        if self.incidents and self.current is self.incidents[-1]:
            other.current = other.incidents[-1]
        else:
            other.current = self.current.copy()
        other.unknown = self.unknown.copy()
        other.unknown_counts = dict(self.unknown_counts)
        return other

    # The current incident's parts, under the names the screens have always used.

    @property
    def incident(self) -> IncidentInfo | None:
        """The current incident (None before any declaration)."""
        return self.current.info

    @property
    def roles(self) -> dict[str, RoleAssignment]:
        """Who holds each role in the current incident."""
        return self.current.roles

    @property
    def notes(self) -> dict[str, Note]:
        """Notes of the current incident (before the first one: every note so far)."""
        return self.current.notes

    @property
    def tags(self) -> dict[str, datetime]:
        """Tags of the current incident and when each first appeared."""
        return self.current.tags

    @property
    def milestones(self) -> dict[str, Milestone]:
        """Milestones of the current incident."""
        return self.current.milestones

    @property
    def checklist(self) -> dict[str, Tick]:
        """The latest tick of each checklist item of the current incident."""
        return self.current.checklist

    @property
    def steps(self) -> dict[str, StepRun]:
        """Step runs of the current incident."""
        return self.current.steps

    @property
    def mitigations(self) -> dict[str, MitigationRun]:
        """Mitigations of the current incident."""
        return self.current.mitigations

    @property
    def escalations(self) -> list[Escalation]:
        """Escalations of the current incident."""
        return self.current.escalations

    @property
    def status_updates(self) -> list[StatusUpdate]:
        """Status-page updates of the current incident."""
        return self.current.status_updates

    @property
    def external_actions(self) -> list[ExternalAction]:
        """Calls to outside systems for the current incident."""
        return self.current.external_actions

    def find_incident(self, incident_id: str) -> IncidentRecord | None:
        """The last incident with this id, or None."""
        for record in reversed(self.incidents):
            if record.incident_id == incident_id:
                return record
        return None

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
