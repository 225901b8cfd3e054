"""`cockpit verify`: every kind of tampering is named by seq and line; exit codes 0/1/2."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.cli import main as cli_main
from cockpit.clock import FrozenClock
from cockpit.log.codec import line_hash
from cockpit.log.events import NoteAdded
from cockpit.log.store import IncidentLog
from cockpit.log.verify import main, verify

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def build_log(path: Path, events: int, key: bytes | None = None) -> list[bytes]:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock, key=key, host="h", user="u")
    with log:
        for i in range(events - 1):
            clock.advance(1.5)
            log.append(NoteAdded(note_id=f"n{i}", text=f"text {i}", author="alice"))
    return path.read_bytes().splitlines(keepends=True)


def rewrite(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def forge_line(seq: int, prev: str, key: bytes | None) -> bytes:
    body = {
        "seq": seq,
        "ts": "2026-03-01T03:00:25.500000Z",
        "type": "note.added",
        "data": {"note_id": "forged", "text": "all good", "author": "mallory"},
        "prev": prev,
    }
    body["hash"] = line_hash(body, key)
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _edit(lines: list[bytes]) -> None:
    lines[16] = lines[16].replace(b"text 15", b"text XX")


def _delete(lines: list[bytes]) -> None:
    del lines[16]


def _reorder(lines: list[bytes]) -> None:
    lines[16], lines[17] = lines[17], lines[16]


def _forge(lines: list[bytes]) -> None:
    prev = json.loads(lines[15])["hash"]
    lines.insert(16, forge_line(17, prev, None))


def _torn(lines: list[bytes]) -> None:
    lines[-1] = lines[-1][:40]


@pytest.mark.parametrize(
    ("tamper", "seq", "line", "words"),
    [
        (_edit, 17, 17, "hash mismatch"),
        (_delete, 18, 17, "chain broken"),
        (_reorder, 18, 17, "chain broken"),
        (_forge, 17, 18, "chain broken"),
        (_torn, 30, 30, "no newline"),
    ],
    ids=["edit", "delete", "reorder", "forge", "torn"],
)
def test_tampering_is_named(
    tmp_path: Path, tamper: Callable[[list[bytes]], None], seq: int, line: int, words: str
) -> None:
    path = tmp_path / "inc.jsonl"
    lines = build_log(path, 30)
    assert verify(path, None).ok
    tamper(lines)
    rewrite(path, lines)
    report = verify(path, None)
    assert report.status == 1
    assert (report.bad_seq, report.bad_line) == (seq, line)
    assert report.summary.startswith(f"FAILED at seq {seq} (line {line}): ")
    assert words in report.summary


def test_full_rebuild_in_sha256_mode_is_not_detectable(tmp_path: Path) -> None:
    """Documented limit: rebuilding the whole chain passes unkeyed verification."""
    path = tmp_path / "inc.jsonl"
    lines = build_log(path, 5)
    prev = "0" * 64
    rebuilt = []
    for raw in lines:
        obj = json.loads(raw)
        obj.pop("hash")
        obj["prev"] = prev
        if obj["type"] == "note.added":
            obj["data"]["text"] = "rewritten"
        obj["hash"] = prev = line_hash(obj, None)
        rebuilt.append(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    rewrite(path, rebuilt)
    assert verify(path, None).ok


def test_keyed_log_detects_forgery_without_key(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    lines = build_log(path, 30, key=b"secret")
    report = verify(path, b"secret")
    assert report.ok and report.hash_mode == "hmac-sha256"
    prev = json.loads(lines[15])["hash"]
    lines.insert(16, forge_line(17, prev, b"guess"))
    rewrite(path, lines)
    report = verify(path, b"secret")
    assert (report.status, report.bad_seq, report.bad_line) == (1, 17, 17)


def test_keyed_log_key_handling(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 5, key=b"secret")
    wrong = verify(path, b"other")
    assert (wrong.status, wrong.bad_seq, wrong.bad_line) == (1, 1, 1)
    missing = verify(path, None)
    assert missing.status == 2 and "set COCKPIT_LOG_KEY" in missing.summary
    plain = tmp_path / "plain.jsonl"
    build_log(plain, 5)
    downgrade = verify(plain, b"secret")
    assert downgrade.status == 1 and "claims sha256" in downgrade.summary


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "not an incident log"),
        (b'{"seq":1}\n', "missing key"),
        (b"hello world\n", "not JSON"),
    ],
    ids=["empty", "binary", "not-a-line", "text"],
)
def test_not_a_log_exits_2(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    report = verify(path, None)
    assert report.status == 2 and words in report.summary


def test_header_problems_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    lines = build_log(path, 3)
    rewrite(path, lines[1:])
    assert verify(path, None).status == 2
    header = json.loads(lines[0])
    header.pop("hash")
    header["data"]["format"] = 99
    header["hash"] = line_hash(header, None)
    lines[0] = json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    rewrite(path, lines)
    report = verify(path, None)
    assert report.status == 2 and "unknown log format 99" in report.summary
    assert verify(tmp_path / "missing.jsonl", None).status == 2
    assert verify(tmp_path, None).status == 2  # a directory


def test_main_prints_one_line_and_reads_the_key_from_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 12, key=b"k")
    monkeypatch.setenv("COCKPIT_LOG_KEY", "k")
    assert main(str(path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("OK: 12 events, chain intact (hmac-sha256)")
    monkeypatch.delenv("COCKPIT_LOG_KEY")
    assert cli_main(["verify", str(path)]) == 2
    assert "COCKPIT_LOG_KEY" in capsys.readouterr().out


def test_clock_going_backwards_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inc.jsonl"
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    with log:
        clock.advance(-5)
        log.append(NoteAdded(note_id="n", text="t", author="a"))
    assert main(str(path)) == 0
    assert "time went backwards" in capsys.readouterr().err
