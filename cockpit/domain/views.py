"""Derived views for the alert and source panes: pure functions of state, time and policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cockpit.clock import parse_rfc3339
from cockpit.domain.severity import UNKNOWN_RANK, normalise_severity, severity_rank
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.sanitize import clean

TARGET_LABELS = ("tenant", "service", "consumergroup", "job", "instance")
"""Labels naming what an alert is about, most specific first."""

OK, STALE, PARTIAL, FAILED, NEVER = "ok", "stale", "partial", "failed", "never"
"""Values of `SourceStatus.status`."""


class AlertPolicy(Protocol):
    """What the alert catalog says about an alert name."""

    def severity_of(self, name: str) -> str | None:
        """Catalog severity (SEV-n or Pn) of alert `name`, or None if not in the catalog."""
        ...

    def runbook_of(self, name: str) -> str | None:
        """Id of the runbook that handles alert `name`, or None."""
        ...


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One line of the alerts pane (external text already sanitised, single line)."""

    key: str
    source: str
    name: str
    severity: str | None
    rank: int
    state: str
    age_s: float
    silenced: bool
    inhibited: bool
    target: str
    runbook: str | None
    summary: str


def one_line(value: object, max_len: int) -> str:
    """`clean(value, single_line=True)`, skipping the regexes for plain printable ASCII.

    Panes build thousands of rows per refresh; most labels are plain ASCII.
    """
    if isinstance(value, str) and value.isascii() and value.isprintable():
        return value if len(value) <= max_len else value[: max_len - 1] + "…"
    return clean(value, max_len=max_len, single_line=True)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _started(rec: AlertRecord, parsed: dict[str, datetime] | None = None) -> datetime:
    since = rec.item.get("active_since")
    if isinstance(since, str):
        # Thousands of alerts usually share a few start stamps: parse each one once.
        if parsed is not None and since in parsed:
            return parsed[since]
        try:
            when = parse_rfc3339(since)
        except ValueError:
            pass
        else:
            if parsed is not None:
                parsed[since] = when
            return when
    return rec.fired_at or rec.first_seen


def alert_severity(rec: AlertRecord, policy: AlertPolicy) -> str | None:
    """The alert's own `severity` label when it reads as SEV-n / Pn, else the catalog's."""
    label = normalise_severity(_mapping(rec.item.get("labels")).get("severity"))
    if label is not None:
        return label
    return normalise_severity(policy.severity_of(str(rec.item.get("name", ""))))


class _PolicyMemo:
    """Catalog answers and start stamps remembered for one view build (names repeat a lot)."""

    __slots__ = ("parsed", "policy", "runbooks", "severities")

    def __init__(self, policy: AlertPolicy) -> None:
        self.policy = policy
        self.severities: dict[str, str | None] = {}
        self.runbooks: dict[str, str | None] = {}
        self.parsed: dict[str, datetime] = {}

    def severity_of(self, name: str) -> str | None:
        if name not in self.severities:
            self.severities[name] = self.policy.severity_of(name)
        return self.severities[name]

    def runbook_of(self, name: str) -> str | None:
        if name not in self.runbooks:
            self.runbooks[name] = self.policy.runbook_of(name)
        return self.runbooks[name]


def _row(rec: AlertRecord, now: datetime, policy: AlertPolicy) -> AlertRow:
    item = rec.item
    labels, notes = _mapping(item.get("labels")), _mapping(item.get("annotations"))
    name = str(item.get("name", ""))
    target = next((str(labels[k]) for k in TARGET_LABELS if labels.get(k)), "")
    summary = notes.get("summary") or notes.get("description") or ""
    severity = alert_severity(rec, policy)
    parsed = policy.parsed if isinstance(policy, _PolicyMemo) else None
    return AlertRow(
        key=rec.key,
        source=rec.source,
        name=one_line(name, 80),
        severity=severity,
        rank=severity_rank(severity),
        state=one_line(item.get("state", "firing"), 16),
        age_s=max(0.0, (now - _started(rec, parsed)).total_seconds()),
        silenced=bool(item.get("silenced")),
        inhibited=bool(item.get("inhibited")),
        target=one_line(target, 64),
        runbook=policy.runbook_of(name),
        summary=one_line(summary, 200),
    )


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
    memo = _PolicyMemo(policy if policy is not None else NoCatalog())
    chosen = state.iter_alerts() if records is None else records
    rows = [_row(rec, now, memo) for rec in chosen]
    rows.sort(key=lambda r: (r.rank, -r.age_s, r.name, r.key))
    return rows


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
