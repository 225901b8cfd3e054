"""A post-mortem for any window of any log: the window, not a declaration, defines the incident."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cockpit.clock import rfc3339
from cockpit.domain.incident import IncidentRecord
from cockpit.domain.records import IncidentInfo, Milestone
from cockpit.domain.severity import normalise_severity
from cockpit.domain.state import IncidentState
from cockpit.domain.timeline import origin_of
from cockpit.domain.when import TimeError, Window, parse_window
from cockpit.export.impact import durations
from cockpit.export.source import FoldedLog

WINDOW_STATE = "window"
"""The `state` of an incident made from a window (shown after its severity)."""
OWN_MILESTONES = ("detected", "resolved")
"""Milestones the window sets itself: its start and its end."""
BY = "cockpit export --from/--to"
T = TypeVar("T")


def check_severity(severity: str) -> str:
    """The severity label, normalised (ValueError naming the accepted forms)."""
    label = normalise_severity(severity)
    if label is None:
        raise ValueError(f"--severity {severity!r} is not a severity; use SEV-1..SEV-4 or P0..P3")
    return label


def window_record(
    state: IncidentState, window: Window, *, title: str, severity: str
) -> IncidentRecord:
    """An incident record spanning `window`: detected at its start, resolved at its end, with
    what the operators did inside it (notes, runs, roles, milestones...) from every incident
    of the log, declared or not. Figures taken through it cover the window only."""
    if state.header is None or state.last_ts is None:
        raise TimeError("the log has no events to take a window from")
    first, last = state.header.opened_at, state.last_ts
    if window.end < first or window.start > last:
        raise TimeError(
            f"the window {window.describe()} is outside the log, which runs from "
            f"{rfc3339(first)} to {rfc3339(last)}"
        )
    label = check_severity(severity)
    record = IncidentRecord(number=1)
    record.info = IncidentInfo(
        incident_id=f"window-{window.start:%Y%m%dT%H%M%SZ}",
        title=title or f"Incident of {window.start:%Y-%m-%d %H:%M} UTC",
        severity=label,
        declared=False,
        detected_at=window.start,
        state=WINDOW_STATE,
        updated_at=window.end,
    )
    sources = [*state.incidents]
    if state.current not in sources:
        sources.append(state.current)
    for source in sources:
        _adopt(record, source, window)
    record.milestones["detected"] = Milestone("detected", window.start, window.start, BY)
    record.milestones["resolved"] = Milestone("resolved", window.end, window.end, BY)
    record.first_ts = window.start
    return record


def _inside(window: Window, *times: datetime | None) -> bool:
    return any(t is not None and t in window for t in times)


def _adopt(record: IncidentRecord, source: IncidentRecord, window: Window) -> None:
    """Copy into `record` what `source` holds inside the window."""
    for key, note in source.notes.items():
        if note.ts in window:
            record.notes[key] = note
    for name, ms in source.milestones.items():
        if name not in OWN_MILESTONES and ms.at in window:
            record.milestones.setdefault(name, ms)
    for role in source.role_history:
        if role.ts in window:
            record.role_history.append(role)
            record.roles[role.role] = role
    for tick in source.ticks:
        if tick.ts in window:
            record.ticks.append(tick)
            record.checklist[tick.item] = tick
    for run_id, step in source.steps.items():
        if _inside(window, step.requested_at, step.completed_at):
            record.steps[run_id] = step
    for run_id, run in source.mitigations.items():
        if _inside(window, run.requested_at, run.completed_at):
            record.mitigations[run_id] = run
    record.escalations.extend(_within(source.escalations, window))
    record.status_updates.extend(_within(source.status_updates, window))
    record.external_actions.extend(_within(source.external_actions, window))
    record.silences.extend(_within(source.silences, window))


def _within(items: Iterable[T], window: Window) -> list[T]:
    return [item for item in items if getattr(item, "ts", None) in window]


@dataclass(frozen=True, slots=True)
class WindowRequest:
    """`--from/--to/--title/--severity`: a post-mortem for a window instead of a declaration."""

    start: str
    end: str
    now: datetime
    """What `now` and `-30m` count from (the caller's clock)."""
    title: str = ""
    severity: str = "SEV-3"


def incident_window(folded: FoldedLog, record: IncidentRecord) -> Window | None:
    """A declared incident's window: detection to resolution (or the log's end)."""
    clocks = durations(record, folded.state.last_ts)
    if clocks.start is None or clocks.end is None or clocks.end <= clocks.start:
        return None
    return Window(clocks.start, clocks.end)


def windowed(folded: FoldedLog, request: WindowRequest) -> tuple[IncidentRecord, Window]:
    """The incident a `--from/--to` request defines (ValueError saying what is wrong)."""
    origin = origin_of(folded.state)
    span = parse_window(request.start, request.end, origin=origin, now=request.now)
    record = window_record(folded.state, span, title=request.title, severity=request.severity)
    return record, span
