"""The export's one-pass fast read (`cockpit.log.fastread`) gives what the reference path
gives: the same events, the same fold, the same document, and for a log it cannot confirm
(any changed byte, a torn tail, a recorded segment) the reference path's own warning."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from export_logs import incident_log, two_incidents, watch_log
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_strategies import datas, write_rows

from bench.make_big_log import make_big_log
from cockpit.domain.encode import state_digest
from cockpit.export import source
from cockpit.export.run import export_markdown
from cockpit.export.source import read_log
from cockpit.log.codec import _DIGITS, _LONG_RUN
from cockpit.log.fastread import FastReader
from cockpit.log.fastread_check import ChainCheck, ReadAgain
from cockpit.log.fastverify import GiveUp
from cockpit.log.reader import LogReader

types = st.sampled_from(["note.added", "alerts.observed", "custom.thing", "ünïcode.type"])
rows_of = st.lists(st.tuples(types, datas), min_size=1, max_size=6)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def fast_events(path: Path, key: bytes | None = None, *, checked: bool = True) -> list[object]:
    with path.open("rb") as stream:
        return list(FastReader(stream, key, None, checked=checked))


def same_read(path: Path, key: bytes | None = None) -> None:
    fast, ref = read_log(path, key, fast=True), read_log(path, key, fast=False)
    assert (fast.events, fast.final_hash, fast.warning) == (ref.events, ref.final_hash, ref.warning)
    assert fast.state.last_seq == ref.state.last_seq
    assert fast.state.unknown_total == ref.state.unknown_total


@SETTINGS
@given(rows_of, st.sampled_from([None, b"k"]))
def test_fast_events_are_the_readers(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any]]], key: bytes | None
) -> None:
    path = tmp_path / "inc.jsonl"
    write_rows(path, rows, key)
    events = [r.event for r in LogReader(path, check_seq=False)]
    assert fast_events(path, key) == events
    try:  # without the checks, the events are the reader's unless the child says otherwise
        ChainCheck(str(path), key).result()
        assert fast_events(path, key, checked=False) == events
    except ReadAgain:
        assert any(_LONG_RUN in line.translate(_DIGITS) for line in path.read_bytes().split())
    same_read(path, key)


@SETTINGS
@given(rows_of, st.integers(0, 10**6), st.integers(0, 255))
def test_any_changed_byte_gets_the_reference_result(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any]]], at: int, byte: int
) -> None:
    path = tmp_path / "inc.jsonl"
    write_rows(path, rows)
    raw = bytearray(path.read_bytes())
    at %= len(raw)
    raw[at] = byte if raw[at] != byte else (byte + 1) % 256
    path.write_bytes(bytes(raw))
    try:
        same_read(path)
    except Exception as exc:  # both paths must refuse alike
        with pytest.raises(type(exc)):
            read_log(path, fast=True)


def test_big_integers_read_as_json_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    data = {"big": 2**64, "neg": -(2**63) - 1, "id": "12345678901234567890", "f": 1e19}
    write_rows(path, [("custom.thing", data)])
    event = fast_events(path)[-1]
    assert event.data == data  # type: ignore[attr-defined]
    assert type(event.data["big"]) is int  # type: ignore[attr-defined]


def _append_raw(path: Path, data: bytes) -> None:
    """Chain a line whose `data` is the bytes given (a writer could not encode it)."""
    last = json.loads(path.read_bytes().splitlines()[-1])
    tail = f'"prev":"{last["hash"]}","seq":{last["seq"] + 1},"ts":"{last["ts"]}","type":"x.y"}}'
    body = b'{"data":' + data + b"," + tail.encode()
    digest = hashlib.sha256(body).hexdigest().encode()
    with path.open("ab") as out:
        out.write(b'{"data":' + data + b',"hash":"' + digest + b'",' + tail.encode() + b"\n")


@pytest.mark.parametrize("odd", ["big", "deep"])
def test_lines_json_reads_otherwise_are_read_again_by_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    """With the chain checked by the worker, the reading process parses every line with
    orjson: the worker finds the lines `json` reads otherwise (an integer past 64 bits, an
    alert's value here; nesting `json` refuses) and the log is read again with the checks."""
    monkeypatch.setattr(source, "PARALLEL_FROM", 0)
    path = tmp_path / "inc.jsonl"
    value: Any = 2**64 if odd == "big" else 1
    item = {"key": "fp1", "name": "Big", "state": "firing", "value": value}
    write_rows(path, [("alerts.observed", {"source": "am", "items": [item], "full": True})])
    if odd == "deep":
        _append_raw(path, b'{"n":' + b"[" * 1010 + b"]" * 1010 + b"}")
    with pytest.raises(ReadAgain):
        ChainCheck(str(path), None).result()
    fast, ref = read_log(path), read_log(path, fast=False)
    assert state_digest(fast.state) == state_digest(ref.state)
    assert (fast.events, fast.final_hash, fast.warning) == (ref.events, ref.final_hash, ref.warning)
    if odd == "big":
        assert type(fast.state.alerts["am"]["fp1"].item["value"]) is int
    else:
        assert fast.warning is not None and "line 3" in fast.warning


def test_a_line_orjson_refuses_is_read_by_json_without_the_checks(tmp_path: Path) -> None:
    """An integer orjson cannot read (it would be an infinite double): the line's envelope
    is read by position and its data by `json`, and the child has nothing to flag."""
    path = tmp_path / "inc.jsonl"
    write_rows(path, [("custom.thing", {"huge": 10**400}), ("note.added", {"text": "x"})])
    ChainCheck(str(path), None).result()  # no ReadAgain: both paths read it with `json`
    events = fast_events(path, checked=False)
    assert events == [r.event for r in LogReader(path, check_seq=False)]
    assert events[1].data["huge"] == 10**400  # type: ignore[attr-defined]


def test_a_split_observation_comes_back_as_one_event(tmp_path: Path) -> None:
    alerts = [{"key": f"fp{i:05d}", "name": "A" * 400, "state": "firing"} for i in range(3000)]
    path = tmp_path / "inc.jsonl"
    write_rows(path, [("alerts.observed", {"source": "am", "items": alerts, "full": True})])
    assert path.read_bytes().count(b'"parts":') >= 2
    events = fast_events(path)
    assert events == [r.event for r in LogReader(path, check_seq=False)]
    assert len(events[-1].data["items"]) == 3000  # type: ignore[attr-defined]


@pytest.mark.parametrize("build", [incident_log, watch_log, two_incidents])
@pytest.mark.parametrize("template", ["postmortem", "incident-report"])
def test_the_document_is_the_same(tmp_path: Path, build: Any, template: str) -> None:
    log = build(tmp_path / "inc.jsonl")
    fast = export_markdown(log, template=template, fast=True)
    ref = export_markdown(log, template=template, fast=False)
    assert fast == ref


@pytest.fixture(params=["inline", "worker"])
def check_in(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The chain checked inline, or in a worker process (as for a big file)."""
    if request.param == "worker":
        monkeypatch.setattr(source, "PARALLEL_FROM", 0)
    return str(request.param)


def test_a_realistic_log_exports_the_same(tmp_path: Path, check_in: str) -> None:
    log = tmp_path / "big.jsonl"
    make_big_log(log, 2.0)
    assert export_markdown(log, fast=True) == export_markdown(log, fast=False)
    same_read(log)


@pytest.mark.parametrize("torn", [False, True])
def test_damage_falls_back_with_the_reference_warning(
    tmp_path: Path, torn: bool, check_in: str
) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    lines = log.read_bytes().split(b"\n")
    edited = lines[5].replace(b"kyc", b"kyd", 1) if not torn else lines[5]
    tail = b'{"data":{' if torn else b""
    log.write_bytes(b"\n".join([*lines[:5], edited, *lines[6:]]) + tail)
    with pytest.raises(GiveUp):
        fast_events(log)
    fast = export_markdown(log, fast=True)
    assert fast == export_markdown(log, fast=False)
    assert fast.warning is not None
    assert ("line 29" if torn else "line 6") in fast.warning


def test_the_child_check_takes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "PARALLEL_FROM", 0)
    path = tmp_path / "inc.jsonl"
    write_rows(path, [("note.added", {"text": "x"}), ("custom.thing", {"v": 1.5})], b"k1")
    assert read_log(path, b"k1").warning is None
    wrong = read_log(path, b"k2")
    assert wrong.warning is not None and "hash mismatch" in wrong.warning
    assert wrong.warning == read_log(path, b"k2", fast=False).warning


def test_long_digit_runs_are_looked_for_in_the_data_only() -> None:
    from cockpit.log.fastread import _long_numbers

    def line(data: bytes, digest: bytes) -> bytes:
        tail = b',"prev":"' + b"0" * 64 + b'","seq":2,"ts":"2026-03-01T03:00:00.000000Z"}'
        return b'{"data":' + data + b',"hash":"' + digest + b'"' + tail

    hexed = b"1234567890123456789012" + b"a" * 42
    assert not _long_numbers(line(b'{"n":1}', hexed) + b"\n" + line(b'{"n":2}', hexed))
    assert _long_numbers(line(b'{"n":12345678901234567890}', b"a" * 64))
    assert _long_numbers(
        line(b'{"n":1}', hexed) + b"\n" + line(b'{"id":"1234567890123456789"}', hexed)
    )
    assert _long_numbers(b'{"data":{"n":12345678901234567890}}')  # no hash: the careful path
