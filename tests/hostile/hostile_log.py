"""Writes an incident log whose every external field carries the hostile-strings corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hostile_corpus import load as load_corpus

from cockpit.clock import FrozenClock, parse_rfc3339
from cockpit.log.delta import ObservationRecorder
from cockpit.log.events import IncidentDeclared, NoteAdded, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.sources.base import Snapshot

START = "2025-03-12T14:30:00Z"


def hostile_strings(*keys: str) -> list[str]:
    """Every string of the corpus (all categories but the description, or only `keys`)."""
    data = load_corpus()
    wanted = keys or tuple(k for k in data if k != "about")
    return [s for key in wanted for s in data[key]]


def _snapshots(texts: list[str]) -> list[Snapshot]:
    alerts = [
        {
            "key": f"a{n:03d}",
            "name": "RneBalanceLow",
            "labels": {"alertname": "RneBalanceLow", "tenant": text, "service": text},
            "annotations": {"summary": text, "description": text},
            "state": "firing",
            "active_since": START,
            "value": None,
            "silenced": False,
            "inhibited": False,
            "generator_url": text,
        }
        for n, text in enumerate(texts)
    ]
    lag = [
        {"key": f"k{n:03d}", "group": text, "topic": text, "partition": None, "lag": 1000 + n}
        for n, text in enumerate(texts)
    ]
    tenants = [
        {
            "key": f"t{n:03d}",
            "tenant": text,
            "checks_month": 9_900,
            "license_limit": 10_000,
            "rne_balance": n,
        }
        for n, text in enumerate(texts)
    ]
    postgres: dict[str, Any] = {
        "max_connections": 100,
        "total": len(texts),
        "by_state": {text: 1 for text in texts[:8]},
        "by_application": {text: 1 for text in texts},
        "long_running": 1,
        "idle_in_transaction_old": 1,
    }
    return [
        Snapshot("alertmanager", "alerts", tuple(alerts), 1.0, (texts[0], texts[2])),
        Snapshot("prometheus-kafka", "kafka", tuple(lag), 1.0),
        Snapshot("prometheus-tenants", "tenants", tuple(tenants), 1.0),
        Snapshot("postgres", "postgres", (postgres,), 1.0, (texts[3],)),
    ]


def write_hostile_log(path: Path) -> str:
    """Write the log; return the time of its last event (for `replay --at`)."""
    clock = FrozenClock(parse_rfc3339(START))
    log, _ = IncidentLog.open(path, clock=clock)
    texts = hostile_strings()
    sources = tuple(
        {"name": s.source, "kind": s.kind, "interval_s": 3600.0} for s in _snapshots(texts)
    )
    log.append(SourcesConfigured(sources=sources, environment=texts[2]))
    recorder = ObservationRecorder(full_every_s=300.0)
    for snap in _snapshots(texts):
        clock.advance(1.0)
        log.append(recorder.record(snap, clock.now()))
    clock.advance(1.0)
    log.append(IncidentDeclared("INC-1", texts[4], "SEV-2", "inc-hostile", actor=texts[5]))
    for n, text in enumerate(texts):
        clock.advance(1.0)
        log.append(NoteAdded(f"n{n:03d}", text, texts[n - 1], (text[:12],)))
    log.close()
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def write_hostile_names_log(path: Path) -> str:
    """A log whose firing alerts are *named* with the corpus (no runbook maps to them)."""
    clock = FrozenClock(parse_rfc3339(START))
    log, _ = IncidentLog.open(path, clock=clock)
    names = hostile_strings("alert_names")
    alerts = [
        {
            "key": f"n{n:03d}",
            "name": name,
            "labels": {"alertname": name, "service": name},
            "annotations": {"summary": name},
            "state": "firing",
            "active_since": START,
            "value": None,
            "silenced": False,
            "inhibited": False,
            "generator_url": "",
        }
        for n, name in enumerate(names)
    ]
    snap = Snapshot("alertmanager", "alerts", tuple(alerts), 1.0)
    source = {"name": "alertmanager", "kind": "alerts", "interval_s": 3600.0}
    log.append(SourcesConfigured(sources=(source,), environment="names"))
    clock.advance(1.0)
    log.append(ObservationRecorder(full_every_s=300.0).record(snap, clock.now()))
    clock.advance(1.0)
    log.append(NoteAdded("n0", "names", "t@h", ()))
    log.close()
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
