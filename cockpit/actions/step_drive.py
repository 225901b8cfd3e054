"""Drive one step run from start to end: the one path of the CLI, the tests and the UI's worker.

`append` writes an event where the log lives (the UI passes a call onto its own thread);
`confirm` answers the confirmation (the UI shows a dialog, the tests answer in code). Nothing
runs unless its request and confirmation are in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cockpit.actions.step_run import Answer, Events, Phase, StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.log.events import Payload
from cockpit.runbook.exec.base import StepResult
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean

LOG_ERRORS = (OSError, ValueError, RuntimeError)
"""What appending to the log may raise (disk, a damaged log, a closed log)."""


class Confirmer(Protocol):
    """Answers a confirmation: True (yes), the typed-back target, or False/None (declined)."""

    def __call__(self, asked: Confirmation) -> Answer: ...


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """How a step run ended, for the screen, the CLI and the tests."""

    run_id: str
    step_id: str
    phase: Phase
    outcome: str
    summary: str
    result: StepResult | None = None

    @property
    def ran(self) -> bool:
        """True when the step was executed (whatever its result)."""
        return self.phase is Phase.FINISHED


def drive(
    run: StepRun,
    bound: BoundParams | ParamError,
    *,
    confirm: Confirmer,
    append: Callable[[Payload], object],
    detected_at: datetime | None = None,
    stream: OutputStream | None = None,
    started: Callable[[StepRun], object] | None = None,
) -> StepOutcome:
    """prepare → request → confirm → execute → finish, or refuse/cancel before execute.

    Blocking (planning and executing reach the platform): call it from a worker thread in
    the UI. `started` is told just before the step executes. Never raises on data.
    """

    def log(events: Events) -> None:
        for event in events:
            try:
                append(event)
            except LOG_ERRORS as err:
                raise _NotLogged(clean(err, single_line=True, max_len=120)) from err

    try:
        log(run.prepare(bound, detected_at))
        if not run.is_in(Phase.PREPARED):
            return outcome(run)
        log(run.request())
        asked = run.confirmation()
        log(run.confirm(_ask(confirm, asked) if asked is not None else None))
    except _NotLogged as err:
        if run.is_in(Phase.REFUSED):
            return outcome(run, f"{run.summary} (not logged: {err})")
        return StepOutcome(run.run_id, run.step.id, run.phase, "failed",
                           f"not logged ({err}); nothing ran")  # fmt: skip
    if not run.is_in(Phase.CONFIRMED):
        return outcome(run)
    if started is not None:
        started(run)
    result, duration_ms = run.execute(stream)
    try:
        log(run.finish(result, duration_ms))
    except _NotLogged as err:
        return outcome(run, f"{result.summary} (outcome not logged: {err})")
    return outcome(run)


class _NotLogged(Exception):
    """An event could not be appended: what ran or not must be said, not lost."""


def _ask(confirm: Confirmer, asked: Confirmation) -> Answer:
    try:
        return confirm(asked)
    except Exception:  # a confirmation that could not be asked is a no
        return None


def outcome(run: StepRun, summary: str | None = None) -> StepOutcome:
    """The outcome of `run` as it stands."""
    return StepOutcome(
        run.run_id,
        run.step.id,
        run.phase,
        run.outcome,
        run.summary if summary is None else summary,
        run.result,
    )
