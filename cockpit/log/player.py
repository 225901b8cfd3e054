"""Replay player: a virtual clock over a log feeding a fold, with checkpoints for fast seeks.

This is the one checkpoint implementation of the cockpit: a background fold (`start_background`)
keeps the folded state every `checkpoint_every` events with the file offset after it, so a
seek restores the nearest one and folds at most that many events. The playing fold keeps
them too as it moves forward, and the background fold starts where they stop: what
`replay --at` folded at startup is not folded a second time. `prepare_seek` does the
folding without touching the player (run it in a worker), `adopt` installs the result.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
COURTESY_EVERY = 32
"""Events the background fold folds between two calls of its `courtesy` (about 1 ms)."""
COURTESY_BYTES = 64 * 1024
"""A line this big (a large observation) gets its own call: it alone takes a millisecond or more."""


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
class Checkpoint:
    """A folded state after event `seq`; `ts` is the latest event time up to it and
    `next_offset` where the next line starts."""

    seq: int
    ts: datetime | None
    next_offset: int
    state: object


@dataclass(frozen=True, slots=True)
class Background:
    """How far the background fold got: its latest checkpointed state (the final one once
    `done`), the seq it stands at, and the log's last seq when done."""

    state: object | None
    seq: int
    done: bool
    error: str | None


