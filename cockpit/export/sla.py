"""The response SLA of one incident as a post-mortem states it: met, missed or pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cockpit.domain.incident import IncidentRecord
from cockpit.domain.severity import most_severe
from cockpit.domain.sla import RESPONSE_SLA_S
from cockpit.export.impact import Durations

MET, MISSED, PENDING = "met", "missed", "pending"


@dataclass(frozen=True, slots=True)
class SlaOutcome:
    """The response SLA: budget for the strictest severity held, and how it went."""

    severity: str
    budget_s: float
    start: datetime
    due: datetime
    status: str
    """`met`, `missed`, or `pending` (open, not acknowledged, not yet due at the log's end)."""
    acknowledged_at: datetime | None
    took_s: float | None
    """Seconds from start to acknowledgement; None when not acknowledged."""
    resolved_at: datetime | None

    @property
    def breached(self) -> bool:
        """True when the SLA was missed."""
        return self.status == MISSED


def response_sla(record: IncidentRecord, clocks: Durations) -> SlaOutcome | None:
    """Whether acknowledgement came within the budget of the strictest severity held.

    Acknowledged: met or missed by the time it took. Not acknowledged: missed once the due
    time passed before the log ends; met when resolved before the due time (the incident got
    its response); pending while open and not yet due.
    """
    info = record.info
    start = clocks.start
    if info is None or start is None:
        return None
    labels = [c.severity for c in info.severity_history] or [info.severity]
    severity = most_severe(labels) or info.severity
    budget = RESPONSE_SLA_S.get(severity)
    if budget is None:
        return None
    due = start + timedelta(seconds=budget)
    acked, took = clocks.acknowledged_at, clocks.acknowledge_s
    resolved = record.end
    if acked is not None:
        status = MET if acked <= due else MISSED
    elif resolved is not None:
        status = MET if resolved <= due else MISSED
    else:
        status = MISSED if clocks.end is not None and clocks.end > due else PENDING
    return SlaOutcome(severity, budget, start, due, status, acked, took, resolved)
