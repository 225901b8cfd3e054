"""Timeline of an incident: human events and significant observed changes, from the state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.domain.change import change_summary
from cockpit.domain.incident import IncidentRecord
from cockpit.domain.state import AlertRecord, IncidentState, ResolvedAlert
from cockpit.sanitize import clean

KINDS = (
    "alert", "incident", "severity", "role", "note", "milestone", "checklist", "step",
    "mitigation", "escalation", "status", "silence",
)  # fmt: skip
"""Entry kinds, in the order the timeline filter cycles through them."""
HUMAN_KINDS = frozenset(KINDS) - {"alert"}
"""Kinds an operator caused (everything but what the sources observed)."""
_TEXT_MAX = 300


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the timeline; `ref` names the record it came from (a note id, a run id)."""

    ts: datetime
    kind: str
    text: str
    actor: str = ""
    tags: tuple[str, ...] = ()
    ref: str = ""

    @property
    def human(self) -> bool:
        """True when an operator caused it."""
        return self.kind in HUMAN_KINDS

    def relative(self, origin: datetime) -> str:
        """`T+mm:ss` (minutes unbounded) from `origin`; `T-mm:ss` before it."""
        return relative_time(self.ts, origin)

    def matches(self, needle: str) -> bool:
        """Case-insensitive search over the text, actor, kind and tags."""
        folded = needle.casefold()
        hay = " ".join((self.text, self.actor, self.kind, *self.tags)).casefold()
        return folded in hay


