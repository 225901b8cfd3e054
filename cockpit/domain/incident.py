"""IncidentRecord: one incident of a log (its id, clocks, roles with history, checklist, runs)."""

from __future__ import annotations

from datetime import datetime

from cockpit.domain.records import (
    Escalation,
    ExternalAction,
    IncidentInfo,
    Milestone,
    MitigationRun,
    Note,
    RoleAssignment,
    SilenceChange,
    StatusUpdate,
    StepRun,
    Tick,
)

PHASES = ("declared", "acknowledged", "mitigated", "resolved", "post-mortem")
"""The lifecycle of an incident, in order."""
POSTMORTEM_MILESTONES = frozenset({"post-mortem", "postmortem"})


class IncidentRecord:
    """Everything the operators did for one incident. Mutated only by the fold.

    Before the first declaration the fold collects notes and runs in an undeclared record
    (`info` is None); the first declaration adopts it. A declaration after a resolution starts
    a new, empty record, so nothing of the previous incident carries over.
    """

    __slots__ = (
        "checklist", "escalations", "external_actions", "first_seq", "first_ts", "floor", "info",
        "last_seq", "milestones", "mitigations", "notes", "number", "role_history", "roles",
        "silences", "status_updates", "steps", "tags", "ticks",
    )  # fmt: skip

    def __init__(self, number: int = 0) -> None:
        self.number = number
        """1, 2, ... in the order incidents were declared; 0 while undeclared."""
        self.info: IncidentInfo | None = None
        self.roles: dict[str, RoleAssignment] = {}
        """Who holds each role now."""
        self.role_history: list[RoleAssignment] = []
        """Every assignment in order; a handover names the previous holder."""
        self.notes: dict[str, Note] = {}
        self.tags: dict[str, datetime] = {}
        """Tag -> when it first appeared (note tags and incident tag changes)."""
        self.milestones: dict[str, Milestone] = {}
        self.checklist: dict[str, Tick] = {}
        """The latest tick of each item."""
        self.ticks: list[Tick] = []
        """Every tick and untick in order (who and when)."""
        self.steps: dict[str, StepRun] = {}
        self.mitigations: dict[str, MitigationRun] = {}
        self.escalations: list[Escalation] = []
        self.status_updates: list[StatusUpdate] = []
        self.external_actions: list[ExternalAction] = []
        self.silences: list[SilenceChange] = []
        self.first_seq = 0
        self.last_seq = 0
        self.first_ts: datetime | None = None
        """The first event attributed to this incident."""
        self.floor: datetime | None = None
        """The previous incident's resolution: this one's window never starts before it."""

    def copy(self) -> IncidentRecord:
        """An independent copy (records inside are immutable and shared)."""
        other = IncidentRecord(self.number)
        for name in IncidentRecord.__slots__:
            value = getattr(self, name)
            setattr(other, name, value.copy() if isinstance(value, dict | list) else value)
        return other

    def touch(self, seq: int, ts: datetime) -> None:
        """Note that the event `seq` at `ts` belongs to this incident."""
        if not self.first_seq:
            self.first_seq, self.first_ts = seq, ts
        self.last_seq = max(self.last_seq, seq)

    @property
    def incident_id(self) -> str:
        """The incident's id ('' while undeclared)."""
        return self.info.incident_id if self.info is not None else ""

    @property
    def declared(self) -> bool:
        """True once an `incident.declared` event named this incident."""
        return self.info is not None and self.info.declared

    @property
    def start(self) -> datetime | None:
        """When the incident began: the detected milestone, detection time, or declaration;
        never before the previous incident's resolution (an alert still firing from it is not
        this incident's detection, and its figures are not this incident's)."""
        detected = self.milestones.get("detected")
        info = self.info
        if detected is not None:
            start: datetime | None = detected.at
        elif info is not None and (info.detected_at or info.declared_at):
            start = info.detected_at or info.declared_at
        else:
            start = self.first_ts
        if start is not None and self.floor is not None and start < self.floor:
            return self.floor
        return start

    @property
    def end(self) -> datetime | None:
        """The resolution time; None while the incident is open."""
        resolved = self.milestones.get("resolved")
        if resolved is not None:
            return resolved.at
        if self.info is not None and self.info.state == "resolved":
            return self.info.updated_at
        return None

    @property
    def resolved(self) -> bool:
        """True once resolved (by milestone or state)."""
        return self.end is not None

    @property
    def phase(self) -> str | None:
        """Where the incident is in PHASES; None while undeclared."""
        if self.info is None:
            return None
        if self.info.state == "post-mortem" or POSTMORTEM_MILESTONES & self.milestones.keys():
            return "post-mortem"
        if self.resolved:
            return "resolved"
        for name in ("mitigated", "acknowledged"):
            if name in self.milestones:
                return name
        return "declared"

    def in_window(self, when: datetime, last: datetime | None) -> bool:
        """True when `when` falls between the start and the end (or `last` while open)."""
        start, end = self.start, self.end or last
        return (start is None or when >= start) and (end is None or when <= end)

    def __repr__(self) -> str:
        return f"IncidentRecord(#{self.number} {self.incident_id!r}, phase={self.phase})"
