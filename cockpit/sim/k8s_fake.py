"""A loopback fake of the Kubernetes API server, driven by the real `kubernetes` client in tests."""

from __future__ import annotations

import copy
import hmac
import re
from collections.abc import Callable
from typing import Any

from cockpit.clients.kubernetes import make_k8s_client
from cockpit.clock import Clock
from cockpit.sim import k8s_extra
from cockpit.sim import k8s_objects as obj
from cockpit.sim import k8s_ops as ops
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request
from cockpit.sim.k8s_pods import stable_uid
from cockpit.sim.k8s_select import SelectorError, field_selector, label_selector
from cockpit.sim.k8s_state import Cluster

__all__ = ["K8sFake", "make_k8s_client"]

_NAME = r"(?P<{}>[^/]+)"
_NS = r"/namespaces/" + _NAME.format("ns")
Handler = Callable[["K8sFake", Request, dict[str, str]], Reply]


class K8sFake(FakeServer):
    """Deployments, ReplicaSets, pods, logs, events, scale and pod metrics of a simulated cluster.

    `cluster` holds the state and its simulation knobs (crash loops, usage, logs). With a
    `token`, every request needs `Authorization: Bearer <token>` or gets a 401 Status.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        namespace: str = "kyc",
        clock: Clock | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.token = token
        self.cluster = Cluster(namespace=namespace, clock=clock)

    def authorize(self, request: Request) -> None:
        """Bearer-token check, when the fake was given a token."""
        if self.token is None:
            return
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
            raise ApiError(401, "Unauthorized")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Errors are Kubernetes Status objects; injected 401/403/410 read like a real API's."""
        message = error.message
        if message.startswith("injected fault"):
            message = _injected_message(error.status, request) or message
        body = obj.status(error.status, message)
        if error.details:
            body["details"] = dict(error.details)
        return Reply.json(error.status, body, error.headers)

    def route(self, request: Request) -> Reply:
        """Match the path against the route table; 405 for a known path, wrong method."""
        allowed: list[str] = []
        for methods, pattern, handler in _ROUTES:
            match = pattern.fullmatch(request.path.rstrip("/") or "/")
            if match is None:
                continue
            if request.method not in methods:
                allowed.extend(methods)
                continue
            try:
                return handler(self, request, match.groupdict())
            except SelectorError as exc:
                raise ApiError(400, str(exc)) from exc
        if allowed:
            raise ApiError(
                405,
                f"the server does not allow this method on the requested "
                f"resource (allowed: {', '.join(sorted(set(allowed)))})",
            )
        raise ApiError(404, "the server could not find the requested resource")

    # -- handlers ---------------------------------------------------------------------
    def _version(self, request: Request, args: dict[str, str]) -> Reply:
        return Reply.json(200, obj.VERSION)

    def _discovery(self, request: Request, args: dict[str, str]) -> Reply:
        return Reply.json(200, obj.discovery(request.path.rstrip("/"), f"127.0.0.1:{self.port}"))

    def _list(self, kind: str, api: str, items: list[Any]) -> Reply:
        rv = self.cluster.resource_version
        return Reply.json(200, obj.list_of(kind, api, copy.deepcopy(items), rv))

    def _pods(self, request: Request, args: dict[str, str]) -> Reply:
        labels, fields = request.param("labelSelector"), request.param("fieldSelector")
        with self.cluster.lock:
            return self._list("PodList", "v1", self.cluster.select_pods(args["ns"], labels, fields))

    def _pod(self, request: Request, args: dict[str, str]) -> Reply:
        with self.cluster.lock:
            pod = self.cluster.pods.get((args["ns"], args["name"]))
            if pod is None:
                name = args["name"]
                raise ApiError(
                    404, f'pods "{name}" not found', details={"name": name, "kind": "pods"}
                )
            return Reply.json(200, pod)

    def _pod_log(self, request: Request, args: dict[str, str]) -> Reply:
        text = ops.pod_log(
            self.cluster,
            args["ns"],
            args["name"],
            request.param("container"),
            request.param("tailLines"),
            request.param("timestamps") == "true",
        )
        return Reply(200, text.encode(), "text/plain")

    def _events(self, request: Request, args: dict[str, str]) -> Reply:
        match = field_selector(request.param("fieldSelector"))
        with self.cluster.lock:
            events = [
                e
                for e in self.cluster.events
                if e["metadata"]["namespace"] == args["ns"] and match(e)
            ]
            return self._list("EventList", "v1", events)

    def _deployments(self, request: Request, args: dict[str, str]) -> Reply:
        labels = label_selector(request.param("labelSelector"))
        with self.cluster.lock:
            deps = [
                d
                for (ns, _), d in sorted(self.cluster.deployments.items())
                if ns == args["ns"] and labels(d["metadata"].get("labels", {}))
            ]
            return self._list("DeploymentList", "apps/v1", deps)

    def _deployment(self, request: Request, args: dict[str, str]) -> Reply:
        ns, name = args["ns"], args["name"]
        if request.method == "GET":
            with self.cluster.lock:
                dep, _ = self.cluster.workload(ns, name)
                return Reply.json(200, dep)
        _check_name(name)
        dry = ops.dry_run_flag(request.param("dryRun"))
        ctype = request.headers.get("content-type", "")
        return Reply.json(
            200, ops.patch_deployment(self.cluster, ns, name, ctype, request.json(), dry)
        )

    def _replicasets(self, request: Request, args: dict[str, str]) -> Reply:
        labels = label_selector(request.param("labelSelector"))
        with self.cluster.lock:
            items = [
                rs
                for (ns, _), rs in sorted(self.cluster.replicasets.items())
                if ns == args["ns"] and labels(rs["metadata"].get("labels", {}))
            ]
            return self._list("ReplicaSetList", "apps/v1", items)

    def _configmap(self, request: Request, args: dict[str, str]) -> Reply:
        ns, name = args["ns"], args["name"]
        if request.method == "GET":
            with self.cluster.lock:
                found = self.cluster.configmaps.get((ns, name))
                if found is None:
                    raise ApiError(404, f'configmaps "{name}" not found',
                                   details={"name": name, "kind": "configmaps"})  # fmt: skip
                return Reply.json(200, found)
        _check_name(name)
        dry = ops.dry_run_flag(request.param("dryRun"))
        ctype = request.headers.get("content-type", "")
        body = k8s_extra.patch_configmap(self.cluster, ns, name, ctype, request.json(), dry)
        return Reply.json(200, body)

    def _nodes(self, request: Request, args: dict[str, str]) -> Reply:
        with self.cluster.lock:
            if "name" not in args or args["name"] is None:
                return self._list("NodeList", "v1", list(self.cluster.nodes.values()))
            node = self.cluster.nodes.get(args["name"])
            if node is None:
                name = args["name"]
                raise ApiError(
                    404, f'nodes "{name}" not found', details={"name": name, "kind": "nodes"}
                )
            return Reply.json(200, node)

    def _scale(self, request: Request, args: dict[str, str]) -> Reply:
        ns, name = args["ns"], args["name"]
        if request.method == "GET":
            return Reply.json(200, ops.get_scale(self.cluster, ns, name))
        _check_name(name)
        dry = ops.dry_run_flag(request.param("dryRun"))
        ctype = request.headers.get("content-type", "") if request.method == "PATCH" else None
        return Reply.json(200, ops.write_scale(self.cluster, ns, name, ctype, request.json(), dry))

    def _metrics(self, request: Request, args: dict[str, str]) -> Reply:
        body = ops.pod_metrics(
            self.cluster, args["ns"], request.param("labelSelector"), args.get("name")
        )
        return Reply.json(200, body)

    def _namespaces(self, request: Request, args: dict[str, str]) -> Reply:
        with self.cluster.lock:
            names = sorted({ns for ns, _ in self.cluster.deployments})
            items = [
                {
                    "kind": "Namespace",
                    "apiVersion": "v1",
                    "metadata": obj.meta(n, "", stable_uid("ns", n), 1, self.cluster.now()),
                    "status": {"phase": "Active"},
                }
                for n in names
            ]
        return self._list("NamespaceList", "v1", items)


