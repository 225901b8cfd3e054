"""Helpers for the runbook executor tests: a real log with its fold, binding, step runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logbox import LogBox

from cockpit.actions.step_drive import drive
from cockpit.actions.step_run import Answer, StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import Operator, StepResult, StepTargets
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, bind_params, source_keys

OPERATOR = Operator("nadia", "bastion-1", "192.0.2.10")

K8S_TOKEN = "runbook-test-token"
"""The bearer token the runbook tests' Kubernetes fake expects."""


def bind(runbook: Runbook, labels: dict[str, str] | None = None, **typed: str) -> BoundParams:
    """Parameters as the screen binds them: alert labels, the incident, typed values."""
    return bind_params(
        runbook,
        source_keys(
            labels=labels, incident={"detected_at": "2025-01-02T03:04:05Z"}, operator=typed
        ),
    )


def decline(asked: Confirmation) -> Answer:
    return None


@dataclass
class Steps:
    """Step runs of one runbook in one session, driven as the CLI and the UI drive them."""

    runbook: Runbook
    box: LogBox
    targets: StepTargets
    permissions: Permissions

    def start(self, step: Step) -> StepRun:
        return StepRun(self.runbook, step, permissions=self.permissions, targets=self.targets,
                       operator=OPERATOR)  # fmt: skip

    def run(
        self, step: Step, bound: BoundParams, *, confirm: Callable[[Confirmation], Answer] = decline
    ) -> StepResult:
        """The whole run; the step's result, or how it ended before running."""
        out = drive(self.start(step), bound, confirm=confirm, append=self.box.append)
        return out.result or StepResult(out.outcome, out.summary)


def runner(
    runbook: Runbook,
    box: LogBox,
    targets: StepTargets,
    *,
    read_only: bool = False,
    replay: bool = False,
    may_mitigate: bool = True,
    production: bool = False,
) -> Steps:
    permissions = Permissions.decide(
        Mode.REPLAY if replay else Mode.LIVE,
        read_only=read_only,
        environment="test",
        production=production,
        role="responder" if may_mitigate else "viewer",
    )
    return Steps(runbook, box, targets, permissions)
