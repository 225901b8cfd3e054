"""`rollout-undo`: put back an earlier ReplicaSet's pod template, as `kubectl rollout undo` does."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from cockpit.runbook.exec.base import StepFailure
from cockpit.runbook.spec import K8sBody
from cockpit.sanitize import clean

REVISION = "deployment.kubernetes.io/revision"
HASH_LABEL = "pod-template-hash"
ARGO_MARKS = ("argocd.argoproj.io/instance", "argocd.argoproj.io/tracking-id")
"""A label or annotation that says Argo CD manages the object (self-heal would revert us)."""


@dataclass(frozen=True, slots=True)
class Undo:
    """The chosen revision and the JSON patch that restores its template."""

    current: int
    target: int
    images_from: tuple[str, ...]
    images_to: tuple[str, ...]
    patch: list[dict[str, Any]]

    def diff(self) -> str:
        """What changes, readable: the revision and the image of every container."""
        lines = [f"  revision {self.current} -> template of revision {self.target}"]
        for before, after in zip(self.images_from, self.images_to, strict=False):
            if before == after:
                lines.append(f"    image {before} (unchanged)")
            else:
                lines += [f"  - image {before}", f"  + image {after}"]
        for after in self.images_to[len(self.images_from) :]:
            lines.append(f"  + image {after}")
        return "\n".join(lines)


def plan_undo(api: Any, body: K8sBody) -> Undo:
    """Read the deployment and the ReplicaSets it owns; pick the revision to return to."""
    from kubernetes import client as k8s

    assert body.deployment is not None
    apps: Any = k8s.AppsV1Api(api)
    dep = apps.read_namespaced_deployment(body.deployment, body.namespace)
    marks = {**(dep.metadata.labels or {}), **(dep.metadata.annotations or {})}
    if any(mark in marks for mark in ARGO_MARKS):
        raise StepFailure(
            f"deployment/{body.deployment} is managed by Argo CD: its self-heal would revert a "
            "rollout undo; roll back through Argo CD (history and rollback of the application)",
            "refused",
        )
    selector = ",".join(f"{k}={v}" for k, v in (dep.spec.selector.match_labels or {}).items())
    owned = [
        rs
        for rs in apps.list_namespaced_replica_set(body.namespace, label_selector=selector).items
        if any(
            o.uid == dep.metadata.uid and o.controller for o in rs.metadata.owner_references or ()
        )
    ]
    by_rev = {_revision(rs.metadata.annotations): rs for rs in owned}
    current = _revision(dep.metadata.annotations)
    wanted = int(body.revision or 0)
    if wanted == 0:
        older = [r for r in by_rev if 0 < r < current]
        if not older:
            raise StepFailure(
                f"deployment/{body.deployment} has no revision before {current} to go back to",
                "refused",
            )
        wanted = max(older)
    if wanted not in by_rev:
        known = ", ".join(str(r) for r in sorted(by_rev) if r > 0) or "none"
        raise StepFailure(
            f"deployment/{body.deployment} has no revision {wanted} (kept: {known})", "refused"
        )
    if wanted == current:
        raise StepFailure(f"revision {wanted} is the one running: nothing to undo", "refused")
    template = api.sanitize_for_serialization(by_rev[wanted].spec.template)
    template = copy.deepcopy(template)
    template.get("metadata", {}).get("labels", {}).pop(HASH_LABEL, None)
    return Undo(
        current,
        wanted,
        images(dep.spec.template),
        tuple(clean(c.get("image", "?"), max_len=200) for c in template["spec"]["containers"]),
        [{"op": "replace", "path": "/spec/template", "value": template}],
    )


def _revision(annotations: dict[str, str] | None) -> int:
    value = (annotations or {}).get(REVISION, "0")
    return int(value) if value.isdigit() else 0


def images(template: Any) -> tuple[str, ...]:
    """The image of every container of a pod template (client model)."""
    return tuple(clean(c.image or "?", max_len=200) for c in template.spec.containers)
