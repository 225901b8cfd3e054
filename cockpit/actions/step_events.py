"""The log events of a step run: a diagnostic's or a mitigation's request and outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cockpit.log.events import (
    JSON,
    MitigationCompleted,
    MitigationRequested,
    Payload,
    StepRunCompleted,
    StepRunRequested,
)
from cockpit.runbook.model import Step


@dataclass(frozen=True, slots=True)
class RunLog:
    """Who runs which step in which run: builds the run's events (appends nothing).

    A mitigation's events are `mitigation.*`, a diagnostic's `step.*`; both carry the actor.
    """

    run_id: str
    runbook: str
    step: Step
    mitigating: bool
    actor: str

    def requested(self, what: str, params: Mapping[str, JSON]) -> Payload:
        """The request, with what runs (or why it did not) and the checked parameters."""
        step = self.step
        if self.mitigating:
            return MitigationRequested(self.run_id, self.runbook, step.id, step.kind, what,
                                       dict(params), self.actor)  # fmt: skip
        return StepRunRequested(self.run_id, self.runbook, step.id, step.kind, step.role,
                                dict(params), what, self.actor)  # fmt: skip

    def completed(
        self, outcome: str, summary: str, result: JSON = None, duration_ms: float = 0.0
    ) -> Payload:
        """The outcome: ok, failed, timeout, refused or cancelled, with its summary."""
        if self.mitigating:
            return MitigationCompleted(self.run_id, outcome, summary, result, duration_ms,
                                       self.actor)  # fmt: skip
        return StepRunCompleted(self.run_id, self.runbook, self.step.id, outcome, summary,
                                result, duration_ms, self.actor)  # fmt: skip
