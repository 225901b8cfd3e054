"""Pane status line: the worst status among a pane's sources, as one short line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import Thresholds
from cockpit.domain.views import (
    ABSENT_KIND,
    FAILED,
    NEVER,
    OK,
    PARTIAL,
    STALE,
    SourceStatus,
    source_status,
)
from cockpit.sanitize import clean

from .glyphs import compact_age, compact_interval

UNCONFIGURED = "unconfigured"
"""Pseudo status: no source of the pane's kind exists."""
WORST_FIRST = (FAILED, STALE, PARTIAL, NEVER, OK)
_RANK = {status: rank for rank, status in enumerate(WORST_FIRST)}
MAX_LEN = 160


@dataclass(frozen=True, slots=True)
class PaneStatus:
    """What the pane border says about its data: a status (for the border colour) and a line."""

    status: str
    text: str


def _seen(state: IncidentState, kind: str) -> Iterable[str]:
    by_kind: Mapping[str, Mapping[str, Any]] = {
        "alerts": state.alerts,
        "kafka": state.kafka,
        "postgres": state.postgres,
        "tenants": state.tenants,
    }
    return by_kind.get(kind, {})


def kind_sources(state: IncidentState, kind: str, default_s: float) -> list[tuple[str, float]]:
    """(source name, poll interval) of every source feeding a pane of `kind`, by name.

    Configured sources are the truth; a log without `sources.configured` (older, or a test)
    falls back to the sources whose data the fold has seen.
    """
    if state.sources:
        found = [
            (s.name, s.interval_s or default_s) for s in state.sources.values() if s.kind == kind
        ]
    else:
        found = [(name, default_s) for name in _seen(state, kind)]
    return sorted(found)


def _first_warning(state: IncidentState, source: str) -> str:
    health = state.health.get(source)
    warnings = health.warnings if health is not None else ()
    return clean(warnings[0], single_line=True) if warnings else ""


def _line(state: IncidentState, st: SourceStatus, interval: float, who: str, replay: bool) -> str:
    if st.status == OK:
        # In a replay the data is fresh at the playhead, not live: the present is elsewhere.
        return f"● {'fresh' if replay else 'live'} ≤{compact_interval(interval)}"
    if st.status == STALE:
        return f"◌ STALE{who} {compact_age(st.age_s)}"
    if st.status == PARTIAL:
        return f"◐ PARTIAL{who}: {_first_warning(state, st.source)}"
    if st.status == FAILED and st.absent:
        return f"✖ NO SERIES{who}: {st.error} · last values dimmed"
    if st.status == FAILED:
        age = "" if st.age_s is None else f" {compact_age(st.age_s)}"
        return f"✖ FAILED{who}{age}: {st.error}"
    return "… waiting for first poll"


def _absent_sources(state: IncidentState) -> list[str]:
    names = [n for n, h in state.health.items() if h.failed and h.error_kind == ABSENT_KIND]
    return [clean(n, single_line=True, max_len=40) for n in sorted(names)]


def pane_status(
    state: IncidentState,
    kind: str,
    now: datetime,
    thresholds: Thresholds,
    default_s: float,
    *,
    replay: bool = False,
) -> PaneStatus:
    """The worst status among the pane's sources (failed, stale, partial, never, ok).

    The OK line names the poll interval, not the age, so it stays byte-identical while the
    data is fresh and an idle screen writes nothing.
    """
    sources = kind_sources(state, kind, default_s)
    if not sources:
        if state.sources:
            return PaneStatus(UNCONFIGURED, "not configured")
        return PaneStatus(NEVER, "… waiting for first poll")
    worst: tuple[SourceStatus, float] | None = None
    for name, interval in sources:
        st = source_status(state, name, now, interval, thresholds)
        if worst is None or _RANK[st.status] < _RANK[worst[0].status]:
            worst = (st, interval)
        elif st.status == OK == worst[0].status and interval > worst[1]:
            worst = (st, interval)  # "live ≤N": N is the slowest healthy source's interval
    assert worst is not None
    st, interval = worst
    if kind == "alerts" and _RANK[st.status] >= _RANK[PARTIAL]:
        silent = _absent_sources(state)
        if silent:
            # Rules over vanished series stop firing: resolved is not the same as fixed.
            text = f"◐ alerts may be missing: no series from {', '.join(silent)}"
            return PaneStatus(PARTIAL, clean(text, single_line=True, max_len=MAX_LEN))
    # With several sources, name the one at fault; with one, the pane title says it all.
    who = f" {clean(st.source, single_line=True)}" if len(sources) > 1 else ""
    text = clean(_line(state, st, interval, who, replay), single_line=True, max_len=MAX_LEN)
    return PaneStatus(st.status, text)
