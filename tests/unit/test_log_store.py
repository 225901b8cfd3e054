"""The append side: 0600 files, one chain across processes, tailing, torn tails, keys."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.clock import FrozenClock, SystemClock
from cockpit.log.events import NoteAdded, UnknownPayload
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog, LogError, LogKeyError
from cockpit.log.verify import verify

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def note(i: int) -> NoteAdded:
    return NoteAdded(note_id=f"n{i}", text=f"note {i}", author="alice")


def _append_many(path: str, count: int, tag: str) -> None:
    log, _ = IncidentLog.open(path, clock=SystemClock())
    with log:
        for i in range(count):
            log.append(NoteAdded(note_id=f"{tag}{i}", text="x", author=tag))


def _append_slowly(path: str, count: int) -> None:
    log, _ = IncidentLog.open(path, clock=SystemClock())
    with log:
        for i in range(count):
            log.append(NoteAdded(note_id=f"slow{i}", text=str(time.time()), author="bob"))
            time.sleep(0.3)


@pytest.mark.parametrize("umask", [0o000, 0o077, 0o022])
def test_log_is_created_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        log, report = IncidentLog.open(tmp_path / "inc.jsonl", clock=FrozenClock(T0))
    finally:
        os.umask(old)
    log.close()
    assert report.created and report.last_seq == 1
    assert stat.S_IMODE((tmp_path / "inc.jsonl").stat().st_mode) == 0o600


def test_header_and_appends_are_canonical_lines(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0), incident_id="INC-7", host="h", user="u")
    with log:
        event = log.append(note(1))
        assert [e.seq for e in log.poll()] == [1, 2]
    assert event.seq == 2 and event.ts == T0
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    header = json.loads(lines[0])
    assert header["type"] == "log.opened" and header["prev"] == "0" * 64
    assert header["data"]["incident_id"] == "INC-7" and header["data"]["hash_mode"] == "sha256"
    assert header["ts"] == "2026-03-01T03:00:00.000000Z"
    assert json.loads(lines[1])["prev"] == header["hash"]


def test_non_finite_numbers_are_refused(tmp_path: Path) -> None:
    log, _ = IncidentLog.open(tmp_path / "inc.jsonl", clock=FrozenClock(T0))
    with log:
        with pytest.raises(ValueError):
            log.append_data("kafka.lag.observed", {"lag": math.nan})
        assert log.append(note(1)).seq == 2  # nothing half-written


def test_unknown_event_type_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with log:
        log.append_data("future.thing", {"x": [1, 2]})
    events = [r.event for r in LogReader(path)]
    payload = events[1].payload()
    assert isinstance(payload, UnknownPayload) and payload.type == "future.thing"
    assert verify(path, None).ok


def test_reopen_moves_torn_fragment_aside(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with log:
        log.append(note(1))
    with path.open("ab") as out:
        out.write(b'{"data":{"author":"alice","note_id":"n2"')
    log, report = IncidentLog.open(path, clock=FrozenClock(T0))
    with log:
        assert report.torn is not None and report.last_seq == 2
        assert "moved to" in report.summary()
        assert log.append(note(3)).seq == 3
    torn = Path(str(path) + ".torn")
    assert torn.read_bytes().startswith(b'{"data":{"author":"alice","note_id":"n2"')
    assert stat.S_IMODE(torn.stat().st_mode) == 0o600
    assert verify(path, None).ok


def test_reopen_moves_unparsable_last_line_aside(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    IncidentLog.open(path, clock=FrozenClock(T0))[0].close()
    with path.open("ab") as out:
        out.write(b"\x00\x00\x00garbage\n")
    log, report = IncidentLog.open(path, clock=FrozenClock(T0))
    log.close()
    assert report.torn is not None and "unparsable" in report.torn.reason
    assert verify(path, None).ok


def test_foreign_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my shopping list\nmilk\n")
    with pytest.raises(LogError, match="not an incident log"):
        IncidentLog.open(path, clock=FrozenClock(T0))
    assert path.read_bytes() == b"my shopping list\nmilk\n"


def test_keyed_log_modes(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    IncidentLog.open(path, clock=FrozenClock(T0), key=b"k1")[0].close()
    with pytest.raises(LogKeyError, match="set COCKPIT_LOG_KEY"):
        IncidentLog.open(path, clock=FrozenClock(T0))
    with pytest.raises(LogKeyError, match="wrong COCKPIT_LOG_KEY"):
        IncidentLog.open(path, clock=FrozenClock(T0), key=b"k2")
    plain = tmp_path / "plain.jsonl"
    IncidentLog.open(plain, clock=FrozenClock(T0))[0].close()
    with pytest.raises(LogKeyError, match="unkeyed"):
        IncidentLog.open(plain, clock=FrozenClock(T0), key=b"k1")


def test_two_handles_share_one_chain_and_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    a, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    b, report = IncidentLog.open(path, clock=FrozenClock(T0))
    assert not report.created
    with a, b:
        a.poll()
        b.append(note(1))
        a.append(note(2))
        assert [e.seq for e in a.poll()] == [2, 3]
        assert [e.seq for e in b.poll()] == [2, 3]


def test_two_processes_append_one_valid_chain(tmp_path: Path) -> None:
    path = str(tmp_path / "inc.jsonl")
    IncidentLog.open(path, clock=SystemClock())[0].close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(path, 1000, tag)) for tag in "ab"]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    report = verify(path, None)
    assert report.ok and report.events == 2001
    ids = {r.event.data["note_id"] for r in LogReader(path) if r.event.type == "note.added"}
    assert len(ids) == 2000


def test_other_process_events_visible_within_a_second(tmp_path: Path) -> None:
    path = str(tmp_path / "inc.jsonl")
    mine, _ = IncidentLog.open(path, clock=SystemClock())
    mine.poll()
    proc = multiprocessing.get_context("spawn").Process(target=_append_slowly, args=(path, 4))
    proc.start()
    delays: list[float] = []
    deadline = time.monotonic() + 20
    with mine:
        while len(delays) < 4 and time.monotonic() < deadline:
            for event in mine.poll():
                delays.append(time.time() - float(event.data["text"]))
            time.sleep(0.25)
    proc.join(10)
    assert len(delays) == 4
    assert max(delays) < 1.0


def test_from_start_polls_history_then_new_events(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    first, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with first:
        first.append(note(1))
    again, report = IncidentLog.open(path, clock=FrozenClock(T0), from_start=True)
    with again:
        assert report.last_seq == 2
        assert again.append(note(2)).seq == 3
        assert [e.seq for e in again.poll()] == [1, 2, 3]
