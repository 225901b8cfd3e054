"""Mutable time series held by the state: Kafka lag per key and per group/topic, PostgreSQL."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

HISTORY_LEN = 120
"""Samples kept per series for sparklines (four minutes at a 2 s refresh)."""

Pair = tuple[str, str]
History = deque[tuple[datetime, float]] | tuple[tuple[datetime, float], ...]
"""A live series appends to a deque; a copy (a checkpoint) holds a tuple: immutable, so
copies share it, and once its samples are seen to hold no container the garbage collector
stops scanning it (deques are scanned item by item at every full collection: with many
checkpoints that took 200 ms and froze the replay's keys)."""


_new_series = object.__new__


class LagPeak(NamedTuple):
    """The highest value seen (lag, or a usage ratio) and when."""

    lag: float
    ts: datetime


class LagSeries:
    """Current lag of one key (or one group/topic total) and its recent history."""

    __slots__ = ("group", "history", "lag", "pair", "partition", "topic", "ts")

    def __init__(self, group: str, topic: str, partition: Any) -> None:
        self.group = group
        self.topic = topic
        self.pair: Pair = (group, topic)
        self.partition = partition
        self.lag: float | None = None
        self.ts: datetime | None = None
        self.history: History = deque(maxlen=HISTORY_LEN)

    def push(self, ts: datetime, lag: float) -> None:
        """Record a sample (a copy's history becomes a deque again on its first one)."""
        history = self.history
        if history.__class__ is tuple:
            history = self.history = deque(history, maxlen=HISTORY_LEN)
        history.append((ts, lag))  # type: ignore[union-attr]

    def copy(self) -> LagSeries:
        """An independent copy, its history frozen in a tuple (see `History`)."""
        other = _new_series(LagSeries)  # no deque to build and drop: 4,000 per copy
        other.group, other.topic, other.pair = self.group, self.topic, self.pair
        other.partition, other.lag, other.ts = self.partition, self.lag, self.ts
        history = self.history
        other.history = history if history.__class__ is tuple else tuple(history)
        return other


class KafkaSourceState:
    """Lag observed from one source: per item key, and per (group, topic).

    A (group, topic) row is the source's own total item (partition None) when it reports
    one, else the sum of its partitions, kept as a running sum so an update costs O(1).
    """

    __slots__ = ("explicit", "known", "members", "series", "sums", "totals")

    def __init__(self) -> None:
        self.series: dict[str, LagSeries] = {}
        self.totals: dict[Pair, LagSeries] = {}
        self.members: dict[Pair, int] = {}
        """How many partition keys each (group, topic) has."""
        self.known: dict[Pair, int] = {}
        """How many of them have a numeric lag (a sum of only unknown lags is unknown)."""
        self.sums: dict[Pair, float] = {}
        self.explicit: dict[Pair, str] = {}
        """(group, topic) -> key of the total item the source reports itself."""

    def copy(self) -> KafkaSourceState:
        """An independent structural copy."""
        other = KafkaSourceState()
        other.series = {k: v.copy() for k, v in self.series.items()}
        other.totals = {k: v.copy() for k, v in self.totals.items()}
        other.members, other.known = dict(self.members), dict(self.known)
        other.sums = dict(self.sums)
        other.explicit = dict(self.explicit)
        return other


class PgState:
    """The last PostgreSQL connection snapshot of one source, usage history and peak."""

    __slots__ = ("history", "peak", "snapshot", "ts")

    def __init__(self) -> None:
        self.snapshot: Mapping[str, Any] = {}
        self.ts: datetime | None = None
        self.history: History = deque(maxlen=HISTORY_LEN)
        self.peak: LagPeak | None = None
        """Highest usage ratio (in `lag`) and when it was seen."""

    def copy(self) -> PgState:
        """An independent copy."""
        other = PgState()
        other.snapshot, other.ts, other.peak = self.snapshot, self.ts, self.peak
        other.history = tuple(self.history)
        return other

    def push(self, ts: datetime, ratio: float) -> None:
        """Record a usage sample (a copy's history becomes a deque again on its first one)."""
        history = self.history
        if history.__class__ is tuple:
            history = self.history = deque(history, maxlen=HISTORY_LEN)
        history.append((ts, ratio))  # type: ignore[union-attr]
