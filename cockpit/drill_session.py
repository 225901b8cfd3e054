"""A drill: a past incident log's observations replayed, in time, into a new drill log.

The source log is played on the drill's clock; each observation that becomes due (alerts,
lag, connections, quotas, source health) is appended to the drill log as if it had just been
polled. The original responders' events (declaration, notes, roles, steps, status, resolve)
are never copied: the trainee writes their own through the normal actions. No Textual here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cockpit.clock import Clock, parse_rfc3339, rfc3339
from cockpit.domain.command import STAMP
from cockpit.domain.drill import OBSERVED, DebriefRow, debrief_rows, marks, right_runbook
from cockpit.log.events import JSON, DrillDebriefed, Event, Payload, RunbookOpened
from cockpit.log.player import Player
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.session import LiveSession, Planner


class ScaledClock:
    """Wall time from `origin` on, running `speed` times faster (the drill's clock)."""

    def __init__(self, base: Clock, speed: float) -> None:
        self._base = base
        self._speed = speed
        self._origin = base.now()

    def now(self) -> datetime:
        """The drill time: origin + elapsed x speed."""
        return self._origin + (self._base.now() - self._origin) * self._speed


@dataclass(frozen=True, slots=True)
class SourceIdentity:
    """How the drill log names its source: file name, file digest, last chain hash."""

    name: str
    sha256: str
    last_hash: str
    first_ts: datetime


def identify(path: str | Path) -> SourceIdentity:
    """Read the source log once (ReadError when it is damaged or not a log)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    first: datetime | None = None
    last = ""
    for record in LogReader(path):
        first = first or record.event.ts
        last = record.event.hash
    if first is None:
        raise ValueError(f"{path}: the log is empty")
    return SourceIdentity(Path(path).name, digest.hexdigest(), last, first)


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def shifted(value: JSON, offset: timedelta) -> JSON:
    """`value` with every RFC 3339 time in it moved by `offset` (an alert's `active_since`
    must be as old in the drill as it was in the incident)."""
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        try:
            return rfc3339(parse_rfc3339(value) + offset)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {k: shifted(v, offset) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shifted(v, offset) for v in value]
    return value


class _Collector:
    """The player's fold: keeps the events that became due until the session copies them."""

    def __init__(self) -> None:
        self.due: list[Event] = []

    def apply(self, event: Event) -> None:
        self.due.append(event)

    def checkpoint(self) -> object:
        return None

    def restore(self, checkpoint: object) -> None:
        self.due = []


class DrillSession(LiveSession):
    """A writable session on the drill log fed by the source log instead of sources."""

    def __init__(
        self,
        log: IncidentLog,
        source: str | Path,
        clock: Clock,
        *,
        planner: Planner,
        trainee: str,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(log, planner, clock, mode="DRILL", on_stop=on_stop)
        self.source = str(source)
        self.trainee = trainee
        self.player = Player(source, _Collector, clock=clock)
        self._offset = self._drill_offset()
        self.finished = False
        """True once every event of the source log has been played."""
        self.debrief: tuple[DebriefRow, ...] | None = None
        self.right_runbook = ""
        """The runbook the original responders turned to first (known after the debrief)."""

    def _drill_offset(self) -> timedelta:
        """Drill time minus source time for the events played from now on."""
        start = self.player.virtual_time
        return self._clock.now() - start if start is not None else timedelta(0)

    def _due(self) -> list[Event]:
        fold = self.player.fold
        assert isinstance(fold, _Collector)
        due, fold.due = fold.due, []
        return due

    def feed(self) -> int:
        """Copy the observations that became due into the drill log; returns how many."""
        if self.closed:
            return 0
        self.player.tick()
        copied = 0
        for event in self._due():
            if event.type in OBSERVED:
                data = {k: shifted(v, self._offset) for k, v in event.data.items() if k != STAMP}
                self.log.append_data(event.type, data)
                copied += 1
        if self.player.position.at_end:
            self.finished = True
        return copied

    def watch_path(self) -> Path | None:
        """None: the source log's events are fed on the drill's clock, by the pump's timer."""
        return None

    def pump(self) -> bool:
        """Feed what is due from the source, then fold the drill log."""
        self.feed()
        return super().pump()

    def append(self, payload: Payload) -> Event:
        """The trainee's event, after the observations due before it."""
        self.feed()
        return super().append(payload)

    def opened_runbook(self, runbook: str) -> None:
        """Record that the trainee opened `runbook` (the debrief times the first right one)."""
        if not self.closed:
            self.append(RunbookOpened(runbook=runbook, actor=self.trainee))

    async def start(self) -> None:
        """Start the simulated platform (steps run there), then the source's clock."""
        self._planner()
        self._offset = self._drill_offset()
        self.player.play()
        self.pump()

    def compare(self) -> tuple[tuple[DebriefRow, ...], str]:
        """The debrief rows and the right runbook, read from both logs on disk (only reads
        files: run it on a worker thread for long logs)."""
        source = [record.event for record in LogReader(self.source)]
        runbook = right_runbook(source)
        trainee = [record.event for record in LogReader(self.log_path)]
        return debrief_rows(marks(source, runbook), marks(trainee, runbook)), runbook or ""

    def keep_debrief(self, rows: tuple[DebriefRow, ...], runbook: str, reason: str) -> None:
        """Append the debrief to the drill log (once; on the thread that appends)."""
        if self.debrief is not None:
            return
        self.debrief, self.right_runbook = rows, runbook
        if not self.closed:
            self.append(
                DrillDebriefed(
                    reason=reason,
                    right_runbook=runbook,
                    rows=tuple(row.to_data() for row in rows),
                    trainee=self.trainee,
                )
            )
