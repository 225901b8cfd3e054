"""Opening an existing log for append: header and key checks, torn tails moved aside."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from cockpit.log.codec import HASH_HMAC, HASH_SHA256, CodecError, hash_matches, parse_line

TORN_SUFFIX = ".torn"
_BLOCK = 64 * 1024
_LINE_START = b'{"data":'  # canonical lines sort their keys, so every line starts like this
MAX_SCAN = 16 * 1024 * 1024


class LogError(Exception):
    """The log cannot be opened or appended to; the message says why and what to do."""


class LogKeyError(LogError):
    """The log's hash mode or key does not match COCKPIT_LOG_KEY."""


@dataclass(frozen=True, slots=True)
class TornTail:
    """Bytes cut from the end of the log after a crash, and where they were kept."""

    offset: int
    size: int
    torn_path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Tail:
    """What an append needs to continue the chain: end offset, last seq and hash."""

    end: int
    seq: int
    hash: str
    hash_mode: str
    torn: TornTail | None


def move_aside(fd: int, path: str, start: int, end: int, reason: str) -> TornTail:
    """Append bytes [start, end) of the log to LOG.torn (0600), then truncate the log at start."""
    data = os.pread(fd, end - start, start)
    torn_path = path + TORN_SUFFIX
    tfd = os.open(torn_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(tfd, 0o600)
        os.write(tfd, data + b"\n")
        os.fsync(tfd)  # the fragment must be safe before the log forgets it
    finally:
        os.close(tfd)
    os.ftruncate(fd, start)
    os.fsync(fd)
    return TornTail(start, end - start, torn_path, reason)


def last_newline(fd: int, end: int) -> int:
    """Offset of the last b'\\n' before `end`, or -1 (scans at most MAX_SCAN bytes back)."""
    pos = end
    while pos > 0 and end - pos < MAX_SCAN:
        start = max(0, pos - _BLOCK)
        found = os.pread(fd, pos - start, start).rfind(b"\n")
        if found >= 0:
            return start + found
        pos = start
    return -1


def _first_line(fd: int, size: int) -> bytes | None:
    pos = 0
    while pos < size and pos < MAX_SCAN:
        block = os.pread(fd, _BLOCK, pos)
        found = block.find(b"\n")
        if found >= 0:
            return os.pread(fd, pos + found, 0)
        pos += len(block)
    return None


def _parse(raw: bytes, what: str, path: str) -> dict[str, Any]:
    try:
        return parse_line(raw)
    except CodecError as exc:
        raise LogError(f"{path}: {what} is damaged ({exc.message}); run `cockpit verify`") from None


def recover_tail(fd: int, path: str, key: bytes | None) -> Tail | None:
    """Check an existing log under the exclusive lock; None when it holds no line at all.

    A final fragment without newline, or a final line that does not parse, is moved aside.
    The header must parse (a foreign file is never truncated) and match the key's mode.
    """
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    first = _first_line(fd, size)
    if first is None:
        if os.pread(fd, len(_LINE_START), 0) != _LINE_START:
            raise LogError(f"{path}: not an incident log (no header line); use a new file")
        move_aside(fd, path, 0, size, "header line without newline")
        return None
    try:
        header = parse_line(first)
    except CodecError as exc:
        raise LogError(f"{path}: not an incident log (first line: {exc.message})") from None
    if header["type"] != "log.opened" or header["seq"] != 1:
        raise LogError(f"{path}: not an incident log (first line is not log.opened)")
    mode = _check_mode(header, key, path)
    torn: TornTail | None = None
    last_nl = last_newline(fd, size)
    if last_nl + 1 < size:
        torn = move_aside(fd, path, last_nl + 1, size, "last line has no newline")
        size = last_nl + 1
    prev_nl = last_newline(fd, size - 1)
    try:
        last = parse_line(_last_line(fd, size))
    except CodecError as exc:
        if prev_nl < 0:
            raise LogError(f"{path}: the header line is damaged; run `cockpit verify`") from None
        extra = f" and {torn.size} bytes after it" if torn else ""
        torn = move_aside(fd, path, prev_nl + 1, size, f"last line unparsable ({exc.message})")
        torn = TornTail(torn.offset, torn.size, torn.torn_path, torn.reason + extra)
        size = prev_nl + 1
        last = _parse(_last_line(fd, size), "the line before the torn tail", path)
    if not hash_matches(last, key):
        raise LogKeyError(
            f"{path}: line {last['seq']} does not match its hash under mode {mode} "
            "(wrong COCKPIT_LOG_KEY, or the log was edited); run `cockpit verify`"
        )
    return Tail(size, last["seq"], last["hash"], mode, torn)


def _last_line(fd: int, size: int) -> bytes:
    prev_nl = last_newline(fd, size - 1)
    return os.pread(fd, size - 1 - (prev_nl + 1), prev_nl + 1)


def _check_mode(header: dict[str, Any], key: bytes | None, path: str) -> str:
    mode = header["data"].get("hash_mode", HASH_SHA256)
    if mode == HASH_HMAC and not key:
        raise LogKeyError(f"{path}: this log is keyed (hmac-sha256); set COCKPIT_LOG_KEY")
    if mode == HASH_SHA256 and key:
        raise LogKeyError(
            f"{path}: COCKPIT_LOG_KEY is set but this log is unkeyed (sha256); "
            "unset the key to append to it"
        )
    if mode not in (HASH_HMAC, HASH_SHA256):
        raise LogError(f"{path}: unknown hash mode {mode!r}")
    return str(mode)
