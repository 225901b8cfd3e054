"""Fixed incident logs for the export tests, written line by line on a frozen clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.clock import FrozenClock, rfc3339
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


PATCH_WHAT = (
    "scale deployment/kyc-consumer in namespace kyc\n  spec.replicas\n  - 2\n  + 4\n"
    "Patch: {'spec': {'replicas': 4}}\nServer-side dry run: accepted"
)


def _alert_for(name: str, tenant: str) -> dict[str, Any]:
    labels = {"alertname": name, "severity": "critical", "tenant": tenant}
    return {"key": f"fp-{name}", "name": name, "labels": labels, "state": "firing"}


def _lag_of(value: int) -> ev.KafkaLagObserved:
    item = {"key": "g/t/0", "group": "kyc-consumer", "topic": "kyc.cases", "partition": 0}
    return ev.KafkaLagObserved(source="kafka", items=({**item, "lag": value},))


def milestone(name: str, seconds: int) -> ev.MilestoneSet:
    return ev.MilestoneSet(name, rfc3339(T0 + timedelta(seconds=seconds)), AUTHOR)


def two_incidents(path: Path, *, stamped: bool = False) -> Path:
    """SEV-2 INC-A (acme-bank) resolved at T+10:00, then security SEV-1 INC-B (globex) open."""
    w = LogWriter(path, FrozenClock(T0))

    def add(seconds: int, payload: ev.Payload, incident: str | None = None) -> None:
        w.at(seconds)
        data = payload.to_data()
        if stamped and incident:
            data["incident_id"] = incident
        w.data(payload.TYPE, data)

    add(5, ev.AlertsObserved(source="am", items=(_alert_for("KafkaLagHigh", "acme-bank"),)))
    add(10, _lag_of(90_000))
    add(11, ev.PostgresConnectionsObserved("pg", 40, 38, {"active": 38}))
    detected = rfc3339(T0 + timedelta(seconds=5))
    declared = ev.IncidentDeclared(
        "INC-A", "Lag on KYC", "SEV-2", detected_at=detected, tenants=("acme-bank",)
    )
    add(30, declared, "INC-A")
    add(40, milestone("acknowledged", 40), "INC-A")
    add(50, ev.RoleAssigned("Incident Commander", "ana", AUTHOR), "INC-A")
    add(60, ev.ChecklistTicked("comms-channel", True, "ana"), "INC-A")
    add(70, ev.EscalationRaised("L2", ("Tech Lead",), "no progress", AUTHOR), "INC-A")
    add(80, ev.NoteAdded("n1", "consumer stuck", AUTHOR, ("hypothesis",)), "INC-A")
    add(90, ev.RoleAssigned("Incident Commander", "bob", "ana"), "INC-A")
    add(100, ev.MitigationRequested("m1", "RB-003", "scale", "k8s", PATCH_WHAT), "INC-A")
    add(110, ev.MitigationConfirmed("m1", AUTHOR), "INC-A")
    add(120, ev.MitigationCompleted("m1", "ok", "scaled to 4"), "INC-A")
    add(300, ev.AlertsObserved(source="am", items=()))
    add(301, _lag_of(10))
    add(600, milestone("resolved", 600), "INC-A")
    add(610, ev.IncidentUpdated({"state": "resolved"}, "fixed", AUTHOR), "INC-A")
    # Between the incidents: a late note of the first, then the next trouble starts.
    add(620, ev.NoteAdded("n2", "follow up on consumer memory", AUTHOR, ("action-item",)), "INC-A")
    add(700, ev.AlertsObserved(source="am", items=(_alert_for("AuthFailures", "initech"),)))
    add(705, _lag_of(5_000))
    add(706, ev.PostgresConnectionsObserved("pg", 40, 12, {"active": 12}))
    declared = ev.IncidentDeclared(
        "INC-B", "Credential stuffing", "SEV-1", detected_at=rfc3339(T0 + timedelta(seconds=700)),
        tenants=("globex",), security=True,
    )  # fmt: skip
    add(710, declared, "INC-B")
    add(720, ev.NoteAdded("n1", "blocking IP ranges", AUTHOR), "INC-B")
    add(800, ev.SourcePolled("am", 3.0))
    return w.write()
