"""Event builders for the domain tests (no log store: Events are built directly)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.log import events as ev

T0 = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """T0 + `seconds`."""
    return T0 + timedelta(seconds=seconds)


class Log:
    """Builds a stream of Events with increasing seq; `ts` is T0 + seconds."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def add(self, payload: ev.Payload, seconds: float | None = None) -> ev.Event:
        seconds = float(len(self.events)) if seconds is None else seconds
        return self.raw(payload.TYPE, payload.to_data(), seconds)

    def raw(self, type_: str, data: dict[str, Any], seconds: float) -> ev.Event:
        seq = len(self.events) + 1
        event = ev.Event(seq, at(seconds), type_, data, "prev", f"hash{seq}")
        self.events.append(event)
        return event


def alert(key: str, name: str = "ApiErrorRateHigh", **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"key": key, "name": name, "state": "firing", "labels": {}}
    item.update(fields)
    return item


def lag(
    group: str, topic: str, value: float | None, partition: int | None = None
) -> dict[str, Any]:
    key = f"{group}/{topic}" if partition is None else f"{group}/{topic}/{partition}"
    return {"key": key, "group": group, "topic": topic, "partition": partition, "lag": value}


def tenant(name: str, checks: float, limit: float, balance: float) -> dict[str, Any]:
    return {
        "key": name,
        "tenant": name,
        "checks_month": checks,
        "license_limit": limit,
        "rne_balance": balance,
    }


def alerts(
    items: Iterable[dict[str, Any]], full: bool = True, removed: Iterable[str] = ()
) -> ev.AlertsObserved:
    return ev.AlertsObserved(source="am", full=full, items=tuple(items), removed=tuple(removed))


def scenario() -> list[ev.Event]:
    """A small incident touching every kind of event."""
    log = Log()
    log.add(ev.LogOpened(1, "INC-7", "bastion-1", "ana", "0.1.0"), 0)
    log.add(alerts([alert("a1", labels={"severity": "SEV-2"}), alert("a2", "OcrServiceDown")]), 1)
    log.add(ev.KafkaLagObserved(source="kafka", items=(lag("kyc", "docs", 12_000),)), 2)
    log.add(ev.TenantQuotaObserved(source="billing", items=(tenant("acme", 96, 100, 500),)), 3)
    log.add(ev.PostgresConnectionsObserved(source="pg", max_connections=100, total=90), 4)
    log.add(ev.IncidentDeclared("INC-7", "Uploads failing", "SEV-2", actor="ana"), 5)
    log.add(ev.RoleAssigned("commander", "ana", actor="ana"), 6)
    log.add(ev.NoteAdded("n1", "OCR pods crash looping", "bob", tags=("ocr",)), 7)
    log.add(ev.NoteAdded("n2", "OCR pods OOM killed", "bob", supersedes="n1"), 8)
    log.add(ev.IncidentUpdated({"severity": "SEV-1"}, reason="all tenants", actor="ana"), 9)
    log.add(ev.SourceFailed("kafka", "timeout", "no answer in 5 s", 5000.0), 10)
    log.add(alerts([alert("a1", labels={"severity": "SEV-2"})]), 11)
    log.add(ev.MitigationRequested("r1", "RB-002", "restart", "k8s", "rollout restart ocr"), 12)
    log.add(ev.MitigationConfirmed("r1", actor="ana"), 13)
    log.add(ev.MitigationCompleted("r1", "ok", summary="restarted"), 14)
    log.raw("future.thing", {"x": 1}, 15)
    log.add(ev.LogClosed("quit"), 16)
    return log.events


def test_builders_make_decodable_events() -> None:
    events = scenario()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert isinstance(events[0].payload(), ev.LogOpened)
    assert isinstance(events[-2].payload(), ev.UnknownPayload)
