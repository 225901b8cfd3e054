"""Kubernetes-shaped JSON builders for the fake API server: deployments, scale, lists, Status."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from cockpit.sim.k8s_seed import DeploymentSeed

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    411: "BadRequest",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}

VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.0-cockpit-fake",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-04-17T00:00:00Z",
    "goVersion": "go1.22.2",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def status(code: int, message: str, *, name: str = "", kind: str = "", causes: Any = ()) -> Any:
    """A Kubernetes Status object for an error answer."""
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if kind:
        details["kind"] = kind
    if causes:
        details["causes"] = list(causes)
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": REASONS.get(code, "Unknown"),
        "code": code,
    }
    if details:
        body["details"] = details
    return body


def short_hash(value: Any, length: int = 10) -> str:
    """A stable name suffix in the style of pod-template-hash."""
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).digest()
    return "".join(_HASH_ALPHABET[b % len(_HASH_ALPHABET)] for b in digest[:length])


def meta(name: str, namespace: str, uid: str, rv: int, created: str, **extra: Any) -> Any:
    """ObjectMeta with the fields clients rely on."""
    return {
        "name": name,
        "namespace": namespace,
        "uid": uid,
        "resourceVersion": str(rv),
        "creationTimestamp": created,
        **extra,
    }


def deployment(seed: DeploymentSeed, namespace: str, uid: str, rv: int, created: str) -> Any:
    """An apps/v1 Deployment built from a seed."""
    labels = {"app": seed.name, "platform": "kyc"}
    container = {
        "name": seed.name,
        "image": seed.image,
        "env": [{"name": k, "value": v} for k, v in seed.env],
        "resources": {"requests": {"cpu": f"{seed.cpu_m}m", "memory": f"{seed.memory_mi}Mi"}},
    }
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": meta(
            seed.name,
            namespace,
            uid,
            rv,
            created,
            labels=labels,
            generation=1,
            annotations={"deployment.kubernetes.io/revision": "1"},
        ),
        "spec": {
            "replicas": seed.replicas,
            "selector": {"matchLabels": {"app": seed.name}},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container]}},
            "strategy": {"type": "RollingUpdate"},
        },
        "status": {},
    }


REVISION = "deployment.kubernetes.io/revision"


def replicaset(dep: Any, template: Any, tpl_hash: str, uid: str, rv: int, created: str) -> Any:
    """An apps/v1 ReplicaSet owned by `dep`, as the Deployment controller makes them.

    Its revision annotation is set by the caller (the cluster's reconcile).
    """
    md = dep["metadata"]
    name, ns = md["name"], md["namespace"]
    tpl = json.loads(json.dumps(template))
    tpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = tpl_hash
    labels = dict(tpl["metadata"]["labels"])
    owner = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
        "uid": md["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    selector = {**dep["spec"]["selector"]["matchLabels"], "pod-template-hash": tpl_hash}
    return {
        "kind": "ReplicaSet",
        "apiVersion": "apps/v1",
        "metadata": meta(
            f"{name}-{tpl_hash}",
            ns,
            uid,
            rv,
            created,
            labels=labels,
            annotations={REVISION: "0"},
            ownerReferences=[owner],
        ),
        "spec": {"replicas": 0, "selector": {"matchLabels": selector}, "template": tpl},
        "status": {"replicas": 0},
    }


def validate_deployment(obj: Any, name: str) -> list[dict[str, str]]:
    """Field errors (Kubernetes `causes`) of a patched Deployment; empty when valid."""
    causes: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        causes.append({"reason": "FieldValueInvalid", "message": message, "field": field})

    if obj.get("metadata", {}).get("name") != name:
        bad("metadata.name", f"field is immutable: must stay {name!r}")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    replicas = spec.get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        bad("spec.replicas", f"Invalid value: {replicas!r}: must be an integer >= 0")
    containers = spec.get("template", {}).get("spec", {}).get("containers")
    if not isinstance(containers, list) or not containers:
        bad("spec.template.spec.containers", "Required value: at least one container")
        return causes
    for i, container in enumerate(containers):
        where = f"spec.template.spec.containers[{i}]"
        if not isinstance(container, dict) or not DNS_LABEL.match(str(container.get("name"))):
            bad(f"{where}.name", "Invalid value: must be a DNS-1123 label")
            continue
        for j, env in enumerate(container.get("env") or []):
            if not isinstance(env, dict) or not ENV_NAME.match(str(env.get("name"))):
                bad(f"{where}.env[{j}].name", "Invalid value: must be a C identifier-like name")
            elif not isinstance(env.get("value", ""), str):
                bad(f"{where}.env[{j}].value", "Invalid value: must be a string")
    return causes


def scale(dep: Any) -> Any:
    """The autoscaling/v1 Scale subresource view of a Deployment."""
    md = dep["metadata"]
    keep = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in keep},
        "spec": {"replicas": dep["spec"]["replicas"]},
        "status": {"replicas": dep["status"].get("replicas", 0), "selector": f"app={md['name']}"},
    }


def list_of(kind: str, api_version: str, items: list[Any], rv: int) -> Any:
    """A List object (PodList, EventList, ...)."""
    return {
        "kind": kind,
        "apiVersion": api_version,
        "metadata": {"resourceVersion": str(rv)},
        "items": items,
    }


def discovery(path: str, host: str) -> Any:
    """Answers for /api and /apis, enough for client discovery."""
    if path == "/api":
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
        }
    groups = []
    for group, version in (("apps", "v1"), ("metrics.k8s.io", "v1beta1")):
        gv = {"groupVersion": f"{group}/{version}", "version": version}
        groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
