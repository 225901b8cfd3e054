"""Writes and derived reads on the fake cluster: patches, scale, dry run, pod logs, metrics."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from cockpit.sim import k8s_objects as obj
from cockpit.sim.httpfake import ApiError
from cockpit.sim.k8s_patch import PatchError, json_patch, merge_patch, strategic_merge_patch
from cockpit.sim.k8s_state import Cluster

PATCH_TYPES = {
    "application/strategic-merge-patch+json": strategic_merge_patch,
    "application/merge-patch+json": merge_patch,
    "application/json-patch+json": json_patch,
}
_IMMUTABLE_META = ("name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion")


def apply_patch(target: Any, content_type: str, body: Any) -> Any:
    """Apply a PATCH body according to its Content-Type (415 / 422 on failure)."""
    kind = content_type.split(";")[0].strip().lower()
    patcher = PATCH_TYPES.get(kind)
    if patcher is None:
        supported = ", ".join(PATCH_TYPES)
        raise ApiError(
            415,
            f"the body of the request was in an unknown format - accepted "
            f"media types include: {supported}",
        )
    _check_precondition(target, body)
    try:
        return patcher(target, body)
    except PatchError as exc:
        raise ApiError(422, str(exc)) from exc


def _check_precondition(target: Any, body: Any) -> None:
    # A resourceVersion in the body is an optimistic-lock precondition, as on a real server.
    wanted = body.get("metadata", {}).get("resourceVersion") if isinstance(body, dict) else None
    if wanted is not None and str(wanted) != target["metadata"]["resourceVersion"]:
        name = target["metadata"]["name"]
        raise ApiError(
            409,
            f'Operation cannot be fulfilled on deployments.apps "{name}": the '
            "object has been modified; please apply your changes to the latest "
            "version and try again",
        )


def dry_run_flag(value: str | None) -> bool:
    """`dryRun=All` means validate and answer without storing; anything else is a 400."""
    if value is None:
        return False
    if value != "All":
        raise ApiError(400, f"Invalid dry run value {value!r}: only 'All' is supported")
    return True


def patch_deployment(
    cluster: Cluster, ns: str, name: str, content_type: str, body: Any, dry_run: bool
) -> Any:
    """PATCH a deployment; returns the stored (or, for a dry run, the would-be) object."""
    with cluster.lock:
        dep, _ = cluster.workload(ns, name)
        new = apply_patch(dep, content_type, body)
        if not isinstance(new, dict):
            raise ApiError(422, "the patch must leave a Deployment object")
        return _commit(cluster, dep, new, dry_run)


def _commit(cluster: Cluster, old: Any, new: Any, dry_run: bool) -> Any:
    name, ns = old["metadata"]["name"], old["metadata"]["namespace"]
    new["status"] = copy.deepcopy(old["status"])
    new_md = new.setdefault("metadata", {}) if isinstance(new.get("metadata"), dict) else {}
    new["metadata"] = new_md
    for key in _IMMUTABLE_META:
        if key != "name":
            new_md[key] = old["metadata"][key]
    causes = obj.validate_deployment(new, name)
    if causes:
        raise ApiError(
            422,
            f'Deployment.apps "{name}" is invalid: {causes[0]["message"]}',
            details={"name": name, "kind": "Deployment", "group": "apps", "causes": causes},
        )
    if new["spec"] != old["spec"]:
        new_md["generation"] = old["metadata"]["generation"] + 1
    if new["spec"]["template"] != old["spec"]["template"]:
        annotations = new_md.setdefault("annotations", {})
        revision = int(annotations.get("deployment.kubernetes.io/revision", "1")) + 1
        annotations["deployment.kubernetes.io/revision"] = str(revision)
    if dry_run:
        return new
    if new == old:
        return copy.deepcopy(old)
    new_md["resourceVersion"] = str(cluster.next_rv())
    cluster.deployments[(ns, name)] = new
    cluster.reconcile(ns, name)
    return copy.deepcopy(cluster.deployments[(ns, name)])


def get_scale(cluster: Cluster, ns: str, name: str) -> Any:
    """The Scale subresource of a deployment."""
    with cluster.lock:
        dep, _ = cluster.workload(ns, name)
        return obj.scale(dep)


def write_scale(
    cluster: Cluster, ns: str, name: str, content_type: str | None, body: Any, dry_run: bool
) -> Any:
    """PATCH (content_type set) or PUT (None) the Scale subresource."""
    with cluster.lock:
        dep, _ = cluster.workload(ns, name)
        current = obj.scale(dep)
        if content_type is None:
            if not isinstance(body, dict) or body.get("kind", "Scale") != "Scale":
                raise ApiError(400, "PUT .../scale needs a Scale object body")
            _check_precondition(current, body)
            new_scale = body
        else:
            new_scale = apply_patch(current, content_type, body)
        replicas = (
            (new_scale.get("spec") or {}).get("replicas") if isinstance(new_scale, dict) else None
        )
        new = copy.deepcopy(dep)
        new["spec"]["replicas"] = replicas
        result = _commit(cluster, dep, new, dry_run)
        scaled = obj.scale(result)
        if dry_run:
            scaled["status"]["replicas"] = dep["status"].get("replicas", 0)
        return scaled


def pod_log(
    cluster: Cluster, ns: str, name: str, container: str | None, tail: str | None, timestamps: bool
) -> str:
    """The text a pod's log endpoint returns."""
    with cluster.lock:
        pod = cluster.pods.get((ns, name))
        if pod is None:
            raise ApiError(404, f'pods "{name}" not found', details={"name": name, "kind": "pods"})
        names = [c["name"] for c in pod["spec"]["containers"]]
        if container is not None and container not in names:
            raise ApiError(400, f"container {container} is not valid for pod {name}")
        _, work = cluster.workload(ns, pod["metadata"]["labels"]["app"])
        lines = list(work.log_lines)
        now = cluster.clock.now()
    if tail is not None:
        if not tail.lstrip("-").isdigit():
            raise ApiError(400, f"tailLines must be an integer, got {tail!r}")
        lines = lines[-int(tail) :] if int(tail) > 0 else []
    if timestamps:
        stamp = [
            (now - timedelta(seconds=len(lines) - i)).strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
            for i in range(len(lines))
        ]
        lines = [f"{t} {line}" for t, line in zip(stamp, lines, strict=True)]
    return "".join(line + "\n" for line in lines)


