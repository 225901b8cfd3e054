"""Observation volume control: turn source snapshots into full, delta or "nothing new" events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from cockpit.log.events import (
    AlertsObserved,
    KafkaLagObserved,
    Observation,
    Payload,
    PostgresConnectionsObserved,
    SourceFailed,
    SourcePolled,
    TenantQuotaObserved,
)

if TYPE_CHECKING:  # annotations only: the log layer never imports the sources
    from cockpit.sources.base import Snapshot, SourceError

_COLLECTIONS: dict[str, type[Observation]] = {
    "alerts": AlertsObserved,
    "kafka": KafkaLagObserved,
    "tenants": TenantQuotaObserved,
}
_PG_FIELDS = (
    "max_connections",
    "total",
    "by_state",
    "by_application",
    "long_running",
    "idle_in_transaction_old",
)


class _Last:
    """What the log last said about one (source, kind): when the last full one was written."""

    __slots__ = ("full_at", "items")

    def __init__(self, full_at: datetime, items: dict[str, dict[str, Any]]) -> None:
        self.full_at = full_at
        self.items = items


class ObservationRecorder:
    """Decides what to append for each snapshot, so a 4 h incident stays a few MB.

    The first snapshot of a (source, kind), and one every `full_every_s` after that (measured
    on the `at` times passed in, never a clock), is written whole; others as a delta of the
    entities that changed or vanished; an unchanged snapshot as a small `SourcePolled`.
    """

    def __init__(self, full_every_s: float = 300.0) -> None:
        if full_every_s <= 0:
            raise ValueError("full_every_s must be positive")
        self.full_every_s = full_every_s
        self._last: dict[tuple[str, str], _Last] = {}

    def reset(self) -> None:
        """Forget everything: the next snapshot of every source is written whole."""
        self._last.clear()

    def record(self, snapshot: Snapshot, at: datetime) -> Payload:
        """The payload to append for `snapshot`, taken at `at` (timezone-aware)."""
        if snapshot.kind == "postgres":
            return self._postgres(snapshot, at)
        cls = _COLLECTIONS.get(snapshot.kind)
        if cls is None:
            raise ValueError(f"unknown snapshot kind {snapshot.kind!r}")
        items, warnings = _by_key(snapshot)
        slot = (snapshot.source, snapshot.kind)
        last = self._last.get(slot)
        if last is None or self._full_due(last, at):
            self._last[slot] = _Last(at, items)
            return cls(
                source=snapshot.source,
                full=True,
                items=tuple(items.values()),
                duration_ms=snapshot.duration_ms,
                warnings=warnings,
            )
        changed = tuple(item for key, item in items.items() if last.items.get(key) != item)
        removed = tuple(key for key in last.items if key not in items)
        last.items = items
        if not changed and not removed:
            return SourcePolled(snapshot.source, snapshot.duration_ms, warnings)
        return cls(
            source=snapshot.source,
            full=False,
            items=changed,
            removed=removed,
            duration_ms=snapshot.duration_ms,
            warnings=warnings,
        )

    def _full_due(self, last: _Last, at: datetime) -> bool:
        return (at - last.full_at).total_seconds() >= self.full_every_s

    def _postgres(self, snapshot: Snapshot, at: datetime) -> Payload:
        warnings = snapshot.warnings
        if not snapshot.items:
            return SourcePolled(snapshot.source, snapshot.duration_ms, (*warnings, "no pg data"))
        item = dict(snapshot.items[0])
        missing = [name for name in ("max_connections", "total") if name not in item]
        if missing:
            note = f"postgres snapshot lacks {', '.join(missing)}"
            return SourcePolled(snapshot.source, snapshot.duration_ms, (*warnings, note))
        slot = (snapshot.source, snapshot.kind)
        last = self._last.get(slot)
        if last is not None and not self._full_due(last, at) and last.items.get("") == item:
            return SourcePolled(snapshot.source, snapshot.duration_ms, warnings)
        if last is None or self._full_due(last, at):
            last = self._last[slot] = _Last(at, {})
        last.items = {"": item}
        fields = {name: item[name] for name in _PG_FIELDS if name in item}
        return PostgresConnectionsObserved(
            source=snapshot.source,
            duration_ms=snapshot.duration_ms,
            warnings=warnings,
            **fields,
        )


def _by_key(snapshot: Snapshot) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    items: dict[str, dict[str, Any]] = {}
    dropped = 0
    for item in snapshot.items:
        key = item.get("key")
        if not isinstance(key, str) or not key:
            dropped += 1
            continue
        items[key] = dict(item)
    if not dropped:
        return items, snapshot.warnings
    return items, (*snapshot.warnings, f"{dropped} item(s) without a string key ignored")


def source_failed(source: str, error: SourceError, duration_ms: float) -> SourceFailed:
    """The payload recording a failed poll of `source`."""
    return SourceFailed(
        source=source,
        kind=error.kind,
        message=error.message,
        duration_ms=duration_ms,
        retry_after_s=error.retry_after_s,
    )
