"""`k8s` steps: typed actions through the kubernetes client, names checked, writes dry-run first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec import k8s_read, k8s_undo
from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, table
from cockpit.runbook.model import Step
from cockpit.runbook.spec import K8S_WRITE_ACTIONS, K8sBody
from cockpit.sanitize import clean

DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
_NAMES = ("namespace", "deployment", "pod", "container", "node", "configmap")


@dataclass(frozen=True, slots=True)
class K8sCall:
    """A rendered action; for writes, the patch to send and the object it applies to."""

    body: K8sBody
    patch: Mapping[str, Any] | list[dict[str, Any]] | None = None
    scale: bool = False
    undo_to: int | None = None
    """rollout-undo: the revision whose template the patch restores."""
    configmap: bool = False
    """set-config: the patch applies to `body.configmap`, not to the deployment."""


def render(step: Step, values: Mapping[str, str]) -> K8sBody:
    """The body with placeholders filled; every object name must be a DNS-1123 label."""
    spec = step.spec
    if not isinstance(spec, K8sBody):
        raise StepFailure(f"step '{step.id}' has no k8s body")

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    data = spec.model_dump()
    for key, value in list(data.items()):
        if isinstance(value, str):
            data[key] = fill(value)
    if spec.env:
        data["env"] = {fill(k): fill(v) for k, v in spec.env.items()}
    if spec.data:
        data["data"] = {k: fill(v) for k, v in spec.data.items()}
    body = K8sBody.model_validate(data)
    for name in _NAMES:
        value = getattr(body, name)
        if value is not None and not DNS1123.fullmatch(value):
            shown = clean(value, max_len=60, single_line=True)
            raise StepFailure(f"k8s {name} {shown!r} is not a DNS-1123 name", "refused")
    return body


def plan(step: Step, values: Mapping[str, str], targets: StepTargets) -> Plan:
    """Describe the action; for writes, read the object, build the patch, and dry-run it."""
    body = render(step, values)
    where = f"namespace {body.namespace}"
    if body.action not in K8S_WRITE_ACTIONS:
        return Plan("k8s", f"{body.action} in {where}{_scope(body)}", K8sCall(body))
    with k8s_read.client(targets) as api:
        if body.action == "scale":
            call, diff = _plan_scale(api, body)
        elif body.action == "set-env":
            call, diff = _plan_env(api, body)
        elif body.action == "set-resources":
            call, diff = _plan_memory(api, body)
        elif body.action == "set-config":
            call, diff = _plan_config(api, body)
        elif body.action == "rollout-undo":
            undo = k8s_undo.plan_undo(api, body)
            call, diff = K8sCall(body, undo.patch, undo_to=undo.target), undo.diff()
        else:
            stamp = targets.clock.now().isoformat()
            patch = {
                "spec": {"template": {"metadata": {"annotations": {RESTART_ANNOTATION: stamp}}}}
            }
            call = K8sCall(body, patch)
            diff = f"  spec.template.metadata.annotations[{RESTART_ANNOTATION}]\n  + {stamp}"
        _send(api, call, dry_run=True)
    what = f"configmap/{body.configmap}" if call.configmap else f"deployment/{body.deployment}"
    head = f"{body.action} {what} in {where}"
    # The diff is the change, readable; the patch itself is never shown as a Python dict.
    text = f"{head}\n{diff}\nServer-side dry run: accepted"
    return Plan("k8s", text, call, target=body.deployment or body.configmap or "")


def run(call: K8sCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Run the action; writes send the patch planned (and dry-run) before."""
    body = call.body
    with k8s_read.client(targets) as api:
        if call.patch is None:
            return k8s_read.read(api, body, deadline_s)
        result = _send(api, call, dry_run=False)
    if call.configmap:
        keys = ", ".join(sorted(body.data or {}))
        return StepResult("ok", f"configmap/{body.configmap} updated ({keys}); restart to apply")
    if call.scale:
        replicas = result.spec.replicas
        return table(
            f"deployment/{body.deployment} scaled to {replicas}", ["replicas"], [[replicas]]
        )
    revision = (result.metadata.annotations or {}).get("deployment.kubernetes.io/revision", "?")
    if call.undo_to is not None:
        images = ", ".join(k8s_undo.images(result.spec.template))
        return StepResult(
            "ok",
            f"deployment/{body.deployment} rolled back to the template of revision "
            f"{call.undo_to} (now revision {revision}): {images}",
        )
    return StepResult("ok", f"deployment/{body.deployment} patched (revision {revision})")


