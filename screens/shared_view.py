"""Text of a shared incident for the header and the command screen: presence, approvals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text

from cockpit.actions.approvals import ApprovalBook, person
from cockpit.domain.records import RoleAssignment
from cockpit.log.shared import SharedStatus
from cockpit.sanitize import clean


def labels(shared: SharedStatus, roles: Mapping[str, RoleAssignment]) -> list[str]:
    """`user@host (role)` of each person present; the role is the incident role they hold
    (matched by user name), else the one their cockpit announced."""
    held: dict[str, list[str]] = {}
    for role, who in roles.items():
        held.setdefault(person(who.person), []).append(role)
    out = []
    for p in shared.people:
        role = ", ".join(held.get(person(p.user), [])) or p.role
        out.append(clean(f"{p.user}@{p.host}" + (f" ({role})" if role else ""),
                         single_line=True, max_len=60))  # fmt: skip
    return out


def append_shared(
    text: Text, shared: SharedStatus | None, roles: Mapping[str, RoleAssignment]
) -> None:
    """The header's part: the offline warning, then who is in the incident."""
    if shared is None:
        return
    if shared.offline:
        text.append(" │ ", "dim")
        text.append(f"⚠ {shared.offline}", "bold black on yellow")
    if shared.people:
        names = ", ".join(labels(shared, roles))
        text.append(" │ ", "dim")
        text.append(f"here: {names}", "dim")


def shared_text(
    shared: SharedStatus | None,
    book: ApprovalBook | None,
    now: datetime,
    me: str,
    roles: Mapping[str, RoleAssignment],
) -> Text:
    """The command screen's block: who is here (host, user, role) and open approvals."""
    text = Text()
    if shared is not None:
        if shared.offline:
            text.append(f"{shared.offline}: working on the local mirror\n", "bold yellow")
        text.append("In this incident now: ", "bold")
        people = labels(shared, roles)
        text.append(", ".join(people) if people else "nobody seen (store unreachable?)")
        text.append("\n")
    pending = book.pending(now) if book is not None else []
    if not pending:
        text.append("No approval request is waiting.", "dim")
        return text
    text.append("Approval requests (type: approve|reject REQUEST TARGET)\n", "bold")
    for item in pending:
        req = item.request
        mine = person(req.requester) == person(me)
        line = (
            f"  {req.request_id}  {req.runbook} {req.step}: {req.what}  by {req.requester}, "
            f"approver {req.approver}, target {req.target!r}"
        )
        text.append(clean(line, single_line=True, max_len=240), "dim" if mine else "")
        text.append("  (yours: another person approves)\n" if mine else "\n", "dim")
    return text
