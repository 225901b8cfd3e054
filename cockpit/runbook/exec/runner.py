"""Run runbook steps safely: check parameters and the safety gate, log request and outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from cockpit.log.events import (
    JSON,
    MitigationCompleted,
    MitigationConfirmed,
    MitigationRequested,
    Payload,
    StepRunCompleted,
    StepRunRequested,
)
from cockpit.runbook import safety
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec import k8s, local, promql, sql
from cockpit.runbook.exec.base import (
    Operator,
    Plan,
    StepFailure,
    StepResult,
    StepTargets,
    seconds,
)
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean


class StepRefused(Exception):
    """The step may not run now; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A step ready to run: its plan, exact parameters, and the confirmation it needs."""

    run_id: str
    step: Step
    plan: Plan
    params: Mapping[str, JSON]
    confirm: str
    """none, yes or typed."""
    target: str

    @property
    def mitigating(self) -> bool:
        return safety.changes_platform(self.step)


class Runner:
    """Runs the steps of one runbook for one operator; `append` writes a log event.

    `prepare`, `request`, `confirm`, `cancel` and `finish` append events and belong on
    the thread that owns the log. `plan` (inside prepare, for k8s writes) and `execute`
    block on the network: call them from a worker thread with the UI.
    """

    def __init__(
        self,
        runbook: Runbook,
        *,
        append: Callable[[Payload], object],
        targets: StepTargets,
        operator: Operator,
        read_only: bool,
        replay: bool = False,
        may_mitigate: bool = True,
    ) -> None:
        self.runbook = runbook
        self.targets = targets
        self.operator = operator
        self._append = append
        self._read_only = read_only
        self._replay = replay
        self._may_mitigate = may_mitigate

    def gate(self, step: Step) -> safety.Gate:
        """Whether `step` may run in this session."""
        return safety.gate(
            step, read_only=self._read_only, replay=self._replay, may_mitigate=self._may_mitigate
        )

    def prepare(
        self, step: Step, bound: BoundParams, detected_at: datetime | None = None
    ) -> Prepared:
        """Gate, check parameters, build the plan; StepRefused before anything runs."""
        gate = self.gate(step)
        if not gate.allowed:
            raise StepRefused(f"{step.id}: {gate.reason}")
        try:
            values = bound.for_step(step)
            args = bound.sql_args(step)
        except ParamError as err:
            raise StepRefused(f"{step.id}: {err}") from err
        try:
            plan = _plan(step, values, args, self.targets, detected_at)
        except StepFailure as err:
            raise StepRefused(f"{step.id}: {err}") from err
        target = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), step.target or step.id)
        params: dict[str, JSON] = {
            n: {"value": v, "from": bound.origins.get(n, "")} for n, v in values.items()
        }
        run_id = uuid.uuid4().hex[:12]
        return Prepared(run_id, step, plan, params, gate.confirm, plan.target or target)

    def request(self, prepared: Prepared) -> None:
        """Log that the step was asked for, with exactly what will run."""
        step, actor = prepared.step, self.operator.actor
        if prepared.mitigating:
            what, params = prepared.plan.what, dict(prepared.params)
            self._append(MitigationRequested(prepared.run_id, self.runbook.id, step.id, step.kind,
                                             what, params, actor))  # fmt: skip
        else:
            self._append(StepRunRequested(prepared.run_id, self.runbook.id, step.id, step.kind,
                                          step.role, dict(prepared.params), prepared.plan.what,
                                          actor))  # fmt: skip

    def confirm(self, prepared: Prepared, typed: str | None = None) -> bool:
        """Record the confirmation; a wrong typed-back target is refused and logged."""
        if prepared.confirm == "typed" and (typed or "").strip() != prepared.target:
            self._append(MitigationCompleted(prepared.run_id, "refused",
                                             "the typed target did not match; nothing ran",
                                             actor=self.operator.actor))  # fmt: skip
            return False
        self._append(MitigationConfirmed(prepared.run_id, self.operator.actor, typed))
        return True

    def cancel(self, prepared: Prepared) -> None:
        """The operator declined the confirmation: nothing ran."""
        self._append(MitigationCompleted(prepared.run_id, "cancelled", "declined; nothing ran",
                                         actor=self.operator.actor))  # fmt: skip

    def execute(self, prepared: Prepared) -> tuple[StepResult, float]:
        """Run the plan (blocking, deadline-bound); never raises. Returns result and ms."""
        started = time.monotonic()
        deadline = seconds(prepared.step.timeout)
        try:
            result = _execute(prepared.plan, self.targets, deadline)
        except StepFailure as err:
            result = StepResult(err.outcome, clean(err, max_len=300))
        except Exception as err:  # a step must never take the cockpit down
            result = StepResult("failed", clean(f"{type(err).__name__}: {err}", max_len=300))
        return result, (time.monotonic() - started) * 1000.0

    def finish(self, prepared: Prepared, result: StepResult, duration_ms: float) -> None:
        """Log the outcome with its summary and (trimmed) result."""
        actor = self.operator.actor
        if prepared.mitigating:
            self._append(MitigationCompleted(prepared.run_id, result.outcome, result.summary,
                                             result.to_json(), duration_ms, actor))  # fmt: skip
        else:
            self._append(StepRunCompleted(prepared.run_id, self.runbook.id, prepared.step.id,
                                          result.outcome, result.summary, result.to_json(),
                                          duration_ms, actor))  # fmt: skip

    def run(
        self,
        step: Step,
        bound: BoundParams,
        *,
        confirm: Callable[[Prepared], str | bool | None] | None = None,
        detected_at: datetime | None = None,
    ) -> StepResult:
        """The whole cycle on this thread (CLI and tests). `confirm` answers the dialog:
        False/None declines, True confirms, a string is the typed-back target."""
        prepared = self.prepare(step, bound, detected_at)
        self.request(prepared)
        if prepared.mitigating:
            answer = confirm(prepared) if confirm is not None else None
            if answer is None or answer is False:
                self.cancel(prepared)
                return StepResult("cancelled", "declined; nothing ran")
            if not self.confirm(prepared, answer if isinstance(answer, str) else None):
                return StepResult("refused", "the typed target did not match; nothing ran")
        result, ms = self.execute(prepared)
        self.finish(prepared, result, ms)
        return result


def _plan(
    step: Step,
    values: Mapping[str, str],
    args: Mapping[str, str | int],
    targets: StepTargets,
    detected_at: datetime | None,
) -> Plan:
    if step.kind == "promql":
        return promql.plan(step, values)
    if step.kind == "sql":
        return sql.plan(step, args)
    if step.kind == "k8s":
        return k8s.plan(step, values, targets)
    if step.kind == "exec":
        return local.plan_exec(step, values)
    if step.kind == "http":
        return local.plan_http(step, values)
    return local.plan_check(step, detected_at)


def _execute(plan: Plan, targets: StepTargets, deadline: float) -> StepResult:
    call = plan.call
    if isinstance(call, promql.PromCall):
        return promql.run(call, targets, deadline)
    if isinstance(call, sql.SqlCall):
        return sql.run(call, targets, deadline)
    if isinstance(call, k8s.K8sCall):
        return k8s.run(call, targets, deadline)
    if isinstance(call, local.HttpCall):
        return local.run_http(call, targets, deadline)
    if isinstance(call, tuple):
        return local.run_exec(call, targets, deadline)
    return local.run_check(plan)
