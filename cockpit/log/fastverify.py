"""The fast path of `cockpit verify`: a log as its writer wrote it is checked from its bytes.

A writer writes canonical lines: `{"data":{...},"hash":"H","prev":...,"type":...}` (sorted
keys), and H is the hash of that line without `"hash":"H",`. So for such a line the hashed
bytes are the line itself minus those 74 bytes, and the only JSON to read is the fixed tail
after `data`: no parse and no re-encoding of the (large) observation payloads. If the bytes
hash to H they are the writer's canonical body (SHA-256 is collision resistant), so the line
is exactly what the full check would accept. Anything else (a header, a `log.damaged` line,
a non-canonical or damaged line, a broken link, time going backwards, a torn tail) makes
`fast_walk` give up, and `cockpit verify` runs the full check from the start: the fast path
never decides a failure, it only confirms an intact log quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from cockpit.log.codec import MAX_LINE_BYTES, CodecError, decode_line
from cockpit.log.events import ZERO_HASH, LogDamaged

_BLOCK = 4 << 20
_HEAD = b'{"data":{'
_HASH_AT = b',"hash":"'
_HASH_FIELD = len(b'"hash":"') + 64 + len(b'",')
_TAIL = re.compile(
    rb'"hash":"([0-9a-f]{64})","prev":"([0-9a-f]{64})","seq":([1-9][0-9]{0,17}),'
    rb'"ts":"((\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d'
    rb'\.\d{6}Z)","type":"([^"\\\x00-\x1f]+)"\}'
)
_DAMAGED = LogDamaged.TYPE.encode()


class GiveUp(Exception):
    """The fast path cannot confirm this log; the full check decides."""


class FastState:
    """What the walk found: the same figures the full check reports for an intact log."""

    def __init__(self) -> None:
        self.events = 0
        self.last_seq = 0
        self.last_hash = ZERO_HASH
        self.last_type = ""
        self.expect_seq: int | None = None
        self.header: dict[str, Any] | None = None


class Chain:
    """The fast check of consecutive lines: the header decoded, then each canonical line
    confirmed from its bytes (hash, link, seq, time order). `check` returns the position of
    the hash field and the tail's match for the caller to read the line's fields from."""

    def __init__(self, key: bytes | None, expect: str | None = None) -> None:
        self.state = FastState()
        self._digest = _digest(key)
        self._expect = expect
        self._expect_b = (expect or "").encode()
        self.last_ts = self.last_hash = self.last_type = b""
        self.last_seq = 0
        self._day = b""

    def first(self, raw: bytes) -> dict[str, Any]:
        """Take the header line (decoded in full; the caller checks its mode and format)."""
        if len(raw) >= MAX_LINE_BYTES:
            raise GiveUp("long line")
        header = self.state.header = _header(raw)
        self.last_hash, self.last_seq = str(header["hash"]).encode(), 1
        self.last_type = str(header["type"]).encode()
        self.state.events = 1
        self.last_ts = str(header["ts"]).encode()
        if len(self.last_ts) != 27 or not self.last_ts.endswith(b"Z"):
            raise GiveUp("header time not in the writer's format")
        return header

    def check(self, raw: bytes) -> tuple[int, re.Match[bytes]]:
        """Confirm the next line; raises GiveUp when it cannot."""
        if len(raw) >= MAX_LINE_BYTES:
            raise GiveUp("long line")
        pos = raw.rfind(_HASH_AT)
        match = _TAIL.fullmatch(raw, pos + 1) if pos > 0 and raw.startswith(_HEAD) else None
        if match is None:
            raise GiveUp("not a canonical line")
        hash_, prev, seq, ts, year, month, dom, type_ = match.groups()
        if type_ == _DAMAGED or prev != self.last_hash:
            raise GiveUp("segment or broken link")
        if int(seq) != self.last_seq + 1 or ts < self.last_ts:
            raise GiveUp("seq or time out of order")
        if self._digest(raw[: pos + 1] + raw[pos + 1 + _HASH_FIELD :]) != hash_:
            raise GiveUp("hash mismatch")
        if ts[:10] != self._day:
            _valid_day(year, month, dom)
            self._day = ts[:10]
        self.last_ts, self.last_hash, self.last_type = ts, hash_, type_
        self.last_seq += 1
        if self._expect is not None and hash_ == self._expect_b:
            self.state.expect_seq = self.last_seq
        return pos, match

    def done(self, rest: bytes) -> FastState:
        """The figures once every line was checked (`rest`: bytes after the last newline)."""
        if rest:
            raise GiveUp("torn last line")
        state = self.state
        state.events = self.last_seq if state.header is not None else 0
        state.last_seq, state.last_hash, state.last_type = (
            self.last_seq,
            self.last_hash.decode(),
            self.last_type.decode(),
        )
        return state


def fast_walk(
    stream: IO[bytes],
    key: bytes | None,
    expect: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> FastState:
    """Walk the whole log; raises GiveUp at the first line it cannot confirm."""
    chain = Chain(key, expect)
    check = chain.check
    offset = 0
    rest = b""
    while block := stream.read(_BLOCK):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        if lines and chain.state.header is None:
            chain.first(lines.pop(0))
        for raw in lines:
            check(raw)
        offset += len(block)
        if progress is not None:
            progress(offset)
    return chain.done(rest)


def _digest(key: bytes | None) -> Callable[[bytes], bytes]:
    if key:
        return lambda data: hmac.digest(key, data, "sha256").hex().encode()
    return lambda data: hashlib.sha256(data).hexdigest().encode()


def _header(raw: bytes) -> dict[str, Any]:
    """The first line, fully decoded (its mode and format are checked by the caller)."""
    try:
        obj, _event = decode_line(raw)
    except CodecError:
        raise GiveUp("header") from None
    return obj


def _valid_day(year: bytes, month: bytes, dom: bytes) -> None:
    try:
        date(int(year), int(month), int(dom))
    except ValueError:
        raise GiveUp("not a date") from None
