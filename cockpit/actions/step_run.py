"""A runbook step run as one state machine: prepare, request, confirm, execute, finish or refuse.

Every transition returns the events to append; none appends itself, so the object can be
driven from a worker thread while the log stays on the thread that owns it (see
`step_drive.drive`). Whether a step may run is the session's `Permissions`: a step that
changes the platform (`safety.changes_platform`) needs `write_platform`, any other step
`read_platform`. In a production environment every mitigation needs its target typed back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from cockpit.actions.approvals import Approval, ApprovalBook
from cockpit.actions.step_events import RunLog
from cockpit.actions.step_gate import argo_refusal, refusal
from cockpit.actions.step_where import Confirmation, where_lines
from cockpit.clock import Clock
from cockpit.log.events import JSON, ChecklistTicked, MitigationConfirmed, Payload
from cockpit.log.events_approval import ApprovalRequested, ApprovalUsed
from cockpit.permissions import Capability, Permissions
from cockpit.runbook import safety
from cockpit.runbook.exec import runner
from cockpit.runbook.exec.base import Operator, StepResult, StepTargets
from cockpit.runbook.exec.runner import Planned, StepRefused
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean

Answer = str | bool | None
"""A confirmation's answer: True (yes), the typed-back target, False or None (declined)."""
Events = tuple[Payload, ...]
MISMATCH = "the typed target did not match; nothing ran"


class Phase(StrEnum):
    """Where a step run is; refused, cancelled and finished are final."""

    NEW = "new"
    PREPARED = "prepared"
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    FINISHED = "finished"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    AWAITING_APPROVAL = "awaiting approval"
    """Final for this run: the step needs another person's approval first (two-person rule)."""


class PhaseError(Exception):
    """A transition was asked in the wrong phase (a bug in the caller, never data)."""


