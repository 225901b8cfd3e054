"""What a step confirmation asks: what runs, and where it acts (environment, cluster, database)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cockpit.runbook.exec.argocd import ArgoCall
from cockpit.runbook.exec.base import Plan, Where
from cockpit.runbook.exec.k8s import K8sCall
from cockpit.runbook.exec.local import HttpCall
from cockpit.runbook.model import Step
from cockpit.sanitize import clean

CURRENT_CONTEXT = "the kubeconfig's current context"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the operator must answer before a step runs.

    `typed_target` is None when a yes is enough, else the text to type back. `where` is
    (label, value) pairs, environment first; nothing in it is a secret.
    """

    run_id: str
    title: str
    what: str
    environment: str
    production: bool
    where: tuple[tuple[str, str], ...]
    typed_target: str | None

    def where_line(self) -> str:
        """`environment prod (PROD) · context gke-prod · namespace ocr` on one line."""
        return " · ".join(f"{label} {value}" for label, value in self.where)


SIMULATED = "the simulated toolbox"


def where_lines(
    step: Step,
    plan: Plan,
    where: Where,
    dsn: str | None = None,
    *,
    simulated: bool = False,
    argo_server: str = "",
) -> tuple[tuple[str, str], ...]:
    """Where `step` acts, as the confirmation names it; unknowns are said, never left out.

    `dsn` is the login a SQL step uses; its host and database are named when `where` does
    not know them (never its password). `simulated`: exec, sql and http steps go to the
    simulated toolbox (demo, drill), and the confirmation says so; SQL with a login runs on
    the demo's embedded server, named like any other database. `argo_server` is the Argo
    CD server `argocd` steps talk to (host[:port]).
    """
    env = where.environment or "unnamed"
    lines = [("environment", env + (" (PROD)" if where.production else ""))]
    call = plan.call
    if step.kind == "k8s":
        namespace = call.body.namespace if isinstance(call, K8sCall) else where.namespace
        lines.append(("context", where.k8s_context or CURRENT_CONTEXT))
        lines.append(("namespace", namespace or "the kubeconfig's default"))
    elif step.kind == "argocd" and isinstance(call, ArgoCall):
        lines.append(("application", call.application))
        server = argo_server or "not configured"
        lines.append(("Argo CD", f"{server} (simulated)" if simulated and argo_server else server))
    elif simulated and (step.kind in ("exec", "http") or (step.kind == "sql" and not dsn)):
        lines.append(("answered by", SIMULATED))
    elif step.kind == "sql":
        host, name = (where.db_host, where.db_name) if where.db_host else database(dsn)
        lines.append(("database host", host or "not configured"))
        lines.append(("database", name or "the login's default"))
    elif step.kind == "exec":
        lines.append(("runs on", where.exec_host or "this machine"))
    elif step.kind == "http" and isinstance(call, HttpCall):
        lines.append(("url host", urlsplit(call.url).netloc.rpartition("@")[2] or "?"))
    return tuple((label, clean(value, single_line=True, max_len=80)) for label, value in lines)


def database(conninfo: str | None) -> tuple[str, str]:
    """(host[:port], database name) of a DSN or URL; never the password.

    One that cannot be parsed gives ("unreadable DSN", "") rather than any of its text.
    """
    if not conninfo:
        return "", ""
    from psycopg import conninfo as pg_conninfo  # late: psycopg costs ~0.3 s to import

    try:
        parts = pg_conninfo.conninfo_to_dict(conninfo)
    except Exception:  # ProgrammingError quotes the text, which may hold a password
        return "unreadable DSN", ""
    host = str(parts.get("host") or parts.get("hostaddr") or "local socket")
    port = str(parts.get("port") or "")
    name = str(parts.get("dbname") or parts.get("user") or "")
    return (f"{host}:{port}" if port and port != "5432" else host), name
