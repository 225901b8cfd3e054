"""The escalation ladder L1..L4: which level the incident has reached and which one is due.

Progress and remediation are read from the log, never typed in. This module is the one
definition (`PROGRESS` says it in words; the config doc and the command screen quote it):

* progress: a runbook step completed `ok`, a note (any note, corrections included), a status
  update published (or recorded copy-only), the `identified` milestone, or
  any remediation;
* remediation: a mitigating step completed `ok`, or the `mitigated` / `resolved` milestone.

Rules (first seed): L1 -> L2 after 15 min without progress; L2 -> L3 after 30 min at L2
without remediation; a SEV-1 goes to L3 at once, and to L4 when clients (affected tenants)
or regulators (a security incident) are touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cockpit.command.clocks import incident_start
from cockpit.command.policy import DEFAULT_POLICY, CommandPolicy
from cockpit.domain.severity import severity_rank
from cockpit.domain.state import IncidentState

PROGRESS = "a step run, a note or a status update"
"""What restarts the L1 -> L2 clock, in the words the command screen and config doc use."""
PROGRESS_MILESTONES = ("identified",)
_LEVEL = re.compile(r"^\s*L([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LadderStatus:
    """Where the incident stands on the ladder at `now`."""

    reached: int
    """Highest level escalated to (a recorded escalation), 1 when none."""
    required: int
    """Level the rules call for now."""
    next_level: int | None
    """The level to page next (None at L4 or while nothing is due)."""
    next_due: datetime | None
    """When `next_level` is (or was) due; in the past means overdue."""
    reason: str
    targets: tuple[str, ...]

    @property
    def overdue(self) -> bool:
        """The rules call for a level nobody escalated to yet."""
        return self.required > self.reached


def level_number(label: str) -> int | None:
    """1..4 for "L1".."L4", else None."""
    match = _LEVEL.match(label)
    return int(match.group(1)) if match else None


def last_remediation(state: IncidentState) -> datetime | None:
    """When something last remediated (see the module docstring)."""
    times = [
        m.completed_at
        for m in state.mitigations.values()
        if m.outcome == "ok" and m.completed_at is not None
    ]
    times += [m.at for n, m in state.milestones.items() if n in ("mitigated", "resolved")]
    return max(times, default=None)


def last_progress(state: IncidentState) -> datetime | None:
    """When the investigation last made progress (see the module docstring)."""
    times = [
        s.completed_at
        for s in state.steps.values()
        if s.outcome == "ok" and s.completed_at is not None
    ]
    times += [n.ts for n in state.notes.values()]
    times += [u.ts for u in state.status_updates if u.outcome == "ok"]
    times += [m.at for n, m in state.milestones.items() if n in PROGRESS_MILESTONES]
    if (fix := last_remediation(state)) is not None:
        times.append(fix)
    return max(times, default=None)


def ladder_status(
    state: IncidentState, now: datetime, policy: CommandPolicy = DEFAULT_POLICY
) -> LadderStatus | None:
    """The ladder of the declared, open incident; None otherwise."""
    incident = state.incident
    start = incident_start(state)
    if incident is None or start is None or incident.state != "open":
        return None
    raised = {n: e.ts for e in state.escalations if (n := level_number(e.level)) is not None}
    reached = max(raised, default=1)
    if severity_rank(incident.severity) == 0:
        touched = bool(incident.tenants) or incident.security
        required = 4 if touched else 3
        reason = "SEV-1 touching clients or regulators" if touched else "SEV-1 goes to L3"
        upcoming: tuple[int, datetime] | None = None
        due: datetime | None = start
    else:
        required, reason, upcoming, due = _timed(state, now, start, raised, policy)
    if required > reached:
        next_level: int | None = required
    elif upcoming is not None and upcoming[0] > reached:
        next_level, due = upcoming
    else:
        next_level, due = None, None
    return LadderStatus(
        reached,
        required,
        next_level,
        due,
        reason,
        policy.targets(next_level) if next_level else (),
    )


def _timed(
    state: IncidentState,
    now: datetime,
    start: datetime,
    raised: dict[int, datetime],
    policy: CommandPolicy,
) -> tuple[int, str, tuple[int, datetime] | None, datetime | None]:
    """Required level, why, the next timed step (level, due) and when `required` fell due."""
    quiet_from = max(start, last_progress(state) or start)
    l2_due = quiet_from + timedelta(seconds=policy.l1_no_progress_s)
    higher = [ts for level, ts in raised.items() if level >= 2]
    # The L3 clock runs from the escalation to L2, or from when L2 fell due if nobody paged.
    l2_from = min(higher) if higher else (l2_due if now >= l2_due else None)
    if l2_from is None:
        return 1, "", (2, l2_due), None
    calm_from = max(l2_from, last_remediation(state) or l2_from)
    l3_due = calm_from + timedelta(seconds=policy.l2_no_remediation_s)
    if now >= l3_due:
        return 3, "no remediation for 30 min at L2", None, l3_due
    return 2, "no progress for 15 min at L1", (3, l3_due), l2_due
