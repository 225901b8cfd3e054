"""Line codec of the incident log: canonical JSON, chain hashes, encode and strict decode."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from cockpit.clock import parse_rfc3339, rfc3339
from cockpit.log.events import JSON, Event

HASH_SHA256 = "sha256"
HASH_HMAC = "hmac-sha256"
HEADER_TYPE = "log.opened"
KEYS = ("seq", "ts", "type", "data", "prev", "hash")
_HEX64 = re.compile(r"[0-9a-f]{64}")

MAX_LINE_BYTES = 1024 * 1024
"""The one line limit (bytes, newline included) of the log: the writer never writes a longer
line (large observations are split, see `cockpit.log.chunk`) and the reader refuses one.

Chosen from a measurement: `PYTHONPATH=. python bench/line_limit.py` decodes and hashes
alerts.observed lines of realistic alerts (624 bytes each) at 45 to 60 MB/s on the 2-core
reference VM: 0.62 MB in 11 ms, 0.94 MB in 18 ms, 1.87 MB in 35 ms, 3.75 MB in 83 ms and
9.36 MB (15,000 alerts) in 303 ms. A live cockpit folds other writers' lines on its UI
thread, and the budget is no event-loop stall over 50 ms: 1 MiB (about 20 ms, some 1,600
alerts) keeps one line well inside it even on a loaded machine. `cockpit verify` is not
slowed by the limit (its rate is per byte, not per line).
"""


class LineTooLong(ValueError):
    """An event would encode to a line over MAX_LINE_BYTES; nothing was written."""

    def __init__(self, type_: str, size: int) -> None:
        super().__init__(
            f"{type_} event of {size:,} bytes is over the log line limit of "
            f"{MAX_LINE_BYTES:,} bytes: it was not written (shorten it, or split it)"
        )
        self.type = type_
        self.size = size


class CodecError(ValueError):
    """A line is not a well-formed log line; `kind` names the problem for the reader."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def hash_mode(key: bytes | None) -> str:
    """The header's `hash_mode` for a writer or verifier holding `key`."""
    return HASH_HMAC if key else HASH_SHA256


def canonical(body: Mapping[str, JSON]) -> bytes:
    """Canonical UTF-8 JSON of `body`; ValueError for NaN/Inf or anything not JSON."""
    try:
        text = json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return text.encode("utf-8")
    except TypeError as exc:
        raise ValueError(f"not JSON-serialisable: {exc}") from exc


def line_hash(body: Mapping[str, JSON], key: bytes | None) -> str:
    """Hash of a line body (the line without `hash`): SHA-256, or HMAC-SHA256 with a key."""
    data = canonical(body)
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Encoded:
    """One encoded line ready for a single write, and the event it represents."""

    line: bytes
    event: Event


def encode(
    seq: int, ts: datetime, type_: str, data: Mapping[str, JSON], prev: str, key: bytes | None
) -> Encoded:
    """Encode one event as a canonical, `\\n`-terminated line carrying its chain hash.

    Raises LineTooLong (nothing written) when the line would be over MAX_LINE_BYTES.
    """
    body: dict[str, JSON] = {
        "seq": seq,
        "ts": rfc3339(ts),
        "type": type_,
        "data": dict(data),
        "prev": prev,
    }
    digest = line_hash(body, key)
    body["hash"] = digest
    line = canonical(body) + b"\n"
    if len(line) > MAX_LINE_BYTES:
        raise LineTooLong(type_, len(line))
    return Encoded(line, Event(seq, parse_rfc3339(str(body["ts"])), type_, data, prev, digest))


def _reject_constant(name: str) -> Any:
    raise CodecError("json", f"non-finite number {name} is not allowed")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_line(raw: bytes) -> dict[str, Any]:
    """Parse a line (without its newline) into a checked JSON object; raises CodecError."""
    return decode_line(raw)[0]


_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19
_NESTING = 256
"""More brackets than this and the nesting is measured before orjson's reading is kept:
`json` refuses nesting near the recursion limit (1,000 frames, call stack included), which
orjson accepts."""
_SAFE_DEPTH = 400
"""Nesting `json` always reads, whatever the call stack (deeper: `json` decides)."""


