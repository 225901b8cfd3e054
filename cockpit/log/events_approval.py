"""Two-person rule events: a request, another person's decision, the run that used it.

They live in the log layer so that every reader (verify, export, replay) knows them, whether
or not the actions are loaded; `cockpit.actions.approvals` decides with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cockpit.log.events import Payload, register


@register
@dataclass(frozen=True, slots=True)
class ApprovalRequested(Payload):
    """A run of a step under the two-person rule was asked for; `target` is typed to approve."""

    TYPE: ClassVar[str] = "approval.requested"
    request_id: str
    runbook: str
    step: str
    what: str
    target: str
    approver: str
    requester: str


@register
@dataclass(frozen=True, slots=True)
class ApprovalDecided(Payload):
    """Another person approved or rejected a request (`decision`: approved or rejected)."""

    TYPE: ClassVar[str] = "approval.decided"
    request_id: str
    decision: str
    actor: str
    reason: str = ""


@register
@dataclass(frozen=True, slots=True)
class ApprovalUsed(Payload):
    """The approved run started (`run_id` names its mitigation events); an approval is used
    once."""

    TYPE: ClassVar[str] = "approval.used"
    request_id: str
    run_id: str
    actor: str
