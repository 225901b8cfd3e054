"""Append-only incident log: one locked write + fsync per event, shared by several processes."""

from __future__ import annotations

import fcntl
import getpass
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cockpit import __version__
from cockpit.clock import Clock
from cockpit.log.codec import (
    CodecError,
    body_of,
    decode_line,
    encode,
    hash_mode,
    line_hash,
)
from cockpit.log.events import FORMAT_VERSION, JSON, ZERO_HASH, Event, LogOpened, Payload
from cockpit.log.recovery import LogError, LogKeyError, TornTail, move_aside, recover_tail

__all__ = ["IncidentLog", "LogError", "LogKeyError", "OpenReport", "TornTail"]


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What opening the log found: new or existing, last seq, and any torn tail moved aside."""

    path: str
    created: bool
    last_seq: int
    hash_mode: str
    torn: TornTail | None

    def summary(self) -> str:
        """One line for the status bar or stderr."""
        state = "created" if self.created else f"reopened at seq {self.last_seq}"
        if self.torn is None:
            return f"log {self.path} {state} ({self.hash_mode})"
        return (
            f"log {self.path} {state} ({self.hash_mode}); {self.torn.size} torn bytes "
            f"({self.torn.reason}) moved to {self.torn.torn_path}"
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class IncidentLog:
    """The append side of one log file. Use `IncidentLog.open`; appends are acknowledged
    (locked, written in one `os.write`, fsynced) when `append` returns."""

    def __init__(self, fd: int, path: str, clock: Clock, key: bytes | None) -> None:
        self._fd = fd
        self.path = path
        self._clock = clock
        self._key = key or None
        self._end = 0
        self.last_seq = 0
        self.last_hash = ZERO_HASH
        self._pending: list[Event] = []
        self._mutex = threading.Lock()
        self.torn: list[TornTail] = []
        """Torn fragments of crashed writers found after open (moved aside, never dropped)."""

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock,
        key: bytes | None = None,
        incident_id: str = "",
        mode: str = "live",
        host: str | None = None,
        user: str | None = None,
        from_start: bool = False,
    ) -> tuple[IncidentLog, OpenReport]:
        """Open (or create, 0600) a log for append; raises LogError with a one-line reason.

        With `from_start`, the first `poll()` also returns the events already in the file
        (checked against the chain as they are read), so the app folds history and new
        events through one path; otherwise polling starts at the current end.
        """
        name = str(path)
        created = True
        flags = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC
        try:
            try:
                fd = os.open(name, flags | os.O_CREAT | os.O_EXCL, 0o600)
                os.fchmod(fd, 0o600)  # the umask must not widen or narrow this
            except FileExistsError:
                created = False
                fd = os.open(name, flags)
        except OSError as exc:
            raise LogError(f"{name}: cannot open the log: {exc.strerror or exc}") from None
        log = cls(fd, name, clock, key)
        try:
            with log._locked(fcntl.LOCK_EX):
                tail = recover_tail(fd, name, log._key)
                if tail is None:
                    header = LogOpened(
                        format=FORMAT_VERSION,
                        incident_id=incident_id,
                        host=host if host is not None else socket.gethostname(),
                        user=user if user is not None else _user(),
                        cockpit_version=__version__,
                        hash_mode=hash_mode(log._key),
                        mode=mode,
                    )
                    log._write(header.TYPE, header.to_data())
                    report = OpenReport(name, True, 1, hash_mode(log._key), None)
                else:
                    if not from_start:
                        log._end, log.last_seq, log.last_hash = tail.end, tail.seq, tail.hash
                    report = OpenReport(name, created, tail.seq, tail.hash_mode, tail.torn)
        except OSError as exc:
            os.close(fd)
            raise LogError(f"{name}: cannot prepare the log: {exc.strerror or exc}") from None
        except BaseException:
            os.close(fd)
            raise
        return log, report

    @contextmanager
    def _locked(self, how: int) -> Iterator[None]:
        with self._mutex:
            fcntl.flock(self._fd, how)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def append(self, payload: Payload) -> Event:
        """Append a typed payload; returns the acknowledged event (written and fsynced)."""
        return self.append_data(payload.TYPE, payload.to_data())

    def append_data(self, type_: str, data: Mapping[str, JSON]) -> Event:
        """Append raw JSON data under `type_` (ValueError for NaN/Inf or non-JSON data)."""
        with self._locked(fcntl.LOCK_EX):
            self._catch_up(exclusive=True)
            return self._write(type_, data)

    def poll(self) -> list[Event]:
        """Events appended since the last poll, by any process (ours included), in seq order."""
        with self._locked(fcntl.LOCK_SH):
            self._catch_up(exclusive=False)
            events, self._pending = self._pending, []
        return events

    def close(self) -> None:
        """Release the file descriptor (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> IncidentLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _write(self, type_: str, data: Mapping[str, JSON]) -> Event:
        encoded = encode(
            self.last_seq + 1, self._clock.now(), type_, data, self.last_hash, self._key
        )
        written = os.write(self._fd, encoded.line)
        if written != len(encoded.line):
            # A short write (disk full): remove the fragment so the chain stays whole.
            os.ftruncate(self._fd, self._end)
            raise LogError(f"{self.path}: short write ({written}/{len(encoded.line)} bytes)")
        os.fsync(self._fd)
        self._end += written
        self.last_seq, self.last_hash = encoded.event.seq, encoded.event.hash
        self._pending.append(encoded.event)
        return encoded.event

    def _catch_up(self, *, exclusive: bool) -> None:
        """Fold in lines other processes appended since our end offset (lock held)."""
        size = os.fstat(self._fd).st_size
        if size < self._end:
            raise LogError(f"{self.path}: the log shrank under us; run `cockpit verify`")
        if size == self._end:
            return
        chunk = os.pread(self._fd, size - self._end, self._end)
        cut = chunk.rfind(b"\n") + 1
        if cut:
            for raw in chunk[: cut - 1].split(b"\n"):
                self._adopt(raw)
            self._end += cut
        if exclusive and self._end < size:
            # Only a crashed writer leaves a fragment behind while we hold the lock.
            self.torn.append(move_aside(self._fd, self.path, self._end, size, "crash fragment"))

    def _adopt(self, raw: bytes) -> None:
        try:
            obj, event = decode_line(raw)
        except CodecError as exc:
            raise LogError(f"{self.path}: line after seq {self.last_seq}: {exc.message}") from None
        if obj["seq"] != self.last_seq + 1 or obj["prev"] != self.last_hash:
            raise LogError(f"{self.path}: seq {obj['seq']} does not continue the chain")
        if line_hash(body_of(obj), self._key) != obj["hash"]:
            raise LogKeyError(f"{self.path}: seq {obj['seq']} was written with another key")
        self.last_seq, self.last_hash = event.seq, event.hash
        self._pending.append(event)
