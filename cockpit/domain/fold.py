"""The pure fold: IncidentState from log events, with checkpoints for fast seeking in replay."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cockpit.domain.command import COMMAND_HANDLERS
from cockpit.domain.lag import on_kafka
from cockpit.domain.observe import on_alerts, on_failed, on_polled, on_postgres, on_tenants
from cockpit.domain.state import IncidentState, UnknownEvent
from cockpit.log import events as ev


def _drill_only(state: IncidentState, event: ev.Event) -> None:
    """Drill bookkeeping (its source, runbooks opened, the debrief): read by the debrief
    (`cockpit.domain.drill`), nothing to fold."""


_OBSERVATIONS: dict[str, Callable[[IncidentState, ev.Event], None]] = {
    ev.SourcePolled.TYPE: on_polled,
    ev.SourceFailed.TYPE: on_failed,
    ev.AlertsObserved.TYPE: on_alerts,
    ev.KafkaLagObserved.TYPE: on_kafka,
    ev.TenantQuotaObserved.TYPE: on_tenants,
    ev.PostgresConnectionsObserved.TYPE: on_postgres,
    ev.DrillStarted.TYPE: _drill_only,
    ev.RunbookOpened.TYPE: _drill_only,
    ev.DrillDebriefed.TYPE: _drill_only,
}

# Data problems a handler can meet in a damaged or foreign line; anything else is a bug.
_DATA_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)


class Folder:
    """Applies events one by one to an IncidentState (the player protocol).

    No clock and no I/O: the same events always give an equal state. An event that cannot
    be used (unknown type, unreadable data) is kept in `state.unknown` and counted, never
    raised, so a damaged log still replays.
    """

    __slots__ = ("_state",)

    def __init__(self, state: IncidentState | None = None, *, keep_history: bool = True) -> None:
        """`keep_history=False` leaves the series histories (sparklines) empty: for a pass
        that reports the rest only, such as an export."""
        self._state = state if state is not None else IncidentState(keep_history=keep_history)

    @property
    def state(self) -> IncidentState:
        """The state after every event applied so far (live object: do not mutate)."""
        return self._state

    def apply(self, event: ev.Event) -> None:
        """Fold one event into the state."""
        state = self._state
        kind = event.type
        if state.closed and kind != ev.LogClosed.TYPE:
            state.closed = False  # the log was reopened and written to again
        handler = _OBSERVATIONS.get(kind)
        try:
            if handler is not None:
                handler(state, event)
                state.source_seq[str(event.data.get("source"))] = event.seq
            elif kind in COMMAND_HANDLERS:
                payload = event.payload()
                if isinstance(payload, ev.UnknownPayload):
                    _keep(state, event, "required fields missing")
                else:
                    COMMAND_HANDLERS[kind](state, event, payload)
            else:
                _keep(state, event, "unknown event type")
        except _DATA_ERRORS as exc:
            _keep(state, event, f"unreadable data: {type(exc).__name__}: {exc}"[:200])
        state.last_seq = event.seq
        state.last_ts = event.ts
        state.event_count += 1

    def apply_all(self, events: Iterable[ev.Event]) -> None:
        """Fold every event of `events`, in order."""
        apply = self.apply
        for event in events:
            apply(event)

    def checkpoint(self) -> IncidentState:
        """An independent copy of the state, to `restore` later."""
        return self._state.copy()

    def restore(self, checkpoint: object) -> None:
        """Go back to a state returned by `checkpoint` (which stays reusable)."""
        if not isinstance(checkpoint, IncidentState):
            raise TypeError(f"not a Folder checkpoint: {type(checkpoint).__name__}")
        self._state = checkpoint.copy()


def _keep(state: IncidentState, event: ev.Event, reason: str) -> None:
    state.unknown.append(UnknownEvent(event.type, event.seq, event.ts, reason))
    state.unknown_counts[event.type] = state.unknown_counts.get(event.type, 0) + 1


def fold(events: Iterable[ev.Event]) -> IncidentState:
    """The state after all of `events`."""
    folder = Folder()
    folder.apply_all(events)
    return folder.state
