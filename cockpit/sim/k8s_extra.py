"""Nodes and ConfigMaps of the fake cluster: what `describe-node` and `set-config` act on."""

from __future__ import annotations

import copy
from typing import Any

from cockpit.sim import k8s_objects as obj
from cockpit.sim.httpfake import ApiError
from cockpit.sim.k8s_ops import apply_patch
from cockpit.sim.k8s_pods import stable_uid

GPU_NODE = "node-3"
"""The node with the GPU (ocr-svc's inference runs there)."""
POOL_KEY = "HIKARI_MAXIMUM_POOL_SIZE"


def nodes(created: str) -> dict[str, Any]:
    """node-1..3, as pods are spread on them; node-3 carries an NVIDIA T4 under memory pressure."""
    out: dict[str, Any] = {}
    for n in (1, 2, 3):
        name = f"node-{n}"
        gpu = name == GPU_NODE
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
        capacity = {"cpu": "8", "memory": "32Gi", "pods": "110"}
        if gpu:
            labels.update({"nvidia.com/gpu.present": "true", "accelerator": "nvidia-t4"})
            capacity["nvidia.com/gpu"] = "1"
        conditions = [
            {"type": "Ready", "status": "True", "reason": "KubeletReady",
             "message": "kubelet is posting ready status"},
            {"type": "MemoryPressure", "status": "True" if gpu else "False",
             "reason": "KubeletHasInsufficientMemory" if gpu else "KubeletHasSufficientMemory",
             "message": "available memory 310Mi is below the eviction threshold" if gpu else ""},
        ]  # fmt: skip
        taints = (
            [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}] if gpu else []
        )
        out[name] = {
            "kind": "Node",
            "apiVersion": "v1",
            "metadata": obj.meta(name, "", stable_uid("node", name), 1, created, labels=labels),
            "spec": {"taints": taints},
            "status": {
                "capacity": capacity,
                "allocatable": dict(capacity),
                "conditions": conditions,
            },
        }
    return out


def configmap(namespace: str, app: str, created: str) -> Any:
    """`<app>-config`: the service's tunables, the connection pool size among them."""
    name = f"{app}-config"
    return {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": obj.meta(
            name, namespace, stable_uid("cm", namespace, name), 1, created, labels={"app": app}
        ),
        "data": {POOL_KEY: "20", "HIKARI_CONNECTION_TIMEOUT_MS": "30000"},
    }


def patch_configmap(cluster: Any, ns: str, name: str, ctype: str, body: Any, dry: bool) -> Any:
    """PATCH a ConfigMap (data values must stay strings); a dry run stores nothing."""
    with cluster.lock:
        current = cluster.configmaps.get((ns, name))
        if current is None:
            raise ApiError(404, f'configmaps "{name}" not found',
                           details={"name": name, "kind": "configmaps"})  # fmt: skip
        new = apply_patch(current, ctype, body)
        data = new.get("data") if isinstance(new, dict) else None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ApiError(422, f'ConfigMap "{name}" is invalid: data values must be strings')
        new["metadata"] = copy.deepcopy(current["metadata"])
        if dry or new == current:
            return new
        new["metadata"]["resourceVersion"] = str(cluster.next_rv())
        cluster.configmaps[(ns, name)] = new
        return copy.deepcopy(new)
