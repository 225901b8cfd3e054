"""`decode_line` parses with orjson only where orjson reads a line exactly as `json` does:
same values and types (big integers stay ints, -0.0 stays -0.0), and every line orjson
would read differently or refuse goes to `json`, which gives the reference result or error."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from json_strategies import datas

from cockpit.log.codec import (
    _SAFE_DEPTH,
    CodecError,
    _deeper_than,
    _reference_loads,
    decode_line,
    encode,
    loads_as_json,
)
from cockpit.log.events import ZERO_HASH

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
FAILED = object()


def typed(value: Any) -> str:
    """A spelling that tells 1 from 1.0 and -0.0 from 0.0."""
    return json.dumps(value, sort_keys=True, allow_nan=True)


def reference(raw: bytes) -> Any:
    try:
        return _reference_loads(raw)
    except CodecError:
        return FAILED


def same_as_json(raw: bytes) -> None:
    fast, ref = loads_as_json(raw), reference(raw)
    if fast is not None:
        assert ref is not FAILED and typed(fast) == typed(ref)


@settings(max_examples=200, deadline=None)
@given(datas, st.integers(0, 10**6), st.integers(0, 255), st.booleans())
def test_orjson_reads_a_line_as_json_does_or_steps_aside(
    data: dict[str, Any], at: int, byte: int, damage: bool
) -> None:
    raw = bytearray(encode(7, T0, "x.y", data, ZERO_HASH, None).line[:-1])
    if damage:
        raw[at % len(raw)] = byte
    same_as_json(bytes(raw))
    if not damage:
        obj, event = decode_line(bytes(raw))
        assert typed(obj["data"]) == typed(data) and event.seq == 7


def test_what_orjson_reads_differently_goes_to_json() -> None:
    for text in (
        b'{"a":18446744073709551616}',  # orjson: a float
        b'{"a":-9223372036854775809}',
        b'{"a":1e400}',  # json: inf (refused later by the hash)
        b'{"a":"\\ud800"}',  # a lone surrogate
        b'{"a":"\xed\xa0\x80"}',  # an encoded surrogate: not UTF-8 for either
        b'{"a":NaN}',
        b"[" * 2000 + b"]" * 2000,
    ):
        assert loads_as_json(text) is None, text
        same_as_json(text)
    assert type(decode_line_data(b'{"a":18446744073709551616}')["a"]) is int


def test_a_wide_line_is_read_by_orjson_and_a_deep_one_by_json() -> None:
    wide = json.dumps({"alerts": [{"labels": {"n": i}} for i in range(5_000)]}).encode()
    assert loads_as_json(wide) == json.loads(wide)
    shallow = b"[" * 300 + b"1" + b"]" * 300
    assert loads_as_json(shallow) == json.loads(shallow)
    for depth in (401, 600, 950):
        deep = b"[" * depth + b"]" * depth
        assert loads_as_json(deep) is None, depth
        same_as_json(deep)
    assert loads_as_json(b"[" * 10 + b"]" * 10 + b" ") is not None
    assert loads_as_json(b"7") == 7


def decode_line_data(data: bytes) -> Any:
    line = encode(1, T0, "x", {}, ZERO_HASH, None).line[:-1]
    raw = line.replace(b'"data":{}', b'"data":' + data, 1)
    return decode_line(raw)[0]["data"]


def walked_deeper_than(value: Any, limit: int) -> bool:
    """The reference: the deepest container, counted level by level."""
    level, depth = [value], 0
    while True:
        containers = [n for n in level if isinstance(n, (dict, list))]
        if not containers:
            return depth > limit
        depth += 1
        level = [c for n in containers for c in (n.values() if isinstance(n, dict) else n)]


def nested(levels: int, leaf: Any = 1) -> Any:
    value: Any = leaf
    for level in range(levels):
        value = [value] if level % 3 else {"k": value, "w": [1, {"x": None}]}
    return value


def test_the_depth_check_answers_as_walking_the_value_does() -> None:
    """`orjson.dumps` says "not deep" in C; every depth around its limit and ours, in lists,
    objects and both, a wide value and hostile strings get the walked answer."""
    from hostile_corpus import load

    hostile = [s for key, got in load().items() if key != "about" for s in got]
    values: list[Any] = [nested(n) for n in (1, 3, 254, 255, 256, 257, 399, 400, 401, 402, 700)]
    values.append({"alerts": [{"labels": {"n": i, "s": "[{"}} for i in range(3_000)]})
    values.append(nested(401, leaf=hostile))
    values.extend({"s": text, "deep": nested(5, text)} for text in hostile)
    values.append([float("nan"), 2**70, nested(450)])  # orjson writes these, or refuses
    for value in values:
        for limit in (3, 254, 255, _SAFE_DEPTH):
            assert _deeper_than(value, limit) == walked_deeper_than(value, limit), limit