FAULT_USER = "system:serviceaccount:ops:cockpit"
"""The identity named in injected 403 answers."""


def _injected_message(status: int, request: Request) -> str | None:
    # The wording of the real API server, so clients are tested against what they will see.
    if status == 401:
        return "Unauthorized"
    if status == 403:
        parts = request.path.strip("/").split("/")
        at = parts.index("namespaces") + 2 if "namespaces" in parts else len(parts) - 1
        resource = parts[min(at, len(parts) - 1)]
        verb = {"GET": "get", "PATCH": "patch", "PUT": "update", "DELETE": "delete"}.get(
            request.method, request.method.lower()
        )
        return (
            f'{resource} is forbidden: User "{FAULT_USER}" cannot {verb} resource '
            f'"{resource}" at this scope'
        )
    if status == 410:
        return "too old resource version: 1 (4242)"
    return None


def _check_name(name: str) -> None:
    # Writes name their target explicitly; a malformed name is an invalid request (422).
    if len(name) > 253 or not obj.DNS_LABEL.match(name):
        raise ApiError(
            422,
            f"Invalid value: {name!r}: a lowercase RFC 1123 name must consist "
            "of lower case alphanumeric characters or '-'",
            details={
                "name": name,
                "causes": [{"reason": "FieldValueInvalid", "field": "metadata.name"}],
            },
        )


def _route(
    methods: str, path: str, handler: Handler
) -> tuple[tuple[str, ...], re.Pattern[str], Handler]:
    return tuple(methods.split()), re.compile(path), handler


_DEPLOY = "/apis/apps/v1" + _NS + "/deployments/" + _NAME.format("name")
_ROUTES = (
    _route("GET", "/version", K8sFake._version),
    _route("GET", "/api|/apis", K8sFake._discovery),
    _route("GET", "/api/v1/namespaces", K8sFake._namespaces),
    _route("GET", "/api/v1" + _NS + "/pods", K8sFake._pods),
    _route("GET", "/api/v1" + _NS + "/pods/" + _NAME.format("name"), K8sFake._pod),
    _route("GET", "/api/v1" + _NS + "/pods/" + _NAME.format("name") + "/log", K8sFake._pod_log),
    _route("GET", "/api/v1" + _NS + "/events", K8sFake._events),
    _route("GET", "/apis/apps/v1" + _NS + "/deployments", K8sFake._deployments),
    _route("GET PATCH", _DEPLOY, K8sFake._deployment),
    _route("GET", "/apis/apps/v1" + _NS + "/replicasets", K8sFake._replicasets),
    _route(
        "GET PATCH", "/api/v1" + _NS + "/configmaps/" + _NAME.format("name"), K8sFake._configmap
    ),
    _route("GET", "/api/v1/nodes", K8sFake._nodes),
    _route("GET", "/api/v1/nodes/" + _NAME.format("name"), K8sFake._nodes),
    _route("GET PATCH PUT", _DEPLOY + "/scale", K8sFake._scale),
    _route("GET", "/apis/metrics.k8s.io/v1beta1" + _NS + "/pods", K8sFake._metrics),
    _route(
        "GET",
        "/apis/metrics.k8s.io/v1beta1" + _NS + "/pods/" + _NAME.format("name"),
        K8sFake._metrics,
    ),
)
