"""JSON builders for the objects the fake cluster derives itself: pods and core/v1 events."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from cockpit.sim.k8s_objects import meta


def stable_uid(*parts: str) -> str:
    """A uid derived from names, so seeded runs are reproducible."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


@dataclass(frozen=True, slots=True)
class PodSpec:
    """What makes one pod of a deployment's current replica set."""

    name: str
    template_hash: str
    serial: int
    rv: int
    created: str


def pod(dep: Any, spec: PodSpec) -> Any:
    """A Running, Ready v1 Pod owned by the deployment's current replica set."""
    md = dep["metadata"]
    namespace, app = md["namespace"], md["name"]
    template = copy.deepcopy(dep["spec"]["template"])
    labels = {**template["metadata"].get("labels", {}), "pod-template-hash": spec.template_hash}
    owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": f"{app}-{spec.template_hash}",
        "uid": stable_uid("rs", namespace, app, spec.template_hash),
        "controller": True,
    }
    containers = template["spec"]["containers"]
    when = spec.created
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": meta(
            spec.name,
            namespace,
            stable_uid("pod", namespace, spec.name),
            spec.rv,
            when,
            labels=labels,
            ownerReferences=[owner],
            annotations=template["metadata"].get("annotations", {}),
        ),
        "spec": {
            "containers": containers,
            "restartPolicy": "Always",
            "nodeName": f"node-{1 + spec.serial % 3}",
        },
        "status": {
            "phase": "Running",
            "startTime": when,
            "podIP": f"10.42.{spec.serial // 250 % 250}.{spec.serial % 250 + 2}",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": when}],
            "containerStatuses": [
                {
                    "name": c["name"],
                    "image": c["image"],
                    "imageID": "",
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "state": {"running": {"startedAt": when}},
                }
                for c in containers
            ],
        },
    }


def set_waiting(pod_obj: Any, restarts: int, reason: str) -> None:
    """Mark the pod's first container as not ready and waiting (e.g. CrashLoopBackOff)."""
    status = pod_obj["status"]["containerStatuses"][0]
    status.update(ready=False, restartCount=restarts, state={"waiting": {"reason": reason}})
    pod_obj["status"]["conditions"][0]["status"] = "False"


def is_ready(pod_obj: Any) -> bool:
    """True when every container reports ready."""
    return all(s["ready"] for s in pod_obj["status"]["containerStatuses"])


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What happened to which object."""

    namespace: str
    kind: str
    name: str
    reason: str
    message: str
    type: str = "Normal"


def event(spec: EventSpec, serial: int, when: str) -> Any:
    """A core/v1 Event about a Deployment or a Pod."""
    event_name = f"{spec.name}.{serial:x}"
    deployment = spec.kind == "Deployment"
    return {
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": meta(event_name, spec.namespace, stable_uid("event", event_name), serial, when),
        "involvedObject": {
            "kind": spec.kind,
            "namespace": spec.namespace,
            "name": spec.name,
            "apiVersion": "apps/v1" if deployment else "v1",
        },
        "reason": spec.reason,
        "message": spec.message,
        "type": spec.type,
        "count": 1,
        "firstTimestamp": when,
        "lastTimestamp": when,
        "source": {"component": "deployment-controller" if deployment else "kubelet"},
    }
