"""The template context: plain values (strings, numbers, lists of dicts) for one incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cockpit.domain.change import change_lines
from cockpit.domain.incident import IncidentRecord
from cockpit.domain.records import Note
from cockpit.domain.state import IncidentState
from cockpit.domain.timeline import alerts_in_window, build_timeline, origin_of, relative_time
from cockpit.export.impact import Durations, duration_text, durations
from cockpit.export.people import checklist, handovers, roles
from cockpit.export.sla import SlaOutcome, response_sla
from cockpit.export.source import FoldedLog

Context = dict[str, Any]
DECLARED, ALERT_LABEL = "declared", "alert label"
"""Where a tenant in "Tenants affected" comes from."""


def stamp(when: datetime | None) -> str:
    """`2025-03-12 14:30:05 UTC`, or an empty string."""
    return f"{when:%Y-%m-%d %H:%M:%S} UTC" if when is not None else ""


def _hms(when: datetime) -> str:
    return f"{when:%H:%M:%S}"


def pick_incident(state: IncidentState, incident_id: str | None = None) -> IncidentRecord:
    """The incident to export: the one named (KeyError listing the ids when unknown), else the
    last one declared, else the undeclared activity of a log without incident."""
    if incident_id:
        found = state.find_incident(incident_id)
        if found is None:
            known = ", ".join(r.incident_id for r in state.incidents) or "none"
            raise KeyError(f"no incident {incident_id!r} in this log (incidents: {known})")
        return found
    declared = [r for r in state.incidents if r.declared]
    return declared[-1] if declared else state.incidents[-1] if state.incidents else state.current


def _alert_items(folded: FoldedLog, record: IncidentRecord) -> list[tuple[Mapping[str, Any], Any]]:
    firing, gone = alerts_in_window(folded.state, record, resolved=folded.peaks.resolved)
    items: list[tuple[Mapping[str, Any], Any]] = [(g.item, g) for g in gone]
    items += [(r.item, r) for r in firing]
    return items


def tenants_affected(folded: FoldedLog, record: IncidentRecord) -> list[dict[str, str]]:
    """Declared tenants, then those in the labels of alerts active during the incident's
    window, each with where it comes from (`declared`, `alert label`, or both)."""
    sources: dict[str, list[str]] = {}
    for tenant in record.info.tenants if record.info else ():
        sources.setdefault(str(tenant), []).append(DECLARED)
    for item, _rec in _alert_items(folded, record):
        labels = item.get("labels")
        if not isinstance(labels, Mapping):
            continue
        for key in ("tenant", "tenant_id"):
            value = labels.get(key)
            if value and ALERT_LABEL not in sources.setdefault(str(value), []):
                sources[str(value)].append(ALERT_LABEL)
    ordered = sorted(sources.items(), key=lambda kv: (DECLARED not in kv[1], kv[0]))
    return [{"tenant": t, "source": ", ".join(s)} for t, s in ordered]


def known_tenants(folded: FoldedLog) -> list[str]:
    """Every tenant id the log mentions (for redaction: declared, alert labels, quotas)."""
    state = folded.state
    found: set[str] = set()
    for record in (*state.incidents, state.current):
        found.update(t["tenant"] for t in tenants_affected(folded, record))
    found.update(str(item.get("tenant") or "") for item in state.iter_tenants())
    found.update(key for by_key in state.tenants.values() for key in by_key)
    return sorted(t for t in found if t)


def _notes(record: IncidentRecord, tag: str) -> list[dict[str, str]]:
    """Current (not superseded) notes carrying `tag`, oldest first."""
    picked: list[Note] = [
        n for n in record.notes.values() if tag in n.tags and n.superseded_by is None
    ]
    return [{"text": n.text, "author": n.author, "at": stamp(n.ts)} for n in picked]


def _alerts(folded: FoldedLog, record: IncidentRecord, end: datetime | None) -> list[Any]:
    """Alerts of the incident's window; a duration never runs past the window's end."""
    window_end = record.end if record.resolved else None
    rows: list[dict[str, Any]] = []
    for item, rec in _alert_items(folded, record):
        if rec.fired_at is None:
            continue
        cleared: datetime | None = getattr(rec, "resolved_at", None)
        if window_end is not None and (cleared is None or cleared > window_end):
            until, note = window_end, "still firing when the incident was resolved"
        elif cleared is None:
            until, note = end or rec.last_seen, "still firing at the end of the log"
        else:
            until, note = cleared, ""
        rows.append(_alert_row(item, rec.fired_at, (until - rec.fired_at).total_seconds(), note))
    rows.sort(key=lambda r: (r["fired_at"], r["name"]))
    return rows


def _alert_row(
    item: Mapping[str, Any], fired: datetime, lasted: float, note: str
) -> dict[str, Any]:
    labels = item.get("labels")
    severity = labels.get("severity", "") if isinstance(labels, Mapping) else ""
    return {
        "name": str(item.get("name") or "alert"),
        "severity": str(severity or ""),
        "fired_at": stamp(fired),
        "duration": duration_text(max(0.0, lasted)),
        "still_firing": note,
    }


def _impact(folded: FoldedLog, record: IncidentRecord, clocks: Durations) -> dict[str, Any]:
    declared = record.info is not None
    start, end = (clocks.start, clocks.end) if declared else (None, None)
    impact: dict[str, Any] = {
        "mtta": duration_text(clocks.acknowledge_s),
        "time_to_mitigate": duration_text(clocks.mitigate_s),
        "mttr": duration_text(clocks.resolve_s),
        "peak_lag": None,
        "peak_connections": None,
        "alerts": _alerts(folded, record, folded.state.last_ts),
        "queried": dict.fromkeys(("kyc_checks", "declarations", "sla_breaches")),
    }
    lag = folded.peaks.lag_peak(start, end)
    if lag is not None:
        impact["peak_lag"] = {
            "value": f"{int(lag.lag):,}".replace(",", " "),
            "raw": lag.lag,
            "group": lag.group,
            "topic": lag.topic,
            "at": stamp(lag.ts),
        }
    conn = folded.peaks.connection_peak(start, end)
    if conn is not None:
        impact["peak_connections"] = {
            "used": conn.total,
            "max": conn.max_connections,
            "percent": f"{conn.ratio * 100:.0f} %",
            "source": conn.source,
            "at": stamp(conn.ts),
        }
    return impact


def _incident(state: IncidentState, record: IncidentRecord) -> dict[str, Any] | None:
    info = record.info
    if info is None:
        return None
    return {
        "id": info.incident_id,
        "number": record.number,
        "count": len(state.incidents),
        "others": [r.incident_id for r in state.incidents if r is not record],
        "phase": record.phase or "",
        "title": info.title or "(untitled incident)",
        "severity": info.severity,
        "state": info.state,
        "declared": info.declared,
        "declared_at": stamp(info.declared_at),
        "declared_by": info.declared_by,
        "channel": info.channel,
        "services": list(info.services),
        "security": info.security,
        "kyc_checks": info.extra.get("kyc_checks_impacted"),
        "declarations": info.extra.get("declarations_impacted"),
        "severity_history": [
            {"at": stamp(c.ts), "severity": c.severity, "actor": c.actor, "reason": c.reason}
            for c in info.severity_history
        ],
    }


def _runs(record: IncidentRecord) -> list[dict[str, Any]]:
    runs = sorted(record.mitigations.values(), key=lambda r: (r.requested_at or r.completed_at,))
    out = []
    for r in runs:
        lines = change_lines(r.what)
        out.append(
            {
                "at": stamp(r.requested_at or r.completed_at),
                "runbook": r.runbook,
                "step": r.step,
                "what": lines[0].strip() if lines else "",
                "change": [line.strip() for line in lines[1:]],
                "requested_by": r.requested_by,
                "confirmed_by": r.confirmed_by or "",
                "outcome": r.outcome or "no outcome recorded",
                "summary": r.summary,
                "duration": duration_text(r.duration_ms / 1000) if r.duration_ms else "",
            }
        )
    return out


def _sla(sla: SlaOutcome | None) -> dict[str, Any] | None:
    if sla is None:
        return None
    if sla.acknowledged_at is not None:
        took = duration_text(sla.took_s)
        detail = f"acknowledged after {took} at {stamp(sla.acknowledged_at)}"
    elif sla.status == "pending":
        detail = "not acknowledged yet"
    elif sla.resolved_at is not None:
        detail = f"not acknowledged; resolved at {stamp(sla.resolved_at)}"
    else:
        detail = "not acknowledged"
    return {
        "severity": sla.severity,
        "budget": duration_text(sla.budget_s),
        "status": sla.status,
        "breached": sla.breached,
        "detail": f"{detail}; due by {stamp(sla.due)}",
        "start": stamp(sla.start),
        "due": stamp(sla.due),
        "acknowledged_at": stamp(sla.acknowledged_at),
        "took": duration_text(sla.took_s) if sla.took_s is not None else "",
    }


def build_context(folded: FoldedLog, record: IncidentRecord | None = None) -> Context:
    """Everything a template may print for one incident (default: the last one declared)."""
    state = folded.state
    record = record if record is not None else pick_incident(state)
    clocks = durations(record, state.last_ts)
    origin = origin_of(state) or clocks.start
    header = state.header
    return {
        "warning": folded.warning,
        "window": None,
        "log": {
            "name": folded.name,
            "events": folded.events,
            "final_hash": folded.final_hash,
            "hash_mode": header.hash_mode if header else "",
            "host": header.host if header else "",
            "opened_at": stamp(header.opened_at if header else None),
            "last_at": stamp(state.last_ts),
            "unreadable_events": state.unknown_total,
        },
        "incident": _incident(state, record),
        "date": f"{clocks.start or origin or state.last_ts:%Y-%m-%d}",
        "start": stamp(clocks.start),
        "end": stamp(clocks.end),
        "resolved": record.resolved,
        "duration": duration_text(clocks.total_s),
        "milestones": [
            {"name": m.name, "at": stamp(m.at)}
            for m in sorted(record.milestones.values(), key=lambda m: m.at)
        ],
        "roles": roles(record, stamp),
        "handovers": handovers(record, stamp),
        "checklist": checklist(record, stamp),
        "tenants_affected": tenants_affected(folded, record),
        "sla": _sla(response_sla(record, clocks)),
        "escalations": [
            {
                "at": stamp(e.ts),
                "level": e.level,
                "targets": ", ".join(e.targets),
                "reason": e.reason,
                "actor": e.actor,
                "paged": e.paged,
            }
            for e in record.escalations
        ],
        "silences": [
            {
                "at": stamp(s.ts),
                "action": s.action,
                "id": s.silence_id,
                "matchers": s.matchers,
                "until": s.ends_at,
                "comment": s.comment,
                "actor": s.actor,
            }
            for s in record.silences
        ],
        "timeline": [
            {
                "at": _hms(e.ts),
                "date": stamp(e.ts),
                "rel": relative_time(e.ts, origin),
                "kind": e.kind,
                "text": e.text,
                "actor": e.actor,
            }
            for e in build_timeline(state, record, resolved=folded.peaks.resolved)
            if origin is not None
        ],
        "mitigations": _runs(record),
        "status_updates": [
            {
                "at": stamp(u.ts),
                "phase": u.phase,
                "text": u.text,
                "target": u.target,
                "outcome": u.outcome,
            }
            for u in record.status_updates
        ],
        "action_items": _notes(record, "action-item"),
        "decisions": _notes(record, "decision"),
        "hypotheses": _notes(record, "hypothesis"),
        "customer_impact": _notes(record, "customer-impact"),
        "impact": _impact(folded, record, clocks),
    }
