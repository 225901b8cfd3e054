"""Nudges for a tired commander: unclaimed roles and a silent status page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.command.policy import DEFAULT_POLICY, CommandPolicy
from cockpit.domain.state import IncidentState


@dataclass(frozen=True, slots=True)
class Reminder:
    """Something the operator should do, and for how long it has been waiting."""

    kind: str
    """`role` or `status`."""
    text: str
    waiting_s: float


def reminders(
    state: IncidentState, now: datetime, policy: CommandPolicy = DEFAULT_POLICY
) -> list[Reminder]:
    """Reminders due at `now` for the open incident (none without one)."""
    incident = state.incident
    if incident is None or incident.state != "open" or incident.declared_at is None:
        return []
    out = []
    open_for = (now - incident.declared_at).total_seconds()
    if open_for >= policy.role_unclaimed_s:
        for role in policy.roles:
            if role not in state.roles:
                out.append(Reminder("role", f"{role} is not assigned", open_for))
    posted = [u.ts for u in state.status_updates if u.outcome == "ok"]
    since = max(posted, default=incident.declared_at)
    silent = (now - since).total_seconds()
    if silent >= policy.status_silence_s:
        what = "since the last one" if posted else "since the incident was declared"
        out.append(Reminder("status", f"no status update {what}", silent))
    return out
