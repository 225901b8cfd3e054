"""Where runbook steps run, from settings: Prometheus URL, PostgreSQL DSN, Kubernetes client."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from cockpit.config import ConfigError, Settings
from cockpit.runbook.exec.base import StepTargets, Where

DEMO_ENVIRONMENT = "demo"
DEMO_CONTEXT = "simulated platform"
SIMULATED = "simulated toolbox"
DEMO_DATABASE_HOST = "the demo's embedded PostgreSQL (local socket)"
_CURRENT = re.compile(r"^current-context:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)


def step_targets(settings: Settings, environ: Mapping[str, str]) -> StepTargets:
    """Targets of the active environment; an unconfigured one makes its steps say so."""
    active = settings.active
    prom = active.prometheus
    pg = active.postgres
    kube = active.kubernetes
    dsn = pg.conninfo(environ) if pg.configured else None
    mitigation_dsn, problem = None, ""
    try:
        mitigation_dsn = pg.mitigation_conninfo(environ)
    except ConfigError as err:
        # Diagnosis must not wait on the write credential: say it when a mitigation is tried.
        problem = f"PostgreSQL mitigation login unavailable: {err}"
    return StepTargets(
        prometheus_url=str(prom.url) if prom.url else None,
        alertmanager_url=str(active.alertmanager.url) if active.alertmanager.url else None,
        loki_url=str(settings.config.loki.url) if settings.config.loki.url else None,
        postgres_dsn=dsn,
        postgres_mitigation_dsn=mitigation_dsn,
        postgres_mitigation_problem=problem,
        k8s_client=_kube_client(kube.kubeconfig, kube.context, kube.timeout_seconds),
        environ=dict(environ),
        where=Where(
            active.name,
            active.production,
            kube.context or current_context(kube.kubeconfig, environ),
            kube.namespace or "",
            exec_host=socket.gethostname(),
        ),
    )


def current_context(kubeconfig: object | None, environ: Mapping[str, str]) -> str:
    """The kubeconfig's `current-context` (the one the client uses when none is set), said
    as such; "" when it cannot be read (the confirmation then says the current context).

    A line scan, not a YAML load: this runs before the first frame.
    """
    listed = [str(kubeconfig)] if kubeconfig else environ.get("KUBECONFIG", "").split(os.pathsep)
    paths = [Path(p) for p in listed if p] or [Path("~/.kube/config").expanduser()]
    for path in paths:
        try:
            found = _CURRENT.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            return f"{found.group(1)} (kubeconfig current context)"
    return ""


def _kube_client(
    kubeconfig: object | None, context: str | None, timeout_s: float
) -> Callable[[], Any]:
    """A factory (called when a step first needs it: the client import is heavy)."""

    def make() -> Any:
        from kubernetes import config as kube_config

        client = kube_config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(kubeconfig) if kubeconfig else None, context=context
        )
        client.configuration.retries = 0  # the client retries 3x silently otherwise
        _with_deadline(client, timeout_s)
        return client

    return make


def _with_deadline(client: Any, timeout_s: float) -> None:
    """Every call without its own `_request_timeout` gets `timeout_s` (the default is none)."""
    call_api = client.call_api

    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("_request_timeout") is None:
            kwargs["_request_timeout"] = timeout_s
        return call_api(*args, **kwargs)

    client.call_api = call


def demo_targets(
    prometheus_url: str,
    k8s_url: str | None,
    environ: Mapping[str, str],
    postgres_dsn: str | None = None,
    *,
    alertmanager_url: str | None = None,
    loki_url: str | None = None,
) -> StepTargets:
    """Targets on the demo platform: its Prometheus, its Kubernetes fake when running, its
    embedded PostgreSQL when given (`sql` steps, diagnostics and mitigations alike), and the
    simulated toolbox for exec/http (no host program, outside database or API is reached)."""
    from cockpit.sim.toolbox import SimToolbox

    factory: Callable[[], Any] | None = None
    if k8s_url is not None:
        from cockpit.sim.k8s_fake import make_k8s_client

        url = k8s_url
        factory = lambda: make_k8s_client(url)  # noqa: E731
    toolbox = SimToolbox(prometheus_url, k8s_url)
    where = Where(DEMO_ENVIRONMENT, False, DEMO_CONTEXT, exec_host=SIMULATED)
    if postgres_dsn is not None:
        from cockpit.actions.step_where import database

        where = replace(where, db_host=DEMO_DATABASE_HOST, db_name=database(postgres_dsn)[1])
    return StepTargets(
        prometheus_url=prometheus_url,
        alertmanager_url=alertmanager_url,
        loki_url=loki_url,
        postgres_dsn=postgres_dsn,
        postgres_mitigation_dsn=postgres_dsn,
        k8s_client=factory,
        environ=dict(environ),
        toolbox=toolbox,
        where=where,
    )