def pod_metrics(cluster: Cluster, ns: str, selector: str | None, name: str | None = None) -> Any:
    """metrics.k8s.io PodMetrics (one pod) or PodMetricsList (a namespace)."""
    with cluster.lock:
        pods = cluster.select_pods(ns, selector)
        if name is not None:
            pods = [p for p in pods if p["metadata"]["name"] == name]
            if not pods:
                raise ApiError(404, f'podmetrics.metrics.k8s.io "{name}" not found')
        items = []
        for pod in pods:
            md = pod["metadata"]
            _, work = cluster.workload(ns, md["labels"]["app"])
            # Spread usage a little per pod so "top pods" has an order to show.
            spread = 0.8 + (int(obj.short_hash(md["name"], 4).encode().hex(), 16) % 40) / 100
            items.append(
                {
                    "metadata": {
                        "name": md["name"],
                        "namespace": ns,
                        "labels": md["labels"],
                        "creationTimestamp": cluster.now(),
                    },
                    "timestamp": cluster.now(),
                    "window": "30s",
                    "containers": [
                        {
                            "name": c["name"],
                            "usage": {
                                "cpu": f"{round(work.cpu_m * spread)}m",
                                "memory": f"{round(work.memory_mi * spread) * 1024}Ki",
                            },
                        }
                        for c in pod["spec"]["containers"]
                    ],
                }
            )
    api = "metrics.k8s.io/v1beta1"
    if name is not None:
        return {"kind": "PodMetrics", "apiVersion": api, **items[0]}
    return {"kind": "PodMetricsList", "apiVersion": api, "metadata": {}, "items": items}
