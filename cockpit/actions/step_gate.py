"""Whether a step may run in this session, and which steps to offer: from `Permissions` only.

A step that may change the platform (`safety.mutation`, the one classification, says why)
needs `write_platform`; any other step `read_platform`. Forbidden steps never run here.
"""

from __future__ import annotations

from cockpit.permissions import Capability, Permissions
from cockpit.runbook import safety
from cockpit.runbook.model import Runbook, Step


def refusal(step: Step, permissions: Permissions) -> str | None:
    """Why `step` may not run in this session, or None: forbidden steps never run."""
    if step.forbidden:
        return f"needs approval outside the cockpit: {step.forbidden}"
    why = safety.mutation(step)
    if why is None:
        return permissions.refusal(Capability.READ_PLATFORM)
    refused = permissions.refusal(Capability.WRITE_PLATFORM)
    return None if refused is None else f"{refused} ({why})"


def offered(runbook: Runbook, permissions: Permissions) -> tuple[tuple[Step, ...], str]:
    """The steps to offer, and why the others are hidden ("" when none is).

    k9s-style: a step that changes the platform and may never run in this session is not
    offered; a forbidden one is (it says who must approve it, and trying it is logged).
    """
    shown = tuple(
        s for s in runbook.steps
        if s.forbidden or not safety.changes_platform(s) or refusal(s, permissions) is None
    )  # fmt: skip
    hidden = len(runbook.steps) - len(shown)
    why = permissions.refusal(Capability.WRITE_PLATFORM) or "not allowed"
    return shown, (
        f"{hidden} mitigation{'s' if hidden > 1 else ''} hidden: {why}" if hidden else ""
    )
