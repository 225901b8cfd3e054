"""The export's inline fold (`ExportFold`) leaves what `Folder.apply` then `PeakTracker.apply`
leave, event by event, on generated observations: the shapes it folds inline (Kafka deltas
of known totals, polls, PostgreSQL snapshots) mixed with every shape it must hand over
(unknown keys, a key twice, a moved group, partitions, odd lags, full snapshots, removals,
bad sources and warnings, resolved alerts, a closed log written to again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.domain.encode import state_digest
from cockpit.domain.fold import Folder
from cockpit.export.fastfold import ExportFold
from cockpit.export.impact import PeakTracker
from cockpit.log.events import ZERO_HASH, Event

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
KEYS = {"a/t": ("a", "t"), "b/t": ("b", "t"), "c/u": ("c", "u"), "d/u": ("d", "u")}

numbers = st.one_of(st.integers(0, 50), st.floats(0, 50, allow_nan=False))
lags = st.one_of(numbers, numbers, numbers, st.sampled_from([None, True, "7", -3, 10**20]))
odd = st.sampled_from([None, 0, 3, "x", [1], {"k": 1}])
sources = st.sampled_from(["prom", "prom", "prom", "prom", "pg", 5, None])
warnings = st.sampled_from([[], [], [], None, ["slow"], "late", 3, [{"w": 1}]])


@st.composite
def lag_items(draw: st.DrawFn) -> Any:
    """Mostly a known total as a recorder writes it; now and then anything else."""
    key = draw(st.sampled_from(list(KEYS)))
    group, topic = KEYS[key]
    item: dict[str, Any] = {"group": group, "key": key, "lag": draw(numbers), "topic": topic}
    item["partition"] = None
    if draw(st.integers(0, 9)):
        return item
    change = draw(st.integers(0, 6))
    if change == 0:
        item["key"] = draw(st.sampled_from(["new/x", 7, "c/u"]))
    elif change == 1:
        item["group"] = draw(st.sampled_from(["a", "b", "z", 1]))  # a row under another group
    elif change == 2:
        item["partition"] = draw(st.sampled_from([0, 1]))
    elif change == 3:
        item["lag"] = draw(lags)
    elif change == 4:
        del item[draw(st.sampled_from(["lag", "group", "key", "topic"]))]
    elif change == 5:
        return draw(odd)  # not an object
    else:
        item["topic"] = "u"
    return item


@st.composite
def kafka(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly a delta of known totals; now and then a snapshot, a removal, odd fields."""
    items = draw(st.lists(lag_items(), min_size=1, max_size=5))
    data: dict[str, Any] = {"source": "prom", "full": False, "items": items, "removed": []}
    data["duration_ms"], data["warnings"] = 2.5, []
    if draw(st.integers(0, 3)):
        return data
    change = draw(st.integers(0, 5))
    if change == 0:
        data["full"] = draw(st.sampled_from([True, 0, None]))
    elif change == 1:
        data["removed"] = draw(st.sampled_from([["a/t"], ["c/u", "zz"]]))
    elif change == 2:
        data["source"] = draw(sources)
    elif change == 3:
        data["warnings"] = draw(warnings)
    elif change == 4:
        data["duration_ms"] = draw(st.sampled_from([3, None, "x"]))
    else:
        del data[draw(st.sampled_from(["full", "items", "removed", "warnings"]))]
    return data


