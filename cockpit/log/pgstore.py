"""A shared incident log in PostgreSQL with IncidentLog's interface and a local JSONL mirror.

The chain of an incident lives in `cockpit_events`; every process keeps a mirror file that
is a byte-for-byte copy of the store's lines (same seq, prev, hash), so `cockpit verify` and
replay work on it offline. While the store is unreachable, appends are chained onto the
mirror's head and fsynced (acknowledged, *provisional*); at reconnect they are re-chained, in
order and with their original `ts`, onto the store's head in one transaction, each tagged
with the hash of its provisional line (`origin`, unique), so replaying the queue after a crash
never appends twice. The mirror's provisional lines then move to MIRROR.offline and the
mirror continues with the store's lines: it never forks from the store.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from cockpit.clock import Clock, monotonic
from cockpit.log.chunk import Assembler, merge
from cockpit.log.codec import hash_mode
from cockpit.log.events import JSON, ZERO_HASH, Event, LogOpened
from cockpit.log.pgappend import Appended, Item, append_items, encode_item
from cockpit.log.pglisten import KEEPALIVE, Listener
from cockpit.log.pgmirror import (
    MirrorLine,
    decoded,
    open_mirror,
    read_mirror,
    replace_tail,
    write_all,
)
from cockpit.log.pgpresence import Presence, Present
from cockpit.log.pgschema import StoreError, hashes_upto, lines_after, migrate
from cockpit.log.recovery import LogError, recover_tail
from cockpit.log.store import IncidentLog, OpenReport
from cockpit.settings.secrets import Secret

_INCIDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
RETRY_S = 10.0
"""Least time between two reconnections refused by the store itself."""
_DOWN = (psycopg.OperationalError, psycopg.InterfaceError)


class StoreLog(IncidentLog):
    """One incident of the shared store, appended through its local mirror file."""

    incident: str
    offline_since: datetime | None
    presence: Presence | None

    @classmethod
    def open_store(
        cls,
        mirror: str | Path,
        *,
        dsn: Secret,
        incident: str,
        clock: Clock,
        key: bytes | None = None,
        mode: str = "live",
        role: str = "",
        from_start: bool = False,
    ) -> tuple[StoreLog, OpenReport]:
        """Open the mirror (created 0600; one process per mirror) and join `incident`.

        The store being unreachable is not an error: the log starts offline on its mirror
        (`status()` says so) and catches up when the store answers again.
        """
        if not _INCIDENT_ID.fullmatch(incident):
            raise LogError(
                f"incident id {incident[:80]!r} is not usable: give 1 to 64 letters, digits, "
                "'.', '_' or '-' (e.g. INC-2041)"
            )
        name = str(mirror)
        owner, fd = open_mirror(name)
        log = cls(fd, name, clock, key)
        log._setup(owner, dsn, incident, mode, role)
        try:
            tail = recover_tail(fd, name, log._key)
            log._end = tail.end if tail else 0
            log._lines = read_mirror(fd, name, log._end)
            if log._lines:
                found = log._lines[0].event.data.get("incident_id")
                if found != incident:
                    raise LogError(
                        f"{name}: this mirror belongs to incident {found!r}, not "
                        f"{incident!r}; name another file with --log"
                    )
                log.last_seq, log.last_hash = log._lines[-1].event.seq, log._lines[-1].event.hash
            log._connect()
            if log._conn is None and not log._lines:
                log._write_local(log._header_item())
            log._known.clear()
            events = [m.event for m in read_mirror(fd, name, log._end)]
            log._pending = events if from_start else []
        except BaseException:
            log.close()
            raise
        torn = tail.torn if tail else None
        return log, OpenReport(name, tail is None, log.last_seq, hash_mode(log._key), torn)

    def _setup(self, owner: int, dsn: Secret, incident: str, mode: str, role: str) -> None:
        self._owner = owner
        self._dsn = dsn
        self._header_data = self._header(mode, incident).to_data()
        self.incident = incident
        self._mode = mode
        self._conn: psycopg.Connection[Any] | None = None
        self._lines: list[MirrorLine] = []
        """Mirror lines not (known to be) in the store: all of them at open, then the
        provisional lines written while offline."""
        self._base = (0, ZERO_HASH, 0)
        """seq, hash and end offset of the last mirror line known to be in the store."""
        self._known: set[str] = set()
        """Origins of our provisional lines: already folded, not handed out again."""
        self.offline_since = None
        self.problem = ""
        """Why the store refused us at the last reconnect ("" when it did not)."""
        self._retry_at = 0.0
        self.presence = None
        self._role = role
        self._listener = Listener(dsn, incident).start()

    def _header_item(self) -> Item:
        """The chain's first line, should this process be the first to write."""
        return Item(self._clock.now(), LogOpened.TYPE, self._header_data)

    # -- appending ------------------------------------------------------------------------

    def append_data(self, type_: str, data: Mapping[str, JSON]) -> Event:
        """Append through the store (acknowledged: committed, then in the mirror), or, while
        it is unreachable, onto the mirror alone (acknowledged: fsynced; pushed later)."""
        item = Item(self._clock.now(), type_, data)
        with self._mutex:
            if self._conn is None and self._listener.reachable.is_set():
                self._reconnect()  # a recorder never polls: it catches up here
            if self._conn is not None:
                try:
                    result = append_items(
                        self._conn,
                        self.incident,
                        [item],
                        key=self._key,
                        after_seq=self.last_seq,
                        header=self._header_item(),
                    )
                except _DOWN:
                    self._drop()
                    self._went_offline()
                else:
                    entries = decoded(result.missed)
                    entries += [(e.line, e.event, None) for w in result.written for e in w]
                    self._append_mirror(entries)
                    mine = result.written[-1]
                    return mine[0].event if len(mine) == 1 else merge([e.event for e in mine])
            return self._write_local(item)

    def _write_local(self, item: Item) -> Event:
        lines = encode_item(self.last_seq + 1, self.last_hash, item, self._key)
        offset = self._end
        write_all(self._fd, b"".join(e.line for e in lines))
        for e in lines:
            self._lines.append(MirrorLine(offset, offset + len(e.line), e.event))
            self._known.add(e.event.hash)
            offset += len(e.line)
        self._end = offset
        self.last_seq, self.last_hash = lines[-1].event.seq, lines[-1].event.hash
        events = [e.event for e in lines]
        self._pending.extend(events)
        return events[0] if len(events) == 1 else merge(events)

    def _take(self, lines: list[tuple[int, str, str | None]]) -> None:
        """Store lines (others' or ours): into the mirror, and handed to the next poll."""
        self._append_mirror(decoded(lines))

    def _append_mirror(self, entries: list[tuple[bytes, Event, str | None]]) -> None:
        """One write and one fsync for all of `entries` (line with newline, event, origin);
        events whose origin we already folded (our provisional lines) are not handed out."""
        blob = b"".join(line for line, _e, _o in entries)
        write_all(self._fd, blob)
        self._end += len(blob)
        for _line, event, origin in entries:
            self.last_seq, self.last_hash = event.seq, event.hash
            if origin is None or origin not in self._known:
                self._pending.append(event)
        self._base = (self.last_seq, self.last_hash, self._end)

    def watchable(self) -> Path | None:
        """None: other responders' lines come from the server, not through the mirror file."""
        return None

    def quiet(self) -> bool:
        """True when a poll would do nothing: connected, no notification, no heartbeat due,
        none of our events waiting (the store is read only when the listener was told)."""
        if self._pending or self._conn is None or self._listener.changed.is_set():
            return False
        return self.presence is None or not self.presence.due(self._clock.now())

    def poll(self) -> list[Event]:
        """Events since the last poll (ours included), split observations reassembled. Reads
        the store only when the listener was notified; reconnects when the server is back."""
        with self._mutex:
            now = self._clock.now()
            if self._conn is None and self._listener.reachable.is_set():
                self._reconnect()
            conn = self._conn
            if conn is not None:
                try:
                    if self._listener.changed.is_set():
                        self._listener.changed.clear()
                        self._take(lines_after(conn, self.incident, self.last_seq))
                    if self.presence is not None and self.presence.due(now):
                        self.presence.beat(now)
                except _DOWN:
                    self._drop()
                    self._went_offline()
            events, self._pending = self._pending, []
        assembler: Assembler[None] = Assembler()
        out = [e for event in events for e, _, _ in assembler.push(event, None)]
        return out + [e for e, _, _ in assembler.flush()]

    # -- connection -------------------------------------------------------------------------

    def _reconnect(self) -> None:
        """Try again (at most every RETRY_S): a store that refuses us (a newer schema, a
        permission) leaves the log offline with the reason, it never stops the cockpit."""
        if monotonic() < self._retry_at:
            return
        try:
            self._connect()
        except LogError as err:
            self._retry_at = monotonic() + RETRY_S
            self._went_offline()
            self.problem = str(err)

    def _connect(self) -> None:
        """Connect, migrate, and push what the mirror holds beyond the store (offline lines)."""
        try:
            conn = psycopg.connect(self._dsn.reveal(), autocommit=True, **KEEPALIVE)
        except _DOWN:
            self._went_offline()
            return
        try:
            migrate(conn)
            self._listener.changed.clear()
            self._sync(conn)
            self._conn = conn
            self.presence = Presence(conn, self.incident, self._header_item(), self._role)
            self.presence.beat(self._clock.now())
        except _DOWN:
            self._conn = conn
            self._drop()
            self._went_offline()
            return
        except (psycopg.Error, StoreError) as exc:
            conn.close()
            raise LogError(f"shared log: {str(exc).splitlines()[0]}") from None
        self.offline_since, self.problem = None, ""

    def _sync(self, conn: psycopg.Connection[Any]) -> None:
        """Re-chain the mirror's unconfirmed lines onto the store's head (skipping those
        already there), then make the mirror's tail the store's lines after the last line
        both share."""
        lines = self._lines
        known = hashes_upto(conn, self.incident, lines[-1].event.seq) if lines else {}
        good = 0
        while good < len(lines) and known.get(lines[good].event.seq) == lines[good].event.hash:
            good += 1
        if good:
            last = lines[good - 1]
            self._base = (last.event.seq, last.event.hash, last.end)
        base_seq, base_hash, base_end = self._base
        queued = [Item(m.event.ts, m.event.type, m.event.data, m.event.hash) for m in lines[good:]]
        result = append_items(
            conn,
            self.incident,
            queued,
            key=self._key,
            after_seq=base_seq,
            header=self._header_item(),
            check_origins=True,
        )
        fresh = list(result.missed)
        fresh += [(e.event.seq, e.line[:-1].decode(), None) for w in result.written for e in w]
        replace_tail(self._fd, self.path, base_end, self._end, b"")
        self._end, self.last_seq, self.last_hash = base_end, base_seq, base_hash
        self._lines = []
        self._take(fresh)
        # Our re-chained lines were folded as provisional lines: not handed out again.
        self._pending = [e for e in self._pending if e.seq <= base_seq or not _ours(e, result)]

    def _went_offline(self) -> None:
        if self.offline_since is None:
            self.offline_since = self._clock.now()

    def _drop(self) -> None:
        conn, self._conn, self.presence = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def status(self) -> str | None:
        """ "shared log offline since HH:MM" while the store is unreachable, else None."""
        since = self.offline_since
        if since is None:
            return None
        why = f" ({self.problem})" if self.problem else ""
        return f"shared log offline since {since:%H:%M}{why}"

    def present(self) -> list[Present]:
        """Who is in the incident now (from the last heartbeat); empty while offline."""
        return self.presence.people if self.presence is not None else []

    def close(self) -> None:
        """Leave the incident, stop listening, release the mirror (idempotent)."""
        if self.presence is not None:
            self.presence.leave()
        self._listener.stop()
        self._drop()
        super().close()
        if self._owner >= 0:
            os.close(self._owner)
            self._owner = -1


def _ours(event: Event, result: Appended) -> bool:
    return any(e.event.hash == event.hash for w in result.written for e in w)
