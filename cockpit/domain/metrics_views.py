"""Derived views for the Kafka, PostgreSQL and tenant panes: thresholds applied at read time."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cockpit.domain.series import LagSeries
from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.domain.views import one_line

RISING, FALLING, FLAT = "rising", "falling", "flat"


@dataclass(frozen=True, slots=True)
class LagRow:
    """One consumer group / topic: lag now, how fast it moves, and recent values."""

    source: str
    group: str
    topic: str
    lag: float | None
    rate_per_min: float
    trend: str
    over_threshold: bool
    history: tuple[float, ...]
    peak: float | None


def lag_rate(samples: Sequence[tuple[datetime, float]], now: datetime, window_s: float) -> float:
    """Least-squares slope (per minute) of the samples in the last `window_s` seconds.

    Deltas only carry values that changed, so the last value is taken to still hold at `now`.
    """
    n = 0
    sx = sy = sxx = sxy = 0.0
    last: float | None = None
    newest = 0.0
    for ts, v in reversed(samples):  # newest first: stop at the window's start
        x = (ts - now).total_seconds()
        if x > 0:
            continue
        if x < -window_s:
            break
        if last is None:
            last, newest = v, x
        n += 1
        sx += x
        sy += v
        sxx += x * x
        sxy += x * v
    if last is not None and newest < 0:
        n += 1
        sy += last
    spread = n * sxx - sx * sx
    if n < 2 or spread <= 0:
        return 0.0
    return (n * sxy - sx * sy) / spread * 60.0


def trend_of(rate_per_min: float, lag: float | None) -> str:
    """rising / falling / flat; moves under 1 % of the lag per minute (or 1 msg/min) are flat."""
    dead_band = max(1.0, 0.01 * abs(lag or 0))
    if rate_per_min > dead_band:
        return RISING
    if rate_per_min < -dead_band:
        return FALLING
    return FLAT


def _lag_row(
    source: str, series: LagSeries, state: IncidentState, now: datetime, t: Thresholds
) -> LagRow:
    rate = lag_rate(series.history, now, t.lag_rate_window_s)
    peak = state.kafka_peaks.get((series.group, series.topic))
    return LagRow(
        source,
        one_line(series.group, 80),
        one_line(series.topic, 80),
        series.lag,
        rate,
        trend_of(rate, series.lag),
        series.lag is not None and series.lag > t.kafka_lag,
        tuple(v for _, v in series.history),
        None if peak is None else peak.lag,
    )


def lag_view(
    state: IncidentState, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[LagRow]:
    """Every (group, topic): over-threshold first, then the largest lag first."""
    rows = [
        _lag_row(source, series, state, now, thresholds)
        for source, kafka in state.kafka.items()
        for series in kafka.totals.values()
    ]
    rows.sort(key=lambda r: (not r.over_threshold, -(r.lag or 0), r.group, r.topic, r.source))
    return rows


@dataclass(frozen=True, slots=True)
class PgView:
    """The PostgreSQL connections pane of one source."""

    source: str
    used: int | None
    max_connections: int | None
    ratio: float | None
    over_threshold: bool
    by_state: tuple[tuple[str, int], ...]
    by_application: tuple[tuple[str, int], ...]
    idle_in_tx_old: int
    long_running: int
    history: tuple[float, ...]
    peak_ratio: float | None
    peak_ts: datetime | None
    age_s: float | None


def _counts(value: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, Mapping):
        return ()
    pairs = [(one_line(k, 64), v) for k, v in value.items()]
    pairs = [
        (k, int(v)) for k, v in pairs if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return tuple(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def pg_view(
    state: IncidentState,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    source: str | None = None,
) -> PgView | None:
    """The snapshot of `source` (default: the first source by name), or None if none yet."""
    if source is None:
        if not state.postgres:
            return None
        source = min(state.postgres)
    pg = state.postgres.get(source)
    if pg is None or pg.ts is None:
        return None
    snap = pg.snapshot
    used, most = _int(snap.get("total")), _int(snap.get("max_connections"))
    ratio = used / most if used is not None and most else None
    return PgView(
        source=source,
        used=used,
        max_connections=most,
        ratio=ratio,
        over_threshold=ratio is not None and ratio > thresholds.pg_usage_ratio,
        by_state=_counts(snap.get("by_state")),
        by_application=_counts(snap.get("by_application")),
        idle_in_tx_old=_int(snap.get("idle_in_transaction_old")) or 0,
        long_running=_int(snap.get("long_running")) or 0,
        history=tuple(v for _, v in pg.history),
        peak_ratio=None if pg.peak is None else pg.peak.lag,
        peak_ts=None if pg.peak is None else pg.peak.ts,
        age_s=max(0.0, (now - pg.ts).total_seconds()),
    )


class TenantRow(NamedTuple):
    """One tenant's quota picture. A NamedTuple: thousands are built per refresh."""

    tenant: str
    checks: float | None
    limit: float | None
    ratio: float | None
    over_quota: bool
    rne_balance: float | None
    rne_low: bool
    badness: float
    """max of normalised badness: 1.0 means exactly at a threshold, above is worse."""


def _num(value: Any) -> float | None:
    cls = value.__class__
    return value if cls is int or cls is float else None


_tuple_new = tuple.__new__  # skips NamedTuple's Python-level __new__ (5,000 rows per refresh)


def tenant_row(item: Mapping[str, Any], t: Thresholds) -> TenantRow:
    """Judge one tenant quota item against the thresholds."""
    get = item.get
    checks, limit, balance = _num(get("checks_month")), _num(get("license_limit")), None
    ratio = checks / limit if checks is not None and limit else None
    quota_bad = 0.0 if ratio is None else ratio / t.license_quota_ratio
    balance = _num(get("rne_balance"))
    rne_bad = 0.0
    if balance is not None:
        if t.rne_balance_min > 0:
            rne_bad = max(0.0, 2.0 - balance / t.rne_balance_min)
        elif balance < 0:
            rne_bad = 1.0
    name = get("tenant") or get("key") or ""
    return _tuple_new(
        TenantRow,
        (
            one_line(name, 64),
            checks,
            limit,
            ratio,
            ratio is not None and ratio > t.license_quota_ratio,
            balance,
            balance is not None and balance < t.rne_balance_min,
            quota_bad if quota_bad > rne_bad else rne_bad,
        ),
    )


def tenants_view(
    state: IncidentState,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    limit: int | None = None,
) -> list[TenantRow]:
    """Tenants worst first (then by name); `limit` keeps only the worst `limit` rows."""
    rows = [tenant_row(item, thresholds) for item in state.iter_tenants()]
    order = lambda r: (-r.badness, r.tenant)  # noqa: E731
    if limit is not None:
        return heapq.nsmallest(limit, rows, key=order)
    rows.sort(key=order)
    return rows
