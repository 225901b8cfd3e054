"""Impact figures of one incident, measured from the recorded observations and milestones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.domain.incident import IncidentRecord
from cockpit.domain.series import LagSeries, Pair
from cockpit.domain.state import IncidentState, ResolvedAlert
from cockpit.log.events import Event, KafkaLagObserved, PostgresConnectionsObserved


@dataclass(frozen=True, slots=True)
class ConnectionPeak:
    """The busiest PostgreSQL snapshot: connections in use out of the server's maximum."""

    source: str
    total: int
    max_connections: int
    ts: datetime

    @property
    def ratio(self) -> float:
        """Share of `max_connections` in use."""
        return self.total / self.max_connections if self.max_connections > 0 else 0.0


@dataclass(frozen=True, slots=True)
class LagPeakAt:
    """The highest total lag of one consumer group on one topic, and when."""

    lag: float
    group: str
    topic: str
    ts: datetime


_LAG, _CONNECTIONS = KafkaLagObserved.TYPE, PostgresConnectionsObserved.TYPE


def _in(ts: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or ts >= start) and (end is None or ts <= end)


class PeakTracker:
    """Folds alongside the state to keep what an export needs and the state does not hold:
    the busiest sample of each second (so a figure can be taken for any incident's window,
    known only once the log is read) and every resolved alert (the state keeps the last ones).

    Samples are kept as plain tuples, (lag, group, topic, ts) and (ratio, source, total,
    max_connections, ts), made into records only for the peaks asked for: one per event
    of a long log would cost more than the comparison itself.
    """

    __slots__ = ("_conn", "_lag", "_resolved_seen", "_second", "_second_of", "resolved")

    def __init__(self) -> None:
        self._lag: dict[int, tuple[float, str, str, datetime]] = {}
        self._conn: dict[int, tuple[float, str, int, int, datetime]] = {}
        self.resolved: list[ResolvedAlert] = []
        self._resolved_seen = 0
        self._second_of: datetime | None = None
        self._second = 0
        """The second of `_second_of` (lines of one poll share their time)."""

    def apply(self, event: Event, state: IncidentState) -> None:
        """Look at one event, once `state` has folded it."""
        if state.resolved_count != self._resolved_seen:
            gone = state.resolved_alerts
            new = min(state.resolved_count - self._resolved_seen, len(gone))
            self.resolved.extend(gone[i] for i in range(-new, 0))  # deque ends: O(1) each
            self._resolved_seen = state.resolved_count
        kind = event.type
        if kind == _LAG:
            self._on_lag(event, state)
        elif kind == _CONNECTIONS:
            self._on_connections(event)

    def _second_at(self, ts: datetime) -> int:
        if ts is not self._second_of:
            self._second_of, self._second = ts, int(ts.timestamp())
        return self._second

    def _on_lag(self, event: Event, state: IncidentState) -> None:
        data = event.data
        kafka = state.kafka.get(str(data.get("source", "")))
        items = data.get("items")
        if kafka is None or not isinstance(items, list | tuple):
            return
        total_of = kafka.totals.get
        best: float | None = None
        best_pair = ("", "")
        try:  # the usual poll: objects naming a group and a topic, each row totalled
            for item in items:
                pair = (item["group"], item["topic"])
                lag = total_of(pair).lag  # type: ignore[union-attr]  # None: see _highest
                if lag is not None and (best is None or lag > best):
                    best, best_pair = lag, pair
        except (KeyError, TypeError, AttributeError):
            best, best_pair = _highest(items, total_of)
        if best is not None:
            self.lag_seen(event.ts, best, best_pair[0], best_pair[1])

    def lag_seen(self, ts: datetime, lag: float, group: str, topic: str) -> None:
        """The highest total lag of one event's rows (the export's fold calls it directly)."""
        second = self._second_at(ts)
        held = self._lag.get(second)
        if held is None or lag > held[0]:
            self._lag[second] = (lag, group, topic, ts)

    def _on_connections(self, event: Event) -> None:
        data = event.data
        try:
            total, most = int(data["total"]), int(data["max_connections"])
        except (KeyError, TypeError, ValueError):
            return  # a damaged snapshot: the fold already counted it as unknown
        if most <= 0:
            return
        self.connections_seen(event.ts, total / most, str(data.get("source", "")), total, most)

    def connections_seen(
        self, ts: datetime, ratio: float, source: str, total: int, most: int
    ) -> None:
        """One PostgreSQL snapshot's usage (the export's fold calls it directly)."""
        second = self._second_at(ts)
        held = self._conn.get(second)
        if held is None or ratio > held[0]:
            self._conn[second] = (ratio, source, total, most, ts)

    def lag_peak(self, start: datetime | None, end: datetime | None) -> LagPeakAt | None:
        """The highest lag between `start` and `end` (None: unbounded)."""
        found = [p for p in self._lag.values() if _in(p[3], start, end)]
        top = max(found, key=lambda p: (p[0], -p[3].timestamp()), default=None)
        return None if top is None else LagPeakAt(*top)

    def connection_peak(
        self, start: datetime | None, end: datetime | None
    ) -> ConnectionPeak | None:
        """The busiest PostgreSQL snapshot between `start` and `end` (None: unbounded)."""
        found = [p for p in self._conn.values() if _in(p[4], start, end)]
        top = max(found, key=lambda p: (p[0], -p[4].timestamp()), default=None)
        return None if top is None else ConnectionPeak(*top[1:])


