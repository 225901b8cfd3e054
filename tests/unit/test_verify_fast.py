"""`cockpit verify`'s fast path (bytes of canonical lines) agrees with the full check: it
confirms what writers write (non-ASCII, floats, nested data, keyed or not) and never passes
a line the full check would not; any change makes both give the same report."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_strategies import datas, write_rows

from cockpit.log.fastverify import fast_walk
from cockpit.log.verify import verify

types = st.sampled_from(["note.added", "alerts.observed", "custom.thing", "ünïcode.type", "x"])
events = st.lists(st.tuples(types, datas), min_size=1, max_size=6)
keys = st.sampled_from([None, b"secret-key"])
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def reports(path: Path, key: bytes | None) -> tuple[object, object]:
    return verify(path, key, fast=True), verify(path, key, fast=False)


@SETTINGS
@given(events, keys)
def test_the_fast_path_confirms_what_writers_write(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any]]], key: bytes | None
) -> None:
    path = tmp_path / "inc.jsonl"
    write_rows(path, rows, key)
    with path.open("rb") as stream:
        found = fast_walk(stream, key)  # raises GiveUp if it could not confirm a line
    fast, full = reports(path, key)
    assert fast == full
    assert full.ok and found.events == full.events == len(rows) + 1  # type: ignore[attr-defined]


@SETTINGS
@given(events, keys, st.integers(0, 10**6), st.integers(0, 255))
def test_any_changed_byte_gets_the_full_checks_report(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any]]], key: bytes | None, at: int, byte: int
) -> None:
    path = tmp_path / "inc.jsonl"
    write_rows(path, rows, key)
    raw = bytearray(path.read_bytes())
    at %= len(raw)
    if raw[at] == byte:
        byte = (byte + 1) % 256
    raw[at] = byte
    path.write_bytes(bytes(raw))
    fast, full = reports(path, key)
    assert fast == full


def test_floats_json_writes_differently_still_confirmed(tmp_path: Path) -> None:
    rows = [
        ("m.observed", {"v": v})
        for v in (1e16, 1e-7, math.pi, -0.0, 5e-324, 1.7976931348623157e308)
    ]
    path = tmp_path / "inc.jsonl"
    write_rows(path, rows, None)
    with path.open("rb") as stream:
        assert fast_walk(stream, None).events == len(rows) + 1
    assert b"1e+16" in path.read_bytes()  # the writer's (json) spelling is what is hashed
