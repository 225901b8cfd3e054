"""The fast read of an intact log for whole-file passes (`cockpit export`): each line is
confirmed by the fast chain check (`fastverify.Chain`) and only its `data` is parsed.

A canonical line is `{"data":D,"hash":...}`: the envelope comes from the tail the chain
check already matched, D is parsed with orjson (about 3x `json.loads` on these lines), and
the time of a run of lines written in one poll is parsed once. Where orjson would read a
line differently from `json`, `json` parses it (`loads_as_json`). A line the chain check
cannot confirm raises GiveUp: the caller then reads the log on the reference path, which
alone words damage. Split observations are merged as `LogReader` merges them.

For a big file the chain is checked in a child process (`fastread_check.ChainCheck`), which
also looks for the lines `json` reads differently from orjson (integers past 64 bits, deep
nesting): the reading process then parses every line with orjson (`checked=False`), and
reads the log again with the checks inline in the rare case the child found one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from cockpit.clock import parse_rfc3339
from cockpit.log.chunk import SPLITTABLE, Assembler
from cockpit.log.codec import (
    _DECODER,
    _DIGITS,
    _LONG_RUN,
    _NESTING,
    loads_as_json,
    parse_line,
    to_event,
)
from cockpit.log.events import Event
from cockpit.log.fastverify import _HASH_AT, Chain, FastState, GiveUp

Row = tuple[int, datetime, str, dict[str, Any], str, str]
"""One logical event as seq, ts, type, data, prev and hash (`Event(*row)` is the event)."""

_BLOCK = 4 << 20
_NEVER = datetime.min.replace(tzinfo=UTC)
_DATA_AT = len(b'{"data":')


class FastReader:
    """Iterate the logical events of an intact log; `found` holds the chain's figures once
    the iteration has ended (raises GiveUp at the first line it cannot confirm)."""

    def __init__(
        self,
        stream: IO[bytes],
        key: bytes | None,
        progress: Callable[[int], None] | None,
        *,
        checked: bool = True,
    ) -> None:
        self._stream = stream
        self._chain = Chain(key)
        self._progress = progress
        self._checked_inline = checked
        self.found: FastState | None = None
        """The chain's figures (None with `checked=False`: another process checks it)."""

    def __iter__(self) -> Iterator[Event]:
        """The events (the export folds `rows`, which spares it building most of them)."""
        return (Event(*row) for row in self.rows())

    def rows(self) -> Iterator[Row]:
        """The logical events as rows (`_unchecked` when `ChainCheck` checks the chain, and
        looks for the lines `json` reads otherwise, in another process; returned, not
        delegated to: a `yield from` costs a step per line)."""
        return self._checked() if self._checked_inline else self._unchecked()

    def _checked(self) -> Iterator[Row]:
        """One loop for every line: the envelope read from the tail the chain check
        matched, `data` parsed, parts of a split observation merged."""
        check = self._chain.check
        progress, header = self._progress, True
        assembler: Assembler[None] = Assembler()
        grouping = False  # parts of a split observation are waiting in the assembler
        last_ts, when = b"", _NEVER
        offset = 0
        rest = b""
        while block := self._stream.read(_BLOCK):
            buf = rest + block
            lines = buf.split(b"\n")
            rest = lines.pop()
            if lines and header:
                yield _row(to_event(self._chain.first(lines.pop(0))))
                header = False
            plain = not _long_numbers(buf)  # else `json` may read some line otherwise
            for raw in lines:
                pos, match = check(raw)
                hash_, prev, seq, ts, _y, _m, _d, type_ = match.groups()
                if ts != last_ts:
                    last_ts, when = ts, _utc(ts)
                data = raw[_DATA_AT:pos]
                value: Any = None
                if plain and (len(data) <= _NESTING or not _deep(data)):
                    try:
                        value = _loads(data)
                    except _JSONError:
                        value = None
                if value.__class__ is not dict:
                    value = _data(data)
                kind = type_.decode()
                row = (int(seq), when, kind, value, prev.decode(), hash_.decode())
                if grouping or (kind in SPLITTABLE and "part" in value):
                    for merged, _first, _last in assembler.push(Event(*row), None):
                        yield _row(merged)
                    grouping = assembler.pending
                else:
                    yield row
            offset += len(block)
            if progress is not None:
                progress(offset)
        for merged, _first, _last in assembler.flush():
            yield _row(merged)
        self.found = self._chain.done(rest)

    def _unchecked(self) -> Iterator[Row]:
        """The loop when another process checks the chain: each line parsed whole by orjson
        (cheaper than reading the envelope by position: its fields come out as they are
        wanted)."""
        progress, header = self._progress, True
        assembler: Assembler[None] = Assembler()
        grouping = False  # parts of a split observation are waiting in the assembler
        last_ts, when = "", _NEVER
        offset = 0
        rest = b""
        while block := self._stream.read(_BLOCK):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            if lines and header:
                yield _row(to_event(parse_line(lines.pop(0))))
                header = False
            for raw in lines:
                try:  # the whole line at once: the envelope comes with the data
                    line = _loads(raw)
                    seq, ts, type_, value = line["seq"], line["ts"], line["type"], line["data"]
                    prev, hash_ = line["prev"], line["hash"]
                except (_JSONError, TypeError, KeyError):
                    seq = None
                if (
                    seq.__class__ is not int
                    or ts.__class__ is not str
                    or type_.__class__ is not str
                    or value.__class__ is not dict
                ):
                    seq, ts, type_, value, prev, hash_ = _envelope(raw)
                if ts != last_ts:
                    last_ts, when = ts, parse_rfc3339(ts)
                row = (seq, when, type_, value, prev, hash_)
                if grouping or (type_ in SPLITTABLE and "part" in value):
                    for merged, _first, _last in assembler.push(Event(*row), None):
                        yield _row(merged)
                    grouping = assembler.pending
                else:
                    yield row
            offset += len(block)
            if progress is not None:
                progress(offset)
        for merged, _first, _last in assembler.flush():
            yield _row(merged)
        if rest:
            raise GiveUp("torn last line")


