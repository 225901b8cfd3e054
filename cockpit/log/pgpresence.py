"""Presence in a shared incident: a heartbeat row per process, read with the heartbeat."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from cockpit.log.pgappend import Item

BEAT_S = 10.0
"""How often a process refreshes its row (and reads the others')."""
GONE_S = 30.0
"""A row older than this is someone who left (or lost the store)."""


@dataclass(frozen=True, slots=True)
class Present:
    """Someone in the incident now."""

    host: str
    user: str
    role: str


class Presence:
    """This process's row in `cockpit_presence`, and the people seen at the last beat."""

    def __init__(
        self, conn: psycopg.Connection[Any], incident: str, header: Item, role: str
    ) -> None:
        self._conn = conn
        self._incident = incident
        self.host = str(header.data.get("host", ""))
        self.user = str(header.data.get("user", ""))
        self.role = role
        self._pid = os.getpid()
        self._last: datetime | None = None
        self.people: list[Present] = []

    def due(self, now: datetime) -> bool:
        """True when the next heartbeat is due."""
        return self._last is None or now - self._last >= timedelta(seconds=BEAT_S)

    def beat(self, now: datetime, role: str | None = None) -> None:
        """Refresh our row and read who else is here (raises psycopg errors when down)."""
        if role is not None:
            self.role = role
        self._conn.execute(
            "INSERT INTO cockpit_presence (incident, host, login, pid, role, seen) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (incident, host, login, pid) "
            "DO UPDATE SET role = excluded.role, seen = excluded.seen",
            (self._incident, self.host, self.user, self._pid, self.role, now),
        )
        rows = self._conn.execute(
            "SELECT DISTINCT host, login, role FROM cockpit_presence "
            "WHERE incident = %s AND seen > %s ORDER BY login, host",
            (self._incident, now - timedelta(seconds=GONE_S)),
        ).fetchall()
        self.people = [Present(str(r[0]), str(r[1]), str(r[2])) for r in rows]
        self._last = now

    def leave(self) -> None:
        """Remove our row (on close); errors are ignored, the row ages out anyway."""
        with contextlib.suppress(psycopg.Error):
            self._conn.execute(
                "DELETE FROM cockpit_presence WHERE incident = %s AND host = %s "
                "AND login = %s AND pid = %s",
                (self._incident, self.host, self.user, self._pid),
            )
