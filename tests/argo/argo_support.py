"""Helpers of the Argo CD tests: a real log and its fold, targets on the fake, step runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from logbox import LogBox

from cockpit.actions.step_drive import StepOutcome, drive
from cockpit.actions.step_run import Answer, StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.argo import ArgoTarget
from cockpit.runbook.exec.base import Operator, StepTargets, Where
from cockpit.runbook.model import Runbook
from cockpit.runbook.params import BoundParams, ParamError, bind_params, source_keys
from cockpit.settings.secrets import Secret
from cockpit.sim.argocd_fake import DEMO_APPLICATIONS, ArgoCdFake

T0 = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)
"""The frozen time of the Argo CD fakes."""
OPERATOR = Operator("nadia", "bastion-1", "192.0.2.10")


def targets(fake: ArgoCdFake, token: str | None = None) -> StepTargets:
    """Targets whose Argo CD is the fake, managing the demo's applications."""
    argo = ArgoTarget(fake.url, Secret(token or fake.token), 3.0, True, DEMO_APPLICATIONS)
    return StepTargets(argocd=argo, where=Where("staging", False, "gke-staging", "kyc"))


def bind(runbook: Runbook, **typed: str) -> BoundParams | ParamError:
    try:
        return bind_params(runbook, source_keys(labels={"service": "kyc-svc"}, operator=typed))
    except ParamError as err:
        return err


class Confirmer:
    """Types the target back (or declines) and keeps what it was asked."""

    def __init__(self, answer: Answer = "TYPE IT") -> None:
        self.answer = answer
        self.asked: list[Confirmation] = []

    def __call__(self, asked: Confirmation) -> Answer:
        self.asked.append(asked)
        return asked.typed_target if self.answer == "TYPE IT" else self.answer


def run_step(
    runbook: Runbook,
    step_id: str,
    box: LogBox,
    step_targets: StepTargets,
    *,
    mode: Mode = Mode.LIVE,
    read_only: bool = False,
    confirm: Confirmer | None = None,
    typed: Iterable[tuple[str, str]] = (),
) -> StepOutcome:
    """Drive one step of `runbook` as the UI does; returns how it ended."""
    step = runbook.step(step_id)
    assert step is not None, step_id
    permissions = Permissions.decide(mode, read_only=read_only, environment="staging")
    run = StepRun(runbook, step, permissions=permissions, targets=step_targets, operator=OPERATOR)
    return drive(run, bind(runbook, **dict(typed)), confirm=confirm or Confirmer(),
                 append=box.append)  # fmt: skip
