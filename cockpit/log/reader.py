"""Streaming reader of log files (plain or gzip) with bounded lines and precise errors."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from cockpit.log.chunk import Assembler
from cockpit.log.codec import HEADER_TYPE, MAX_LINE_BYTES, CodecError, decode_line
from cockpit.log.events import FORMAT_VERSION, Event, LogDamaged

DEFAULT_MAX_LINE = MAX_LINE_BYTES
"""Longest accepted line in bytes (the writer's limit); a longer one is an error, never a
memory blow-up."""
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
    skipped: bool = False
    """True for damage skipped up to a segment start (also listed in `LogReader.damage`)."""


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
) -> Iterator[tuple[int, int, bytes | None]]:
    """Yield (line_no, offset, bytes without newline), reading bounded chunks; a line over
    `max_line` yields None instead of its bytes (and is skipped without being kept)."""
    buf = b""
    pos = offset
    skipping = False
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
        if skipping:
            nl = chunk.find(b"\n")
            pos += len(chunk) if nl < 0 else nl + 1
            if nl < 0:
                continue
            chunk, skipping, line_no = chunk[nl + 1 :], False, line_no + 1
        buf += chunk
        start = 0
        while (nl := buf.find(b"\n", start)) >= 0:
            yield line_no, pos + start, (buf[start:nl] if nl - start <= max_line else None)
            line_no += 1
            start = nl + 1
        buf = buf[start:]
        pos += start
        if len(buf) > max_line:
            yield line_no, pos, None
            skipping, pos, buf = True, pos + len(buf), b""
    if buf:
        raise ReadError("torn", line_no, None, "last line has no newline (torn write?)")


@dataclass(slots=True)
class LogReader:
    """Iterate the good records of a log; raises ReadError at the first damage.

    Everything before the damage has been yielded by then, so a replay works up to it.
    Damage that a writer recorded is skipped (`resync`): reading resumes at the `log.damaged`
    line that starts a new segment after it, with a warning; the skipped damage is listed in
    `damage`. A split observation comes back as one record (`assemble`; its `obj` is the
    last line's). `start_offset`/`start_line`/`after_seq` resume in the middle.
    """

    path: str | Path
    max_line_bytes: int = DEFAULT_MAX_LINE
    start_offset: int = 0
    start_line: int = 1
    after_seq: int = 0
    check_seq: bool = True
    resync: bool = True
    assemble: bool = True
    warnings: list[ReadWarning] = field(default_factory=list)
    damage: list[tuple[ReadError, Record]] = field(default_factory=list)
    """Damage skipped, each with the segment start that followed it."""

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
            records = self._records(stream)
            yield from (_assembled(records) if self.assemble else records)

    def _records(self, stream: IO[bytes]) -> Iterator[Record]:
        last_seq = self.after_seq
        last_ts: datetime | None = None
        lines = iter_lines(stream, self.max_line_bytes, self.start_offset, self.start_line)
        pending: ReadError | None = None  # damage being skipped, until a segment starts
        while True:
            try:
                line_no, offset, raw = next(lines)
            except StopIteration:
                if pending is not None:
                    raise pending from None
                return
            except ReadError as err:
                # A damaged tail cannot say its seq: name the one that was expected there.
                seq = last_seq + 1 if err.seq is None else err.seq
                raise (pending or ReadError(err.kind, err.line_no, seq, err.message)) from None
            try:
                obj, event = self._decode(line_no, raw, last_seq)
                seq = obj["seq"]
                if line_no == 1 and offset == 0:
                    check_header(obj)
                elif self.resync and _starts_segment(obj):
                    if pending is None and self.check_seq and seq != last_seq + 1:
                        pending = _seq_error(line_no, seq, last_seq)
                elif pending is not None:
                    continue
                elif self.check_seq and seq != last_seq + 1:
                    raise _seq_error(line_no, seq, last_seq)
            except ReadError as err:
                if pending is not None:
                    continue
                if not self.resync or line_no == 1:
                    raise
                pending = err
                continue
            if last_ts is not None and event.ts < last_ts:
                self.warnings.append(ReadWarning(line_no, seq, "time went backwards"))
            last_seq, last_ts = seq, event.ts
            record = Record(line_no, offset, len(raw or b"") + 1, obj, event)
            if pending is not None:
                self._skipped(pending, record)
                pending = None
            yield record

    def _decode(self, line_no: int, raw: bytes | None, last_seq: int) -> tuple[Any, Event]:
        if raw is None:
            message = (
                f"line longer than the log line limit of {self.max_line_bytes:,} bytes "
                "(damage, or written by a cockpit older than the limit)"
            )
            raise ReadError("too_long", line_no, last_seq + 1, message)
        try:
            return decode_line(raw)
        except CodecError as exc:
            seq = _seq_hint(raw) or last_seq + 1
            raise ReadError(exc.kind, line_no, seq, exc.message) from None

    def _skipped(self, damage: ReadError, segment: Record) -> None:
        self.damage.append((damage, segment))
        detail = str(segment.event.data.get("detail", ""))[:200]
        self.warnings.append(
            ReadWarning(
                damage.line_no,
                damage.seq or 0,
                f"{damage.message}; skipped up to line {segment.line_no}, where a new segment "
                f"starts (seq {segment.event.seq}, log.damaged: {detail})",
                skipped=True,
            )
        )


def _starts_segment(obj: dict[str, Any]) -> bool:
    return obj["type"] == LogDamaged.TYPE and obj["data"].get("segment") is True


def _assembled(records: Iterator[Record]) -> Iterator[Record]:
    """One record per logical event: the parts of a split observation are merged."""
    assembler: Assembler[Record] = Assembler()
    try:
        for record in records:
            for event, first, last in assembler.push(record.event, record):
                yield _span(event, first, last)
    except ReadError:
        for event, first, last in assembler.flush():
            yield _span(event, first, last)
        raise
    for event, first, last in assembler.flush():
        yield _span(event, first, last)


def _span(event: Event, first: Record, last: Record) -> Record:
    if event is first.event:
        return first
    size = last.offset + last.size - first.offset
    return Record(first.line_no, first.offset, size, last.obj, event)


def check_header(obj: dict[str, Any]) -> None:
    """Raise ReadError unless `obj` is a log.opened header of a format this cockpit reads."""
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
