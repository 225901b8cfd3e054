"""The few Argo CD REST calls steps make, and readers of the Application object they return."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from cockpit.clients.argocd import make_argocd_client
from cockpit.runbook.argo import ArgoTarget
from cockpit.runbook.exec.base import StepFailure
from cockpit.sanitize import clean

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass(frozen=True, slots=True)
class Entry:
    """One deployment of the application's history (`status.history[]`)."""

    id: int
    revision: str
    deployed_at: str


@contextmanager
def session(argo: ArgoTarget, timeout_s: float | None = None) -> Iterator[httpx.Client]:
    """A client on the configured server (token revealed only into its header)."""
    token = argo.token
    reveal = getattr(token, "reveal", None)
    secret = reveal() if callable(reveal) else (token if isinstance(token, str) else None)
    client = make_argocd_client(argo.url, secret, timeout=timeout_s or argo.timeout_s,
                                verify=argo.verify)  # fmt: skip
    try:
        yield client
    finally:
        client.close()


def _send(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    try:
        reply = client.request(method, path, **kwargs)
    except httpx.TimeoutException as exc:
        raise StepFailure("Argo CD did not answer in time", "timeout") from exc
    except httpx.HTTPError as exc:
        raise StepFailure(f"Argo CD request failed: {clean(exc, max_len=200)}") from exc
    try:
        body: Any = reply.json()
    except ValueError:
        body = None
    if reply.status_code in (401, 403):
        raise StepFailure(
            f"Argo CD refused the token (HTTP {reply.status_code}): check [argocd] token_env "
            "or token_file, and the account's rights on the application"
        )
    if reply.status_code != 200 or not isinstance(body, dict):
        why = body.get("message") or body.get("error") if isinstance(body, dict) else reply.text
        shown = clean(why or f"HTTP {reply.status_code}", max_len=200, single_line=True)
        raise StepFailure(f"Argo CD answered HTTP {reply.status_code}: {shown}")
    return body


def _app_path(name: str) -> str:
    return f"/api/v1/applications/{quote(name, safe='')}"


def get_app(client: httpx.Client, name: str) -> Mapping[str, Any]:
    """GET the Application object."""
    result: Mapping[str, Any] = _send(client, "GET", _app_path(name))
    return result


def post_action(
    client: httpx.Client, name: str, action: str, body: Mapping[str, Any]
) -> Mapping[str, Any]:
    """POST .../sync or .../rollback; returns the Application as Argo CD answered it."""
    result: Mapping[str, Any] = _send(client, "POST", f"{_app_path(name)}/{action}", json=body)
    return result


def images_at(client: httpx.Client, name: str, revision: str) -> tuple[str, ...] | None:
    """The workload images of the manifests Argo CD renders at `revision` (None: unknown)."""
    try:
        body = _send(client, "GET", f"{_app_path(name)}/manifests", params={"revision": revision})
    except StepFailure:
        return None
    found: list[str] = []
    for text in body.get("manifests") or ():
        try:
            manifest = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            continue
        if not isinstance(manifest, dict) or manifest.get("kind") not in WORKLOADS:
            continue
        pod = ((manifest.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or ():
            if isinstance(container, dict):
                found.append(clean(container.get("image", "?"), max_len=200, single_line=True))
    return tuple(dict.fromkeys(found))


def _status(app: Mapping[str, Any]) -> Mapping[str, Any]:
    status = app.get("status")
    return status if isinstance(status, dict) else {}


def history(app: Mapping[str, Any]) -> list[Entry]:
    """`status.history`, oldest first (as Argo CD keeps it)."""
    entries = []
    for item in _status(app).get("history") or ():
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            entries.append(Entry(item["id"], clean(item.get("revision", "?"), max_len=80,
                                 single_line=True), clean(item.get("deployedAt", ""),
                                 max_len=40, single_line=True)))  # fmt: skip
    return sorted(entries, key=lambda e: e.id)


def deployed(app: Mapping[str, Any]) -> Entry | None:
    """The deployment running now: the newest history entry."""
    entries = history(app)
    return entries[-1] if entries else None


def sync_revision(app: Mapping[str, Any]) -> str:
    """The revision a sync would deploy (`status.sync.revision`)."""
    sync = _status(app).get("sync") or {}
    return clean(sync.get("revision") or "?", max_len=80, single_line=True)


def sync_status(app: Mapping[str, Any]) -> str:
    """Synced, OutOfSync or Unknown."""
    sync = _status(app).get("sync") or {}
    return clean(sync.get("status") or "Unknown", max_len=30, single_line=True)


def auto_sync(app: Mapping[str, Any]) -> bool:
    """True when `spec.syncPolicy.automated` is set (Argo CD then refuses a rollback)."""
    spec = app.get("spec") or {}
    policy = spec.get("syncPolicy") if isinstance(spec, dict) else None
    return isinstance(policy, dict) and bool(policy.get("automated"))


def live_images(app: Mapping[str, Any]) -> tuple[str, ...]:
    """The images running now (`status.summary.images`)."""
    summary = _status(app).get("summary") or {}
    return tuple(clean(i, max_len=200, single_line=True) for i in summary.get("images") or ())


def operation_phase(app: Mapping[str, Any]) -> str:
    """The phase of the last operation (Running, Succeeded, Failed...), or `requested`."""
    state = _status(app).get("operationState") or app.get("operation") or {}
    phase = state.get("phase") if isinstance(state, dict) else None
    return clean(phase or "requested", max_len=30, single_line=True)


def short(revision: str) -> str:
    """A git revision as people quote it (the first 10 characters of a sha)."""
    return revision[:10] if len(revision) == 40 else revision
