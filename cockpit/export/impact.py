"""Impact figures of one incident, measured from the recorded observations and milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.domain.severity import most_severe
from cockpit.domain.sla import RESPONSE_SLA_S
from cockpit.domain.state import IncidentState
from cockpit.log.events import Event, PostgresConnectionsObserved


@dataclass(frozen=True, slots=True)
class ConnectionPeak:
    """The busiest PostgreSQL snapshot: connections in use out of the server's maximum."""

    source: str
    total: int
    max_connections: int
    ts: datetime

    @property
    def ratio(self) -> float:
        """Share of `max_connections` in use."""
        return self.total / self.max_connections if self.max_connections > 0 else 0.0


class PeakTracker:
    """Folds alongside the state to keep figures the state does not hold (its history is
    bounded for the screens, an export needs the whole log)."""

    __slots__ = ("connections",)

    def __init__(self) -> None:
        self.connections: ConnectionPeak | None = None

    def apply(self, event: Event) -> None:
        """Look at one event (only PostgreSQL snapshots matter here)."""
        if event.type != PostgresConnectionsObserved.TYPE:
            return
        data = event.data
        try:
            total, most = int(data["total"]), int(data["max_connections"])
        except (KeyError, TypeError, ValueError):
            return  # a damaged snapshot: the fold already counted it as unknown
        peak = self.connections
        if most > 0 and (peak is None or total / most > peak.ratio):
            self.connections = ConnectionPeak(str(data.get("source", "")), total, most, event.ts)


@dataclass(frozen=True, slots=True)
class SlaOutcome:
    """The response SLA: budget for the strictest severity seen, and whether it held."""

    severity: str
    budget_s: float
    took_s: float | None
    """Seconds from start to acknowledgement; None when never acknowledged."""
    breached: bool


@dataclass(frozen=True, slots=True)
class Durations:
    """Incident clocks in seconds from `start` (detection, else declaration)."""

    start: datetime | None
    end: datetime | None
    """Resolution, else the last event of the log."""
    total_s: float | None
    acknowledge_s: float | None
    mitigate_s: float | None
    resolve_s: float | None


def _since(start: datetime | None, when: datetime | None) -> float | None:
    if start is None or when is None:
        return None
    return max(0.0, (when - start).total_seconds())


def incident_start(state: IncidentState) -> datetime | None:
    """When the incident began: the detected milestone, detection time, or declaration."""
    info = state.incident
    detected = state.milestones.get("detected")
    if detected is not None:
        return detected.at
    if info is None:
        return None
    return info.detected_at or info.declared_at


def durations(state: IncidentState) -> Durations:
    """MTTA, time to mitigate and MTTR of this incident, from its milestones.

    Without a `mitigated` milestone the first mitigation that completed ok counts.
    """
    start = incident_start(state)
    ms = state.milestones
    mitigated = ms["mitigated"].at if "mitigated" in ms else None
    if mitigated is None:
        done = [
            r.completed_at
            for r in state.mitigations.values()
            if r.outcome == "ok" and r.completed_at is not None
        ]
        mitigated = min(done) if done else None
    resolved = ms["resolved"].at if "resolved" in ms else None
    acked = ms["acknowledged"].at if "acknowledged" in ms else None
    end = resolved or state.last_ts
    return Durations(
        start,
        end,
        _since(start, end),
        _since(start, acked),
        _since(start, mitigated),
        _since(start, resolved),
    )


def response_sla(state: IncidentState, clocks: Durations) -> SlaOutcome | None:
    """Whether acknowledgement came within the budget of the strictest severity held."""
    info = state.incident
    if info is None:
        return None
    labels = [c.severity for c in info.severity_history] or [info.severity]
    severity = most_severe(labels) or info.severity
    budget = RESPONSE_SLA_S.get(severity)
    if budget is None:
        return None
    took = clocks.acknowledge_s
    waited = took if took is not None else clocks.total_s
    breached = waited is not None and waited > budget
    return SlaOutcome(severity, budget, took, breached)


def duration_text(seconds: float | None) -> str:
    """`1h 05m 12s`, `4m 03s`, `12s`; `n/a` when unknown."""
    if seconds is None:
        return "n/a"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