class StepRun:
    """One run of one step by one operator in one session."""

    def __init__(
        self,
        runbook: Runbook,
        step: Step,
        *,
        permissions: Permissions,
        targets: StepTargets,
        operator: Operator,
        approvals: ApprovalBook | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.runbook, self.step = runbook, step
        self.approvals, self.clock = approvals, clock
        self.approval: Approval | None = None
        """The approval this run uses (a step under the two-person rule)."""
        self.permissions, self.targets, self.operator = permissions, targets, operator
        self.run_id = uuid.uuid4().hex[:12]
        self.phase = Phase.NEW
        self.mitigating = safety.changes_platform(step)
        self.planned: Planned | None = None
        self.outcome = ""
        self.summary = ""
        self.result: StepResult | None = None

    def is_in(self, phase: Phase) -> bool:
        """True when the run is in `phase` now."""
        return self.phase is phase

    def _need(self, *phases: Phase) -> None:
        if self.phase not in phases:
            raise PhaseError(f"step run {self.run_id} is {self.phase}, not {phases[0]}")

    # --- prepare / refuse -------------------------------------------------------------------

    def prepare(
        self, bound: BoundParams | ParamError, detected_at: datetime | None = None
    ) -> Events:
        """Permission, parameters, plan (blocking for k8s writes). Refused: the events of
        the attempt; prepared: nothing yet. `bound` is a ParamError when binding failed."""
        self._need(Phase.NEW)
        why = refusal(self.step, self.permissions)
        if why is not None:
            return self.refuse(why)
        if isinstance(bound, ParamError):
            return self.refuse(str(bound))
        argo = argo_refusal(self.runbook, self.step, bound.values, self.targets.argocd)
        if argo is not None:
            return self.refuse(argo)
        try:
            self.planned = runner.plan(self.step, bound, self.targets, detected_at)
        except StepRefused as err:
            return self.refuse(err.reason, err.outcome, err.params)
        if self.step.approval:
            return self._approval_phase()
        self.phase = Phase.PREPARED
        return ()

    def _approval_phase(self) -> Events:
        """Two-person rule: go on with a usable approval, else request one (or say which
        request is still waiting) and stop here."""
        who = clean(self.step.approval or "", max_len=80, single_line=True)
        if self.approvals is None or self.clock is None:
            return self.refuse(f"needs approval by {who}, and this session keeps no approvals")
        now, actor = self.clock.now(), self.operator.actor
        book, rb, step = self.approvals, self.runbook.id, self.step.id
        self.approval = book.usable(rb, step, actor, now)
        if self.approval is not None:
            self.phase = Phase.PREPARED
            return ()
        self.phase, self.outcome = Phase.AWAITING_APPROVAL, "awaiting approval"
        waiting = book.waiting(rb, step, actor, now)
        if waiting is not None:
            self.summary = f"request {waiting.request.request_id} still waits for approval by {who}"
            return ()
        planned = self._planned()
        self.summary = (
            f"approval requested from {who} (request {self.run_id}): another person "
            "approves it by typing the target, then run the step again"
        )
        return (
            ApprovalRequested(self.run_id, rb, step, planned.plan.what, planned.target, who, actor),
        )

    def refuse(
        self, reason: str, outcome: str = "refused", params: Mapping[str, JSON] | None = None
    ) -> Events:
        """End before anything ran; so an auditor sees the attempt, a request and its outcome
        (nothing when the session may not record: a replay is never changed)."""
        self._need(Phase.NEW, Phase.PREPARED)
        self.phase, self.outcome = Phase.REFUSED, outcome
        self.summary = clean(reason, max_len=300, single_line=True)
        if not self.permissions.allows(Capability.RECORD):
            return ()
        log = self._log()
        what = f"not run: {self.summary}"
        return (log.requested(what, params or {}), log.completed(outcome, self.summary))

    # --- request / confirm ------------------------------------------------------------------

    def request(self) -> Events:
        """The request, with exactly what will run and the checked parameters."""
        self._need(Phase.PREPARED)
        planned = self._planned()
        self.phase = Phase.REQUESTED
        requested = self._log().requested(planned.plan.what, planned.params)
        if self.approval is None:
            return (requested,)
        used = ApprovalUsed(self.approval.request.request_id, self.run_id, self.operator.actor)
        return (used, requested)

    def confirmation(self) -> Confirmation | None:
        """What to ask before running, or None when the step needs no confirmation."""
        if not self.mitigating:
            return None
        planned, known = self._planned(), self.targets.where
        where = replace(
            known,
            environment=known.environment or self.permissions.environment or "unnamed",
            production=known.production or self.permissions.production,
        )
        typed = self.step.danger or where.production or self.step.confirm == "typed"
        return Confirmation(
            self.run_id,
            self.step.title,
            planned.plan.what,
            where.environment,
            where.production,
            where_lines(
                self.step,
                planned.plan,
                where,
                self._dsn(),
                simulated=self.targets.toolbox is not None,
                argo_server=self.targets.argocd.server if self.targets.argocd else "",
            ),
            planned.target if typed else None,
        )

    def confirm(self, answer: Answer) -> Events:
        """The operator's answer: run it, declined (cancelled) or a wrong target (refused)."""
        self._need(Phase.REQUESTED)
        asked = self.confirmation()
        if asked is None:
            self.phase = Phase.CONFIRMED
            return ()
        if answer is None or answer is False:
            self.phase, self.outcome = Phase.CANCELLED, "cancelled"
            self.summary = "declined; nothing ran"
            return (self._log().completed("cancelled", self.summary),)
        typed = answer if isinstance(answer, str) else None
        if asked.typed_target is not None and (typed or "").strip() != asked.typed_target:
            self.phase, self.outcome, self.summary = Phase.REFUSED, "refused", MISMATCH
            return (self._log().completed("refused", MISMATCH),)
        self.phase = Phase.CONFIRMED
        return (MitigationConfirmed(self.run_id, self.operator.actor, typed),)

    # --- execute / finish -------------------------------------------------------------------

    def execute(self, stream: OutputStream | None = None) -> tuple[StepResult, float]:
        """Run the plan (blocking; call from a worker); never raises. No event, no change."""
        self._need(Phase.CONFIRMED)
        return runner.execute(self.step, self._planned().plan, self.targets, stream)

    def finish(self, result: StepResult, duration_ms: float) -> Events:
        """The outcome with its summary and trimmed result; a `check` step that passed is
        also a checklist tick (`RUNBOOK:STEP`) for incident command and the export."""
        self._need(Phase.CONFIRMED)
        self.phase, self.result = Phase.FINISHED, result
        self.outcome, self.summary = result.outcome, result.summary
        done = self._log().completed(result.outcome, result.summary, result.to_json(), duration_ms)
        if self.step.kind != "check" or result.outcome != "ok":
            return (done,)
        tick = f"{self.runbook.id}:{self.step.id}"
        return (done, ChecklistTicked(tick, True, self.operator.actor))

    def _dsn(self) -> str | None:
        targets = self.targets
        return targets.postgres_mitigation_dsn if self.mitigating else targets.postgres_dsn

    def _log(self) -> RunLog:
        actor = self.operator.actor
        return RunLog(self.run_id, self.runbook.id, self.step, self.mitigating, actor)

    def _planned(self) -> Planned:
        if self.planned is None:
            raise PhaseError(f"step run {self.run_id} has no plan")
        return self.planned
