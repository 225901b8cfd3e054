"""How state reaches the screens: one coalescing message when the log advanced, and the
contract of a screen that renders it (state pushed down, never polled)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeGuard, runtime_checkable

from textual.message import Message

from cockpit.domain.state import IncidentState

TICK_S = 1.0
"""The one clock tick (1 Hz): ages and clocks move, nothing else is rebuilt."""


class StateAdvanced(Message):
    """The session's state reached `revision` (own appends, other writers, replay ticks).

    A burst collapses into one: a pending `StateAdvanced` is replaced by the newer one, so
    N appends in a row cost one render."""

    def __init__(self, revision: int) -> None:
        super().__init__()
        self.revision = revision

    def can_replace(self, message: Message) -> bool:
        """Any older `StateAdvanced` still queued is superseded by this one."""
        return isinstance(message, StateAdvanced)


@runtime_checkable
class StateView(Protocol):
    """A screen that renders the session's state when the app hands it over."""

    revision: int
    """The revision last rendered (-1: none yet); the app compares it, nothing else."""

    def show_state(self, state: IncidentState, now: datetime, revision: int) -> None:
        """Render `state` (the app calls this on `StateAdvanced`, only for the active screen)."""
        ...

    def show_time(self, now: datetime) -> None:
        """The 1 Hz tick: move the visible ages and clocks to `now`, rebuild nothing."""
        ...


_VIEWS: dict[type, bool] = {}


def is_state_view(screen: object) -> TypeGuard[StateView]:
    """`isinstance(screen, StateView)`, decided once per class: a runtime protocol check
    walks the protocol's members at every call, and the 1 Hz tick asks it every second."""
    cls = type(screen)
    known = _VIEWS.get(cls)
    if known is None:
        known = _VIEWS[cls] = isinstance(screen, StateView)
    return known