polled = st.fixed_dictionaries(
    {"source": sources},
    optional={"warnings": warnings, "duration_ms": st.sampled_from([1.5, 3, None, True])},
)
postgres = st.fixed_dictionaries(
    {
        "source": st.sampled_from(["pg", "pg", "pg", "pg2", 5]),
        "total": st.sampled_from([0, 10, 90, 150, 60, 61, 7.5, None, True, "9"]),
        "max_connections": st.sampled_from([100, 100, 100, 200, 0, -1, 100.0, None]),
    },
    optional={"warnings": warnings},
)
alerts = st.fixed_dictionaries(
    {
        "source": st.just("am"),
        "items": st.lists(
            st.fixed_dictionaries({"key": st.sampled_from(["x", "y"]), "state": st.just("firing")}),
            max_size=2,
        ),
    }
)
FIRST = {
    "source": "prom",
    "full": True,
    "items": [
        {"group": g, "key": k, "lag": 1, "partition": None, "topic": t}
        for k, (g, t) in KEYS.items()
    ],
}
events = st.lists(
    st.one_of(
        st.tuples(st.just("kafka.lag.observed"), kafka()),
        st.tuples(st.just("kafka.lag.observed"), kafka()),
        st.tuples(st.just("kafka.lag.observed"), kafka()),
        st.tuples(st.just("source.polled"), polled),
        st.tuples(st.just("postgres.connections.observed"), postgres),
        st.tuples(st.just("postgres.connections.observed"), postgres),
        st.tuples(st.just("alerts.observed"), alerts),
        st.tuples(st.just("log.closed"), st.just({"reason": "quit"})),
    ),
    max_size=60,
).map(lambda drawn: [("kafka.lag.observed", FIRST), *drawn])


def rows_of(drawn: list[tuple[str, dict[str, Any]]], steps: list[int]) -> list[tuple[Any, ...]]:
    """Rows as the reader gives them: lines of one poll share one datetime object."""
    rows, when, at = [], T0, 0
    for seq, ((kind, data), step) in enumerate(zip(drawn, steps, strict=False), start=2):
        if step:
            at += step
            when = T0 + timedelta(seconds=at / 2)
        rows.append((seq, when, kind, data, ZERO_HASH, f"{seq:064x}"))
    return rows


@settings(max_examples=300, deadline=None)
@given(events, st.lists(st.integers(0, 3), min_size=61, max_size=61))
def test_the_inline_fold_leaves_what_the_reference_fold_leaves(
    drawn: list[tuple[str, dict[str, Any]]], steps: list[int]
) -> None:
    rows = rows_of(drawn, steps)
    folder, peaks, fast = Folder(keep_history=False), PeakTracker(), ExportFold()
    for row in rows:
        event = Event(*row)
        folder.apply(event)
        peaks.apply(event, folder.state)
        fast.apply(row)
        assert state_digest(fast.state) == state_digest(folder.state)
        assert fast.state.kafka_peak == folder.state.kafka_peak
    assert fast.peaks._lag == peaks._lag
    assert fast.peaks._conn == peaks._conn
    assert fast.peaks.resolved == peaks.resolved
    assert fast.peaks.lag_peak(None, None) == peaks.lag_peak(None, None)
    assert fast.peaks.connection_peak(None, None) == peaks.connection_peak(None, None)


def test_the_usual_deltas_are_folded_inline() -> None:
    """The shapes a recorder writes go inline (else this fold would gain nothing)."""
    full = {"source": "prom", "full": True, "items": []}
    full["items"] = [{"group": g, "key": k, "lag": 5, "partition": None, "topic": t}
                     for k, (g, t) in KEYS.items()]  # fmt: skip
    delta = {"source": "prom", "full": False, "removed": [], "warnings": [], "items": []}
    delta["items"] = [{"group": "a", "key": "a/t", "lag": 9, "partition": None, "topic": "t"}]
    pg = {"source": "pg", "total": 50, "max_connections": 100, "warnings": []}
    fast = ExportFold()
    rows = rows_of([("kafka.lag.observed", full), ("postgres.connections.observed", pg)], [1, 0])
    for row in rows:
        fast.apply(row)
    before = fast.state.unknown_total
    assert fast._lag(4, T0, delta)
    assert fast._postgres(5, T0, pg)
    assert fast.state.kafka_peak is not None and fast.state.kafka_peak[0] == ("a", "t")
    assert fast.state.kafka_peaks[("a", "t")].lag == 9
    assert fast.state.unknown_total == before == 0
