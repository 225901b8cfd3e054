"""Response-SLA figures per severity (seed defaults) and the countdown shown in the header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.domain.state import IncidentState

RESPONSE_SLA_S: dict[str, float] = {
    "SEV-1": 5 * 60,
    "SEV-2": 15 * 60,
    "SEV-3": 60 * 60,
    "SEV-4": 24 * 60 * 60,
    "P0": 15 * 60,
    "P1": 60 * 60,
    "P2": 4 * 60 * 60,
    "P3": 24 * 60 * 60,
}
"""Seconds to acknowledge, by severity (SEV-4 is one business day; the calendar-aware
version arrives with incident command)."""


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Where the response SLA stands at `now`."""

    severity: str
    elapsed_s: float
    """Seconds since detection (or declaration)."""
    remaining_s: float | None
    """Seconds left to acknowledge; negative once breached; None when acknowledged or unknown."""
    acknowledged: bool


def response_clock(state: IncidentState, now: datetime) -> SlaClock | None:
    """The response-SLA clock of the declared incident, or None when there is none."""
    incident = state.incident
    if incident is None or incident.state != "open":
        return None
    start = incident.detected_at or incident.declared_at or state.last_ts or now
    elapsed = max(0.0, (now - start).total_seconds())
    acknowledged = "acknowledged" in state.milestones
    budget = RESPONSE_SLA_S.get(incident.severity)
    remaining = None if acknowledged or budget is None else budget - elapsed
    return SlaClock(incident.severity, elapsed, remaining, acknowledged)


def compact_duration(seconds: float) -> str:
    """45s, 12m05s, 3h05m, 2d04h: short enough for a header or a table cell."""
    total = int(abs(seconds))
    sign = "-" if seconds < 0 else ""
    if total < 60:
        return f"{sign}{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{sign}{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"
