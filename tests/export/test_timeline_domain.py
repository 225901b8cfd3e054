"""Timeline entries from the fold: kinds, order, corrections, relative times, filters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from export_logs import T0, incident_log

from cockpit.domain.fold import fold
from cockpit.domain.timeline import (
    TimelineEntry,
    build_timeline,
    filter_entries,
    origin_of,
    relative_time,
)
from cockpit.log.reader import LogReader


def _timeline(tmp_path: Path) -> list[TimelineEntry]:
    state = fold(r.event for r in LogReader(incident_log(tmp_path / "i.jsonl")))
    return build_timeline(state)


def test_every_kind_appears_in_time_order(tmp_path: Path) -> None:
    entries = _timeline(tmp_path)
    assert [e.ts for e in entries] == sorted(e.ts for e in entries)
    kinds = {e.kind for e in entries}
    assert kinds == {"alert", "incident", "severity", "role", "note", "milestone", "mitigation",
                     "escalation", "status"}  # fmt: skip
    assert not entries[0].human and entries[0].text == "fired: KafkaConsumerLagHigh (warning)"
    declared = next(e for e in entries if e.kind == "incident")
    assert declared.text.endswith("(SEV-2)")  # the severity it was declared with
    notes = {e.ref: e.text for e in entries if e.kind == "note"}
    assert notes["n1"].startswith("(superseded) ") and notes["n4"].startswith("(correction) ")


def test_relative_time_counts_from_the_log_start(tmp_path: Path) -> None:
    state = fold(r.event for r in LogReader(incident_log(tmp_path / "i.jsonl")))
    assert origin_of(state) == T0
    assert relative_time(T0 + timedelta(seconds=3725), T0) == "T+62:05"
    assert relative_time(T0 - timedelta(seconds=5), T0) == "T-00:05"


def test_filter_by_kind_and_search(tmp_path: Path) -> None:
    entries = _timeline(tmp_path)
    mitigations = filter_entries(entries, kinds=["mitigation"])
    assert [e.text.split(":")[0] for e in mitigations] == ["mitigation requested", "mitigation ok"]
    found = filter_entries(entries, search="ROLL BACK")
    assert [e.ref for e in found] == ["n3"]
    assert filter_entries(entries, kinds=["status"], search="resolved")[0].kind == "status"
    assert filter_entries(entries, search="nadia b.")[0].kind == "role"
