"""Where the app's events come from: a live log being written, or a recorded one replayed.

Both kinds of session end in the same Folder, so the screens have one path for live and
replay. Neither knows Textual: the app calls `pump()` from a timer on its main thread and
compares `revision` (one integer that grows whenever the state changed) to decide whether the
screens have anything new to render.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cockpit.actions.approvals import ApprovalBook
from cockpit.clock import Clock
from cockpit.domain.command import STAMP, stamp_for
from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.feed import ObservationFeed
from cockpit.log.events import Event, Payload, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.scheduler import PollScheduler
from cockpit.wiring import PlannedSource

if TYPE_CHECKING:
    from cockpit.log.player import Player
    from cockpit.outbox.core import Outbox


class Session(Protocol):
    """What the app needs from live or replay."""

    mode: str
    """LIVE, DEMO or REPLAY (the header shows it)."""
    writable: bool
    """False in replay: nothing may be appended and no action may run."""
    log_path: str

    @property
    def state(self) -> IncidentState:
        """The current folded state."""
        ...

    @property
    def revision(self) -> int:
        """Grows (never decreases) every time `state` changed; screens compare it."""
        ...

    def now(self) -> datetime:
        """Wall time in live mode, virtual time in replay."""
        ...

    def pump(self) -> bool:
        """Fold whatever is new; True when the state changed."""
        ...

    def append(self, payload: Payload) -> Event:
        """Append an operator event (acknowledged: fsynced) and fold it."""
        ...

    async def start(self) -> None:
        """Begin polling (live) or stay paused at the start (replay)."""
        ...

    async def stop(self) -> None:
        """Stop polling and close the log."""
        ...


class ReadOnlySessionError(RuntimeError):
    """An append was attempted on a replay."""


Planner = Callable[[], tuple[Sequence[PlannedSource], SourcesConfigured]]
"""Builds the sources to poll; called in `start()`, after the first frame, because source
modules import heavy HTTP and database clients."""


class LiveSession:
    """Polls the planned sources, records every result, and folds the log as it grows
    (other cockpit processes appending to the same log included)."""

    writable = True

    def __init__(
        self,
        log: IncidentLog,
        planner: Planner,
        clock: Clock,
        *,
        mode: str = "LIVE",
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.mode = mode
        self.log = log
        self.log_path = log.path
        self._clock = clock
        self._folder = Folder()
        self._planner = planner
        self._on_stop = on_stop
        self._feed = ObservationFeed(log, clock)
        self._scheduler = PollScheduler(self._recorded)
        self.listener: Callable[[], None] | None = None
        """Called (on the event loop) when this process recorded a poll result; the app
        folds and renders at once instead of waiting for its next look at the file."""
        self.closed = False
        self.approvals = ApprovalBook()
        """Two-person rule: the approval requests and decisions folded from the log."""
        self._revision = 0
        self.outbox: Outbox | None = None
        """Mirrors the timeline to Slack and GitHub (None: neither is configured); set by
        the starter before `start`. Its outcomes are appended here, on this thread."""

    @property
    def state(self) -> IncidentState:
        """The fold of everything read from the log so far."""
        return self._folder.state

    def watch_path(self) -> Path | None:
        """The log file to watch when its writes are all that changes this session between
        polls (None: the outbox's posts or a shared store need the pump's timer)."""
        return None if self.outbox is not None else self.log.watchable()

    def now(self) -> datetime:
        """Wall-clock time (UTC)."""
        return self._clock.now()

    @property
    def revision(self) -> int:
        """Number of pumps that folded something (own appends and other writers' lines)."""
        return self._revision

    def pump(self) -> bool:
        """Fold the events appended since the last pump, ours and other processes'.

        The log is asked first whether anything can be new (for a file: one fstat; for the
        shared store: a notification or a heartbeat due): when not, nothing is locked, read
        or folded (the app calls this twice a second). The outbox's finished posts are
        appended first (workers never write the log themselves)."""
        outbox = self.outbox
        if outbox is not None and not self.closed:
            for outcome in outbox.take():
                self.log.append(outcome)
        if self.log.quiet():
            return False
        events = self.log.poll()
        if not events:
            return False
        self._folder.apply_all(events)
        self.approvals.apply_all(events)
        if outbox is not None:
            outbox.observe(events)
        self._revision += 1
        return True

    def append(self, payload: Payload) -> Event:
        """Append and fsync `payload`, then fold it (and anything before it).

        This is the one place operator events get their `incident_id` (the log format's
        per-incident stamp): the current incident's, or the one a declaration names. Other
        writers' lines are folded first, so the stamp names the incident as it is now.
        """
        self.pump()
        data = payload.to_data()
        stamp = stamp_for(self.state, payload.TYPE)
        if stamp and STAMP not in data:
            data[STAMP] = stamp
        event = self.log.append_data(payload.TYPE, data)
        self.pump()
        return event

    def _recorded(self, source: str, result: Snapshot | SourceError, started: float) -> Event:
        event = self._feed.on_result(source, result, started)
        if self.listener is not None:
            self.listener()
        return event

    def take_damage(self) -> list[str]:
        """Damage other processes did to the log since the last call, one line each (the
        app notifies them; each is also recorded in the log as `log.damaged`)."""
        return [damage.summary() for damage in self.log.take_damage()]

    async def start(self) -> None:
        """Record the source set, then start polling (inside the running event loop). The
        sources are built here, on the UI thread, after the first frame: built on a thread,
        their clients' imports (psycopg) left the live cockpit 1.4 MB larger."""
        planned, configured = self._planner()
        self.log.append(configured)
        for item in planned:
            self._scheduler.add(item.source, item.interval_s)
        self._scheduler.start()
        self.pump()

    def refresh_now(self) -> None:
        """Poll every source now (the operator pressed refresh)."""
        self._scheduler.refresh()

    async def stop(self, reason: str = "quit") -> None:
        """Stop polling, write `log.closed`, release the file."""
        from cockpit.log.events import LogClosed

        if self.closed:
            return
        self.closed = True
        await self._scheduler.stop()
        if self.outbox is not None:
            self.outbox.stop()
            for outcome in self.outbox.take():  # the last attempts' outcomes
                self.log.append(outcome)
        self.log.append(LogClosed(reason=reason))
        self.log.close()
        if self._on_stop is not None:
            self._on_stop()


class ReplaySession:
    """Plays a recorded log on a virtual clock into the same fold the live app uses."""

    mode = "REPLAY"
    writable = False

    def __init__(self, path: str | Path, clock: Clock, *, speed: float = 1.0) -> None:
        # Imported here: live and demo never replay, and the first frame waits on imports.
        from cockpit.log.player import Player

        self.log_path = str(path)
        self.player: Player = Player(path, Folder, clock=clock)
        self.player.set_speed(speed)
        self._revision = 0
        self._seen: tuple[int, int] = (-1, -1)

    @property
    def revision(self) -> int:
        """Grows whenever the state at the playhead changed (play, step, seek, rewind)."""
        state = self.state
        seen = (id(state), state.event_count)
        if seen != self._seen:
            self._seen = seen
            self._revision += 1
        return self._revision

    @property
    def state(self) -> IncidentState:
        """The state at the player's position."""
        fold = self.player.fold
        assert isinstance(fold, Folder)
        return fold.state

    def whole_log_state(self) -> IncidentState:
        """The state of the whole log, from the background fold (never folded here): its
        final state once done, else the latest checkpoint, else the playhead's state."""
        background = self.player.background.state
        if isinstance(background, IncidentState):
            return background
        return self.state

    @property
    def whole_log_complete(self) -> bool:
        """True once the background fold has read the whole log."""
        return self.player.background.done

    def now(self) -> datetime:
        """The virtual time (the first event's time before anything played)."""
        when = self.player.virtual_time
        if when is None:
            raise ReadOnlySessionError("this log has no events")
        return when

    def pump(self) -> bool:
        """Advance virtual time by the clock time elapsed since the last pump."""
        return bool(self.player.tick())

    def append(self, payload: Payload) -> Event:
        """Replays are read-only."""
        raise ReadOnlySessionError("a replay is read-only: nothing can be added to it")

    async def start(self) -> None:
        """Nothing to start: the transport bar drives the player."""

    async def stop(self) -> None:
        """Nothing to close: the player reads the file on demand."""
