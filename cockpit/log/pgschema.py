"""The shared store's PostgreSQL schema: versioned migrations and the read queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

SCHEMA_VERSION = 1
CHANNEL = "cockpit_log"
"""LISTEN/NOTIFY channel; the payload is the incident id whose chain grew."""
_MIGRATION_LOCK = 0x636F636B  # "cock": one advisory lock serialises concurrent migrations

_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE cockpit_incidents (
            incident text PRIMARY KEY,
            created timestamptz NOT NULL DEFAULT now(),
            last_seq bigint NOT NULL DEFAULT 0,
            last_hash text NOT NULL
        )""",
        """CREATE TABLE cockpit_events (
            incident text NOT NULL REFERENCES cockpit_incidents (incident),
            seq bigint NOT NULL,
            ts timestamptz NOT NULL,
            type text NOT NULL,
            hash text NOT NULL,
            origin text,
            line text NOT NULL,
            PRIMARY KEY (incident, seq)
        )""",
        """CREATE UNIQUE INDEX cockpit_events_origin ON cockpit_events (incident, origin)
            WHERE origin IS NOT NULL""",
        """CREATE TABLE cockpit_presence (
            incident text NOT NULL,
            host text NOT NULL,
            login text NOT NULL,
            pid integer NOT NULL,
            role text NOT NULL DEFAULT '',
            seen timestamptz NOT NULL,
            PRIMARY KEY (incident, host, login, pid)
        )""",
    ),
}


class StoreError(Exception):
    """The shared store cannot be used; the message says why (never the DSN)."""


def current_version(conn: psycopg.Connection[Any]) -> int:
    """The schema version in the database (0 when the cockpit tables do not exist yet)."""
    row = conn.execute("SELECT to_regclass('cockpit_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    version = conn.execute("SELECT max(version) FROM cockpit_schema").fetchone()
    return int(version[0]) if version and version[0] is not None else 0


def migrate(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION in one transaction; returns (before, after).

    Safe with several processes starting at once (an advisory lock); refuses a database
    whose schema is newer than this cockpit knows.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS cockpit_schema "
            "(version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"
        )
        before = current_version(conn)
        if before > SCHEMA_VERSION:
            raise StoreError(
                f"the shared log schema is version {before}, newer than this cockpit knows "
                f"({SCHEMA_VERSION}): upgrade the cockpit"
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version]:
                conn.execute(statement.encode())
            conn.execute("INSERT INTO cockpit_schema (version) VALUES (%s)", (version,))
    return before, SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One incident in the store, for `cockpit log list`."""

    incident: str
    created: datetime
    last_seq: int
    last_ts: datetime | None


def list_incidents(conn: psycopg.Connection[Any]) -> list[IncidentRow]:
    """Every incident in the store, oldest first."""
    rows = conn.execute(
        "SELECT i.incident, i.created, i.last_seq, "
        "(SELECT e.ts FROM cockpit_events e WHERE e.incident = i.incident "
        " AND e.seq = i.last_seq) FROM cockpit_incidents i ORDER BY i.created, i.incident"
    ).fetchall()
    return [IncidentRow(r[0], r[1], int(r[2]), r[3]) for r in rows]


def lines_after(
    conn: psycopg.Connection[Any], incident: str, seq: int
) -> list[tuple[int, str, str | None]]:
    """(seq, line, origin) of the incident's chain after `seq`, in order (no newline)."""
    rows = conn.execute(
        "SELECT seq, line, origin FROM cockpit_events WHERE incident = %s AND seq > %s "
        "ORDER BY seq",
        (incident, seq),
    ).fetchall()
    return [(int(r[0]), str(r[1]), r[2]) for r in rows]


def hashes_upto(conn: psycopg.Connection[Any], incident: str, seq: int) -> dict[int, str]:
    """seq -> hash of the incident's chain up to `seq` (to find where a mirror diverges)."""
    rows = conn.execute(
        "SELECT seq, hash FROM cockpit_events WHERE incident = %s AND seq <= %s",
        (incident, seq),
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}
