"""Streaming reader of log files (plain or gzip) with bounded lines and precise errors."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from cockpit.log.codec import HEADER_TYPE, CodecError, decode_line
from cockpit.log.events import FORMAT_VERSION, Event

DEFAULT_MAX_LINE = 8 * 1024 * 1024
"""Longest accepted line in bytes; a longer line is an error, never a memory blow-up."""
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


class ReadError(Exception):
    """The log cannot be read past this point. `kind` is one of: io, gzip, utf8, json, keys,
    too_long, torn, header, format, duplicate_seq, seq_order, seq_gap."""

    def __init__(self, kind: str, line_no: int, seq: int | None, message: str) -> None:
        self.kind = kind
        self.line_no = line_no
        self.seq = seq
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"line {self.line_no}" + (f" (seq {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """Something odd that does not stop a replay (a clock that went backwards)."""

    line_no: int
    seq: int
    message: str


@dataclass(frozen=True, slots=True)
class Record:
    """One good line: where it is, the parsed object (for hashing) and its envelope."""

    line_no: int
    offset: int
    size: int
    obj: dict[str, Any]
    event: Event


def open_binary(path: str | Path) -> IO[bytes]:
    """Open a log for reading; gzip is recognised by its magic bytes, not by the name."""
    with Path(path).open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return Path(path).open("rb")


def iter_lines(
    stream: IO[bytes], max_line: int, offset: int = 0, line_no: int = 1
) -> Iterator[tuple[int, int, bytes]]:
    """Yield (line_no, offset, bytes without newline), reading bounded chunks."""
    buf = b""
    pos = offset
    # read1 hands out what is decompressed so far, so a truncated gzip still yields its head.
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            chunk = read(_CHUNK)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ReadError("gzip", line_no, None, f"damaged or truncated gzip: {exc}") from None
        except OSError as exc:
            raise ReadError("io", line_no, None, f"read failed: {exc.strerror or exc}") from None
        if not chunk:
            break
        buf += chunk
        start = 0
        while (nl := buf.find(b"\n", start)) >= 0:
            if nl - start > max_line:
                break
            yield line_no, pos + start, buf[start:nl]
            line_no += 1
            start = nl + 1
        buf = buf[start:]
        pos += start
        if len(buf) > max_line:
            raise ReadError("too_long", line_no, None, f"line longer than {max_line} bytes")
    if buf:
        raise ReadError("torn", line_no, None, "last line has no newline (torn write?)")


@dataclass(slots=True)
class LogReader:
    """Iterate the good records of a log; raises ReadError at the first damage.

    Everything before the damage has been yielded by then, so a replay works up to it.
    `start_offset`/`start_line`/`after_seq` resume in the middle (from an index point).
    """

    path: str | Path
    max_line_bytes: int = DEFAULT_MAX_LINE
    start_offset: int = 0
    start_line: int = 1
    after_seq: int = 0
    check_seq: bool = True
    warnings: list[ReadWarning] = field(default_factory=list)

    def __iter__(self) -> Iterator[Record]:
        try:
            stream = open_binary(self.path)
        except OSError as exc:
            raise ReadError("io", 0, None, f"cannot open: {exc.strerror or exc}") from None
        with stream:
            try:
                if self.start_offset:
                    stream.seek(self.start_offset)
            except (OSError, EOFError, zlib.error) as exc:
                raise ReadError("io", self.start_line, None, f"seek failed: {exc}") from None
            yield from self._records(stream)

    def _records(self, stream: IO[bytes]) -> Iterator[Record]:
        last_seq = self.after_seq
        last_ts: datetime | None = None
        lines = iter_lines(stream, self.max_line_bytes, self.start_offset, self.start_line)
        while True:
            try:
                line_no, offset, raw = next(lines)
            except StopIteration:
                return
            except ReadError as err:
                # A damaged tail cannot say its seq: name the one that was expected there.
                seq = last_seq + 1 if err.seq is None else err.seq
                raise ReadError(err.kind, err.line_no, seq, err.message) from None
            try:
                obj, event = decode_line(raw)
            except CodecError as exc:
                seq = _seq_hint(raw) or last_seq + 1
                raise ReadError(exc.kind, line_no, seq, exc.message) from None
            seq = obj["seq"]
            if line_no == 1 and offset == 0:
                _check_header(obj)
            elif self.check_seq and seq != last_seq + 1:
                raise _seq_error(line_no, seq, last_seq)
            if last_ts is not None and event.ts < last_ts:
                self.warnings.append(ReadWarning(line_no, seq, "time went backwards"))
            last_seq, last_ts = seq, event.ts
            yield Record(line_no, offset, len(raw) + 1, obj, event)


def _check_header(obj: dict[str, Any]) -> None:
    if obj["type"] != HEADER_TYPE or obj["seq"] != 1:
        raise ReadError("header", 1, obj["seq"], "first line is not a log.opened header")
    fmt = obj["data"].get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or not 1 <= fmt <= FORMAT_VERSION:
        raise ReadError(
            "format", 1, 1, f"unknown log format {fmt!r} (this cockpit reads 1..{FORMAT_VERSION})"
        )


def _seq_error(line_no: int, seq: int, last: int) -> ReadError:
    if seq == last:
        return ReadError("duplicate_seq", line_no, seq, f"seq {seq} appears twice")
    if seq < last:
        return ReadError("seq_order", line_no, seq, f"seq {seq} after {last} (reordered?)")
    return ReadError("seq_gap", line_no, seq, f"seq jumps from {last} to {seq} (line missing?)")


def _seq_hint(raw: bytes) -> int | None:
    """Best-effort seq of a damaged line, so errors can still name it."""
    marker = raw.find(b'"seq":')
    if marker < 0:
        return None
    digits = bytearray()
    for byte in raw[marker + 6 : marker + 26]:
        if not 0x30 <= byte <= 0x39:
            break
        digits.append(byte)
    return int(digits) if digits else None
