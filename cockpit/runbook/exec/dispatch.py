"""Route a step to its executor: build the plan for its kind, then run the prepared call."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cockpit.runbook.exec import argocd, k8s, local, logql, promql, sql
from cockpit.runbook.exec.base import Plan, StepResult, StepTargets
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Step


def plan_step(
    step: Step,
    values: Mapping[str, str],
    args: Mapping[str, str | int],
    targets: StepTargets,
    detected_at: datetime | None,
) -> Plan:
    """What `step` will do with these checked values (k8s writes read and dry-run here)."""
    if step.kind == "promql":
        return promql.plan(step, values)
    if step.kind == "logql":
        return logql.plan(step, values)
    if step.kind == "sql":
        return sql.plan(step, args, targets)
    if step.kind == "k8s":
        return k8s.plan(step, values, targets)
    if step.kind == "argocd":
        return argocd.plan(step, values, targets)
    if step.kind == "exec":
        return local.plan_exec(step, values, targets)
    if step.kind == "http":
        return local.plan_http(step, values, targets)
    return local.plan_check(step, detected_at)


def execute_plan(
    plan: Plan, targets: StepTargets, deadline: float, stream: OutputStream | None = None
) -> StepResult:
    """Run a prepared plan within `deadline` seconds; `exec` output goes to `stream`."""
    call = plan.call
    if isinstance(call, promql.PromCall):
        return promql.run(call, targets, deadline)
    if isinstance(call, logql.LokiCall):
        return logql.run(call, targets, deadline)
    if isinstance(call, sql.SqlCall):
        return sql.run(call, targets, deadline)
    if isinstance(call, k8s.K8sCall):
        return k8s.run(call, targets, deadline)
    if isinstance(call, argocd.ArgoCall):
        return argocd.run(call, targets, deadline)
    if isinstance(call, local.HttpCall):
        return local.run_http(call, targets, deadline)
    if isinstance(call, tuple):
        return local.run_exec(call, targets, deadline, stream)
    return local.run_check(plan)
