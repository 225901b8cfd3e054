"""Two incidents in one log (declare, resolve, declare): fold, timeline and export per incident."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from export_logs import AUTHOR, T0, LogWriter, milestone, two_incidents

from cockpit.cli import main as cli_main
from cockpit.clock import FrozenClock, rfc3339
from cockpit.command.clocks import response_clock
from cockpit.domain.fold import fold
from cockpit.domain.state import IncidentState
from cockpit.domain.timeline import build_timeline
from cockpit.export.run import ExportError, export_markdown
from cockpit.log import events as ev
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.session import LiveSession


def _state(path: Path) -> IncidentState:
    return fold(r.event for r in LogReader(path))


@pytest.fixture(params=[False, True], ids=["by-position", "stamped"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return two_incidents(tmp_path / "two.jsonl", stamped=request.param)


def test_second_incident_starts_clean(log: Path) -> None:
    state = _state(log)
    assert [r.incident_id for r in state.incidents] == ["INC-A", "INC-B"]
    assert state.incident is not None and state.incident.incident_id == "INC-B"
    assert state.incident.state == "open" and state.current.phase == "declared"
    assert state.roles == {} and state.checklist == {} and state.escalations == []
    assert state.mitigations == {} and set(state.milestones) == set()
    assert list(state.notes) == ["n1"] and state.notes["n1"].text == "blocking IP ranges"
    clock = response_clock(state, state.last_ts or T0)
    assert clock is not None and clock.acknowledged_at is None and not clock.breached


def test_first_incident_keeps_its_history(log: Path) -> None:
    first = _state(log).incidents[0]
    assert first.phase == "resolved" and first.end is not None
    handover = [(r.person, r.previous, r.actor) for r in first.role_history]
    assert handover == [("ana", "", AUTHOR), ("bob", "ana", "ana")]
    assert first.roles["Incident Commander"].person == "bob"
    assert [(t.item, t.done, t.actor) for t in first.ticks] == [("comms-channel", True, "ana")]
    assert list(first.notes) == ["n1", "n2"]  # the late note stays with its incident
    assert [e.level for e in first.escalations] == ["L2"]


def test_timelines_show_only_their_incident(log: Path) -> None:
    state = _state(log)
    first, second = state.incidents
    texts_a = [e.text for e in build_timeline(state, first)]
    assert "Incident Commander: bob (handed over from ana)" in texts_a
    assert "ticked: comms-channel" in texts_a
    assert "fired: KafkaLagHigh (critical)" in texts_a
    assert not any("AuthFailures" in t or "Credential" in t for t in texts_a)
    assert any("scale deployment/kyc-consumer in namespace kyc" in t for t in texts_a)
    assert not any("Patch: {" in t for t in texts_a)
    tick = next(e for e in build_timeline(state, first) if e.kind == "checklist")
    assert (tick.actor, tick.ts) == ("ana", T0 + timedelta(seconds=60))
    texts_b = [e.text for e in build_timeline(state, second)]
    assert texts_b[0] == "fired: AuthFailures (critical)"
    assert not any("KafkaLagHigh" in t or "ana" in t or "comms" in t for t in texts_b)
    assert build_timeline(state) == build_timeline(state, second)  # the screen's default


def test_export_of_the_open_incident(log: Path) -> None:
    text = export_markdown(log).markdown
    assert "Incident INC-B · severity SEV-1 · open" in text
    assert "- Tenants affected: 2: globex (declared), initech (alert label)" in text
    assert "acme-bank" not in text and "ana" not in text
    assert "- Response SLA (SEV-1, 5m 00s): pending, not acknowledged yet" in text
    assert "never acknowledged" not in text and "Total duration: 0s" not in text
    assert "- Started: 2025-03-12 14:41:40 UTC" in text  # first firing of its own alert
    assert "- Peak consumer lag: 5 000 messages" in text
    assert "- Peak PostgreSQL connections: 12 of 40" in text
    assert "- None assigned in the cockpit." in text
    assert "This log holds 2 incidents; this is number 2. The others: INC-A" in text


def test_export_of_the_first_incident_by_id(log: Path) -> None:
    text = export_markdown(log, incident="INC-A").markdown
    assert "Incident INC-A · severity SEV-2 · resolved" in text
    assert "- Tenants affected: 1: acme-bank (declared, alert label)" in text
    assert "globex" not in text and "initech" not in text and "Credential" not in text
    assert "- Peak consumer lag: 90 000 messages" in text
    assert "- Peak PostgreSQL connections: 38 of 40 (95 %)" in text
    assert "- Response SLA (SEV-2, 15m 00s): met, acknowledged after 35s" in text
    assert "- Incident Commander: ana from 2025-03-12 14:30:50 UTC, then bob from" in text
    assert "- [x] comms-channel: ticked by ana at 2025-03-12 14:31:00 UTC" in text
    assert "scale deployment/kyc-consumer in namespace kyc · outcome: ok" in text
    assert "  - spec.replicas" in text and "  - \\+ 4" in text
    assert "Patch: {" not in text and "{'spec'" not in text
    assert "follow up on consumer memory" in text  # the post-resolution action item


def test_an_unknown_incident_is_refused_with_the_known_ids(log: Path) -> None:
    with pytest.raises(ExportError, match="INC-A, INC-B"):
        export_markdown(log, incident="INC-Z")


def test_cli_exports_one_incident(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["export", str(log), "--incident", "INC-A", "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Post-mortem: Lag on KYC")
    assert "export of INC-A written" in err


def test_a_stamped_late_event_goes_to_its_incident(tmp_path: Path) -> None:
    path = two_incidents(tmp_path / "late.jsonl", stamped=True)
    w = LogWriter(path, FrozenClock(T0))
    w.lines = [path.read_bytes()]
    events = list(r.event for r in LogReader(path))
    w.seq, w.prev = events[-1].seq, events[-1].hash
    data = ev.NoteAdded("n9", "late from another cockpit", "bob").to_data()
    w.at(900).data(ev.NoteAdded.TYPE, {**data, "incident_id": "INC-A"})
    state = _state(w.write())
    assert "n9" in state.incidents[0].notes and "n9" not in state.notes


def test_live_session_stamps_operator_events(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    store, _report = IncidentLog.open(tmp_path / "live.jsonl", clock=clock)
    session = LiveSession(store, lambda: ([], ev.SourcesConfigured()), clock)
    session.append(ev.NoteAdded("n0", "before anything", AUTHOR))
    session.append(ev.IncidentDeclared("INC-1", "first", "SEV-3"))
    session.append(ev.NoteAdded("n1", "during", AUTHOR))
    session.append(ev.MilestoneSet("resolved", "2025-03-12T14:40:00Z", AUTHOR))
    session.append(ev.IncidentDeclared("INC-2", "second", "SEV-2"))
    session.append(ev.ChecklistTicked("comms", True, AUTHOR))
    store.close()
    lines = [json.loads(x) for x in (tmp_path / "live.jsonl").read_text().splitlines()]
    stamps = [(x["type"], x["data"].get("incident_id")) for x in lines[1:]]
    assert stamps == [
        ("note.added", None),
        ("incident.declared", "INC-1"),
        ("note.added", "INC-1"),
        ("milestone.set", "INC-1"),
        ("incident.declared", "INC-2"),
        ("checklist.ticked", "INC-2"),
    ]
    assert lines[0]["type"] == "log.opened" and "incident_id" in lines[0]["data"]
    state = session.state
    assert [r.incident_id for r in state.incidents] == ["INC-1", "INC-2"]
    assert list(state.incidents[0].notes) == ["n0", "n1"] and state.notes == {}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([(400, ev.SourcePolled("am", 1.0))], "MISSED, not acknowledged; due by 14:35:00"),
        ([(200, milestone("acknowledged", 200))], "met, acknowledged after 3m 20s"),
        ([(420, milestone("acknowledged", 420))], "MISSED, acknowledged after 7m 00s"),
        ([(120, milestone("resolved", 120))], "met, not acknowledged; resolved at"),
        ([(60, ev.SourcePolled("am", 1.0))], "pending, not acknowledged yet; due by"),
    ],
)
def test_response_sla_is_met_missed_or_pending(
    tmp_path: Path, events: list[tuple[int, ev.Payload]], expected: str
) -> None:
    w = LogWriter(tmp_path / "sla.jsonl", FrozenClock(T0))
    w.at(0).add(ev.IncidentDeclared("INC-S", "Outage", "SEV-1"))
    for seconds, payload in events:
        w.at(seconds).add(payload)
    text = export_markdown(w.write()).markdown
    line = next(x for x in text.splitlines() if x.startswith("- Response SLA"))
    assert line.startswith("- Response SLA (SEV-1, 5m 00s): " + expected.split(" due by")[0])
    if "due by" in expected:
        assert "due by 2025-03-12 14:35:00 UTC" in line


def _one_lag(value: int) -> ev.KafkaLagObserved:
    item = {"key": "g/t/0", "group": "g", "topic": "t", "lag": value}
    return ev.KafkaLagObserved(source="k", items=(item,))


def test_a_detection_before_the_previous_resolution_starts_at_that_resolution(
    tmp_path: Path,
) -> None:
    w = LogWriter(tmp_path / "early.jsonl", FrozenClock(T0))
    w.at(0).add(ev.IncidentDeclared("INC-A", "Lag", "SEV-2"))
    w.at(10).add(_one_lag(90_000))
    w.at(100).add(milestone("resolved", 100))
    early = rfc3339(T0 + timedelta(seconds=5))  # an alert of INC-A still firing
    w.at(200).add(ev.IncidentDeclared("INC-B", "Lag again", "SEV-1", detected_at=early))
    w.at(210).add(_one_lag(300))
    log = w.write()
    state = _state(log)
    assert state.incident is not None
    assert state.incident.detected_at == T0 + timedelta(seconds=100)
    assert state.current.start == T0 + timedelta(seconds=100)
    text = export_markdown(log).markdown
    assert "- Started: 2025-03-12 14:31:40 UTC" in text
    assert "- Peak consumer lag: 300 messages" in text


def test_redaction_masks_the_tenants_of_every_incident(log: Path) -> None:
    for incident in ("INC-A", "INC-B"):
        text = export_markdown(log, incident=incident, redact=True).markdown
        assert not any(t in text for t in ("acme-bank", "globex", "initech"))
        assert "tenant-" in text  # one pseudonym per tenant across the whole log


def test_an_alert_still_firing_at_resolution_is_cut_at_the_window(tmp_path: Path) -> None:
    """The resolved incident's alert lasts until the resolution, not until the log's end."""
    from export_logs import _alert_for

    w = LogWriter(tmp_path / "late.jsonl", FrozenClock(T0))
    alert = ev.AlertsObserved(source="am", items=(_alert_for("KafkaLagHigh", "acme-bank"),))
    w.at(5)
    w.add(alert)
    declared = ev.IncidentDeclared("INC-A", "Lag", "SEV-2", detected_at=rfc3339(T0))
    w.at(30)
    w.add(declared)
    w.at(100)
    w.add(milestone("resolved", 100))
    w.at(400)
    w.add(alert)
    text = export_markdown(w.write()).markdown
    line = next(x for x in text.splitlines() if x.startswith("- KafkaLagHigh"))
    assert "for 1m 35s (still firing when the incident was resolved)" in line, line
