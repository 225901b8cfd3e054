"""The fast read of an intact log for whole-file passes (`cockpit export`): each line is
confirmed by the fast chain check (`fastverify.Chain`) and only its `data` is parsed.

A canonical line is `{"data":D,"hash":...}`: the envelope comes from the tail the chain
check already matched, D is parsed with orjson (about 3x `json.loads` on these lines), and
the time of a run of lines written in one poll is parsed once. Where orjson would read a
line differently from `json`, `json` parses it (`loads_as_json`). A line the chain check
cannot confirm raises GiveUp: the caller then reads the log on the reference path, which
alone words damage. Split observations are merged as `LogReader` merges them."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from cockpit.clock import parse_rfc3339
from cockpit.log.chunk import SPLITTABLE, Assembler
from cockpit.log.codec import _DECODER, loads_as_json, parse_line, to_event
from cockpit.log.events import Event
from cockpit.log.fastverify import _HASH_AT, Chain, FastState, GiveUp, fast_walk
from cockpit.log.reader import open_binary

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
        self._checked = checked
        self.found: FastState | None = None
        """The chain's figures (None with `checked=False`: another process checks it)."""

    def __iter__(self) -> Iterator[Event]:
        assembler: Assembler[None] = Assembler()
        grouping = False  # parts of a split observation are waiting in the assembler
        for event in self._lines() if self._checked else self._unchecked():
            if grouping or (event.type in SPLITTABLE and "part" in event.data):
                for merged, _first, _last in assembler.push(event, None):
                    yield merged
                grouping = assembler.pending
            else:
                yield event
        for merged, _first, _last in assembler.flush():
            yield merged

    def _lines(self) -> Iterator[Event]:
        chain, progress = self._chain, self._progress
        check = chain.check
        last_ts, when = b"", _NEVER
        offset = 0
        rest = b""
        while block := self._stream.read(_BLOCK):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            if lines and chain.state.header is None:
                yield to_event(chain.first(lines.pop(0)))
            for raw in lines:
                pos, match = check(raw)
                hash_, prev, seq, ts, _y, _m, _d, type_ = match.groups()
                if ts != last_ts:
                    last_ts, when = ts, parse_rfc3339(ts.decode())
                yield Event(
                    int(seq), when, type_.decode(), _data(raw[_DATA_AT:pos]), prev.decode(),
                    hash_.decode(),
                )  # fmt: skip
            offset += len(block)
            if progress is not None:
                progress(offset)
        self.found = chain.done(rest)

    def _unchecked(self) -> Iterator[Event]:
        """The lines read by position alone, for a log whose chain `ChainCheck` checks in
        another process: garbage in a line that is not canonical raises ValueError or
        IndexError, or gives wrong events, which that check then rejects."""
        progress = self._progress
        last_ts, when = b"", _NEVER
        offset = 0
        rest = b""
        header = True
        while block := self._stream.read(_BLOCK):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            if lines and header:
                yield to_event(parse_line(lines.pop(0)))
                header = False
            for raw in lines:
                # ,"hash":"H","prev":"P","seq":N,"ts":"T","type":"X"}  (H, P: 64; T: 27)
                pos = raw.rfind(_HASH_AT)
                comma = raw.index(b",", pos + 155)
                ts = raw[comma + 7 : comma + 34]
                if ts != last_ts:
                    last_ts, when = ts, parse_rfc3339(ts.decode())
                yield Event(
                    int(raw[pos + 155 : comma]), when, raw[comma + 44 : -2].decode(),
                    _data(raw[_DATA_AT:pos]), raw[pos + 83 : pos + 147].decode(),
                    raw[pos + 9 : pos + 73].decode(),
                )  # fmt: skip
            offset += len(block)
            if progress is not None:
                progress(offset)
        if rest:
            raise GiveUp("torn last line")


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


class ChainCheck:
    """The fast chain check of a whole file in a child process (`python -m
    cockpit.log.fastread FILE`, the key on its standard input): started at once, its
    figures collected by `result` (GiveUp when it could not confirm the log)."""

    def __init__(self, path: str, key: bytes | None) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "cockpit.log.fastread", path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self._proc.stdin is not None
        with self._proc.stdin:
            self._proc.stdin.write(key or b"")

    def result(self) -> FastState:
        """The chain's figures once the child has walked the whole file."""
        assert self._proc.stdout is not None
        with self._proc.stdout:
            out = self._proc.stdout.read()
        if self._proc.wait() != 0:
            raise GiveUp("the chain check did not confirm the log")
        try:
            figures = json.loads(out)
            state = FastState()
            state.events, state.last_seq = int(figures["events"]), int(figures["last_seq"])
            state.last_hash, state.last_type = str(figures["last_hash"]), str(figures["type"])
            state.header = dict(figures["header"])
        except (ValueError, KeyError, TypeError):
            raise GiveUp("the chain check's answer is not readable") from None
        return state

    def cancel(self) -> None:
        """Stop the child (the fold gave up first)."""
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()


def _check_main(path: str) -> int:
    """The child's side of `ChainCheck`: exit 0 with the figures, 1 when not confirmed."""
    key = sys.stdin.buffer.read() or None
    try:
        with open_binary(path) as stream:
            found = fast_walk(stream, key)
    except (GiveUp, OSError, EOFError, zlib.error):
        return 1
    figures = {
        "events": found.events,
        "last_seq": found.last_seq,
        "last_hash": found.last_hash,
        "type": found.last_type,
        "header": found.header,
    }
    sys.stdout.write(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(_check_main(sys.argv[1]))
