"""Fixed incident logs for the export tests, written line by line on a frozen clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.clock import FrozenClock
from cockpit.log import events as ev
from cockpit.log.codec import encode

T0 = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)
AUTHOR = "nadia@bastion-1"


class LogWriter:
    """Encodes events as real chained lines; the header names a fixed version so the final
    hash (printed in the export) does not change when cockpit's version does."""

    def __init__(self, path: Path, clock: FrozenClock) -> None:
        self.path = path
        self.clock = clock
        self.seq = 0
        self.prev = ev.ZERO_HASH
        self.lines: list[bytes] = []
        self.add(ev.LogOpened(1, "", "bastion-1", "nadia", "0.0-test"))

    def at(self, seconds: float) -> LogWriter:
        """Move the clock to T0 + `seconds`."""
        self.clock.set(T0)
        self.clock.advance(seconds)
        return self

    def add(self, payload: ev.Payload) -> None:
        self.data(payload.TYPE, payload.to_data())

    def data(self, type_: str, data: Mapping[str, Any]) -> None:
        self.seq += 1
        encoded = encode(self.seq, self.clock.now(), type_, data, self.prev, None)
        self.prev = encoded.event.hash
        self.lines.append(encoded.line)

    def write(self) -> Path:
        self.path.write_bytes(b"".join(self.lines))
        return self.path


def _alert(name: str, severity: str, tenant: str) -> dict[str, Any]:
    return {
        "key": f"fp-{name}",
        "name": name,
        "labels": {"alertname": name, "severity": severity, "tenant": tenant},
        "annotations": {},
        "state": "firing",
        "active_since": None,
        "value": None,
        "silenced": False,
        "inhibited": False,
    }


def _lag(value: int) -> ev.KafkaLagObserved:
    item = {
        "key": "kyc-consumer/kyc.cases/0",
        "group": "kyc-consumer",
        "topic": "kyc.cases",
        "partition": 0,
        "lag": value,
    }
    return ev.KafkaLagObserved(source="kafka", items=(item,))


def _pg(total: int) -> ev.PostgresConnectionsObserved:
    return ev.PostgresConnectionsObserved("postgres", 40, total, {"active": total})


def _note(note_id: str, text: str, *tags: str, supersedes: str | None = None) -> ev.NoteAdded:
    return ev.NoteAdded(note_id, text, AUTHOR, tags, supersedes)


def incident_log(path: Path) -> Path:
    """A SEV-2 raised to SEV-1: consumer lag after a deploy, rolled back, resolved."""
    w = LogWriter(path, FrozenClock(T0))
    sources = (
        {"name": "alertmanager", "kind": "alerts", "interval_s": 2.0},
        {"name": "kafka", "kind": "kafka", "interval_s": 2.0},
    )
    w.add(ev.SourcesConfigured(sources, "prod", True))
    alert = _alert("KafkaConsumerLagHigh", "warning", "acme-bank")
    w.at(10).add(ev.AlertsObserved(source="alertmanager", items=(alert,)))
    w.add(_lag(25_000))
    w.at(12).add(_pg(30))
    w.at(40).add(_lag(48_000))
    w.at(60).add(
        ev.IncidentDeclared(
            "INC-20250312-kyc-lag",
            "KYC checks delayed by consumer lag",
            "SEV-2",
            tenants=("acme-bank",),
            actor=AUTHOR,
        )
    )
    w.at(70).add(ev.MilestoneSet("detected", "2025-03-12T14:30:10Z", AUTHOR))
    w.at(90).add(ev.MilestoneSet("acknowledged", "2025-03-12T14:31:30Z", AUTHOR))
    w.at(100).add(ev.RoleAssigned("Incident Commander", "Nadia B.", AUTHOR))
    w.at(120).add(
        _note("n1", "Consumer pods restart in a loop since the 14:00 deploy", "hypothesis")
    )
    w.at(130).add(_note("n2", "Alert on kyc-consumer memory; ask ops@example.com", "action-item"))
    w.at(140).add(_note("n3", "Roll back kyc-consumer to the previous image", "decision"))
    w.at(150).add(ev.EscalationRaised("L2", ("sre-secondary",), "lag still rising", AUTHOR, True))
    w.at(160).add(
        ev.IncidentUpdated(
            {"severity": "SEV-1", "tenants": ["acme-bank", "globex"]}, "two tenants blocked", AUTHOR
        )
    )
    w.at(170).add(ev.StatusUpdatePosted("Investigating", "KYC checks are delayed.", actor=AUTHOR))
    w.at(200).add(
        ev.MitigationRequested(
            "m1", "RB-002", "rollback", "k8s", "rollout undo deployment/kyc-consumer", actor=AUTHOR
        )
    )
    w.at(205).add(ev.MitigationConfirmed("m1", AUTHOR, "kyc-consumer"))
    w.at(260).add(
        ev.MitigationCompleted(
            "m1", "ok", "previous image running", duration_ms=55_000, actor=AUTHOR
        )
    )
    w.at(270).add(
        _note("n4", "The restart loop came from a missing env var", "hypothesis", supersedes="n1")
    )
    w.at(300).add(_lag(1_200))
    w.add(_pg(36))
    w.at(320).add(ev.MilestoneSet("mitigated", "2025-03-12T14:35:20Z", AUTHOR))
    w.at(330).add(ev.AlertsObserved(source="alertmanager", items=()))
    w.at(360).add(ev.StatusUpdatePosted("Resolved", "KYC checks are back to normal.", actor=AUTHOR))
    w.at(400).add(ev.MilestoneSet("resolved", "2025-03-12T14:36:40Z", AUTHOR))
    w.at(410).add(
        _note(
            "n5",
            "acme-bank called +33 6 12 34 56 78; dsn was postgres://kyc:hunter2@db:5432/kyc",
            "customer-impact",
        )
    )
    w.at(420).add(ev.LogClosed("quit"))
    return w.write()


def watch_log(path: Path) -> Path:
    """A quiet watch: one alert fires and clears, lag observed, no incident."""
    w = LogWriter(path, FrozenClock(T0))
    w.add(ev.SourcesConfigured(({"name": "kafka", "kind": "kafka", "interval_s": 2.0},), "prod"))
    w.at(5).add(_lag(900))
    alert = _alert("RneBalanceLow", "warning", "globex")
    w.at(20).add(ev.AlertsObserved(source="alertmanager", items=(alert,)))
    w.at(80).add(ev.AlertsObserved(source="alertmanager", items=()))
    w.at(90).add(_lag(3_400))
    w.at(120).add(ev.LogClosed("duration"))
    return w.write()
