"""Where runbook steps run, from settings: Prometheus URL, PostgreSQL DSN, Kubernetes client."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.config import ConfigError, Settings

if TYPE_CHECKING:
    from cockpit.runbook.argo import ArgoTarget
    from cockpit.runbook.exec.base import StepTargets

_CURRENT = re.compile(r"^current-context:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)


def step_targets(settings: Settings, environ: Mapping[str, str]) -> StepTargets:
    """Targets of the active environment; an unconfigured one makes its steps say so."""
    return step_targets_later(settings, environ)()


def step_targets_later(settings: Settings, environ: Mapping[str, str]) -> Callable[[], StepTargets]:
    """`step_targets` with everything read now (secrets, the kubeconfig's current context,
    the host name; a DSN that cannot be read raises ConfigError now) and the targets built
    on the first call (the same object each time). The live cockpit asks when a runbook
    step needs them: their modules (the Kubernetes client factory, Argo, the executors'
    base) stay unloaded on the way to the first frame."""
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
    values: dict[str, Any] = {
        "prometheus_url": str(prom.url) if prom.url else None,
        "alertmanager_url": str(active.alertmanager.url) if active.alertmanager.url else None,
        "loki_url": str(settings.config.loki.url) if settings.config.loki.url else None,
        "postgres_dsn": dsn,
        "postgres_mitigation_dsn": mitigation_dsn,
        "postgres_mitigation_problem": problem,
        "environ": dict(environ),
    }
    argo = _argo_values(settings, environ)
    where = (
        active.name,
        active.production,
        kube.context or current_context(kube.kubeconfig, environ),
        kube.namespace or "",
        socket.gethostname(),
    )
    built: list[StepTargets] = []

    def build() -> StepTargets:
        if not built:
            from cockpit.clients.kubernetes import kubeconfig_client
            from cockpit.runbook.argo import ArgoTarget
            from cockpit.runbook.exec.base import StepTargets, Where

            name, production, context, namespace, host = where
            built.append(
                StepTargets(
                    **values,
                    k8s_client=kubeconfig_client(
                        kube.kubeconfig, kube.context, kube.timeout_seconds
                    ),
                    argocd=ArgoTarget(*argo) if argo is not None else None,
                    where=Where(name, production, context, namespace, exec_host=host),
                )
            )
        return built[0]

    return build


def argo_target(settings: Settings, environ: Mapping[str, str]) -> ArgoTarget | None:
    """The `[argocd]` server and its applications; None when no base_url is set. An
    unreadable token does not stop the start: `argocd` steps then say why they cannot run."""
    values = _argo_values(settings, environ)
    if values is None:
        return None
    from cockpit.runbook.argo import ArgoTarget

    return ArgoTarget(*values)


def _argo_values(settings: Settings, environ: Mapping[str, str]) -> tuple[Any, ...] | None:
    """`ArgoTarget`'s arguments, the token read now; None when no base_url is set."""
    argo = settings.config.argocd
    if argo.base_url is None:
        return None
    token, problem = None, ""
    try:
        token = argo.token(environ)
    except ConfigError as err:
        problem = f"Argo CD token unavailable: {err}"
    verify: bool | str = argo.verify_tls
    if argo.verify_tls and argo.ca_file is not None:
        verify = str(argo.ca_file)
    apps = {name: (app.namespace, app.deployment) for name, app in argo.applications.items()}
    return (str(argo.base_url), token, argo.timeout_seconds, verify, apps, problem)


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