def _row(event: Event) -> Row:
    return (event.seq, event.ts, event.type, event.data, event.prev, event.hash)  # type: ignore[return-value]


_loads, _JSONError = orjson.loads, orjson.JSONDecodeError


def _utc(ts: bytes) -> datetime:
    """The writer's `YYYY-MM-DDTHH:MM:SS.ffffffZ` (the chain check confirms the form)."""
    return parse_rfc3339(ts.decode())


def _deep(data: bytes) -> bool:
    """More brackets than `json` may accept nested (see `codec._NESTING`)."""
    return data.count(b"{") + data.count(b"[") > _NESTING


def _long_numbers(buf: bytes) -> bool:
    """True when a line's `data` in `buf` has 19 digits in a row (orjson reads integers
    past 64 bits as floats): then each line of the block is read as `loads_as_json` reads
    it. One pass over the block instead of one per line; runs in the hashes are skipped."""
    digits = buf.translate(_DIGITS)
    at = digits.find(_LONG_RUN)
    while at >= 0:
        start = buf.rfind(b"\n", 0, at) + 1
        end = buf.find(b"\n", at)
        end = len(buf) if end < 0 else end
        if not 0 <= buf.rfind(_HASH_AT, start, end) < at:
            return True
        at = digits.find(_LONG_RUN, end)
    return False


def _envelope(raw: bytes) -> tuple[int, str, str, dict[str, Any], str, str]:
    """seq, ts, type, data, prev, hash of a line orjson does not read whole, its envelope
    read by position (a line the child check refuses may give nonsense here, or raise
    ValueError or IndexError: its events are dropped then), its data as `_data` reads it."""
    # ,"hash":"H","prev":"P","seq":N,"ts":"T","type":"X"}  (H, P: 64; T: 27)
    pos = raw.rfind(_HASH_AT)
    tail = raw[pos:].decode()
    comma = tail.index(",", 155)
    ts, type_ = tail[comma + 7 : comma + 34], tail[comma + 44 : -2]
    data = raw[_DATA_AT:pos]
    try:
        value: Any = _loads(data)
    except _JSONError:
        value = None
    if value.__class__ is not dict:
        value = _data(data)
    return int(tail[155:comma]), ts, type_, value, tail[83:147], tail[9:73]


def _data(raw: bytes) -> dict[str, Any]:
    """The line's `data` object, as the reference decoder reads it."""
    value = loads_as_json(raw)
    if value.__class__ is dict:
        return value  # type: ignore[no-any-return]
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise GiveUp("data not readable") from None
    if not isinstance(value, dict):
        raise GiveUp("data is not an object")
    return value
