"""The template context: plain values (strings, numbers, lists of dicts) from a folded log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cockpit.domain.records import Note
from cockpit.domain.state import IncidentState
from cockpit.domain.timeline import build_timeline, origin_of, relative_time
from cockpit.export.impact import duration_text, durations, response_sla
from cockpit.export.source import FoldedLog

Context = dict[str, Any]


def stamp(when: datetime | None) -> str:
    """`2025-03-12 14:30:05 UTC`, or an empty string."""
    return f"{when:%Y-%m-%d %H:%M:%S} UTC" if when is not None else ""


def _hms(when: datetime) -> str:
    return f"{when:%H:%M:%S}"


def _notes(state: IncidentState, tag: str) -> list[dict[str, str]]:
    """Current (not superseded) notes carrying `tag`, oldest first."""
    picked: list[Note] = [
        n for n in state.notes.values() if tag in n.tags and n.superseded_by is None
    ]
    return [{"text": n.text, "author": n.author, "at": stamp(n.ts)} for n in picked]


def tenants_affected(state: IncidentState) -> list[str]:
    """Tenants named by the incident or by the labels of alerts that fired."""
    found = set(state.incident.tenants if state.incident else ())
    items: list[Mapping[str, Any]] = [r.item for r in state.iter_alerts() if r.fired_at]
    items += [r.item for r in state.resolved_alerts if r.fired_at]
    for item in items:
        labels = item.get("labels")
        if isinstance(labels, Mapping):
            for key in ("tenant", "tenant_id"):
                if labels.get(key):
                    found.add(str(labels[key]))
    return sorted(found)


def known_tenants(state: IncidentState) -> list[str]:
    """Every tenant id the log mentions (affected ones and quota observations)."""
    found = set(tenants_affected(state))
    found.update(str(item.get("tenant") or "") for item in state.iter_tenants())
    found.update(key for by_key in state.tenants.values() for key in by_key)
    return sorted(t for t in found if t)


def _alerts(state: IncidentState, end: datetime | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for gone in state.resolved_alerts:
        if gone.fired_at is not None:
            lasted = (gone.resolved_at - gone.fired_at).total_seconds()
            rows.append(_alert_row(gone.item, gone.fired_at, lasted, False))
    for rec in state.iter_alerts():
        if rec.fired_at is not None:
            lasted = ((end or rec.last_seen) - rec.fired_at).total_seconds()
            rows.append(_alert_row(rec.item, rec.fired_at, lasted, True))
    rows.sort(key=lambda r: (r["fired_at"], r["name"]))
    return rows


def _alert_row(
    item: Mapping[str, Any], fired: datetime, lasted: float, firing: bool
) -> dict[str, Any]:
    labels = item.get("labels")
    severity = labels.get("severity", "") if isinstance(labels, Mapping) else ""
    return {
        "name": str(item.get("name") or "alert"),
        "severity": str(severity or ""),
        "fired_at": stamp(fired),
        "duration": duration_text(lasted),
        "still_firing": firing,
    }


def _impact(folded: FoldedLog) -> dict[str, Any]:
    state = folded.state
    clocks = durations(state)
    impact: dict[str, Any] = {
        "mtta": duration_text(clocks.acknowledge_s),
        "time_to_mitigate": duration_text(clocks.mitigate_s),
        "mttr": duration_text(clocks.resolve_s),
        "peak_lag": None,
        "peak_connections": None,
        "alerts": _alerts(state, state.last_ts),
    }
    if state.kafka_peak is not None:
        (group, topic), peak = state.kafka_peak
        impact["peak_lag"] = {
            "value": f"{int(peak.lag):,}".replace(",", " "),
            "raw": peak.lag,
            "group": group,
            "topic": topic,
            "at": stamp(peak.ts),
        }
    conn = folded.peaks.connections
    if conn is not None:
        impact["peak_connections"] = {
            "used": conn.total,
            "max": conn.max_connections,
            "percent": f"{conn.ratio * 100:.0f} %",
            "source": conn.source,
            "at": stamp(conn.ts),
        }
    return impact


def _incident(state: IncidentState) -> dict[str, Any] | None:
    info = state.incident
    if info is None:
        return None
    return {
        "id": info.incident_id,
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


def _runs(state: IncidentState) -> list[dict[str, Any]]:
    runs = sorted(state.mitigations.values(), key=lambda r: (r.requested_at or r.completed_at,))
    return [
        {
            "at": stamp(r.requested_at or r.completed_at),
            "runbook": r.runbook,
            "step": r.step,
            "what": r.what,
            "requested_by": r.requested_by,
            "confirmed_by": r.confirmed_by or "",
            "outcome": r.outcome or "no outcome recorded",
            "summary": r.summary,
            "duration": duration_text(r.duration_ms / 1000) if r.duration_ms else "",
        }
        for r in runs
    ]


def build_context(folded: FoldedLog) -> Context:
    """Everything a template may print, already in display form."""
    state = folded.state
    clocks = durations(state)
    origin = origin_of(state) or clocks.start
    sla = response_sla(state, clocks)
    header = state.header
    return {
        "warning": folded.warning,
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
        "incident": _incident(state),
        "date": f"{clocks.start or origin or state.last_ts:%Y-%m-%d}",
        "start": stamp(clocks.start),
        "end": stamp(clocks.end),
        "resolved": "resolved" in state.milestones,
        "duration": duration_text(clocks.total_s),
        "milestones": [
            {"name": m.name, "at": stamp(m.at)}
            for m in sorted(state.milestones.values(), key=lambda m: m.at)
        ],
        "roles": [{"role": r.role, "person": r.person} for r in state.roles.values()],
        "tenants_affected": tenants_affected(state),
        "sla": None
        if sla is None
        else {
            "severity": sla.severity,
            "budget": duration_text(sla.budget_s),
            "took": duration_text(sla.took_s) if sla.took_s is not None else "never acknowledged",
            "breached": sla.breached,
        },
        "escalations": [
            {
                "at": stamp(e.ts),
                "level": e.level,
                "targets": ", ".join(e.targets),
                "reason": e.reason,
                "actor": e.actor,
                "paged": e.paged,
            }
            for e in state.escalations
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
            for e in build_timeline(state)
            if origin is not None
        ],
        "mitigations": _runs(state),
        "status_updates": [
            {
                "at": stamp(u.ts),
                "phase": u.phase,
                "text": u.text,
                "target": u.target,
                "outcome": u.outcome,
            }
            for u in state.status_updates
        ],
        "action_items": _notes(state, "action-item"),
        "decisions": _notes(state, "decision"),
        "hypotheses": _notes(state, "hypothesis"),
        "customer_impact": _notes(state, "customer-impact"),
        "impact": _impact(folded),
    }
