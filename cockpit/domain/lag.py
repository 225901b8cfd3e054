"""Fold handler for Kafka consumer lag: per key, and per (group, topic) with running sums."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cockpit.domain.observe import mark_ok, number
from cockpit.domain.series import KafkaSourceState, LagPeak, LagSeries
from cockpit.domain.state import IncidentState
from cockpit.log.events import Event

Pair = tuple[str, str]
_tuple_new = tuple.__new__


def _add(ks: KafkaSourceState, pair: Pair, members: int, old: Any, new: Any) -> None:
    if members:
        ks.members[pair] = ks.members.get(pair, 0) + members
    if (new is None) is not (old is None):
        ks.known[pair] = ks.known.get(pair, 0) + (new is not None) - (old is not None)
    ks.sums[pair] = ks.sums.get(pair, 0) + (new or 0) - (old or 0)


def _upsert_lag(
    ks: KafkaSourceState, item: Mapping[str, Any], ts: datetime, touched: set[Pair], keep: bool
) -> str:
    key = item["key"]
    if key.__class__ is not str:
        key = str(key)
    lag = item.get("lag")
    cls = lag.__class__
    if cls is not int and cls is not float:
        lag = number(lag)
    series = ks.series.get(key)
    if series is None:
        partition = item.get("partition")
        series = LagSeries(str(item.get("group", "")), str(item.get("topic", "")), partition)
        ks.series[key] = series
        pair = series.pair
        if partition is None:
            ks.explicit[pair] = key
        else:
            _add(ks, pair, 1, None, lag)
    else:
        pair = series.pair
        if series.partition is not None:
            old = series.lag
            if old is not None and lag is not None:  # the common case, inlined
                ks.sums[pair] += lag - old
            else:
                _add(ks, pair, 0, old, lag)
    series.lag, series.ts = lag, ts
    if lag is not None and keep:
        series.push(ts, lag)
    touched.add(pair)
    return key


def _drop_lag(ks: KafkaSourceState, key: str, touched: set[Pair]) -> None:
    series = ks.series.pop(key)
    pair = series.pair
    if series.partition is None:
        if ks.explicit.get(pair) == key:
            del ks.explicit[pair]
    else:
        _add(ks, pair, -1, series.lag, None)
        if ks.members[pair] <= 0:
            del ks.members[pair], ks.sums[pair]
            ks.known.pop(pair, None)
    touched.add(pair)


def _retotal(state: IncidentState, ks: KafkaSourceState, pair: Pair, ts: datetime) -> None:
    explicit = ks.explicit.get(pair)
    lag: float | None
    if explicit is not None:
        lag = ks.series[explicit].lag
    else:
        if pair not in ks.members:
            ks.totals.pop(pair, None)  # the group/topic is gone; its peak stays in kafka_peaks
            return
        lag = ks.sums[pair] if ks.known.get(pair) else None
    total = ks.totals.get(pair)
    if total is None:
        total = ks.totals[pair] = LagSeries(pair[0], pair[1], None)
    total.lag, total.ts = lag, ts
    if lag is None:
        return
    if state.keep_history:
        total.push(ts, lag)
    peak = state.kafka_peaks.get(pair)
    if peak is None or lag > peak.lag:
        state.kafka_peaks[pair] = _tuple_new(LagPeak, (lag, ts))
        top = state.kafka_peak
        if top is None or lag > top[1].lag:
            state.kafka_peak = (pair, _tuple_new(LagPeak, (lag, ts)))


def _retotal_many(
    state: IncidentState, ks: KafkaSourceState, pairs: Iterable[Pair], ts: datetime
) -> None:
    """`_retotal` of each pair in order, the source's own totals (the usual case) inline."""
    explicit, series_of, totals, peaks = ks.explicit, ks.series, ks.totals, state.kafka_peaks
    keep = state.keep_history
    for pair in pairs:
        try:
            total = totals[pair]
            key = explicit[pair]
        except KeyError:  # a row of partitions, or one not totalled yet
            _retotal(state, ks, pair, ts)
            continue
        lag = series_of[key].lag
        total.lag, total.ts = lag, ts
        if lag is None:
            continue
        if keep:
            total.push(ts, lag)
        peak = peaks.get(pair)
        if peak is None or lag > peak[0]:  # [0]: the peak's lag
            peaks[pair] = _tuple_new(LagPeak, (lag, ts))
            top = state.kafka_peak
            if top is None or lag > top[1][0]:
                state.kafka_peak = (pair, _tuple_new(LagPeak, (lag, ts)))


def _known_numbers(
    ks: KafkaSourceState, items: Any, ts: datetime, full: bool, keep: bool
) -> set[Pair] | None:
    """The usual poll, applied in one loop: every item a known key with a numeric lag
    (and, for a full snapshot, every known key present). Returns the pairs touched, or
    None with nothing changed when the poll is not that (the general path applies it)."""
    series_of = ks.series
    found: list[tuple[LagSeries, Any]] = []
    try:
        for item in items:
            lag = item["lag"]  # KeyError: no lag; TypeError: not an object
            cls = lag.__class__
            if cls is not int and cls is not float:
                return None
            series = series_of.get(item["key"])  # TypeError: an unhashable key
            if series is None or series.lag is None:
                return None  # an unknown key (a key that is not a string is never known)
            found.append((series, lag))
    except (KeyError, TypeError):
        return None
    if full and len({item["key"] for item in items}) != len(series_of):
        return None
    sums = ks.sums
    touched: set[Pair] = set()
    for series, lag in found:
        if series.partition is not None:
            sums[series.pair] += lag - series.lag
        series.lag, series.ts = lag, ts
        if keep:
            series.push(ts, lag)
        touched.add(series.pair)
    return touched


def on_kafka(state: IncidentState, event: Event) -> None:
    """Consumer lag observed: per key, then the (group, topic) rows that changed."""
    data, ts = event.data, event.ts
    source = str(data["source"])
    ks = state.kafka.get(source)
    if ks is None:
        ks = state.kafka[source] = KafkaSourceState()
    items = data.get("items") or ()
    full = bool(data.get("full", True))
    keep = state.keep_history
    touched = None
    if full or not data.get("removed"):
        touched = _known_numbers(ks, items, ts, full, keep)
    if touched is not None:
        _retotal_many(state, ks, sorted(touched) if len(touched) > 1 else touched, ts)
        mark_ok(state, source, ts, data)
        return
    touched = set()
    if data.get("full", True):
        keep_keys = {_upsert_lag(ks, item, ts, touched, keep) for item in items}
        for key in [k for k in ks.series if k not in keep_keys]:
            _drop_lag(ks, key, touched)
    else:
        for item in items:
            _upsert_lag(ks, item, ts, touched, keep)
        for key in data.get("removed") or ():
            if str(key) in ks.series:
                _drop_lag(ks, str(key), touched)
    for pair in sorted(touched) if len(touched) > 1 else touched:
        _retotal(state, ks, pair, ts)
    mark_ok(state, source, ts, data)
