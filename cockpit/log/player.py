"""Replay player: a virtual clock over a log feeding a fold, with checkpoints for fast seeks."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from cockpit.clock import Clock
from cockpit.log.events import Event
from cockpit.log.index import LogIndex
from cockpit.log.reader import LogReader, ReadError, Record

MIN_SPEED, MAX_SPEED = 1.0, 64.0
HUMAN_KINDS = frozenset(
    {"note", "mitigation", "step", "incident", "milestone", "status", "escalation"}
)
"""First part of the event types an operator produced (what "next human event" stops on)."""


class Foldable(Protocol):
    """The state a replay drives. `restore` may be called many times with one checkpoint,
    so it must not alias it (copy, or use immutable structures)."""

    def apply(self, event: Event) -> None: ...

    def checkpoint(self) -> object: ...

    def restore(self, checkpoint: object) -> None: ...


def is_human(event: Event) -> bool:
    """True for events an operator caused (notes, mitigations, steps, incident fields...)."""
    return event.type.split(".", 1)[0] in HUMAN_KINDS


@dataclass(frozen=True, slots=True)
class Position:
    """Where the replay is, for the status bar."""

    virtual_time: datetime | None
    seq: int
    total: int | None
    playing: bool
    speed: float
    at_end: bool
    error: str | None


@dataclass(frozen=True, slots=True)
class _Checkpoint:
    seq: int
    ts: datetime | None
    next_offset: int
    state: object


class Player:
    """Plays a log into `fold`. Never reads the wall clock itself: `tick()` asks `clock`,
    `advance(real_seconds)` is driven by the caller; both apply the events that became due."""

    def __init__(
        self,
        path: str | Path,
        factory: Callable[[], Foldable],
        *,
        clock: Clock,
        index: LogIndex | None = None,
        checkpoint_every: int = 20_000,
    ) -> None:
        self.path = path
        self.fold = factory()
        self._factory = factory
        self._clock = clock
        self.index = index
        self.checkpoint_every = max(1, checkpoint_every)
        self._lock = threading.Lock()
        self._cps: list[_Checkpoint] = [_Checkpoint(0, None, 0, self.fold.checkpoint())]
        self._cp_seqs: list[int] = [0]
        self.playing = False
        self.speed = MIN_SPEED
        self.error: str | None = None
        self._last_tick: datetime | None = None
        self._reposition(self._cps[0])
        first = self._peek()
        self.virtual_time: datetime | None = first.event.ts if first else None
        self.start: datetime | None = self.virtual_time
        """Time of the log's first event: T+0 of the replay, wherever it is seeked to."""
        if self.virtual_time is not None:
            self._apply_until(self.virtual_time)

    # --- controls ------------------------------------------------------------------------

    def play(self) -> None:
        """Start (or resume) pacing from the clock."""
        self.playing = True
        self._last_tick = self._clock.now()

    def pause(self) -> None:
        """Stop moving virtual time."""
        self.playing = False
        self._last_tick = None

    def set_speed(self, speed: float) -> None:
        """Playback speed, 1x to 64x (ValueError outside)."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}, not {speed}")
        self.speed = speed

    def tick(self) -> list[Event]:
        """Called from a UI timer: advance by the clock time elapsed since the last tick."""
        if not self.playing:
            return []
        now = self._clock.now()
        elapsed = 0.0 if self._last_tick is None else (now - self._last_tick).total_seconds()
        self._last_tick = now
        return self.advance(max(elapsed, 0.0))

    def advance(self, real_seconds: float) -> list[Event]:
        """Move virtual time by `real_seconds` x speed (while playing); returns applied events."""
        if not self.playing or self.virtual_time is None:
            return []
        target = self.virtual_time + timedelta(seconds=real_seconds * self.speed)
        applied = self._apply_until(target)
        self.virtual_time = target
        if self._peek() is None:
            self.pause()  # at the end: stop on the last event's time, not beyond
            self.virtual_time = self._last_ts or self.virtual_time
        return applied

    def step(self) -> Event | None:
        """Apply the next event and move virtual time to it; None at the end."""
        record = self._peek()
        if record is None:
            return None
        self._apply(record)
        self.virtual_time = max(record.event.ts, self.virtual_time or record.event.ts)
        return record.event

    def step_human(self) -> Event | None:
        """Apply events up to and including the next human one; None if there is none."""
        while (event := self.step()) is not None:
            if is_human(event):
                return event
        return None

    def seek(self, when: datetime) -> None:
        """Show the state at `when`: restore the nearest checkpoint before it, fold forward."""
        with self._lock:
            usable = [cp for cp in self._cps if cp.ts is None or cp.ts <= when]
        best = usable[-1]
        behind = self.virtual_time is not None and when < self.virtual_time
        if behind or best.seq > self.seq:
            self.fold.restore(best.state)
            self._reposition(best)
        self._apply_until(when, collect=False)
        self.virtual_time = when

    @property
    def position(self) -> Position:
        """Current virtual time, seq, total (once indexed), playing state and speed."""
        total = self.index.last.seq if self.index and self.index.last else None
        return Position(
            self.virtual_time,
            self.seq,
            total,
            self.playing,
            self.speed,
            self._peek() is None,
            self.error,
        )

    # --- checkpoints ---------------------------------------------------------------------

    def build_checkpoints(self, stop: threading.Event | None = None) -> int:
        """Fold the whole log in a private state, keeping checkpoints; run it in a thread so
        later seeks anywhere cost at most `checkpoint_every` events. Returns events read."""
        fold = self._factory()
        count = 0
        try:
            for record in LogReader(self.path):
                if stop is not None and stop.is_set():
                    break
                fold.apply(record.event)
                count += 1
                self._maybe_checkpoint(fold, record)
        except ReadError:
            pass  # the foreground replay reports the damage when it gets there
        return count

    def _maybe_checkpoint(self, fold: Foldable, record: Record) -> None:
        seq = record.event.seq
        if seq % self.checkpoint_every:
            return
        with self._lock:
            at = bisect.bisect_left(self._cp_seqs, seq)
            if at < len(self._cp_seqs) and self._cp_seqs[at] == seq:
                return
            cp = _Checkpoint(seq, record.event.ts, record.offset + record.size, fold.checkpoint())
            self._cp_seqs.insert(at, seq)
            self._cps.insert(at, cp)

    # --- reading -------------------------------------------------------------------------

    def _reposition(self, cp: _Checkpoint) -> None:
        reader = LogReader(
            self.path, start_offset=cp.next_offset, start_line=cp.seq + 1, after_seq=cp.seq
        )
        self._cursor: Iterator[Record] = iter(reader)
        self._next: Record | None = None
        self.seq = cp.seq
        self._last_ts = cp.ts
        self.error = None

    def _peek(self) -> Record | None:
        if self._next is None and self.error is None:
            try:
                self._next = next(self._cursor, None)
            except ReadError as err:
                self.error = str(err)
        return self._next

    def _apply(self, record: Record) -> None:
        self._next = None
        self.fold.apply(record.event)
        self.seq = record.event.seq
        self._last_ts = record.event.ts
        self._maybe_checkpoint(self.fold, record)

    def _apply_until(self, when: datetime, *, collect: bool = True) -> list[Event]:
        applied: list[Event] = []
        while (record := self._peek()) is not None and record.event.ts <= when:
            self._apply(record)
            if collect:
                applied.append(record.event)
        return applied
