"""Append-only incident log: one locked write + fsync per event, shared by several processes."""

from __future__ import annotations

import dataclasses
import fcntl
import getpass
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit import __version__
from cockpit.clock import Clock
from cockpit.log.chunk import SPLITTABLE, Assembler, ItemTooLarge, merge, split
from cockpit.log.codec import (
    MAX_LINE_BYTES,
    LineTooLong,
    encode,
    hash_mode,
)
from cockpit.log.damage import Damage
from cockpit.log.events import (
    FORMAT_VERSION,
    JSON,
    ZERO_HASH,
    Event,
    LogDamaged,
    LogOpened,
    Payload,
)
from cockpit.log.recovery import (
    LogError,
    LogKeyError,
    TornTail,
    recover_tail,
)
from cockpit.log.tail import Tail

__all__ = [
    "Damage",
    "IncidentLog",
    "LineTooLong",
    "LogError",
    "LogKeyError",
    "OpenReport",
    "TornTail",
]


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


class IncidentLog(Tail):
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
        self.damage: list[Damage] = []
        """Damage by other processes found while tailing, in the order found."""
        self._untaken: list[Damage] = []
        self._unreported: list[Damage] = []
        self._broken = False

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
        provenance: Mapping[str, Any] | None = None,
    ) -> tuple[IncidentLog, OpenReport]:
        """Open (or create, 0600) a log for append; raises LogError with a one-line reason.

        With `from_start`, the first `poll()` also returns the events already in the file
        (checked against the chain as they are read), so the app folds history and new
        events through one path; otherwise polling starts at the current end. `provenance`
        (source_url, window_from, window_to) goes into a new log's header.
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
                    header = log._header(mode, incident_id, host, user)
                    if provenance:
                        header = dataclasses.replace(header, **provenance)
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

    def _header(
        self, mode: str, incident_id: str = "", host: str | None = None, user: str | None = None
    ) -> LogOpened:
        return LogOpened(
            format=FORMAT_VERSION,
            incident_id=incident_id,
            host=host if host is not None else socket.gethostname(),
            user=user if user is not None else _user(),
            cockpit_version=__version__,
            hash_mode=hash_mode(self._key),
            mode=mode,
        )

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
        """Append raw JSON data under `type_`; returns the acknowledged (logical) event.

        An observation over the line limit is written as several lines in one write (see
        `cockpit.log.chunk`); anything else over it raises LineTooLong and nothing is
        written, as does NaN/Inf or non-JSON data (ValueError).
        """
        with self._locked(fcntl.LOCK_EX):
            self._catch_up(exclusive=True)
            self._report_damage()
            return self._write(type_, data)

    def watchable(self) -> Path | None:
        """The file whose writes are all a poll can find (an inotify watch on it wakes the
        reader instead of a timer), or None once closed."""
        return Path(self.path) if self._fd >= 0 else None

    def quiet(self) -> bool:
        """True when a poll would find nothing: none of our events waiting, no damage to
        report, and the file has the size we last read (one fstat, no lock, no read)."""
        if self._fd < 0:
            return True
        if self._pending or self._unreported:
            return False
        try:
            return os.fstat(self._fd).st_size == self._end
        except OSError:
            return False

    def poll(self) -> list[Event]:
        """Events appended since the last poll, by any process (ours included), in seq order;
        a split observation comes back as one event. Damage found on the way is recorded (a
        `log.damaged` event, also returned) and listed in `damage`; it never raises."""
        with self._locked(fcntl.LOCK_SH):
            self._catch_up(exclusive=False)
        if self._unreported:
            with self._locked(fcntl.LOCK_EX):
                self._catch_up(exclusive=True)
                self._report_damage()
        with self._mutex:
            events, self._pending = self._pending, []
        assembler: Assembler[None] = Assembler()
        out = [e for event in events for e, _, _ in assembler.push(event, None)]
        return out + [e for e, _, _ in assembler.flush()]

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
        now = self._clock.now()
        try:
            lines = [encode(self.last_seq + 1, now, type_, data, self.last_hash, self._key)]
        except LineTooLong:
            if type_ not in SPLITTABLE:
                raise
            lines = []
            try:
                parts = split(type_, data)
            except ItemTooLarge as exc:
                raise LineTooLong(type_, MAX_LINE_BYTES + 1) from exc
            for part in parts:
                prev = lines[-1].event if lines else None
                seq = prev.seq + 1 if prev else self.last_seq + 1
                lines.append(
                    encode(seq, now, type_, part, prev.hash if prev else self.last_hash, self._key)
                )
        blob = b"".join(e.line for e in lines)
        written = os.write(self._fd, blob)
        if written != len(blob):
            # A short write (disk full): remove the fragment so the chain stays whole.
            os.ftruncate(self._fd, self._end)
            raise LogError(f"{self.path}: short write ({written}/{len(blob)} bytes)")
        os.fsync(self._fd)
        self._end += written
        events = [e.event for e in lines]
        self.last_seq, self.last_hash = events[-1].seq, events[-1].hash
        self._pending.extend(events)
        return events[0] if len(events) == 1 else merge(events)

    def _report_damage(self) -> None:
        """Write one `log.damaged` per unreported finding (exclusive lock held); the first
        after a chain-breaking finding starts a new segment chained to our last good hash."""
        found, self._unreported = self._unreported, []
        if found and self._end == 0:
            # Nothing of the file is left: start it again with a header, then say why.
            self.last_seq, self.last_hash, self._broken = 0, ZERO_HASH, False
            self._write(LogOpened.TYPE, self._header(mode="recovered").to_data())
        for damage in found:
            segment = self._broken
            self._broken = False
            self._write(LogDamaged.TYPE, damage.payload(segment=segment).to_data())
