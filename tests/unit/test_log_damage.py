"""Damage by another process never stops a writer: it is recorded and a new segment follows."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.cli import main as cli_main
from cockpit.clock import FrozenClock
from cockpit.domain.fold import fold
from cockpit.log.events import LogClosed, NoteAdded
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.log.verify import verify

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def note(i: int) -> NoteAdded:
    return NoteAdded(note_id=f"n{i}", text=f"note {i}", author="alice")


def opened(path: Path, notes: int = 5) -> IncidentLog:
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    for i in range(notes):
        log.append(note(i))
    log.poll()
    return log


def test_a_foreign_line_is_recorded_and_writing_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path)
    with path.open("ab") as out:
        out.write(b"hello from a shell redirect\n")
    events = log.poll()  # never raises
    assert [e.type for e in events] == ["log.damaged"]
    damaged = events[0].data
    assert damaged["kind"] == "foreign" and damaged["segment"] is True
    assert damaged["after_seq"] == 6 and "not JSON" in damaged["detail"]
    assert [d.kind for d in log.take_damage()] == ["foreign"] and log.take_damage() == []
    log.append(note(99))
    log.append(LogClosed(reason="quit"))
    log.close()
    records = list(LogReader(path))
    assert [r.event.type for r in records][-3:] == ["log.damaged", "note.added", "log.closed"]
    assert records[-2].event.data["note_id"] == "n99"
    report = verify(path, None)
    assert report.status == 1 and (report.bad_seq, report.bad_line) == (7, 7)
    assert "not JSON" in report.summary
    assert "a new segment follows at line 8 (seq 7, log.damaged" in report.summary
    assert "found foreign" in report.summary


def test_a_truncation_starts_a_segment_chained_to_the_last_good_hash(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path, notes=9)
    last_hash = log.last_hash
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:6]))  # seq 7..10 removed by another process
    assert log.poll()[0].type == "log.damaged"
    log.append(note(99))
    log.close()
    raw = [json.loads(line) for line in path.read_bytes().splitlines()]
    segment = raw[6]
    assert segment["type"] == "log.damaged" and segment["seq"] == 11
    assert segment["prev"] == last_hash and segment["data"]["kind"] == "truncated"
    assert "seq 7 to 10" in segment["data"]["detail"]
    records = list(LogReader(path))
    assert [r.event.seq for r in records][-2:] == [11, 12]
    assert records[-1].event.data["note_id"] == "n99"
    assert fold(r.event for r in records).last_seq == 12
    report = verify(path, None)
    assert report.status == 1 and report.bad_seq == 7 and report.bad_line == 7
    assert "seq jumps from 6 to 11 (lines missing)" in report.summary
    assert "chains to a hash that is not among the lines before it" in report.summary


def test_a_cut_inside_a_line_is_moved_aside_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path)
    size = path.stat().st_size
    os.truncate(path, size - 30)
    events = log.poll()
    assert [e.data["kind"] for e in events] == ["truncated", "torn"]
    assert events[1].data["moved_to"].endswith(".torn")
    log.append(note(99))
    log.close()
    assert Path(str(path) + ".torn").exists()
    report = verify(path, None)
    assert report.status == 1
    assert any("log.damaged: a writer found torn" in w and ".torn" in w for w in report.warnings)
    assert list(LogReader(path))[-1].event.data["note_id"] == "n99"


def test_two_writers_record_one_damage_once(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    first = opened(path)
    second, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with path.open("ab") as out:
        out.write(b'{"not": "a log line"}\n')
    assert [e.type for e in first.poll()] == ["log.damaged"]
    seen = second.poll()
    assert [e.type for e in seen] == ["log.damaged"]  # adopted, not written again
    assert second.append(note(50)).seq == first.last_seq + 1
    first.close()
    second.close()
    types = [r.event.type for r in LogReader(path)]
    assert types.count("log.damaged") == 1 and types[-1] == "note.added"


def test_damage_nobody_recorded_still_stops_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    opened(path).close()
    with path.open("ab") as out:
        out.write(b"garbage\n")
    report = verify(path, None)
    assert report.status == 1 and "not JSON" in report.summary
    assert "segment" not in report.summary


def test_verify_reports_sealing(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path, notes=3)
    report = verify(path, None)
    assert report.ok
    assert "chain intact (sha256) but not sealed" in report.summary
    assert "seq 4 (note.added)" in report.summary
    log.append(LogClosed(reason="quit"))
    log.close()
    report = verify(path, None)
    assert report.ok and "sealed by log.closed at seq 5" in report.summary


def test_expect_detects_lines_removed_from_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path, notes=6)
    log.append(LogClosed(reason="quit"))
    recorded = log.last_hash
    log.close()
    assert cli_main(["verify", str(path), "--expect", recorded]) == 0
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))  # whole lines gone: the chain is still intact
    assert verify(path, None).ok
    assert cli_main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "but not sealed" in out and "seq 6 (note.added)" in out
    assert cli_main(["verify", str(path), "--expect", recorded]) == 1
    out = capsys.readouterr().out
    assert f"the expected hash {recorded} is not in this log" in out
    assert json.loads(lines[-3])["hash"] in out  # both hashes, in full
    earlier = json.loads(lines[2])["hash"]
    assert cli_main(["verify", str(path), "--expect", earlier]) == 0
    assert "the expected hash is seq 3's, and 3 event(s) follow it" in capsys.readouterr().out
    assert cli_main(["verify", str(path), "--expect", "abc"]) == 2
    assert "64-hex-digit" in capsys.readouterr().err


def test_export_covers_the_segment_after_the_damage_and_warns(tmp_path: Path) -> None:
    from cockpit.export.source import read_log

    path = tmp_path / "inc.jsonl"
    log = opened(path)
    with path.open("ab") as out:
        out.write(b"\x00\x01 binary junk\n")
    log.poll()
    log.append(note(99))
    log.close()
    folded = read_log(path)
    assert folded.events == 8  # header, 5 notes, log.damaged, the note after it
    assert folded.warning is not None and "failed verification" in folded.warning
    assert "a new segment follows" in folded.warning


def test_a_fragment_moved_aside_leaves_an_intact_chain_that_says_so(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path)
    with path.open("ab") as out:
        out.write(b"printf without a newline")
    assert log.poll() == []  # a fragment: nothing to say until a write takes the lock
    log.append(note(99))
    log.close()
    assert Path(str(path) + ".torn").read_bytes().startswith(b"printf without")
    report = verify(path, None)
    assert report.ok and "1 log.damaged event(s) recorded" in report.summary
    assert any("found torn" in w for w in report.warnings)


def test_a_run_of_foreign_lines_is_one_finding(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path)
    with path.open("ab") as out:
        out.writelines(f"junk {i}\n".encode() for i in range(500))
    events = log.poll()
    assert [e.type for e in events] == ["log.damaged"]
    assert events[0].data["size"] == sum(len(f"junk {i}\n") for i in range(500))
    assert events[0].data["detail"].startswith("500 consecutive lines; the first: a 7-byte")
    assert len(log.take_damage()) == 1
    log.close()


@pytest.mark.parametrize("key", [None, b"k"], ids=["sha256", "hmac"])
def test_edited_and_replayed_lines_are_named_and_recording_goes_on(
    tmp_path: Path, key: bytes | None
) -> None:
    path = tmp_path / "inc.jsonl"
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0), key=key)
    for i in range(4):
        log.append(note(i))
    log.poll()
    lines = path.read_bytes().splitlines(keepends=True)
    with path.open("ab") as out:
        out.write(lines[2])  # a valid line again: it does not continue the chain
    assert [e.data["kind"] for e in log.poll()] == ["chain"]
    with path.open("ab") as out:
        out.write(lines[3].replace(b"note 2", b"note X"))  # an edit: its hash no longer fits
    assert [e.data["kind"] for e in log.poll()] == ["forged"]
    log.append(note(99))
    log.append(LogClosed(reason="quit"))
    recorded = log.last_hash
    log.close()
    report = verify(path, key)
    assert report.status == 1 and (report.bad_seq, report.bad_line) == (3, 6)
    assert "chain broken" in report.summary and "a new segment follows at line 7" in report.summary
    assert any("hash mismatch" in w for w in report.warnings)
    assert [r.event.type for r in LogReader(path)][-2:] == ["note.added", "log.closed"]
    # Whole lines removed from the end are caught by --expect, keyed or not.
    rest = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(rest[:-1]))
    report = verify(path, key, expect=recorded)
    assert (
        report.status == 1 and f"the expected hash {recorded} is not in this log" in report.summary
    )


def test_a_log_emptied_under_a_writer_starts_again_and_fails_verification(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log = opened(path)
    os.truncate(path, 0)
    events = log.poll()
    assert [e.type for e in events] == ["log.opened", "log.damaged"]
    assert events[0].data["mode"] == "recovered" and "every line" in events[1].data["detail"]
    log.append(note(99))
    log.close()
    assert [r.event.seq for r in LogReader(path)] == [1, 2, 3]
    report = verify(path, None)
    assert report.status == 1 and "lines lost: log.damaged records a truncation" in report.summary
