"""Run runbook steps safely: check parameters and the safety gate, log request and outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from cockpit.log.events import (
    JSON,
    ChecklistTicked,
    MitigationCompleted,
    MitigationConfirmed,
    MitigationRequested,
    Payload,
    StepRunCompleted,
    StepRunRequested,
)
from cockpit.runbook import safety
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec.base import (
    Operator,
    Plan,
    StepFailure,
    StepResult,
    StepTargets,
    seconds,
)
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean


class StepRefused(Exception):
    """The step did not get to run; the message says why and what to do.

    `outcome` is refused (gate, parameters, missing login) or, when planning had to reach
    the platform, failed or timeout. `params` are the checked values when known.
    """

    def __init__(
        self,
        step_id: str,
        reason: str,
        outcome: str = "refused",
        params: Mapping[str, JSON] | None = None,
    ) -> None:
        super().__init__(f"{step_id}: {reason}")
        self.reason = reason
        self.outcome = outcome
        self.params = dict(params or {})


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
            raise StepRefused(step.id, gate.reason)
        try:
            values = bound.for_step(step)
            args = bound.sql_args(step)
        except ParamError as err:
            raise StepRefused(step.id, str(err)) from err
        params: dict[str, JSON] = {
            n: {"value": v, "from": bound.origins.get(n, "")} for n, v in values.items()
        }
        try:
            plan = plan_step(step, values, args, self.targets, detected_at)
        except StepFailure as err:
            raise StepRefused(step.id, str(err), err.outcome, params) from err
        target = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), step.target or step.id)
        run_id = uuid.uuid4().hex[:12]
        return Prepared(run_id, step, plan, params, gate.confirm, plan.target or target)

    def refuse(
        self,
        step: Step,
        reason: str,
        outcome: str = "refused",
        params: Mapping[str, JSON] | None = None,
    ) -> None:
        """Log an attempt that did not run: a request, then its outcome with the reason.

        Nothing is written in a replay: the recorded log is never changed.
        """
        if self._replay:
            return
        run_id, actor = uuid.uuid4().hex[:12], self.operator.actor
        reason = clean(reason, max_len=300, single_line=True)
        what = f"not run: {reason}"
        if safety.changes_platform(step):
            self._append(MitigationRequested(run_id, self.runbook.id, step.id, step.kind, what,
                                             dict(params or {}), actor))  # fmt: skip
            self._append(MitigationCompleted(run_id, outcome, reason, actor=actor))
        else:
            self._append(StepRunRequested(run_id, self.runbook.id, step.id, step.kind, step.role,
                                          dict(params or {}), what, actor))  # fmt: skip
            self._append(StepRunCompleted(run_id, self.runbook.id, step.id, outcome, reason,
                                          actor=actor))  # fmt: skip

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

    def execute(
        self, prepared: Prepared, stream: OutputStream | None = None
    ) -> tuple[StepResult, float]:
        """Run the plan (blocking, deadline-bound); never raises. Returns result and ms.

        An `exec` step writes its output lines into `stream` as they come.
        """
        started = time.monotonic()
        deadline = seconds(prepared.step.timeout)
        try:
            result = execute_plan(prepared.plan, self.targets, deadline, stream)
        except StepFailure as err:
            result = StepResult(err.outcome, clean(err, max_len=300))
        except Exception as err:  # a step must never take the cockpit down
            result = StepResult("failed", clean(f"{type(err).__name__}: {err}", max_len=300))
        return result, (time.monotonic() - started) * 1000.0

    def finish(self, prepared: Prepared, result: StepResult, duration_ms: float) -> None:
        """Log the outcome with its summary and (trimmed) result; a ticked `check` step is
        also a checklist tick (`RUNBOOK:STEP`) for incident command and the export."""
        actor = self.operator.actor
        if prepared.mitigating:
            self._append(MitigationCompleted(prepared.run_id, result.outcome, result.summary,
                                             result.to_json(), duration_ms, actor))  # fmt: skip
        else:
            self._append(StepRunCompleted(prepared.run_id, self.runbook.id, prepared.step.id,
                                          result.outcome, result.summary, result.to_json(),
                                          duration_ms, actor))  # fmt: skip
        if prepared.step.kind == "check" and result.outcome == "ok":
            self._append(ChecklistTicked(f"{self.runbook.id}:{prepared.step.id}", True, actor))

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
        try:
            prepared = self.prepare(step, bound, detected_at)
        except StepRefused as err:
            self.refuse(step, err.reason, err.outcome, err.params)
            raise
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
