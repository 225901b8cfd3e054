"""Response-SLA and security-notification clocks, computed from the folded state and `now`.

The response SLA runs from detection (or declaration) until the `acknowledged` milestone.
A severity change mid-incident: a more severe level gets its own budget counted from the
change, never later than the deadline already running; a less severe level extends the
deadline to what it would have been had the incident been declared at that level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cockpit.command.policy import DEFAULT_POLICY, CommandPolicy
from cockpit.command.schemes import Level, scheme_of
from cockpit.domain.severity import severity_rank
from cockpit.domain.state import IncidentState

CLIENT_ITEM = "security.notify-clients"
REGULATOR_ITEM = "security.notify-regulator"


@dataclass(frozen=True, slots=True)
class ResponseClock:
    """Where the response SLA stands."""

    severity: str
    start: datetime
    deadline: datetime | None
    """None for a severity the scheme does not know."""
    acknowledged_at: datetime | None
    remaining_s: float | None
    """Seconds left at `now` (negative once breached); None once acknowledged or unknown."""
    breached: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """A legal or contractual deadline shown until its checklist item is ticked."""

    name: str
    item: str
    due: datetime
    remaining_s: float
    done: bool


def incident_start(state: IncidentState) -> datetime | None:
    """Detection time, else declaration time, of the declared incident."""
    incident = state.incident
    if incident is None:
        return None
    return incident.detected_at or incident.declared_at


def due_after(level: Level, start: datetime, policy: CommandPolicy) -> datetime:
    """When a response at `level` is due for a clock starting at `start`."""
    if level.business_days:
        return policy.calendar.add_business_days(start, level.business_days)
    return start + timedelta(seconds=level.response_s)


def response_clock(
    state: IncidentState, now: datetime, policy: CommandPolicy = DEFAULT_POLICY
) -> ResponseClock | None:
    """The response-SLA clock of the declared incident, or None without one."""
    incident = state.incident
    start = incident_start(state)
    if incident is None or start is None:
        return None
    scheme = scheme_of(incident.severity)
    history = incident.severity_history or ()
    deadline: datetime | None = None
    previous = ""
    for change in history:
        level = scheme.level(change.severity)
        if level is None:
            deadline = None
            previous = ""
            continue
        if deadline is None or not previous:
            deadline = due_after(level, start, policy)
        elif severity_rank(level.label) < severity_rank(previous):
            deadline = min(deadline, due_after(level, max(start, change.ts), policy))
        else:
            deadline = due_after(level, start, policy)
        previous = level.label
    if not history and (level := scheme.level(incident.severity)) is not None:
        deadline = due_after(level, start, policy)
    ack = state.milestones.get("acknowledged")
    acked_at = ack.at if ack is not None else None
    remaining = None
    if deadline is not None and acked_at is None:
        remaining = (deadline - now).total_seconds()
    breached = deadline is not None and (acked_at or now) > deadline
    return ResponseClock(incident.severity, start, deadline, acked_at, remaining, breached)


def security_deadlines(
    state: IncidentState, now: datetime, policy: CommandPolicy = DEFAULT_POLICY
) -> list[Deadline]:
    """Client (24 h) and regulator (72 h) notification clocks of a security incident."""
    incident = state.incident
    start = incident_start(state)
    if incident is None or start is None or not incident.security:
        return []
    out = []
    for name, item, budget in (
        ("clients", CLIENT_ITEM, policy.client_notice_s),
        ("regulator", REGULATOR_ITEM, policy.regulator_notice_s),
    ):
        due = start + timedelta(seconds=budget)
        tick = state.checklist.get(item)
        out.append(Deadline(name, item, due, (due - now).total_seconds(), bool(tick and tick.done)))
    return out
