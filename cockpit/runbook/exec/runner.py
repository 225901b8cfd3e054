"""The mechanics of one step, without log or permission: check parameters, plan, execute.

`cockpit.actions.step_run.StepRun` is the only caller: it decides whether a step may run,
asks for the confirmation and logs every phase. Nothing here appends an event.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cockpit.log.events import JSON
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, seconds
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Step
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean


class StepRefused(Exception):
    """The step did not get to run; the message says why and what to do.

    `outcome` is refused (parameters, missing login) or, when planning had to reach the
    platform, failed or timeout. `params` are the checked values when known.
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
class Planned:
    """A step's plan, its checked parameters (value and origin) and its typed-back target."""

    plan: Plan
    params: Mapping[str, JSON]
    target: str


def plan(
    step: Step, bound: BoundParams, targets: StepTargets, detected_at: datetime | None = None
) -> Planned:
    """Check the parameters and build the plan (k8s writes read and dry-run here: blocking).

    Raises StepRefused before anything runs.
    """
    try:
        values = bound.for_step(step)
        args = bound.sql_args(step)
    except ParamError as err:
        raise StepRefused(step.id, str(err)) from err
    params: dict[str, JSON] = {
        n: {"value": v, "from": bound.origins.get(n, "")} for n, v in values.items()
    }
    try:
        made = plan_step(step, values, args, targets, detected_at)
    except StepFailure as err:
        raise StepRefused(step.id, str(err), err.outcome, params) from err
    except Exception as err:  # planning must never take the cockpit down either
        reason = clean(f"{type(err).__name__}: {err}", max_len=300)
        raise StepRefused(step.id, reason, "failed", params) from err
    target = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), step.target or step.id)
    return Planned(made, params, made.target or target)


def execute(
    step: Step, made: Plan, targets: StepTargets, stream: OutputStream | None = None
) -> tuple[StepResult, float]:
    """Run the plan (blocking, deadline-bound); never raises. Returns result and ms.

    An `exec` step writes its output lines into `stream` as they come.
    """
    started = time.monotonic()
    try:
        result = execute_plan(made, targets, seconds(step.timeout), stream)
    except StepFailure as err:
        result = StepResult(err.outcome, clean(err, max_len=300))
    except Exception as err:  # a step must never take the cockpit down
        result = StepResult("failed", clean(f"{type(err).__name__}: {err}", max_len=300))
    return result, (time.monotonic() - started) * 1000.0
