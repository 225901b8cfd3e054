"""A loopback fake of Argo CD's REST API (applications, manifests, sync, rollback)."""

from __future__ import annotations

import hmac
import re
from typing import Any

from cockpit.clock import Clock
from cockpit.sim.argocd_state import ArgoState, FakeApp
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

_APP = re.compile(r"/api/v1/applications/([^/]+)(/manifests|/sync|/rollback)?")
_GRPC = {400: 3, 401: 16, 403: 7, 404: 5}
DEMO_TOKEN = "fake-argocd-token"  # noqa: S105 - the fake's own loopback token

KYC_OLD = "3f1c2a9e7b4d5c6f8a9b0c1d2e3f4a5b6c7d8e9f"
KYC_NEW = "9b7d4e1f0a2c3e5d7f9b1a3c5e7d9f0b2a4c6e8d"
AML_OLD = "c0ffee1234567890abcdef1234567890abcdef12"
AML_NEW = "d00d5eed0987654321fedcba0987654321fedcba"
DEMO_APPLICATIONS = {"kyc-svc": ("kyc", "kyc-svc"), "aml-svc": ("kyc", "aml-svc")}
"""What the demo's Argo CD manages: application -> (namespace, deployment)."""


class ArgoCdFake(FakeServer):
    """Argo CD's `/api/v1/applications` over http on 127.0.0.1; needs `Bearer <token>`."""

    def __init__(self, *, token: str = DEMO_TOKEN, clock: Clock | None = None, port: int = 0):
        super().__init__(port=port)
        self.token = token
        self.state = ArgoState(clock)

    def authorize(self, request: Request) -> None:
        """Every call needs the bearer token (Argo CD answers 401 with its own words)."""
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self.token}".encode()):
            raise ApiError(401, "invalid session: token signature is invalid", reason="16")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """grpc-gateway's shape: {error, code, message}."""
        code = int(error.reason) if error.reason.isdigit() else _GRPC.get(error.status, 2)
        body = {"error": error.message, "code": code, "message": error.message}
        return Reply.json(error.status, body, error.headers)

    def route(self, request: Request) -> Reply:
        """GET an application or its manifests; POST its sync or rollback."""
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/api/v1/applications":
            with self.state.lock:
                items = [self.state.to_json(a) for a in self.state.apps.values()]
            return Reply.json(200, {"items": items})
        match = _APP.fullmatch(path)
        if match is None:
            raise ApiError(404, f"no route for {request.method} {request.path}")
        name, tail = match.group(1), match.group(2) or ""
        state = self.state
        if request.method == "GET" and tail == "":
            with state.lock:
                return Reply.json(200, state.to_json(state.app(name)))
        if request.method == "GET" and tail == "/manifests":
            with state.lock:
                app = state.app(name)
                return Reply.json(200, state.manifests(app, request.param("revision") or app.head))
        if request.method == "POST" and tail in ("/sync", "/rollback"):
            body = request.json()
            body = body if isinstance(body, dict) else {}
            if tail == "/sync":
                revision = body.get("revision")
                app = state.sync(name, revision if isinstance(revision, str) else None)
            else:
                wanted = body.get("id")
                if not isinstance(wanted, int) or isinstance(wanted, bool):
                    raise ApiError(400, "rollback needs a numeric history id")
                app = state.rollback(name, wanted)
            with state.lock:
                return Reply.json(200, state.to_json(app))
        raise ApiError(405, f"{request.method} is not allowed on {request.path}")


def seed_demo(state: ArgoState, hours_ago: float = 0.5) -> None:
    """The demo's applications: kyc-svc was just moved to its leaky 2.14.0 release."""
    kyc = FakeApp("kyc-svc", "kyc", "kyc-svc", head=KYC_NEW, revisions={
        KYC_OLD: ("registry.local/kyc-svc:2.13.4",), KYC_NEW: ("registry.local/kyc-svc:2.14.0",),
    })  # fmt: skip
    state.add(kyc, [(KYC_OLD, 3 * 86400.0), (KYC_NEW, hours_ago * 3600.0)])
    aml = FakeApp("aml-svc", "kyc", "aml-svc", head=AML_NEW, revisions={
        AML_OLD: ("registry.local/aml-svc:1.8.2",), AML_NEW: ("registry.local/aml-svc:1.9.0",),
    })  # fmt: skip
    state.add(aml, [(AML_OLD, 9 * 86400.0), (AML_NEW, 2 * 86400.0)])


def reflect_in_cluster(cluster: Any) -> Any:
    """An `on_deploy` hook that puts the deployed images into the Kubernetes fake's
    deployment (a rollout there, so the demo's story sees the rollback)."""
    from cockpit.sim.k8s_ops import patch_deployment

    def deploy(namespace: str, deployment: str, images: tuple[str, ...]) -> None:
        ops = [{"op": "replace", "path": f"/spec/template/spec/containers/{i}/image",
                "value": image} for i, image in enumerate(images)]  # fmt: skip
        try:
            patch_deployment(cluster, namespace, deployment, "application/json-patch+json",
                             ops, dry_run=False)  # fmt: skip
        except ApiError:
            return  # no such deployment in the simulated cluster: Argo CD's side still holds

    return deploy