def relative_time(ts: datetime, origin: datetime) -> str:
    """`T+mm:ss` from `origin`, the form `cockpit replay --at` and the seek dialog accept."""
    seconds = int((ts - origin).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    minutes, secs = divmod(abs(seconds), 60)
    return f"T{sign}{minutes:02d}:{secs:02d}"


def origin_of(state: IncidentState) -> datetime | None:
    """T+0 of a log: its first event (the same origin replay's `--at T+mm:ss` counts from)."""
    return state.header.opened_at if state.header is not None else None


def _text(value: object) -> str:
    return clean(value, single_line=True, max_len=_TEXT_MAX)


def _alert_name(item: Mapping[str, Any]) -> str:
    labels = item.get("labels")
    severity = labels.get("severity") if isinstance(labels, Mapping) else None
    name = _text(item.get("name") or "alert")
    return f"{name} ({_text(severity)})" if severity else name


def alerts_in_window(
    state: IncidentState,
    record: IncidentRecord | None,
    *,
    open_end: bool = False,
    resolved: Iterable[ResolvedAlert] | None = None,
) -> tuple[list[AlertRecord], list[ResolvedAlert]]:
    """Alerts that fired and were active during the incident's window (all of them without a
    declared incident): still firing, and resolved. `open_end` keeps those after the end;
    `resolved` replaces the state's (bounded) list of resolved alerts."""
    firing = [r for r in state.iter_alerts() if r.fired_at is not None]
    gone = [g for g in (state.resolved_alerts if resolved is None else resolved) if g.fired_at]
    if record is None or record.info is None:
        return firing, gone
    start, end = record.start, None if open_end else (record.end or state.last_ts)
    if end is not None:
        firing = [r for r in firing if r.fired_at is not None and r.fired_at <= end]
        gone = [g for g in gone if g.fired_at is not None and g.fired_at <= end]
    if start is not None:
        gone = [g for g in gone if g.resolved_at >= start]
    return firing, gone


def _alerts(
    state: IncidentState,
    record: IncidentRecord,
    open_end: bool,
    resolved: Iterable[ResolvedAlert] | None,
) -> Iterable[TimelineEntry]:
    firing, gone = alerts_in_window(state, record, open_end=open_end, resolved=resolved)
    end = record.end if record.info is not None and not open_end else None
    for rec in firing:
        if rec.fired_at is not None:
            yield TimelineEntry(
                rec.fired_at, "alert", f"fired: {_alert_name(rec.item)}", ref=rec.key
            )
    for old in gone:
        if old.fired_at is None:
            continue  # pending that never fired: noise, not a change
        name = _alert_name(old.item)
        yield TimelineEntry(old.fired_at, "alert", f"fired: {name}", ref=old.key)
        if end is None or old.resolved_at <= end:
            lasted = int(old.duration_s)
            text = f"resolved: {name} after {lasted // 60}m{lasted % 60:02d}s"
            yield TimelineEntry(old.resolved_at, "alert", text, ref=old.key)


def _incident(record: IncidentRecord) -> Iterable[TimelineEntry]:
    info = record.info
    if info is not None and info.declared and info.declared_at is not None:
        first = next((c for c in info.severity_history if c.reason == "declared"), None)
        severity = first.severity if first is not None else info.severity
        text = f"incident declared: {_text(info.title)} ({_text(severity)})"
        yield TimelineEntry(info.declared_at, "incident", text, _text(info.declared_by))
    for change in info.severity_history if info is not None else ():
        if change.reason == "declared":
            continue
        text = f"severity set to {_text(change.severity)}"
        if change.reason:
            text += f": {_text(change.reason)}"
        yield TimelineEntry(change.ts, "severity", text, _text(change.actor))
    for role in record.role_history:
        text = f"{_text(role.role)}: {_text(role.person)}"
        if role.previous:
            text += f" (handed over from {_text(role.previous)})"
        yield TimelineEntry(role.ts, "role", text, _text(role.actor))
    for tick in record.ticks:
        text = f"{'ticked' if tick.done else 'unticked'}: {_text(tick.item)}"
        yield TimelineEntry(tick.ts, "checklist", text, _text(tick.actor), ref=tick.item)


def _notes(record: IncidentRecord) -> Iterable[TimelineEntry]:
    for note in record.notes.values():
        text = _text(note.text)
        if note.supersedes:
            text = f"(correction) {text}"
        if note.superseded_by:
            text = f"(superseded) {text}"
        yield TimelineEntry(note.ts, "note", text, _text(note.author), note.tags, note.note_id)
    for ms in record.milestones.values():
        yield TimelineEntry(ms.at, "milestone", _text(ms.name), _text(ms.actor), ref=ms.name)


def _runs(record: IncidentRecord) -> Iterable[TimelineEntry]:
    for step in record.steps.values():
        what = f"{_text(step.runbook)} {_text(step.step)}".strip()
        if step.requested_at is not None:
            text = f"step started: {what}"
            yield TimelineEntry(step.requested_at, "step", text, _text(step.requested_by))
        if step.completed_at is not None:
            text = f"step {_text(step.outcome)}: {what}"
            if step.summary:
                text += f" ({_text(step.summary)})"
            yield TimelineEntry(step.completed_at, "step", text, _text(step.completed_by))
    for run in record.mitigations.values():
        what = f"{_text(run.runbook)} {_text(run.step)}".strip()
        if run.requested_at is not None:
            text = f"mitigation requested: {what}: {_text(change_summary(run.what))}"
            yield TimelineEntry(run.requested_at, "mitigation", text, _text(run.requested_by))
        if run.completed_at is not None:
            text = f"mitigation {_text(run.outcome)}: {what}"
            if run.summary:
                text += f" ({_text(run.summary)})"
            yield TimelineEntry(run.completed_at, "mitigation", text, _text(run.completed_by))


def _comms(record: IncidentRecord) -> Iterable[TimelineEntry]:
    for esc in record.escalations:
        who = ", ".join(_text(t) for t in esc.targets)
        text = f"escalated to {_text(esc.level)}" + (f" ({who})" if who else "")
        if esc.reason:
            text += f": {_text(esc.reason)}"
        yield TimelineEntry(esc.ts, "escalation", text, _text(esc.actor))
    for update in record.status_updates:
        text = f"status page {_text(update.phase)}: {_text(update.text)}"
        yield TimelineEntry(update.ts, "status", text, _text(update.actor))
    for silence in record.silences:
        text = f"silence {_text(silence.action)}: {_text(silence.matchers)}"
        if silence.action == "created":
            text += f" until {_text(silence.ends_at)}: {_text(silence.comment)}"
        yield TimelineEntry(
            silence.ts, "silence", text, _text(silence.actor), ref=silence.silence_id
        )


def build_timeline(
    state: IncidentState,
    incident: IncidentRecord | None = None,
    *,
    resolved: Iterable[ResolvedAlert] | None = None,
) -> list[TimelineEntry]:
    """The entries of one incident, oldest first: its own events, and the alerts active during
    its window (from its start to its resolution). Ties keep a stable, kind-based order.

    Without `incident`: the current one as the live screen follows it, alerts up to the end
    of the log included (after a resolution the operator still watches for the next one).
    `resolved` replaces the state's bounded list of resolved alerts (an export keeps all).
    """
    record = incident if incident is not None else state.current
    entries: list[TimelineEntry] = list(_alerts(state, record, incident is None, resolved))
    for part in (_incident, _notes, _runs, _comms):
        entries.extend(part(record))
    entries.sort(key=lambda e: (e.ts, KINDS.index(e.kind)))  # stable: a start stays before its end
    return entries


def filter_entries(
    entries: Iterable[TimelineEntry], kinds: Iterable[str] | None = None, search: str = ""
) -> list[TimelineEntry]:
    """The entries of the given kinds (None: all) whose text contains `search`."""
    wanted = None if kinds is None else frozenset(kinds)
    needle = search.strip()
    return [
        e
        for e in entries
        if (wanted is None or e.kind in wanted) and (not needle or e.matches(needle))
    ]
