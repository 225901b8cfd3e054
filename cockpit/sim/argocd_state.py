"""The Argo CD fake's applications: git revisions with their images, history, sync, rollback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cockpit.clock import Clock, SystemClock
from cockpit.sim.httpfake import ApiError

OnDeploy = Callable[[str, str, tuple[str, ...]], None]
"""Told (namespace, deployment, images) when a sync or rollback changes what runs."""


@dataclass(slots=True)
class FakeApp:
    """One application: what each git revision deploys, what was deployed, and the policy."""

    name: str
    namespace: str
    deployment: str
    revisions: dict[str, tuple[str, ...]]
    """Git revision -> the images its manifests name."""
    head: str
    """The revision the tracked branch points at (`status.sync.revision`)."""
    history: list[dict[str, Any]] = field(default_factory=list)
    auto_sync: bool = False
    repo_url: str = "https://git.example.invalid/platform/deploy.git"
    operation: dict[str, Any] | None = None

    @property
    def live(self) -> str:
        """The revision deployed now (the newest history entry)."""
        return str(self.history[-1]["revision"]) if self.history else ""


def _ts(clock: Clock, ago_s: float = 0.0) -> str:
    return (clock.now() - timedelta(seconds=ago_s)).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArgoState:
    """Thread-safe store of applications; every change goes through `sync` or `rollback`."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.lock = threading.RLock()
        self.apps: dict[str, FakeApp] = {}
        self.on_deploy: OnDeploy | None = None

    def add(self, app: FakeApp, deployed: list[tuple[str, float]]) -> None:
        """Add `app` with its history: (revision, seconds ago) pairs, oldest first."""
        with self.lock:
            for revision, ago in deployed:
                self._record(app, revision, _ts(self.clock, ago))
            self.apps[app.name] = app

    def app(self, name: str) -> FakeApp:
        """The application, or Argo CD's not-found answer."""
        found = self.apps.get(name)
        if found is None:
            raise ApiError(404, f'applications.argoproj.io "{name}" not found', reason="5")
        return found

    def _record(self, app: FakeApp, revision: str, when: str) -> None:
        next_id = (app.history[-1]["id"] + 1) if app.history else 0
        app.history.append({
            "id": next_id, "revision": revision, "deployedAt": when, "deployStartedAt": when,
            "source": {"repoURL": app.repo_url, "path": app.name, "targetRevision": "main"},
        })  # fmt: skip
        del app.history[:-10]  # Argo CD keeps the last ten (revisionHistoryLimit)

    def _deploy(self, app: FakeApp, revision: str, kind: str) -> None:
        now = _ts(self.clock)
        self._record(app, revision, now)
        app.operation = {"phase": "Succeeded", "message": f"successfully {kind}",
                         "startedAt": now, "finishedAt": now,
                         "syncResult": {"revision": revision}}  # fmt: skip
        if self.on_deploy is not None:
            self.on_deploy(app.namespace, app.deployment, app.revisions[revision])

    def sync(self, name: str, revision: str | None) -> FakeApp:
        """Deploy `revision` (None: the branch head), as POST .../sync does."""
        with self.lock:
            app = self.app(name)
            wanted = revision or app.head
            if wanted not in app.revisions:
                raise ApiError(400, f"rpc error: revision {wanted} not found in the repository",
                               reason="3")  # fmt: skip
            self._deploy(app, wanted, "synced")
            return app

    def rollback(self, name: str, history_id: int) -> FakeApp:
        """Deploy the revision of history entry `history_id`, as POST .../rollback does."""
        with self.lock:
            app = self.app(name)
            if app.auto_sync:
                raise ApiError(400, "rollback cannot be initiated when auto-sync is enabled",
                               reason="9")  # fmt: skip
            entry = next((h for h in app.history if h["id"] == history_id), None)
            if entry is None:
                raise ApiError(400, f"application {name} does not have deployment id "
                               f"{history_id} in history", reason="9")  # fmt: skip
            self._deploy(app, str(entry["revision"]), "rolled back")
            return app

    def to_json(self, app: FakeApp) -> dict[str, Any]:
        """The Application object as GET /api/v1/applications/{name} answers it."""
        policy: dict[str, Any] = {"automated": {"prune": True, "selfHeal": True}}
        status: dict[str, Any] = {
            "sync": {"status": "Synced" if app.live == app.head else "OutOfSync",
                     "revision": app.head},
            "health": {"status": "Healthy"},
            "history": list(app.history),
            "summary": {"images": list(app.revisions.get(app.live, ()))},
        }  # fmt: skip
        if app.operation is not None:
            status["operationState"] = app.operation
        return {
            "metadata": {"name": app.name, "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {"repoURL": app.repo_url, "path": app.name, "targetRevision": "main"},
                "destination": {"server": "https://kubernetes.default.svc",
                                "namespace": app.namespace},
                "syncPolicy": policy if app.auto_sync else {},
            },
            "status": status,
        }  # fmt: skip

    def manifests(self, app: FakeApp, revision: str) -> dict[str, Any]:
        """GET .../manifests?revision=: the rendered manifests, each a JSON string."""
        if revision not in app.revisions:
            raise ApiError(400, f"rpc error: revision {revision} not found", reason="3")
        containers = [{"name": f"c{i}", "image": image}
                      for i, image in enumerate(app.revisions[revision])]  # fmt: skip
        deployment = {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app.deployment, "namespace": app.namespace},
            "spec": {"template": {"spec": {"containers": containers}}},
        }  # fmt: skip
        return {"manifests": [json.dumps(deployment)], "revision": revision}
