"""One line limit for writer and reader: big observations are split, everything else refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cockpit.clock import FrozenClock
from cockpit.domain.fold import Folder, fold
from cockpit.feed import ObservationFeed
from cockpit.log.codec import MAX_LINE_BYTES, LineTooLong
from cockpit.log.events import AlertsObserved, NoteAdded, StepRunCompleted
from cockpit.log.player import Player
from cockpit.log.reader import DEFAULT_MAX_LINE, LogReader
from cockpit.log.store import IncidentLog
from cockpit.log.verify import verify
from cockpit.sources.base import Snapshot

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def alert(i: int) -> dict[str, Any]:
    labels = {
        "alertname": f"KafkaConsumerLagHigh{i % 40}",
        "severity": "critical",
        "namespace": f"kyc-prod-{i % 12}",
        "pod": f"kyc-consumer-{i:06d}-7d9f8b6c4d-x2k9p",
        "instance": f"10.12.{i % 250}.{i % 200}:9308",
    }
    return {
        "key": f"{i:016x}",
        "name": labels["alertname"],
        "labels": labels,
        "annotations": {"summary": f"lag on kyc.cases for consumer {i}"},
        "state": "firing",
        "active_since": "2026-03-01T02:50:00Z",
        "value": None,
        "silenced": False,
        "inhibited": False,
        "generator_url": "http://prometheus:9090/graph",
    }


def line_sizes(path: Path) -> list[int]:
    return [len(line) for line in path.read_bytes().splitlines(keepends=True)]


def test_reader_and_writer_share_the_limit() -> None:
    assert DEFAULT_MAX_LINE == MAX_LINE_BYTES == 1024 * 1024


def test_15000_alerts_are_recorded_within_the_limit_and_replay(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    feed = ObservationFeed(log, clock)
    items = tuple(alert(i) for i in range(15_000))
    with log:
        event = feed.on_result("am", Snapshot("am", "alerts", items, 40.0), 0.0)
        clock.advance(2)
        smaller = tuple(alert(i) for i in range(14_000))  # 1,000 resolved: a delta
        feed.on_result("am", Snapshot("am", "alerts", smaller, 40.0), 0.0)
        log.append(NoteAdded(note_id="n1", text="after the big answer", author="alice"))
        polled = log.poll()
    sizes = line_sizes(path)
    assert max(sizes) <= MAX_LINE_BYTES
    assert sum(sizes) > 15_000 * 400  # the answer is all there, in several lines
    raw = [json.loads(line) for line in path.read_bytes().splitlines()]
    parts = raw[1]["data"]["parts"]
    assert parts >= 6
    assert [r["data"]["part"] for r in raw[1 : parts + 1]] == list(range(1, parts + 1))
    # One logical event per observation, for the live tail and for every reader.
    assert event.type == "alerts.observed" and len(event.data["items"]) == 15_000
    assert [e.type for e in polled] == [
        "log.opened",
        "alerts.observed",
        "alerts.observed",
        "note.added",
    ]
    assert len(polled[1].data["items"]) == 15_000 and polled[1].data["full"] is True
    records = list(LogReader(path))
    types = [r.event.type for r in records]
    assert types == ["log.opened", "alerts.observed", "alerts.observed", "note.added"]
    assert records[1].event.seq == parts + 1 and records[2].event.data["full"] is False
    assert len(records[2].event.data["removed"]) == 1_000
    report = verify(path, None)
    assert report.ok and report.events == len(sizes), report.summary
    state = fold(r.event for r in LogReader(path))
    assert len(state.alerts["am"]) == 14_000 and state.resolved_count == 1_000
    player = Player(path, Folder, clock=clock)
    player.play()
    player.advance(10)
    assert player.error is None and len(player.fold.state.alerts["am"]) == 14_000  # type: ignore[attr-defined]


def test_40000_series_are_recorded_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    items = tuple(
        {
            "key": f"g{i % 900}/t{i % 13}/{i}",
            "group": f"g{i % 900}",
            "topic": f"t{i % 13}",
            "partition": i,
            "lag": i * 7,
        }
        for i in range(40_000)
    )
    with log:
        ObservationFeed(log, clock).on_result("lag", Snapshot("lag", "kafka", items, 9.0), 0.0)
    assert max(line_sizes(path)) <= MAX_LINE_BYTES and len(line_sizes(path)) > 3
    assert verify(path, None).ok
    state = fold(r.event for r in LogReader(path))
    assert len(state.kafka["lag"].series) == 40_000


def test_a_group_cut_short_is_a_delta_with_a_warning(tmp_path: Path) -> None:
    """A writer killed between parts: the fold keeps what it knew and is told."""
    path = tmp_path / "inc.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    with log:
        log.append(AlertsObserved(source="am", full=True, items=(alert(0),)))
        log.append(
            AlertsObserved(source="am", full=True, items=tuple(alert(i) for i in range(5000)))
        )
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # the last part never made it
    records = list(LogReader(path))
    last = records[-1].event
    assert last.data["full"] is False and "incomplete" in last.data["warnings"][-1]
    state = fold(r.event for r in records)
    assert state.resolved_count == 0 and len(state.alerts["am"]) < 5000


def test_other_events_over_the_limit_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with log:
        big = StepRunCompleted(
            run_id="r1", runbook="RB-001", step="s1", outcome="ok", result="x" * MAX_LINE_BYTES
        )
        with pytest.raises(LineTooLong, match="over the log line limit of 1,048,576 bytes"):
            log.append(big)
        size = path.stat().st_size
        assert log.append(NoteAdded(note_id="n", text="t", author="a")).seq == 2
    assert path.stat().st_size > size and verify(path, None).ok


def test_one_item_over_the_limit_becomes_a_source_failure(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    huge = {**alert(1), "annotations": {"description": "y" * MAX_LINE_BYTES}}
    feed = ObservationFeed(log, clock)
    with log:
        failed = feed.on_result("am", Snapshot("am", "alerts", (alert(0), huge), 5.0), 0.0)
        again = feed.on_result("am", Snapshot("am", "alerts", (alert(0),), 5.0), 0.0)
    assert failed.type == "source.failed" and "line limit" in failed.data["message"]
    assert again.type == "alerts.observed" and again.data["full"] is True  # written whole
    assert verify(path, None).ok
