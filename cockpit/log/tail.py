"""Tailing a shared log: adopt the lines other writers appended, record the damage others did."""

from __future__ import annotations

import os

from cockpit.log.codec import (
    MAX_LINE_BYTES,
    CodecError,
    decode_line,
    hash_matches,
    parse_line,
)
from cockpit.log.damage import Damage, foreign, truncated
from cockpit.log.events import Event, LogDamaged
from cockpit.log.recovery import TornTail, last_newline, move_aside


class Tail:
    """The reading half of `IncidentLog`: where it stands in the file and what it found.

    Damage is recorded, never raised: the chain goes on from the last good line known, and
    the writer records each finding (`log.damaged`) before its next line.
    """

    _fd: int
    path: str
    _key: bytes | None
    _end: int
    last_seq: int
    last_hash: str
    _pending: list[Event]
    torn: list[TornTail]
    damage: list[Damage]
    _untaken: list[Damage]
    _unreported: list[Damage]
    _broken: bool
    _seen: tuple[int, int] = (-1, -1)

    def take_damage(self) -> list[Damage]:
        """Damage found since the last call (for a notification); `damage` keeps them all."""
        new, self._untaken = self._untaken, []
        return new

    def _found(self, damage: Damage) -> None:
        self._broken = self._broken or damage.breaks_chain
        last = self._unreported[-1] if self._unreported else None
        if last is not None and last.continued_by(damage):
            # A run of bad lines is one finding (one event, one notification).
            merged = last.extend(damage)
            for found in (self.damage, self._untaken, self._unreported):
                if found and found[-1] is last:
                    found[-1] = merged
            return
        self.damage.append(damage)
        self._untaken.append(damage)
        self._unreported.append(damage)

    def _catch_up(self, *, exclusive: bool) -> None:
        """Fold in lines other processes appended since our end offset (lock held). Damage
        is recorded, never raised: the chain goes on from the last good line we know."""
        stat = os.fstat(self._fd)
        size, seen = stat.st_size, (stat.st_size, stat.st_mtime_ns)
        if not exclusive and seen == self._seen:
            return  # nothing changed: a stuck fragment is not read again on every poll
        self._seen = seen
        if size < self._end:
            self._shrunk(size)
        if size == self._end:
            return
        chunk = os.pread(self._fd, size - self._end, self._end)
        cut = chunk.rfind(b"\n") + 1
        if cut:
            offset = self._end
            for raw in chunk[: cut - 1].split(b"\n"):
                self._adopt(raw, offset)
                offset += len(raw) + 1
            self._end += cut
        if exclusive and self._end < size:
            # Only a crashed writer (or a truncation) leaves a fragment while we hold the lock.
            torn = move_aside(self._fd, self.path, self._end, size, "crash fragment")
            self.torn.append(torn)
            self._found(
                Damage(
                    "torn",
                    torn.offset,
                    torn.size,
                    self.last_seq,
                    "a write without its newline (a writer killed mid-write, or a cut)",
                    torn.torn_path,
                )
            )

    def _shrunk(self, size: int) -> None:
        """The file is shorter than what we read: resume after its last whole line."""
        last_nl = last_newline(self._fd, size)
        file_seq: int | None = None
        if last_nl >= 0:
            start = last_newline(self._fd, last_nl) + 1
            try:
                file_seq = parse_line(os.pread(self._fd, last_nl - start, start))["seq"]
            except CodecError:
                file_seq = None
        self._found(truncated(self._end, size, file_seq, self.last_seq))
        self._end = last_nl + 1

    def _adopt(self, raw: bytes, offset: int) -> None:
        """Take one line another process wrote, or record why it is not a line of ours."""
        if len(raw) > MAX_LINE_BYTES:  # the reader's rule (it counts without the newline)
            self._found(foreign(offset, len(raw) + 1, self.last_seq, "over the line limit"))
            return
        try:
            obj, event = decode_line(raw)
        except CodecError as exc:
            self._found(foreign(offset, len(raw) + 1, self.last_seq, f"{exc.message}"))
            return
        if not hash_matches(obj, self._key):
            detail = f"seq {obj['seq']} does not match its hash (edited, or another key)"
            self._found(Damage("forged", offset, len(raw) + 1, self.last_seq, detail))
            return
        continues = obj["seq"] == self.last_seq + 1 and obj["prev"] == self.last_hash
        segment = obj["type"] == LogDamaged.TYPE and obj["data"].get("segment") is True
        if not continues and not segment:
            detail = f"seq {obj['seq']} does not continue the chain after seq {self.last_seq}"
            self._found(Damage("chain", offset, len(raw) + 1, self.last_seq, detail))
            return
        if obj["type"] == LogDamaged.TYPE:
            # Another writer recorded the damage before us: it is reported.
            self._unreported.clear()
            self._broken = False
        self.last_seq, self.last_hash = event.seq, event.hash
        self._pending.append(event)
