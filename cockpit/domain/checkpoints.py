"""CheckpointIndex: folder checkpoints every N events, so a replay seeks without refolding."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from cockpit.domain.fold import Folder
from cockpit.log.events import Event


class CheckpointIndex:
    """Checkpoints by seq; `nearest(seq)` gives the latest one at or before `seq`.

    A seek is then: restore the nearest checkpoint and fold at most `every` events.
    """

    def __init__(self, every: int = 10_000) -> None:
        if every < 1:
            raise ValueError(f"checkpoint interval must be >= 1 event; got {every}")
        self.every = every
        self._seqs: list[int] = []
        self._checkpoints: list[object] = []
        self._since_last = 0

    def __len__(self) -> int:
        return len(self._seqs)

    def add(self, seq: int, checkpoint: object) -> None:
        """Store a checkpoint taken just after the event `seq` (replacing one at the same seq)."""
        at = bisect.bisect_left(self._seqs, seq)
        if at < len(self._seqs) and self._seqs[at] == seq:
            self._checkpoints[at] = checkpoint
            return
        self._seqs.insert(at, seq)
        self._checkpoints.insert(at, checkpoint)

    def observe(self, folder: Folder, seq: int) -> None:
        """Call after each applied event: stores a checkpoint every `every` events."""
        self._since_last += 1
        if self._since_last >= self.every:
            self._since_last = 0
            self.add(seq, folder.checkpoint())

    def nearest(self, seq: int) -> tuple[int, object] | None:
        """(seq, checkpoint) of the latest checkpoint at or before `seq`, or None."""
        at = bisect.bisect_right(self._seqs, seq)
        if at == 0:
            return None
        return self._seqs[at - 1], self._checkpoints[at - 1]

    def drop_after(self, seq: int) -> None:
        """Forget checkpoints after `seq` (the log was truncated or rewritten past it)."""
        at = bisect.bisect_right(self._seqs, seq)
        del self._seqs[at:]
        del self._checkpoints[at:]


def build_index(events: Iterable[Event], every: int = 10_000) -> tuple[Folder, CheckpointIndex]:
    """Fold `events`, taking a checkpoint every `every` events; returns the folder and index."""
    folder, index = Folder(), CheckpointIndex(every)
    for event in events:
        folder.apply(event)
        index.observe(folder, event.seq)
    return folder, index


def seek(index: CheckpointIndex, seq: int, events_from: Callable[[int], Iterable[Event]]) -> Folder:
    """A folder at `seq`: the nearest checkpoint, then `events_from(after_seq)` up to `seq`.

    `events_from(n)` must yield the log's events with seq > n, in order.
    """
    folder = Folder()
    start = 0
    found = index.nearest(seq)
    if found is not None:
        start, checkpoint = found
        folder.restore(checkpoint)
    for event in events_from(start):
        if event.seq > seq:
            break
        folder.apply(event)
    return folder