@dataclass(slots=True)
class PreparedSeek:
    """A fold positioned at `when`, built off the UI thread; `Player.adopt` installs it."""

    when: datetime
    fold: Foldable
    cursor: Iterator[Record]
    next: Record | None
    seq: int
    last_ts: datetime | None
    offset: int
    error: str | None


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
        checkpoint_every: int = 2_000,
    ) -> None:
        self.path = path
        self.fold = factory()
        self._factory = factory
        self._clock = clock
        self.index = index
        self.checkpoint_every = max(1, checkpoint_every)
        self._lock = threading.Lock()
        self._playhead = threading.RLock()
        """Held while the playing fold changes (the thread that drives the player) and while
        it is copied (`here`, from any thread): a copy is taken between two events."""
        self._cps: list[Checkpoint] = [Checkpoint(0, None, 0, self.fold.checkpoint())]
        self._cp_seqs: list[int] = [0]
        self._cp_times: list[datetime] = [datetime.min.replace(tzinfo=UTC)]
        self.playing = False
        self.speed = MIN_SPEED
        self.error: str | None = None
        self._last_tick: datetime | None = None
        self._background = Background(None, 0, False, None)
        self._running = False
        self._offset = 0
        self._due = self.checkpoint_every
        """The playing fold keeps a checkpoint once it reaches this seq (see `_kept`)."""
        self._cursor: Iterator[Record] = iter(())
        self._next: Record | None = None
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
        """Show the state at `when` (on the caller's thread; the app uses `prepare_seek` in a
        worker and `adopt`, so keys never wait on a fold).

        Forward from the playhead with no checkpoint in between, the events are folded into
        the playing fold: no copy of it, and the line already read ahead (`replay --at` has
        a big observation there) is not read a second time."""
        if self._ahead_of_checkpoints(when):
            self._apply_until(when, collect=False)
            self.virtual_time = when
            return
        self.adopt(self.prepare_seek(when, self.here()))

    def _ahead_of_checkpoints(self, when: datetime) -> bool:
        """True when `prepare_seek(when, self.here())` would fold on from the playhead."""
        if self.error is not None or (self._last_ts is not None and self._last_ts > when):
            return False
        with self._lock:
            at = bisect.bisect_right(self._cp_times, when) - 1
            return self._cps[max(at, 0)].seq <= self.seq

    def here(self) -> Checkpoint | None:
        """The playhead as a starting point for `prepare_seek` (a copy of the fold, taken
        between two events whatever thread asks)."""
        with self._playhead:
            if self.error is not None:
                return None
            return Checkpoint(self.seq, self._last_ts, self._offset, self.fold.checkpoint())

    def prepare_seek(
        self,
        when: datetime,
        here: Checkpoint | None = None,
        stop: threading.Event | None = None,
    ) -> PreparedSeek:
        """A new fold at `when`: from the nearest checkpoint before it (or `here`, the
        playhead, when that is nearer), folded forward. Touches nothing the UI reads;
        `stop` abandons it (a newer seek superseded it: the result is then partial)."""
        best = self._wait_for_checkpoint(when, here, stop)
        if here is not None and best.seq < here.seq and (here.ts is None or here.ts <= when):
            # the playhead is nearer; its `ts` is the latest event time applied, like a checkpoint's
            best = here
        fold = self._factory()
        fold.restore(best.state)
        reader = LogReader(
            self.path, start_offset=best.next_offset, start_line=best.seq + 1, after_seq=best.seq
        )
        prepared = PreparedSeek(when, fold, iter(reader), None, best.seq, best.ts, 0, None)
        prepared.offset = best.next_offset
        while True:
            try:
                record = next(prepared.cursor, None)
            except ReadError as err:
                prepared.error = str(err)
                break
            if record is None:
                break
            if record.event.ts > when or (stop is not None and stop.is_set()):
                prepared.next = record
                break
            fold.apply(record.event)
            prepared.seq, prepared.last_ts = (
                record.event.seq,
                _later(prepared.last_ts, record.event.ts),
            )
            prepared.offset = record.offset + record.size
        return prepared

    def covered(self, when: datetime) -> bool:
        """True when checkpoints close around `when` (or the background fold is done): a
        seek there folds at most `checkpoint_every` events, cheap enough for any thread."""
        with self._lock:
            if self._background.done:
                return True
            at = bisect.bisect_right(self._cp_times, when)
            if at >= len(self._cps):
                return False
            return self._bucket(self._cps[at].seq) - self._bucket(self._cps[at - 1].seq) <= 1

    def _bucket(self, seq: int) -> int:
        return seq // self.checkpoint_every

    def resume_point(self) -> Checkpoint:
        """Where the background fold can start without leaving a stretch of more than
        `checkpoint_every` events unkept: the end of the unbroken run of checkpoints from
        the start, or the playhead when it stands within one interval of that end (a copy
        of the playing fold, taken between two events: the background thread calls this,
        and copying a big state there keeps it off the UI thread)."""
        with self._lock:
            end = self._cps[0]
            for cp in self._cps[1:]:
                if self._bucket(cp.seq) - self._bucket(end.seq) > 1:
                    break
                end = cp
        if self.seq > end.seq and self._bucket(self.seq) == self._bucket(end.seq):
            here = self.here()
            if here is not None:
                return here
        return end

    def _wait_for_checkpoint(
        self, when: datetime, here: Checkpoint | None, stop: threading.Event | None
    ) -> Checkpoint:
        """The nearest checkpoint at or before `when`. While the background fold is still
        short of `when` (and ahead of the playhead), wait for it rather than fold the same
        events a second time on the same cores: the seek then costs one interval."""
        while True:
            with self._lock:
                at = bisect.bisect_right(self._cp_times, when) - 1
                best = self._cps[max(at, 0)]
                running = self._running and at == len(self._cps) - 1
            behind = here is not None and here.seq >= best.seq
            if not running or behind or (stop is not None and stop.is_set()):
                return best
            time.sleep(0.05)

    def adopt(self, prepared: PreparedSeek) -> None:
        """Install a fold from `prepare_seek` (on the thread that drives the player)."""
        with self._playhead:
            self.fold = prepared.fold
            self._cursor = prepared.cursor
            self._next = prepared.next
            self.seq = prepared.seq
            self._last_ts = prepared.last_ts
            self._offset = prepared.offset
            self.error = prepared.error
            self.virtual_time = prepared.when
            self._due = (self._bucket(self.seq) + 1) * self.checkpoint_every

    @property
    def position(self) -> Position:
        """Current virtual time, seq, total (once indexed), playing state and speed."""
        total = self.index.last.seq if self.index and self.index.last else None
        if total is None and self._background.done and not self._background.error:
            total = self._background.seq
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

    def start_background(self) -> threading.Thread:
        """Run `build_checkpoints` from `resume_point()` in a daemon thread (after the first
        frame; call it on the thread that drives the player)."""
        start = self.resume_point()
        thread = threading.Thread(
            target=self.build_checkpoints, kwargs={"start": start}, name="replay-fold", daemon=True
        )
        thread.start()
        return thread

    @property
    def background(self) -> Background:
        """The background fold's progress and latest state (for the timeline)."""
        with self._lock:
            return self._background

    def build_checkpoints(
        self,
        stop: threading.Event | None = None,
        courtesy: Callable[[], None] | None = None,
        start: Checkpoint | None = None,
    ) -> int:
        """Fold the log in a private state from `start` (`resume_point()`; the beginning by
        default) to its end, keeping checkpoints; run it in a thread so later seeks anywhere
        cost at most `checkpoint_every` events. Returns events read.

        `courtesy` is called every `COURTESY_EVERY` events (about a millisecond of folding)
        and after each line of `COURTESY_BYTES` or more:
        the UI passes one that sleeps while its own thread has work, so the fold does not take
        half of the interpreter from a key being handled."""
        start = start or self._cps[0]
        fold = self._factory()
        fold.restore(start.state)
        count = 0
        self._running = True
        seq, latest = start.seq, start.ts
        error: str | None = None
        reader = LogReader(
            self.path, start_offset=start.next_offset, start_line=start.seq + 1,
            after_seq=start.seq,
        )  # fmt: skip
        try:
            for record in reader:
                if stop is not None and stop.is_set():
                    break
                fold.apply(record.event)
                count += 1
                latest = _later(latest, record.event.ts)
                if self._bucket(record.event.seq) > self._bucket(seq):
                    self._add_checkpoint(fold, record, latest)
                seq = record.event.seq
                if courtesy is not None and (
                    count % COURTESY_EVERY == 0 or record.size >= COURTESY_BYTES
                ):
                    courtesy()
        except ReadError as err:
            error = str(err)  # the replay shows everything before the damage
        finally:
            self._running = False  # seeks stop waiting for this fold, whatever happened
        final = fold.checkpoint()
        stopped = stop is not None and stop.is_set()
        with self._lock:
            self._background = Background(final, seq, not stopped, error)
        return count

    def _add_checkpoint(
        self, fold: Foldable, record: Record, latest: datetime, *, progress: bool = True
    ) -> None:
        """Keep the state after `record`; `latest` is the latest event time up to it, so a
        seek to any time before it never starts past an event it must not show. `progress`:
        the background fold's (the timeline reads its latest state), not the playing one's."""
        seq = record.event.seq
        state = fold.checkpoint()
        with self._lock:
            if progress:
                self._background = Background(state, seq, False, None)
            at = bisect.bisect_left(self._cp_seqs, seq)
            if at < len(self._cp_seqs) and self._cp_seqs[at] == seq:
                return
            cp = Checkpoint(seq, latest, record.offset + record.size, state)
            self._cp_seqs.insert(at, seq)
            self._cp_times.insert(at, latest)
            self._cps.insert(at, cp)

    # --- reading -------------------------------------------------------------------------

    def _reposition(self, cp: Checkpoint) -> None:
        reader = LogReader(
            self.path, start_offset=cp.next_offset, start_line=cp.seq + 1, after_seq=cp.seq
        )
        self._cursor = iter(reader)
        self._next = None
        self.seq = cp.seq
        self._last_ts = cp.ts
        self._offset = cp.next_offset
        self.error = None
        self._due = (self._bucket(self.seq) + 1) * self.checkpoint_every

    def _peek(self) -> Record | None:
        if self._next is None and self.error is None:
            try:
                self._next = next(self._cursor, None)
            except ReadError as err:
                self.error = str(err)
        return self._next

    def _apply(self, record: Record) -> None:
        self._next = None
        with self._playhead:  # uncontended but for a copy under way: ~0.1 us an event
            self.fold.apply(record.event)
            self.seq = record.event.seq
            self._last_ts = _later(self._last_ts, record.event.ts)
            self._offset = record.offset + record.size
            if self.seq >= self._due:
                self._kept(record)

    def _kept(self, record: Record) -> None:
        """The playing fold entered a new interval: keep a checkpoint there unless one
        exists in it, so a later seek back (or the background fold) need not fold it again."""
        bucket = self._bucket(self.seq)
        with self._lock:
            at = bisect.bisect_right(self._cp_seqs, self.seq) - 1
            known = at >= 0 and self._bucket(self._cp_seqs[at]) == bucket
        if not known and self._last_ts is not None:
            self._add_checkpoint(self.fold, record, self._last_ts, progress=False)
        self._due = (bucket + 1) * self.checkpoint_every

    def _apply_until(self, when: datetime, *, collect: bool = True) -> list[Event]:
        applied: list[Event] = []
        while (record := self._peek()) is not None and record.event.ts <= when:
            self._apply(record)
            if collect:
                applied.append(record.event)
        return applied


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a
