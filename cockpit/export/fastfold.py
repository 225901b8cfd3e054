"""The export's fold of a long log: the state and the peaks in one step per event, with the
usual observations (a poll with nothing new, a Kafka lag delta of known groups, a
PostgreSQL snapshot) applied inline and anything else by `Folder` and `PeakTracker`.

What the inline paths leave is exactly what `Folder.apply` then `PeakTracker.apply` leave
(`tests/export/test_export_fastfold.py` compares both on generated logs): each one applies
only the shape it was written for and hands any other to the reference pair, before
changing anything. A Kafka delta goes inline when every item names a key the source already
reports as its own (group, topic) total, with a number for its lag, each key once: then the
key's lag is its row's total, and the items give the row's peak and the second's highest
lag directly, without the fold's sums, sorting and second look at the items."""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Any

from cockpit.domain.fold import Folder
from cockpit.domain.observe import mark_ok
from cockpit.domain.series import KafkaSourceState, LagPeak, LagSeries
from cockpit.domain.state import IncidentState
from cockpit.export.impact import PeakTracker
from cockpit.log.events import Event, KafkaLagObserved, PostgresConnectionsObserved, SourcePolled
from cockpit.log.fastread import Row

_LAG, _PG, _POLLED = KafkaLagObserved.TYPE, PostgresConnectionsObserved.TYPE, SourcePolled.TYPE
_tuple_new = tuple.__new__
_ITEM = itemgetter("key", "lag", "group", "topic")


class _Row:
    """A key that is its source's own total of one (group, topic): its series, the row's
    total and the mark of the last event that named it (a key twice in one event)."""

    __slots__ = ("group", "mark", "pair", "peak", "series", "topic", "total")

    def __init__(self, series: LagSeries, total: LagSeries, peak: float) -> None:
        self.series, self.total, self.pair = series, total, series.pair
        self.group, self.topic = series.group, series.topic
        self.peak = peak
        """The row's peak lag (`state.kafka_peaks`, which only the fast path writes while
        this row is in use)."""
        self.mark = 0


class ExportFold:
    """`Folder(keep_history=False)` and `PeakTracker` fed together (`apply`)."""

    __slots__ = ("_folder", "_marks", "_rows", "peaks", "state")

    def __init__(self) -> None:
        self._folder = Folder(keep_history=False)  # an export shows no sparkline
        self.peaks = PeakTracker()
        self.state: IncidentState = self._folder.state
        self._rows: dict[str, dict[str, _Row]] = {}
        """Per Kafka source, its keys known to be their row's total (rebuilt after any
        Kafka event of that source applied by the fold)."""
        self._marks = 0

    def apply(self, row: Row) -> None:
        """Fold one event (a row of `FastReader.rows`) and look at it for the peaks."""
        seq, ts, kind, data, _prev, _hash = row
        if kind == _POLLED:
            source: Any = data.get("source")
            warnings = data.get("warnings")
            # `mark_ok` raises on warnings it cannot iterate: the fold words that
            done = source.__class__ is str and (not warnings or warnings.__class__ is list)
            if done:
                mark_ok(self.state, source, ts, data)
                self.state.source_seq[source] = seq
        elif kind == _LAG:
            done = self._lag(seq, ts, data)
        elif kind == _PG:
            done = self._postgres(seq, ts, data)
        else:
            done = False
        state = self.state
        if done:
            if state.closed:
                state.closed = False  # as `Folder.apply`: the log was written to again
            state.last_seq, state.last_ts = seq, ts
            state.event_count += 1
            return
        event = Event(*row)
        self._folder.apply(event)
        self.peaks.apply(event, state)
        if kind == _LAG:
            self._rows.clear()  # the fold may have added, dropped or re-totalled keys

    def _postgres(self, seq: int, ts: datetime, data: dict[str, Any]) -> bool:
        source, total, most = data.get("source"), data.get("total"), data.get("max_connections")
        warnings = data.get("warnings")
        if source.__class__ is not str or total.__class__ is not int:
            return False
        if most.__class__ is not int or most <= 0 or (warnings and warnings.__class__ is not list):
            return False
        state = self.state
        pg = state.postgres.get(source)
        if pg is None:
            return False
        pg.snapshot, pg.ts = data, ts
        ratio = total / most
        peak = pg.peak
        if peak is None or ratio > peak[0]:
            pg.peak = _tuple_new(LagPeak, (ratio, ts))
        mark_ok(state, source, ts, data)
        state.source_seq[source] = seq
        self.peaks.connections_seen(ts, ratio, source, total, most)
        return True

    def _lag(self, seq: int, ts: datetime, data: dict[str, Any]) -> bool:
        source, warnings = data.get("source"), data.get("warnings")
        if source.__class__ is not str or data.get("full", True) is not False:
            return False
        items = data.get("items")
        if items.__class__ is not list or not items or data.get("removed"):
            return False
        if warnings and warnings.__class__ is not list:
            return False
        rows = self._rows.get(source)
        if rows is None:
            ks = self.state.kafka.get(source)
            if ks is None:
                return False
            rows = self._rows[source] = _totals(ks, self.state)
        self._marks = mark = self._marks + 1
        found: list[tuple[_Row, Any]] = []
        try:
            for key, lag, group, topic in map(_ITEM, items):  # KeyError, TypeError: not so
                row = rows[key]  # KeyError: not a known total
                cls = lag.__class__
                if (
                    (cls is not int and cls is not float)
                    or row.mark == mark
                    or group != row.group
                    or topic != row.topic
                ):
                    return False
                row.mark = mark
                found.append((row, lag))
        except (KeyError, TypeError):
            return False
        state = self.state
        best: Any = None
        raised = False
        for row, lag in found:
            series = row.series
            total = row.total
            total.lag, total.ts = lag, ts
            series.lag, series.ts = lag, ts
            if lag > row.peak:
                row.peak = lag
                state.kafka_peaks[row.pair] = _tuple_new(LagPeak, (lag, ts))
                raised = True
            if best is None or lag > best:
                best, best_row = lag, row
        if raised:
            _top(state, found, ts)
        mark_ok(state, source, ts, data)
        state.source_seq[source] = seq
        self.peaks.lag_seen(ts, best, best_row.group, best_row.topic)
        return True


def _totals(ks: KafkaSourceState, state: IncidentState) -> dict[str, _Row]:
    """The keys of `ks` that are their row's own total, with a lag, a total and a peak."""
    rows: dict[str, _Row] = {}
    peaks = state.kafka_peaks
    for pair, key in ks.explicit.items():
        series, total = ks.series.get(key), ks.totals.get(pair)
        if series is None or total is None or series.partition is not None:
            continue
        if series.lag is None or pair not in peaks or series.pair != pair:
            continue
        rows[key] = _Row(series, total, peaks[pair][0])
    return rows


def _top(state: IncidentState, found: list[tuple[_Row, Any]], ts: datetime) -> None:
    """The log's highest lag, as `_retotal_many` keeps it: rows in sorted order."""
    for row, lag in sorted(found, key=_pair_of):
        top = state.kafka_peak  # never None here: the rows' peaks set it
        if top is None or lag > top[1][0]:  # above every row's peak: this one's was raised
            state.kafka_peak = (row.pair, _tuple_new(LagPeak, (lag, ts)))


def _pair_of(found: tuple[_Row, Any]) -> tuple[str, str]:
    return found[0].pair
