"""Derived views for the alert and source panes: pure functions of state, time and policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from cockpit.domain.alert_rows import (
    TARGET_LABELS,
    AlertPolicy,
    AlertRow,
    PolicyMemo,
    _mapping,
    alert_severity,
    fast_rows,
    one_line,
)
from cockpit.domain.severity import UNKNOWN_RANK, normalise_severity, severity_rank
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "TARGET_LABELS",
    "AlertPolicy",
    "AlertRow",
    "NoCatalog",
    "alert_severity",
    "alerts_view",
    "one_line",
    "source_status",
    "suggested_severity",
]

OK, STALE, PARTIAL, FAILED, NEVER = "ok", "stale", "partial", "failed", "never"
"""Values of `SourceStatus.status`."""


def alerts_view(
    state: IncidentState,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    policy: AlertPolicy | None = None,
    *,
    records: Iterable[AlertRecord] | None = None,
) -> list[AlertRow]:
    """Current alerts, most severe first (SEV-1 = P0), then oldest first; unknown severity last.

    `thresholds` is accepted for a uniform view signature; alert rows do not use it yet.
    `records` (default: the state's alerts) lets a caller pass a snapshot taken on another
    thread, so the view can be computed away from the event loop.
    """
    memo = PolicyMemo(policy if policy is not None else NoCatalog())
    chosen = state.iter_alerts() if records is None else records
    rows = fast_rows(chosen, now, memo)
    # (rank, -age, name, key) in three stable passes, least significant first: keys read
    # in C, no tuple built per row in Python (a stable sort keeps ties in order, reversed too).
    rows.sort(key=_NAME_KEY)
    rows.sort(key=_AGE, reverse=True)
    rows.sort(key=_RANK)
    return rows


_FIELD = AlertRow._fields.index
_NAME_KEY = itemgetter(_FIELD("name"), _FIELD("key"))
_AGE = itemgetter(_FIELD("age_s"))
_RANK = itemgetter(_FIELD("rank"))


def suggested_severity(state: IncidentState, policy: AlertPolicy) -> str | None:
    """The most severe catalog severity among firing alerts that nobody silenced or inhibited.

    Muted alerts are left out on purpose: someone already judged them. An alert the catalog
    does not know falls back to its own severity label.
    """
    best: str | None = None
    best_rank = UNKNOWN_RANK
    for rec in state.iter_alerts():
        item = rec.item
        if item.get("state", "firing") not in ("firing", "active"):
            continue
        if item.get("silenced") or item.get("inhibited"):
            continue
        severity = normalise_severity(policy.severity_of(str(item.get("name", ""))))
        if severity is None:
            severity = normalise_severity(_mapping(item.get("labels")).get("severity"))
        rank = severity_rank(severity)
        if rank < best_rank:
            best, best_rank = severity, rank
    return best


class NoCatalog:
    """An AlertPolicy that knows no alert (severity then comes from labels only)."""

    def severity_of(self, name: str) -> str | None:
        """Always None."""
        return None

    def runbook_of(self, name: str) -> str | None:
        """Always None."""
        return None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """How fresh and healthy one source's data is, for the pane header."""

    source: str
    status: str
    """ok, stale (older than stale_factor x refresh), partial (warnings), failed, never."""
    age_s: float | None
    """Seconds since the last successful poll (None if it never succeeded)."""
    error: str
    """One line: the last error when failed, the warnings when partial, else empty."""
    consecutive_failures: int = 0
    duration_ms: float | None = None
    absent: bool = False
    """Failed because the series vanished with their job down: the last values are kept
    but must be shown as old (dimmed), never as the present."""


def stale_in(
    state: IncidentState,
    source: str,
    now: datetime,
    refresh_s: float,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Seconds from `now` until `source_status` turns `source` stale if no poll succeeds
    meanwhile; None when time alone changes nothing (never polled, failed, already stale).
    Screens that show no age sleep until then instead of waking every second."""
    health = state.health.get(source)
    if health is None or health.failed or health.last_ok is None:
        return None
    left = thresholds.stale_factor * refresh_s - (now - health.last_ok).total_seconds()
    return left if left >= 0 else None


def first_stale_in(
    state: IncidentState,
    sources: Iterable[tuple[str, float]],
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """`stale_in` of the first of `sources` (name, refresh interval) to turn stale; None
    when time alone turns none of them."""
    waits = (stale_in(state, name, now, refresh_s, thresholds) for name, refresh_s in sources)
    return min((w for w in waits if w is not None), default=None)


ABSENT_KIND = "absent"
"""`source.failed` kind written by a metric source whose series vanished (job down)."""


def absent_message(message: str, since: datetime | None) -> str:
    """`no series from job X since 12:03 UTC: exporter down? (...)` from the recorded message.

    The time is the last successful poll, from the log: a replay shows the same moment.
    """
    if since is None:
        return message
    head, sep, rest = message.partition(": ")
    return f"{head} since {since:%H:%M} UTC{sep}{rest}"


def source_status(
    state: IncidentState,
    source: str,
    now: datetime,
    refresh_s: float,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> SourceStatus:
    """Status of `source` at `now`: failed beats stale beats partial beats ok."""
    health = state.health.get(source)
    if health is None:
        return SourceStatus(source, NEVER, None, "")
    age = None if health.last_ok is None else max(0.0, (now - health.last_ok).total_seconds())
    absent = False
    if health.failed and health.error_kind == ABSENT_KIND:
        error = absent_message(health.error_message or "", health.last_ok)
        status, absent = FAILED, True
    elif health.failed:
        error = f"{health.error_kind}: {health.error_message}"
        status = FAILED
    elif age is not None and age > thresholds.stale_factor * refresh_s:
        status, error = STALE, f"no data for {age:.0f} s (refresh every {refresh_s:g} s)"
    elif health.warnings:
        status, error = PARTIAL, "; ".join(health.warnings)
    else:
        status, error = OK, ""
    return SourceStatus(
        source,
        status,
        age,
        one_line(error, 160),
        health.consecutive_failures,
        health.last_duration_ms,
        absent,
    )
