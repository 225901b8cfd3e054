"""The reader: gzip, bounded lines, and one precise ReadError (line, seq) after the good lines."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.clock import FrozenClock
from cockpit.log.codec import line_hash
from cockpit.log.events import NoteAdded
from cockpit.log.reader import LogReader, ReadError, Record
from cockpit.log.store import IncidentLog

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def build_lines(tmp_path: Path, events: int = 6) -> list[bytes]:
    path = tmp_path / "src.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    with log:
        for i in range(events - 1):
            clock.advance(1)
            log.append(NoteAdded(note_id=f"n{i}", text="é", author="a"))
    return path.read_bytes().splitlines(keepends=True)


def read_all(path: Path, **kwargs: int) -> tuple[list[Record], ReadError | None]:
    records: list[Record] = []
    try:
        for record in LogReader(path, **kwargs):  # type: ignore[arg-type]
            records.append(record)
    except ReadError as err:
        return records, err
    return records, None


def line(obj: dict[str, object]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def with_seq(raw: bytes, seq: int) -> bytes:
    obj = json.loads(raw)
    obj["seq"] = seq
    obj.pop("hash")
    obj["hash"] = line_hash(obj, None)
    return line(obj)


def test_plain_and_gzip_read_the_same(tmp_path: Path) -> None:
    lines = build_lines(tmp_path)
    plain = tmp_path / "a.jsonl"
    plain.write_bytes(b"".join(lines))
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(b"".join(lines)))
    a, err_a = read_all(plain)
    b, err_b = read_all(packed)
    assert err_a is None and err_b is None
    assert [r.event for r in a] == [r.event for r in b]
    assert [r.event.seq for r in a] == [1, 2, 3, 4, 5, 6]
    assert a[1].offset == len(lines[0]) and a[1].size == len(lines[1])
    assert a[2].event.data["text"] == "é"


def test_truncated_gzip_is_an_error_after_the_good_lines(tmp_path: Path) -> None:
    lines = build_lines(tmp_path, 400)
    packed = gzip.compress(b"".join(lines))
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(packed[: len(packed) - 30])
    records, err = read_all(path)
    assert err is not None and err.kind in {"gzip", "torn"}
    assert 0 < len(records) < 400
    assert [r.event.seq for r in records] == list(range(1, len(records) + 1))


@pytest.mark.parametrize(
    ("damage", "kind", "seq"),
    [
        (lambda raw: raw.replace(b"\xc3\xa9", b"\xc3\x28"), "utf8", 4),
        (lambda raw: raw[:30] + b"\n", "json", 4),
        (lambda raw: line({k: v for k, v in json.loads(raw).items() if k != "prev"}), "keys", 4),
        (lambda raw: with_seq(raw, 3), "duplicate_seq", 3),
        (lambda raw: with_seq(raw, 2), "seq_order", 2),
        (lambda raw: with_seq(raw, 9), "seq_gap", 9),
        (lambda raw: raw.rstrip(b"\n"), "torn", 4),
    ],
    ids=["utf8", "json", "keys", "dup", "order", "gap", "torn"],
)
def test_damage_names_line_and_seq(tmp_path: Path, damage: object, kind: str, seq: int) -> None:
    lines = build_lines(tmp_path)
    lines[3] = damage(lines[3])  # type: ignore[operator]
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines[:4]))
    records, err = read_all(path)
    assert err is not None
    assert (err.kind, err.line_no, err.seq) == (kind, 4, seq)
    assert str(err).startswith("line 4")
    assert [r.event.seq for r in records] == [1, 2, 3]


def test_ten_megabyte_line_is_an_error(tmp_path: Path) -> None:
    lines = build_lines(tmp_path, 3)
    path = tmp_path / "a.jsonl"
    path.write_bytes(lines[0] + lines[1] + b'{"data":"' + b"x" * 10_000_000 + b'"}\n' + lines[2])
    records, err = read_all(path)
    assert err is not None and (err.kind, err.line_no) == ("too_long", 3)
    assert len(records) == 2


def test_header_checks(tmp_path: Path) -> None:
    lines = build_lines(tmp_path, 3)
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines[1:]))
    _, err = read_all(path)
    assert err is not None and (err.kind, err.line_no) == ("header", 1)
    header = json.loads(lines[0])
    header["data"]["format"] = 2
    path.write_bytes(line(header) + b"".join(lines[1:]))
    _, err = read_all(path)
    assert err is not None and err.kind == "format" and "unknown log format 2" in err.message


def test_time_going_backwards_is_only_a_warning(tmp_path: Path) -> None:
    lines = build_lines(tmp_path, 4)
    obj = json.loads(lines[2])
    obj["ts"] = "2026-03-01T02:00:00.000000Z"
    lines[2] = line(obj)
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines))
    reader = LogReader(path)
    assert len(list(reader)) == 4
    assert [(w.line_no, w.seq) for w in reader.warnings] == [(3, 3)]


def test_resume_from_an_offset(tmp_path: Path) -> None:
    lines = build_lines(tmp_path, 6)
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines))
    offset = sum(len(x) for x in lines[:3])
    reader = LogReader(path, start_offset=offset, start_line=4, after_seq=3)
    assert [(r.line_no, r.event.seq) for r in reader] == [(4, 4), (5, 5), (6, 6)]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), prefix=st.booleans(), gz=st.booleans())
def test_random_bytes_only_raise_read_error(
    tmp_path: Path, data: bytes, prefix: bool, gz: bool
) -> None:
    head = build_lines(tmp_path, 2) if prefix else []
    content = b"".join(head) + data
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(gzip.compress(content) if gz else content)
    records, err = read_all(path)
    assert err is None or isinstance(err, ReadError)
    assert len(records) >= (len(head) if err is None or err.line_no > len(head) else 0)
