"""The fast read's child process: the chain of a whole file checked (`fast_walk`'s check)
while the export folds it in the parent, and the lines `json` reads otherwise than orjson
looked for, so that the parent may parse every line with orjson (`FastReader(checked=False)`).

Run as `python -m cockpit.log.fastread_check FILE`, the key on standard input; it prints the
chain's figures as JSON and exits 0, or exits 1 when it cannot confirm the log."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from typing import IO, Any

from cockpit.log.codec import _DIGITS, _LONG_RUN, _NESTING
from cockpit.log.fastread import _DATA_AT, _data, _deep, _JSONError, _loads, _long_numbers
from cockpit.log.fastverify import Chain, FastState, GiveUp
from cockpit.log.reader import open_binary

_BLOCK = 4 << 20
_DEEP_FROM = _DATA_AT + 2 * _NESTING
"""Where the hash field starts in a line whose data may nest deeper than _NESTING."""


class ReadAgain(Exception):
    """The child found a line `json` reads differently from orjson: the events read without
    the checks are not the reference's, read the log again with them (`checked=True`)."""


class ChainCheck:
    """The fast chain check of a whole file in a child process (`python -m
    cockpit.log.fastread_check FILE`, the key on its standard input): started at once, its
    figures collected by `result` (GiveUp when it could not confirm the log, ReadAgain when
    a line must be read by `json`)."""

    def __init__(self, path: str, key: bytes | None) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "cockpit.log.fastread_check", path],
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
            alike = figures["alike"] is True
        except (ValueError, KeyError, TypeError):
            raise GiveUp("the chain check's answer is not readable") from None
        if not alike:
            raise ReadAgain
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
            found, alike = _walk(stream, key)
    except (GiveUp, OSError, EOFError, zlib.error):
        return 1
    figures = {
        "alike": alike,
        "events": found.events,
        "last_seq": found.last_seq,
        "last_hash": found.last_hash,
        "type": found.last_type,
        "header": found.header,
    }
    sys.stdout.write(json.dumps(figures))
    return 0


def _walk(stream: IO[bytes], key: bytes | None) -> tuple[FastState, bool]:
    """`fast_walk`, and whether every line reads alike without the checks (the checks of
    `FastReader`, done here so the reading process is spared them)."""
    chain = Chain(key)
    check, alike, rest = chain.check, True, b""
    while block := stream.read(_BLOCK):
        buf = rest + block
        lines = buf.split(b"\n")
        rest = lines.pop()
        if lines and chain.state.header is None:
            chain.first(lines.pop(0))
        long = alike and _long_numbers(buf)
        for raw in lines:
            pos = check(raw)[0]
            # Nesting deeper than _NESTING takes twice as many bytes of data (each bracket
            # closed: else orjson refuses the line too); the line's brackets bound the data's.
            if alike and (
                long or (pos > _DEEP_FROM and raw.count(b"{") + raw.count(b"[") > _NESTING)
            ):
                data = raw[_DATA_AT:pos]
                if _LONG_RUN in data.translate(_DIGITS) or _deep(data):
                    alike = _reads_alike(data)
    return chain.done(rest), alike


def _reads_alike(data: bytes) -> bool:
    """True when the reading without the checks (orjson first) gives what the careful one
    gives (`_data`) for a line's `data` that the checks send to `json`."""
    try:
        fast: Any = _loads(data)
    except _JSONError:
        return True  # orjson refuses it: `_data` reads it on both paths
    if fast.__class__ is not dict:
        return True
    try:
        careful = _data(data)
        return repr(fast) == repr(careful)  # types too: 1 and 1.0 and True differ
    except (GiveUp, RecursionError):
        return False


if __name__ == "__main__":
    sys.exit(_check_main(sys.argv[1]))
