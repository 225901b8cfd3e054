"""What an operator action returns: events to append and follow-up calls, or a refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cockpit.log.events import Payload


@dataclass(frozen=True, slots=True)
class Refused:
    """The action was not done; `reason` says why, in one line for the operator."""

    reason: str


@dataclass(frozen=True, slots=True)
class Done:
    """How a follow-up call went: a past-tense line, the events recording it, its result."""

    ok: bool
    message: str
    events: tuple[Payload, ...] = ()
    value: Any = None


@dataclass(frozen=True, slots=True)
class Followup:
    """A blocking call to an outside system (PagerDuty, a status page).

    The UI runs `run` in a thread worker, then hands the returned `Done` back to
    `Actions.record` on its main thread; nothing here touches the log or the screen.
    """

    what: str
    """What is being done, in the present tense ("acknowledging Q1A2 in PagerDuty")."""
    run: Callable[[], Done]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The action was done: its events (appended by `Actions`) and what runs next."""

    events: tuple[Payload, ...] = ()
    message: str = ""
    followups: tuple[Followup, ...] = ()

    def then(self, *more: Followup) -> Outcome:
        """The same outcome with more follow-ups."""
        return Outcome(self.events, self.message, self.followups + more)


Result = Outcome | Refused
"""Every action returns one of these."""
