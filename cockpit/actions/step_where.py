"""What a step confirmation asks: what runs, and where it acts (environment, cluster, database)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

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


def where_lines(step: Step, plan: Plan, where: Where) -> tuple[tuple[str, str], ...]:
    """Where `step` acts, as the confirmation names it; unknowns are said, never left out."""
    env = where.environment or "unnamed"
    lines = [("environment", env + (" (PROD)" if where.production else ""))]
    call = plan.call
    if step.kind == "k8s":
        namespace = call.body.namespace if isinstance(call, K8sCall) else where.namespace
        lines.append(("context", where.k8s_context or CURRENT_CONTEXT))
        lines.append(("namespace", namespace or "the kubeconfig's default"))
    elif step.kind == "sql":
        lines.append(("database host", where.db_host or "not configured"))
        lines.append(("database", where.db_name or "the login's default"))
    elif step.kind == "exec":
        lines.append(("runs on", where.exec_host or "this machine"))
    elif step.kind == "http" and isinstance(call, HttpCall):
        lines.append(("url host", urlsplit(call.url).netloc.rpartition("@")[2] or "?"))
    return tuple((label, clean(value, single_line=True, max_len=80)) for label, value in lines)