def loads_as_json(raw: bytes) -> Any:
    """`raw` parsed with orjson (3x faster) when it reads it as `json` does, else None.

    They differ where orjson refuses (non-finite numbers, lone surrogates, anything not
    strict JSON: the caller then asks `json`, which words the error), on integers past 64
    bits, which orjson makes floats (19 digits in a row, found by mapping every digit to 0,
    send the line to `json`) and on deep nesting, which only `json` refuses (see _NESTING)."""
    if _LONG_RUN in raw.translate(_DIGITS):
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    # A big alert snapshot has thousands of brackets but little depth: measured on the
    # parsed value, in Python, so a long line never holds the interpreter the way one
    # `json` call on it did (10-25 ms for a 10,000-alert observation).
    if raw.count(b"{") + raw.count(b"[") > _NESTING and _deeper_than(value, _SAFE_DEPTH):
        return None
    return value


def _dumps_refuses_deeper_than(limit: int) -> bool:
    """True when `orjson.dumps` refuses nesting deeper than `limit` (255 levels in 3.x)."""
    value: Any = []
    for level in range(limit):
        value = [value] if level % 2 else {"k": value}  # limit + 1 levels, both kinds
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        return True
    return False


_DUMPS_BOUNDS_DEPTH = _dumps_refuses_deeper_than(_SAFE_DEPTH)
"""Whether `orjson.dumps` succeeding proves a value is no deeper than _SAFE_DEPTH (checked
once here, so a newer orjson with a higher limit falls back to walking the value)."""


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` deep in `value` (stops as soon as they do).

    Up to _SAFE_DEPTH, `orjson.dumps` answers "no" in C (5 ms for a 10,000-alert observation,
    against 20 ms of walking it here); only a value it refuses is walked."""
    if limit >= _SAFE_DEPTH and _DUMPS_BOUNDS_DEPTH:
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError:
            pass  # deeper than orjson writes, or something it does not write: walk it
        else:
            return False
    stack: list[tuple[Any, int]] = [(value, 1)] if type(value) in (dict, list) else []
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > limit:
            return True
        items = node.values() if type(node) is dict else node
        for item in items:
            if type(item) is dict or type(item) is list:
                push((item, depth + 1))
    return False


def decode_line(raw: bytes) -> tuple[dict[str, Any], Event]:
    """Parse and check a line; returns the JSON object (for hashing) and its envelope."""
    obj = loads_as_json(raw)
    if obj is None:
        obj = _reference_loads(raw)
    if not isinstance(obj, dict):
        raise CodecError("json", "not a JSON object")
    missing = [k for k in KEYS if k not in obj]
    if missing:
        raise CodecError("keys", f"missing key(s): {', '.join(missing)}")
    seq = obj["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise CodecError("keys", "seq is not a positive integer")
    if not isinstance(obj["type"], str) or not obj["type"]:
        raise CodecError("keys", "type is not a non-empty string")
    if not isinstance(obj["data"], dict):
        raise CodecError("keys", "data is not an object")
    for name in ("prev", "hash"):
        if not isinstance(obj[name], str) or not _HEX64.fullmatch(obj[name]):
            raise CodecError("keys", f"{name} is not 64 lowercase hex digits")
    if not isinstance(obj["ts"], str):
        raise CodecError("keys", "ts is not a string")
    try:
        ts = parse_rfc3339(obj["ts"])
    except (ValueError, OverflowError):
        raise CodecError("keys", f"ts is not an RFC 3339 time: {obj['ts'][:40]!r}") from None
    return obj, Event(seq, ts, obj["type"], obj["data"], obj["prev"], obj["hash"])


def _reference_loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodecError("utf8", f"invalid UTF-8 at byte {exc.start}") from None
    try:
        return _DECODER.decode(text)
    except CodecError:
        raise
    except (ValueError, RecursionError) as exc:
        raise CodecError("json", f"not JSON ({str(exc).splitlines()[0][:80]})") from None


def to_event(obj: Mapping[str, Any]) -> Event:
    """Build the envelope from an object that `parse_line` accepted."""
    return Event(
        seq=obj["seq"],
        ts=parse_rfc3339(obj["ts"]),
        type=obj["type"],
        data=obj["data"],
        prev=obj["prev"],
        hash=obj["hash"],
    )


def body_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed part of a parsed line: everything but `hash` (unknown keys included)."""
    return {k: v for k, v in obj.items() if k != "hash"}


def hash_matches(obj: Mapping[str, Any], key: bytes | None) -> bool:
    """Whether a parsed line carries its own hash. A body no writer could have hashed (a
    number edited to `1e999` reads as infinity, which JSON cannot write back) does not."""
    try:
        return bool(line_hash(body_of(obj), key) == obj["hash"])
    except ValueError:
        return False
