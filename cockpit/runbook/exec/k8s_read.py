"""Read-only `k8s` actions: pods, describe, logs, events, rollout status, top pods."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cockpit.runbook.exec.base import (
    StepFailure,
    StepResult,
    StepTargets,
    seconds,
    table,
    text_result,
)
from cockpit.runbook.spec import K8sBody
from cockpit.sanitize import clean

MAX_LOG_PODS = 5


@contextmanager
def client(targets: StepTargets) -> Iterator[Any]:
    """An API client for the duration of a step; client errors become StepFailure."""
    import urllib3
    from kubernetes import client as k8s

    if targets.k8s_client is None:
        raise StepFailure("no Kubernetes configured: set [kubernetes] kubeconfig and context")
    api = targets.k8s_client()
    try:
        yield api
    except k8s.ApiException as exc:
        raise StepFailure(f"Kubernetes API: {api_reason(exc)}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise StepFailure(_NO_ANSWER, "timeout") from exc
    except urllib3.exceptions.MaxRetryError as exc:
        # With retries off, urllib3 still wraps the one failure it saw.
        if isinstance(exc.reason, urllib3.exceptions.TimeoutError):
            raise StepFailure(_NO_ANSWER, "timeout") from exc
        raise StepFailure(f"Kubernetes API unreachable: {clean(exc.reason, max_len=160)}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise StepFailure(f"Kubernetes API unreachable: {clean(exc, max_len=160)}") from exc
    finally:
        api.close()


_NO_ANSWER = "Kubernetes API did not answer in time (deadline reached; nothing was changed)"
_HINTS = {
    401: "credentials rejected: renew the kubeconfig token or log in again",
    403: "permission denied: this account's RBAC role lacks the right; ask a cluster admin",
    410: "the object version read is gone (changed since): run the step again",
}


def api_reason(exc: Any) -> str:
    """The API's own message when it sent a Status, else the HTTP reason; with what to do
    for the answers an operator can fix (401, 403, 410)."""
    import json

    try:
        message = json.loads(exc.body).get("message")
    except (TypeError, ValueError, AttributeError):
        message = None
    text = f"{exc.status} {message or exc.reason}"
    hint = _HINTS.get(exc.status)
    return clean(f"{text} - {hint}" if hint else text, max_len=240, single_line=True)


def _selector(body: K8sBody) -> str | None:
    return ",".join(f"{k}={v}" for k, v in body.selector.items()) if body.selector else None


def read(api: Any, body: K8sBody, deadline_s: float) -> StepResult:
    """Run one read action."""
    from kubernetes import client as k8s

    core: Any = k8s.CoreV1Api(api)
    ns = body.namespace
    if body.action == "get-pods":
        pods = core.list_namespaced_pod(ns, label_selector=_selector(body)).items
        rows = [_pod_row(p) for p in pods]
        return table(
            f"{len(rows)} pods", ["pod", "phase", "ready", "restarts", "reason", "node"], rows
        )
    if body.action == "describe-pod":
        assert body.pod is not None
        pod = core.read_namespaced_pod(body.pod, ns)
        events = core.list_namespaced_event(ns, field_selector=f"involvedObject.name={body.pod}")
        return text_result(f"pod {body.pod}", _describe(pod, events.items))
    if body.action == "describe-node":
        assert body.node is not None
        return text_result(f"node {body.node}", _describe_node(core.read_node(body.node)))
    if body.action == "logs":
        return _logs(core, body)
    if body.action == "events":
        items = sorted(core.list_namespaced_event(ns).items, key=_event_time, reverse=True)
        rows = [
            [_event_time(e), e.type, e.reason, f"{e.involved_object.kind}/{e.involved_object.name}",
             e.message]
            for e in items
        ]  # fmt: skip
        return table(f"{len(rows)} events", ["when", "type", "reason", "object", "message"], rows)
    if body.action == "rollout-status":
        return _rollout(
            k8s.AppsV1Api(api), body, min(deadline_s, seconds(body.timeout, deadline_s))
        )
    return _top(k8s.CustomObjectsApi(api), body)


def _pod_row(pod: Any) -> list[object]:
    statuses = pod.status.container_statuses or []
    ready = sum(1 for s in statuses if s.ready)
    reason = ""
    for s in statuses:
        state = s.state
        if state and state.waiting and state.waiting.reason:
            reason = state.waiting.reason
        elif s.last_state and s.last_state.terminated and s.last_state.terminated.reason:
            reason = reason or s.last_state.terminated.reason
    restarts = sum(s.restart_count or 0 for s in statuses)
    return [pod.metadata.name, pod.status.phase, f"{ready}/{len(statuses)}", restarts, reason,
            pod.spec.node_name]  # fmt: skip


def _describe(pod: Any, events: list[Any]) -> str:
    lines = [f"Name: {pod.metadata.name}", f"Namespace: {pod.metadata.namespace}",
             f"Node: {pod.spec.node_name}", f"Phase: {pod.status.phase}",
             "Labels: " + _pairs(pod.metadata.labels or {})]  # fmt: skip
    for c in pod.spec.containers:
        limits = c.resources.limits if c.resources and c.resources.limits else {}
        lines.append(f"Container {c.name}: image {c.image}, limits {dict(limits)}")
    for s in pod.status.container_statuses or []:
        lines.append(f"  {s.name}: ready={s.ready} restarts={s.restart_count}")
    lines.append("Events:")
    lines.extend(f"  {_event_time(e)} {e.type} {e.reason}: {e.message}" for e in events)
    return "\n".join(lines)


def _describe_node(node: Any) -> str:
    status = node.status
    lines = [f"Name: {node.metadata.name}", "Labels: " + _pairs(node.metadata.labels or {}),
             "Capacity: " + _pairs(status.capacity or {}),
             "Allocatable: " + _pairs(status.allocatable or {})]  # fmt: skip
    taints = node.spec.taints or [] if node.spec else []
    lines.append(
        "Taints: " + (", ".join(f"{t.key}={t.value}:{t.effect}" for t in taints) or "none")
    )
    lines.append("Conditions:")
    for c in status.conditions or []:
        lines.append(f"  {c.type}={c.status} ({c.reason or ''}) {c.message or ''}".rstrip())
    return "\n".join(lines)


def _pairs(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _logs(core: Any, body: K8sBody) -> StepResult:
    tail = body.tail or 100
    if body.pod:
        names = [body.pod]
    else:
        names = [p.metadata.name for p in core.list_namespaced_pod(
            body.namespace, label_selector=_selector(body)).items][:MAX_LOG_PODS]  # fmt: skip
    chunks = []
    for name in names:
        text = core.read_namespaced_pod_log(
            name, body.namespace, tail_lines=tail, container=body.container
        )
        chunks.append(f"==> {name} <==\n{text}")
    return text_result(f"last {tail} lines of {len(names)} pods", "\n".join(chunks))


def _rollout(apps: Any, body: K8sBody, budget_s: float) -> StepResult:
    assert body.deployment is not None
    end = time.monotonic() + budget_s
    while True:
        dep = apps.read_namespaced_deployment(body.deployment, body.namespace)
        want = dep.spec.replicas or 0
        status = dep.status
        updated, ready = status.updated_replicas or 0, status.ready_replicas or 0
        done = (status.observed_generation or 0) >= (dep.metadata.generation or 0) and (
            updated == ready == want
        )
        row = [[want, updated, ready]]
        if done:
            summary = f"deployment/{body.deployment} rolled out"
            return table(summary, ["desired", "updated", "ready"], row)
        if time.monotonic() >= end:
            raise StepFailure(
                f"deployment/{body.deployment} not rolled out after {budget_s:.0f}s "
                f"({ready}/{want} ready)",
                "timeout",
            )
        time.sleep(1.0)


def _top(custom: Any, body: K8sBody) -> StepResult:
    found = custom.list_namespaced_custom_object(
        "metrics.k8s.io", "v1beta1", body.namespace, "pods", label_selector=_selector(body)
    )
    rows = []
    for item in found.get("items", []):
        usage = [c.get("usage", {}) for c in item.get("containers", [])]
        rows.append([item["metadata"]["name"], " ".join(u.get("cpu", "") for u in usage),
                     " ".join(u.get("memory", "") for u in usage)])  # fmt: skip
    return table(f"{len(rows)} pods", ["pod", "cpu", "memory"], rows)


def _event_time(event: Any) -> str:
    when = event.last_timestamp or event.event_time or event.metadata.creation_timestamp
    return str(when or "")
