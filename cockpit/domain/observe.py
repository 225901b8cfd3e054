"""Fold handlers for observations: source health, alerts, tenants, PostgreSQL.

These run for almost every event, so they read the event's JSON data directly instead of
decoding the typed payload (which costs several microseconds per event). Bad data raises
(KeyError, TypeError...) and the Folder records the event as unreadable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cockpit.domain.series import LagPeak, PgState
from cockpit.domain.state import AlertRecord, IncidentState, ResolvedAlert, SourceHealth
from cockpit.log.events import Event

# NamedTuple.__new__ is a Python-level wrapper; building the tuple directly halves the cost
# of the records made for nearly every event.
_tuple_new = tuple.__new__

_FIRING = frozenset({"firing", "active"})


def number(value: Any) -> float | None:
    """`value` if it is an int or float (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _number_fast(value: Any) -> float | None:
    # Most lags are plain ints: skip the call for them.
    cls = value.__class__
    return value if cls is int or cls is float else number(value)


def _health(state: IncidentState, source: str) -> SourceHealth:
    health = state.health.get(source)
    if health is None:
        health = state.health[source] = SourceHealth(source)
    return health


def mark_ok(state: IncidentState, source: str, ts: datetime, data: Mapping[str, Any]) -> None:
    """A successful poll of `source` at `ts` (observation or source.polled)."""
    health = state.health.get(source) or _health(state, source)
    health.last_attempt = health.last_ok = ts
    duration = data.get("duration_ms")
    cls = duration.__class__  # `_number_fast` inline: this runs for nearly every event
    health.last_duration_ms = duration if cls is int or cls is float else number(duration)
    warnings = data.get("warnings")
    health.warnings = tuple(str(w) for w in warnings) if warnings else ()
    if health.failed:
        health.failed, health.consecutive_failures, health.retry_after_s = False, 0, None


def on_polled(state: IncidentState, event: Event) -> None:
    """A poll succeeded with nothing new: the source is healthy at the event's time."""
    mark_ok(state, str(event.data["source"]), event.ts, event.data)


def on_failed(state: IncidentState, event: Event) -> None:
    """A poll failed: record the error; the last data stays, and the health says it is old."""
    data = event.data
    health = _health(state, str(data["source"]))
    health.last_attempt = health.error_ts = event.ts
    health.last_duration_ms = number(data.get("duration_ms"))
    health.warnings = ()
    health.consecutive_failures += 1
    health.failed = True
    health.error_kind = str(data.get("kind", ""))
    health.error_message = str(data.get("message", ""))
    health.retry_after_s = number(data.get("retry_after_s"))


def _alert(
    key: str, source: str, item: Mapping[str, Any], ts: datetime, old: AlertRecord | None
) -> AlertRecord:
    firing = item.get("state", "firing") in _FIRING
    if old is None:
        return _tuple_new(AlertRecord, (key, source, item, ts, ts, ts if firing else None))
    fired = old.fired_at
    if fired is None and firing:
        fired = ts
    return _tuple_new(AlertRecord, (key, source, item, old.first_seen, ts, fired))


def _resolve(state: IncidentState, rec: AlertRecord, ts: datetime) -> None:
    start = rec.fired_at or rec.first_seen
    state.resolved_alerts.append(
        ResolvedAlert(
            rec.key,
            rec.source,
            str(rec.item.get("name", "")),
            rec.item,
            rec.first_seen,
            rec.fired_at,
            ts,
            (ts - start).total_seconds(),
        )
    )
    state.resolved_count += 1


def on_alerts(state: IncidentState, event: Event) -> None:
    """Alerts observed: upsert, and resolve (at this event's time) those that vanished."""
    data, ts = event.data, event.ts
    source = str(data["source"])
    current = state.alerts.get(source)
    if current is None:
        current = state.alerts[source] = {}
    items = data.get("items") or ()
    if data.get("full", True):
        fresh: dict[str, AlertRecord] = {}
        for item in items:
            key = str(item["key"])
            fresh[key] = _alert(key, source, item, ts, current.get(key))
        for key, rec in current.items():
            if key not in fresh:
                _resolve(state, rec, ts)
        state.alerts[source] = fresh
    else:
        for item in items:
            key = str(item["key"])
            current[key] = _alert(key, source, item, ts, current.get(key))
        for key in data.get("removed") or ():
            gone = current.pop(str(key), None)
            if gone is not None:
                _resolve(state, gone, ts)
    mark_ok(state, source, ts, data)


def on_tenants(state: IncidentState, event: Event) -> None:
    """Tenant quotas observed: items are stored as they are; judgements live in the views."""
    data = event.data
    source = str(data["source"])
    items = data.get("items") or ()
    if data.get("full", True):
        state.tenants[source] = {str(item["key"]): item for item in items}
    else:
        current = state.tenants.setdefault(source, {})
        for item in items:
            current[str(item["key"])] = item
        for key in data.get("removed") or ():
            current.pop(str(key), None)
    mark_ok(state, source, event.ts, data)


def on_postgres(state: IncidentState, event: Event) -> None:
    """A pg_stat_activity snapshot: kept whole, plus the usage ratio history and peak."""
    data, ts = event.data, event.ts
    source = str(data["source"])
    pg = state.postgres.get(source)
    if pg is None:
        pg = state.postgres[source] = PgState()
    pg.snapshot, pg.ts = data, ts
    total, most = _number_fast(data.get("total")), _number_fast(data.get("max_connections"))
    if total is not None and most:
        ratio = total / most
        if state.keep_history:
            pg.push(ts, ratio)
        if pg.peak is None or ratio > pg.peak.lag:
            pg.peak = LagPeak(ratio, ts)
    mark_ok(state, source, ts, data)
