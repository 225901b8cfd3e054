"""Whether a step may run in this session, and which steps to offer: from `Permissions` only.

A step that may change the platform (`safety.mutation`, the one classification, says why)
needs `write_platform`; any other step `read_platform`. Forbidden steps never run here.
A Kubernetes `rollout-undo` of a deployment an Argo CD application owns never runs either
(`argo_refusal`): Argo CD's self-heal would put the newer release back within minutes.
"""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.permissions import Capability, Permissions
from cockpit.runbook import safety
from cockpit.runbook.argo import ArgoTarget, rollback_step_for, undo_target
from cockpit.runbook.bodies import PLACEHOLDER
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


def argo_refusal(
    runbook: Runbook, step: Step, values: Mapping[str, str], argo: ArgoTarget | None
) -> str | None:
    """Why a `rollout-undo` of an Argo-managed deployment is refused (naming the `argocd`
    step to run instead), or None for any other step or deployment.

    `values` are the checked parameter values of the run (placeholders of the namespace
    and deployment are filled from them).
    """
    body = undo_target(step)
    if body is None or argo is None:
        return None

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)

    namespace, deployment = fill(body.namespace), fill(body.deployment or "")
    application = argo.owner_of(namespace, deployment)
    if application is None:
        return None
    instead = rollback_step_for(runbook, application, values)
    if instead is not None:
        use = f"run step '{instead.id}' ({instead.title}) instead"
    else:
        use = f"roll back application {application} with an argocd step (action: rollback)"
    return (
        f"deployment {namespace}/{deployment} is managed by Argo CD (application "
        f"{application}): its self-heal would undo a Kubernetes rollout undo; {use}"
    )


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
