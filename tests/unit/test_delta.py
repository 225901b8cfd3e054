"""ObservationRecorder: full snapshots, deltas, "nothing new", full again when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cockpit.log.delta import ObservationRecorder, source_failed
from cockpit.log.events import (
    KafkaLagObserved,
    PostgresConnectionsObserved,
    SourcePolled,
    TenantQuotaObserved,
)
from cockpit.sources.base import Snapshot, SourceError

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def kafka(lags: dict[str, int], warnings: tuple[str, ...] = ()) -> Snapshot:
    items = tuple(
        {"key": k, "group": k, "topic": "t", "partition": None, "lag": v} for k, v in lags.items()
    )
    return Snapshot("kafka-main", "kafka", items, 12.0, warnings)


def test_first_full_then_delta_then_polled() -> None:
    rec = ObservationRecorder(full_every_s=300)
    first = rec.record(kafka({"a": 1, "b": 2}), T0)
    assert isinstance(first, KafkaLagObserved) and first.full
    assert [i["key"] for i in first.items] == ["a", "b"]
    delta = rec.record(kafka({"a": 5, "b": 2, "c": 0}), T0 + timedelta(seconds=2))
    assert isinstance(delta, KafkaLagObserved) and not delta.full
    assert sorted(i["key"] for i in delta.items) == ["a", "c"] and delta.removed == ()
    gone = rec.record(kafka({"a": 5, "c": 0}), T0 + timedelta(seconds=4))
    assert isinstance(gone, KafkaLagObserved) and gone.items == () and gone.removed == ("b",)
    same = rec.record(kafka({"a": 5, "c": 0}, ("slow",)), T0 + timedelta(seconds=6))
    assert same == SourcePolled("kafka-main", 12.0, ("slow",))


def test_full_again_when_due_by_snapshot_time() -> None:
    rec = ObservationRecorder(full_every_s=300)
    rec.record(kafka({"a": 1}), T0)
    assert isinstance(rec.record(kafka({"a": 1}), T0 + timedelta(seconds=299)), SourcePolled)
    again = rec.record(kafka({"a": 1}), T0 + timedelta(seconds=300))
    assert isinstance(again, KafkaLagObserved) and again.full and len(again.items) == 1


def test_sources_are_tracked_separately_and_bad_items_reported() -> None:
    rec = ObservationRecorder()
    items: tuple[dict[str, Any], ...] = ({"key": "t1", "tenant": "t1"}, {"tenant": "nokey"})
    out = rec.record(Snapshot("db", "tenants", items, 3.0), T0)
    assert isinstance(out, TenantQuotaObserved) and len(out.items) == 1
    assert "1 item(s) without a string key ignored" in out.warnings
    other = rec.record(Snapshot("db2", "tenants", items[:1], 3.0), T0)
    assert isinstance(other, TenantQuotaObserved) and other.full
    with pytest.raises(ValueError):
        rec.record(Snapshot("x", "weather", (), 1.0), T0)


def test_postgres_recorded_whole_when_changed() -> None:
    rec = ObservationRecorder(full_every_s=300)

    def pg(total: int) -> Snapshot:
        item = {"max_connections": 100, "total": total, "by_state": {"active": total}}
        return Snapshot("pg", "postgres", (item,), 4.0)

    first = rec.record(pg(10), T0)
    assert isinstance(first, PostgresConnectionsObserved) and first.total == 10
    assert isinstance(rec.record(pg(10), T0 + timedelta(seconds=2)), SourcePolled)
    changed = rec.record(pg(11), T0 + timedelta(seconds=4))
    assert isinstance(changed, PostgresConnectionsObserved) and changed.by_state == {"active": 11}
    due = rec.record(pg(11), T0 + timedelta(seconds=400))
    assert isinstance(due, PostgresConnectionsObserved)
    broken = rec.record(Snapshot("pg", "postgres", ({"total": 1},), 4.0), T0)
    assert isinstance(broken, SourcePolled) and "max_connections" in broken.warnings[-1]


def test_source_failed_payload() -> None:
    err = SourceError("rate_limited", "429 from PagerDuty", retry_after_s=30.0)
    out = source_failed("pd", err, 120.0)
    assert (out.kind, out.message, out.retry_after_s, out.duration_ms) == (
        "rate_limited",
        "429 from PagerDuty",
        30.0,
        120.0,
    )
