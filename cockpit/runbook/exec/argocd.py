"""`argocd` steps: an application's history, sync and rollback through Argo CD's REST API."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.runbook.argo import ArgoTarget
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec import argocd_api as api
from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, table
from cockpit.runbook.model import Step
from cockpit.runbook.spec import ArgocdBody
from cockpit.sanitize import clean

APP_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
PREVIOUS = "previous"
"""An `id` value meaning the deployment before the current one (as an absent `id`)."""
HISTORY_SHOWN = 10
"""Newest history entries shown by `history` (each costs one manifests call for its images)."""


@dataclass(frozen=True, slots=True)
class ArgoCall:
    """A checked action: rollback pins the history id, sync the revision, both confirmed."""

    action: str
    application: str
    history_id: int | None = None
    revision: str | None = None


def render(step: Step, values: Mapping[str, str]) -> tuple[str, str, int | None]:
    """(action, application, history id) with placeholders filled and checked."""
    spec = step.spec
    if not isinstance(spec, ArgocdBody):
        raise StepFailure(f"step '{step.id}' has no argocd body")

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    name = fill(spec.application)
    if not APP_NAME.fullmatch(name):
        shown = clean(name, max_len=60, single_line=True)
        raise StepFailure(f"argocd application {shown!r} is not a valid name", "refused")
    raw_id = fill(spec.id) if spec.id is not None else ""
    if raw_id == PREVIOUS:
        raw_id = ""
    if raw_id and not raw_id.isdigit():
        shown = clean(raw_id, max_len=30, single_line=True)
        raise StepFailure(f"argocd history id {shown!r} is not a number", "refused")
    return spec.action, name, int(raw_id) if raw_id else None


def target_of(targets: StepTargets) -> ArgoTarget:
    """The configured Argo CD, or a refusal saying how to configure it."""
    if targets.argocd is None:
        raise StepFailure(
            "no Argo CD configured: set [argocd] base_url and token_env in the config", "refused"
        )
    if targets.argocd.problem:
        raise StepFailure(targets.argocd.problem, "refused")
    return targets.argocd


def plan(step: Step, values: Mapping[str, str], targets: StepTargets) -> Plan:
    """Describe the action; sync and rollback read the application first and show the
    revisions and images from and to (what the confirmation asks about)."""
    action, name, wanted = render(step, values)
    argo = target_of(targets)
    where = f"application {name} on Argo CD {argo.server}"
    if action == "history":
        return Plan("argocd", f"history of {where} (read-only)", ArgoCall(action, name))
    with api.session(argo) as client:
        app = api.get_app(client, name)
        deployed = api.deployed(app)
        if action == "rollback":
            entry = _rollback_entry(app, name, wanted, deployed)
            to_id, to_rev = entry.id, entry.revision
            head = f"roll back {where} to history id {to_id}"
        else:
            to_id, to_rev = None, api.sync_revision(app)
            head = f"sync {where} to its target revision"
        images_from = api.live_images(app)
        images_to = api.images_at(client, name, to_rev)
    lines = [head, f"  - revision {api.short(deployed.revision if deployed else '?')}"
             f"{_images(images_from)}",
             f"  + revision {api.short(to_rev)}{_images(images_to)}"]  # fmt: skip
    call = ArgoCall(action, name, to_id, to_rev)
    return Plan("argocd", "\n".join(lines), call, target=name)


def _rollback_entry(
    app: Mapping[str, Any], name: str, wanted: int | None, deployed: api.Entry | None
) -> api.Entry:
    if api.auto_sync(app):
        raise StepFailure(
            f"application {name} has automated sync on: Argo CD refuses a rollback then; "
            f"turn it off first (argocd app set {name} --sync-policy none), then run this again",
            "refused",
        )
    history = api.history(app)
    if wanted is None:
        older = [e for e in history if deployed is None or e.id < deployed.id]
        if not older:
            raise StepFailure(f"application {name} has no deployment before the current one")
        return older[-1]
    entry = next((e for e in history if e.id == wanted), None)
    if entry is None:
        known = ", ".join(str(e.id) for e in history) or "none"
        raise StepFailure(f"application {name} has no history id {wanted} (kept: {known})",
                          "refused")  # fmt: skip
    if deployed is not None and entry.id == deployed.id:
        raise StepFailure(f"history id {wanted} is the one deployed: nothing to roll back",
                          "refused")  # fmt: skip
    return entry


def _images(images: tuple[str, ...] | None) -> str:
    if images is None:
        return " (images unknown: Argo CD did not render the manifests)"
    return "  images " + (", ".join(images) or "none")


def run(call: ArgoCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Send the action; every request is bounded, and the whole step by `deadline_s`."""
    argo = target_of(targets)
    ends = time.monotonic() + deadline_s
    with api.session(argo, min(argo.timeout_s, deadline_s)) as client:
        if call.action == "history":
            return _history(client, call.application, ends)
        if call.action == "rollback":
            body: dict[str, Any] = {"name": call.application, "id": call.history_id,
                                    "dryRun": False, "prune": False}  # fmt: skip
            what = f"rolled back {call.application} to history id {call.history_id}"
        else:
            body = {"name": call.application, "revision": call.revision,
                    "dryRun": False, "prune": False}  # fmt: skip
            what = f"synced {call.application} to revision {api.short(call.revision or '?')}"
        app = api.post_action(client, call.application, call.action, body)
    phase = api.operation_phase(app)
    images = api.live_images(app)
    summary = f"{what}: operation {phase}; images now {', '.join(images) or 'unknown'}"
    return StepResult("ok" if phase != "Failed" else "failed", clean(summary, max_len=300))


def _history(client: Any, name: str, ends: float) -> StepResult:
    app = api.get_app(client, name)
    deployed = api.deployed(app)
    rows: list[list[object]] = []
    entries = list(reversed(api.history(app)))
    for entry in entries[:HISTORY_SHOWN]:
        images: tuple[str, ...] | None = None
        if time.monotonic() < ends:
            images = api.images_at(client, name, entry.revision)
        mark = "deployed" if deployed is not None and entry.id == deployed.id else ""
        shown = "?" if images is None else ", ".join(images)
        rows.append([entry.id, api.short(entry.revision), entry.deployed_at, shown, mark])
    summary = f"{len(entries)} deployment(s) of {name}, newest first; sync {api.sync_status(app)}"
    return table(summary, ["id", "revision", "deployed at", "images", "state"], rows,
                 total=len(entries))  # fmt: skip
