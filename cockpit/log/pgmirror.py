"""The local JSONL mirror of a shared-store incident: read it, and replace its offline lines."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass

from cockpit.log.codec import CodecError, decode_line
from cockpit.log.events import Event
from cockpit.log.recovery import LogError

OFFLINE_SUFFIX = ".offline"
"""Provisional lines replaced at reconnect are kept here as evidence (appended, 0600)."""


@dataclass(frozen=True, slots=True)
class MirrorLine:
    """One line of the mirror: where it starts and the event it holds."""

    offset: int
    end: int
    event: Event


def read_mirror(fd: int, path: str, size: int) -> list[MirrorLine]:
    """Every whole line of the mirror up to `size`; raises LogError on a line that is not a
    log line (the mirror is written by one process only: anything else is not ours)."""
    data = os.pread(fd, size, 0)
    out: list[MirrorLine] = []
    offset = 0
    for raw in data.split(b"\n")[:-1]:
        try:
            _obj, event = decode_line(raw)
        except CodecError as exc:
            raise LogError(
                f"{path}: byte {offset} is not a log line ({exc.message}): this file is not a "
                "mirror of the shared log; name another file with --log"
            ) from None
        out.append(MirrorLine(offset, offset + len(raw) + 1, event))
        offset += len(raw) + 1
    return out


def replace_tail(fd: int, path: str, start: int, end: int, blob: bytes) -> None:
    """Move bytes [start, end) to MIRROR.offline, then make `blob` the mirror's tail from
    `start` (each step fsynced, so a crash leaves the evidence or the old lines, never
    neither)."""
    if end > start:
        old = os.pread(fd, end - start, start)
        side = os.open(
            path + OFFLINE_SUFFIX, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600
        )
        try:
            os.write(side, old)
            os.fsync(side)
        finally:
            os.close(side)
        os.ftruncate(fd, start)
    write_all(fd, blob)


def write_all(fd: int, blob: bytes) -> None:
    """Append `blob` (O_APPEND) and fsync; a short write is an error."""
    if not blob:
        return
    written = os.write(fd, blob)
    if written != len(blob):
        raise LogError(f"short write to the mirror ({written}/{len(blob)} bytes)")
    os.fsync(fd)


def open_mirror(name: str) -> tuple[int, int]:
    """(lock fd, mirror fd): MIRROR.lock is held for the life of the process (one writer per
    mirror file), the mirror opened for append (created 0600)."""
    try:
        owner = os.open(name + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise LogError(f"{name}: cannot lock the mirror: {exc.strerror or exc}") from None
    try:
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(owner)
        raise LogError(
            f"{name}: another cockpit process uses this mirror; name another file with --log"
        ) from None
    try:
        fd = os.open(name, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
    except OSError as exc:
        os.close(owner)
        raise LogError(f"{name}: cannot open the mirror: {exc.strerror or exc}") from None
    return owner, fd


def decoded(lines: list[tuple[int, str, str | None]]) -> list[tuple[bytes, Event, str | None]]:
    """Store lines (seq, line, origin) as (mirror bytes with newline, event, origin)."""
    out = []
    for _seq, line, origin in lines:
        raw = line.encode("utf-8")
        out.append((raw + b"\n", decode_line(raw)[1], origin))
    return out