def _scope(body: K8sBody) -> str:
    parts = [f"{k} {getattr(body, k)}" for k in ("deployment", "pod") if getattr(body, k)]
    if body.selector:
        parts.append("selector " + ",".join(f"{k}={v}" for k, v in body.selector.items()))
    return (", " + ", ".join(parts)) if parts else ""


def _plan_scale(api: Any, body: K8sBody) -> tuple[K8sCall, str]:
    from kubernetes import client as k8s

    assert body.deployment is not None and body.replicas is not None
    apps: Any = k8s.AppsV1Api(api)
    current = apps.read_namespaced_deployment_scale(body.deployment, body.namespace)
    now = int(current.spec.replicas or 0)
    wanted = now + int(body.replicas[1:]) if body.replicas.startswith("+") else int(body.replicas)
    note = ""
    if body.max_replicas is not None:
        cap = int(body.max_replicas)
        if wanted > cap:
            wanted, note = cap, f" (capped at {cap})"
    patch = {"spec": {"replicas": wanted}}
    diff = f"  spec.replicas\n  - {now}\n  + {wanted}{note}"
    return K8sCall(body, patch, scale=True), diff


def _plan_env(api: Any, body: K8sBody) -> tuple[K8sCall, str]:
    from kubernetes import client as k8s

    assert body.deployment is not None and body.env is not None
    apps: Any = k8s.AppsV1Api(api)
    dep = apps.read_namespaced_deployment(body.deployment, body.namespace)
    containers = dep.spec.template.spec.containers
    target = next((c for c in containers if c.name == body.container), containers[0])
    old = {e.name: e.value for e in target.env or ()}
    lines = [f"  container {target.name} env"]
    for name, value in sorted(body.env.items()):
        if old.get(name) == value:
            lines.append(f"    {name}={value} (unchanged)")
            continue
        if name in old:
            lines.append(f"  - {name}={old[name]}")
        lines.append(f"  + {name}={value}")
    env = [{"name": k, "value": v} for k, v in sorted(body.env.items())]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": target.name, "env": env}]}}}}
    return K8sCall(body, patch), "\n".join(lines)


def _plan_memory(api: Any, body: K8sBody) -> tuple[K8sCall, str]:
    from kubernetes import client as k8s

    assert body.deployment is not None and body.memory_limit is not None
    dep: Any = k8s.AppsV1Api(api).read_namespaced_deployment(body.deployment, body.namespace)
    containers = dep.spec.template.spec.containers
    target = next((c for c in containers if c.name == body.container), containers[0])
    limits = (target.resources.limits if target.resources else None) or {}
    old = limits.get("memory", "none")
    change = {"name": target.name, "resources": {"limits": {"memory": body.memory_limit}}}
    patch = {"spec": {"template": {"spec": {"containers": [change]}}}}
    diff = f"  container {target.name} resources.limits.memory\n  - {old}\n  + {body.memory_limit}"
    return K8sCall(body, patch), diff


def _plan_config(api: Any, body: K8sBody) -> tuple[K8sCall, str]:
    from kubernetes import client as k8s

    assert body.configmap is not None and body.data is not None
    found: Any = k8s.CoreV1Api(api).read_namespaced_config_map(body.configmap, body.namespace)
    old = found.data or {}
    lines = [f"  configmap {body.configmap} data"]
    for key, value in sorted(body.data.items()):
        if old.get(key) == value:
            lines.append(f"    {key}={value} (unchanged)")
            continue
        if key in old:
            lines.append(f"  - {key}={old[key]}")
        lines.append(f"  + {key}={value}")
    return K8sCall(body, {"data": dict(body.data)}, configmap=True), "\n".join(lines)


def _send(api: Any, call: K8sCall, *, dry_run: bool) -> Any:
    from kubernetes import client as k8s

    apps: Any = k8s.AppsV1Api(api)
    name, ns = call.body.deployment, call.body.namespace
    extra = {"dry_run": "All"} if dry_run else {}
    try:
        if call.configmap:
            core: Any = k8s.CoreV1Api(api)
            data = dict(call.patch) if isinstance(call.patch, Mapping) else {}
            return core.patch_namespaced_config_map(call.body.configmap, ns, data, **extra)
        if isinstance(call.patch, list):
            kind = "application/json-patch+json"
            return apps.patch_namespaced_deployment(
                name, ns, call.patch, _content_type=kind, **extra
            )
        if call.scale:
            return apps.patch_namespaced_deployment_scale(name, ns, dict(call.patch or {}), **extra)
        return apps.patch_namespaced_deployment(name, ns, dict(call.patch or {}), **extra)
    except k8s.ApiException as exc:
        stage = "dry run" if dry_run else "patch"
        raise StepFailure(f"Kubernetes refused the {stage}: {k8s_read.api_reason(exc)}") from exc
