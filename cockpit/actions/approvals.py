"""Two-person rule: approval requests, approvals and rejections, and which run they allow.

A step marked `approval="who"` does not run on its requester's word alone. Running it without
a usable approval appends `approval.requested` (what would run, the target, who must
approve). A different person (another user, on any host sharing the log) approves or
rejects it by typing the target back (`approval.decided`). The requester may then run the
step once within APPROVAL_VALID_S; the run starts with `approval.used` naming the request.
Everything is read from the log, so it works on one bastion's file and on the shared store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cockpit.log.events import Event
from cockpit.log.events_approval import ApprovalDecided, ApprovalRequested, ApprovalUsed
from cockpit.permissions import Capability
from cockpit.sanitize import clean

if TYPE_CHECKING:
    from cockpit.actions.context import ActionContext
    from cockpit.actions.outcome import Result

REQUEST_VALID_S = 30 * 60.0
"""A request nobody decided within this long expires."""
APPROVAL_VALID_S = 15 * 60.0
"""After an approval, the requester has this long to run the step."""


@dataclass(frozen=True, slots=True)
class Approval:
    """One request as the log tells it."""

    request: ApprovalRequested
    requested_at: datetime
    decision: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    used_by_run: str = ""

    def status(self, now: datetime) -> str:
        """pending, approved, rejected, used or expired."""
        if self.used_by_run:
            return "used"
        if self.decision == "rejected":
            return "rejected"
        if self.decision == "approved":
            assert self.decided_at is not None
            late = now - self.decided_at > timedelta(seconds=APPROVAL_VALID_S)
            return "expired" if late else "approved"
        late = now - self.requested_at > timedelta(seconds=REQUEST_VALID_S)
        return "expired" if late else "pending"


def person(actor: str) -> str:
    """The person behind an actor (`user@host (ssh from ...)` -> `user`): the same user on
    another host is the same person."""
    return actor.split("@", 1)[0].strip().lower()


class ApprovalBook:
    """The approvals of a log, folded from its events (pure: no clock, no I/O)."""

    def __init__(self) -> None:
        self.requests: dict[str, Approval] = {}

    def apply_all(self, events: Iterable[Event]) -> None:
        """Fold events in log order; other types are ignored."""
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Fold one event."""
        payload = event.payload() if event.type.startswith("approval.") else None
        if isinstance(payload, ApprovalRequested):
            self.requests[payload.request_id] = Approval(payload, event.ts)
        elif isinstance(payload, ApprovalDecided):
            found = self.requests.get(payload.request_id)
            if found is not None and not found.decision:
                self.requests[payload.request_id] = replace(
                    found, decision=payload.decision, decided_by=payload.actor, decided_at=event.ts
                )
        elif isinstance(payload, ApprovalUsed):
            found = self.requests.get(payload.request_id)
            if found is not None:
                self.requests[payload.request_id] = replace(found, used_by_run=payload.run_id)

    def open_for(self, actor: str, now: datetime) -> list[Approval]:
        """Pending requests `actor` may decide (someone else's), oldest first."""
        me = person(actor)
        return [
            a
            for a in self.requests.values()
            if a.status(now) == "pending" and person(a.request.requester) != me
        ]

    def pending(self, now: datetime) -> list[Approval]:
        """Every request still waiting for a decision, oldest first (for the command screen)."""
        return [a for a in self.requests.values() if a.status(now) == "pending"]

    def usable(self, runbook: str, step: str, actor: str, now: datetime) -> Approval | None:
        """An approved, unused, unexpired request of `actor` for this step (the newest)."""
        me = person(actor)
        found = [
            a
            for a in self.requests.values()
            if a.request.runbook == runbook
            and a.request.step == step
            and person(a.request.requester) == me
            and a.status(now) == "approved"
        ]
        return found[-1] if found else None

    def waiting(self, runbook: str, step: str, actor: str, now: datetime) -> Approval | None:
        """`actor`'s own request for this step still waiting for a decision."""
        me = person(actor)
        for a in reversed(list(self.requests.values())):
            same = a.request.runbook == runbook and a.request.step == step
            if same and person(a.request.requester) == me and a.status(now) == "pending":
                return a
        return None


def decide(
    book: ApprovalBook, request_id: str, *, actor: str, typed: str, approve: bool, now: datetime
) -> ApprovalDecided | str:
    """The decision event, or why it is refused (one line): only another person decides, by
    typing the target back, a request still pending."""
    found = book.requests.get(request_id)
    if found is None:
        return f"no approval request {request_id!r} in this incident"
    state = found.status(now)
    if state != "pending":
        return f"request {request_id} is {state}: nothing to decide"
    if person(found.request.requester) == person(actor):
        return "two-person rule: another person must approve your own request"
    if typed.strip() != found.request.target:
        return "the typed target does not match the request; nothing was decided"
    return ApprovalDecided(request_id, "approved" if approve else "rejected", actor)


def decide_command(ctx: ActionContext, book: ApprovalBook, text: str) -> Result:
    """`approve REQUEST TARGET` or `reject REQUEST TARGET`, typed on the command screen.

    Deciding is incident command: a viewer may not vouch for someone else's mitigation, while
    a read-only session may (the approver runs nothing; the requester's session does)."""
    # The command screen's outcomes: not loaded by the session, which only folds the book.
    from cockpit.actions.outcome import Outcome, Refused

    refused = ctx.refusal(Capability.COMMAND)
    if refused is not None:
        return refused
    words = text.split(maxsplit=2)
    if len(words) != 3 or words[0].lower() not in ("approve", "reject"):
        return Refused("type approve REQUEST TARGET or reject REQUEST TARGET")
    verb, request_id, typed = words
    found = decide(
        book, request_id, actor=ctx.author, typed=typed, approve=verb.lower() == "approve",
        now=ctx.now(),
    )  # fmt: skip
    if isinstance(found, str):
        return Refused(found)
    request = book.requests[request_id].request
    said = f"{found.decision} request {request_id}: {request.runbook} {request.step}"
    return Outcome(events=(found,), message=clean(said, single_line=True, max_len=160))