def _highest(
    items: list[Any] | tuple[Any, ...], total_of: Callable[[Pair], LagSeries | None]
) -> tuple[float | None, Pair]:
    """The highest total lag of the items' rows, the first one on a tie (items that are
    not objects are skipped, names made strings; rows without a total or a lag left out)."""
    best: float | None = None
    best_pair = ("", "")
    for item in items:
        if item.__class__ is not dict:
            continue
        group, topic = item.get("group", ""), item.get("topic", "")
        if group.__class__ is not str or topic.__class__ is not str:
            group, topic = str(group), str(topic)
        total = total_of((group, topic))
        if total is not None:
            lag = total.lag
            if lag is not None and (best is None or lag > best):
                best, best_pair = lag, (group, topic)
    return best, best_pair


@dataclass(frozen=True, slots=True)
class Durations:
    """Incident clocks in seconds from `start` (detection, else declaration)."""

    start: datetime | None
    end: datetime | None
    """Resolution, else the last event of the log."""
    total_s: float | None
    acknowledge_s: float | None
    mitigate_s: float | None
    resolve_s: float | None
    acknowledged_at: datetime | None = None


def _since(start: datetime | None, when: datetime | None) -> float | None:
    if start is None or when is None:
        return None
    return max(0.0, (when - start).total_seconds())


def durations(
    subject: IncidentRecord | IncidentState, last_ts: datetime | None = None
) -> Durations:
    """MTTA, time to mitigate and MTTR of one incident, from its own milestones (a state
    stands for its current incident and its last event).

    Without a `mitigated` milestone the first mitigation that completed ok counts. An open
    incident ends, for these figures, at the last event of the log (`last_ts`).
    """
    if isinstance(subject, IncidentState):
        record, last_ts = subject.current, last_ts or subject.last_ts
    else:
        record = subject
    start = record.start if record.info is not None else None
    ms = record.milestones
    mitigated = ms["mitigated"].at if "mitigated" in ms else None
    if mitigated is None:
        done = [
            r.completed_at
            for r in record.mitigations.values()
            if r.outcome == "ok" and r.completed_at is not None
        ]
        mitigated = min(done) if done else None
    resolved = record.end
    acked = ms["acknowledged"].at if "acknowledged" in ms else None
    end = resolved or last_ts
    if start is not None and end is not None and end < start:
        end = start  # a resolution recorded before the start: never a negative duration
    return Durations(
        start,
        end,
        _since(start, end),
        _since(start, acked),
        _since(start, mitigated),
        _since(start, resolved),
        acked,
    )


def duration_text(seconds: float | None) -> str:
    """`1h 05m 12s`, `4m 03s`, `12s`; `n/a` when unknown."""
    if seconds is None:
        return "n/a"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
