"""Appending to the shared store: one transaction per batch, under the incident's row lock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from cockpit.log.chunk import SPLITTABLE, ItemTooLarge, split
from cockpit.log.codec import HEADER_TYPE, MAX_LINE_BYTES, Encoded, LineTooLong, encode
from cockpit.log.events import JSON, ZERO_HASH
from cockpit.log.pgschema import CHANNEL


@dataclass(frozen=True, slots=True)
class Item:
    """One event to chain onto the store's head: its original time, type and data.

    `origin` is the hash of the provisional mirror line it replaces (an event written while
    the store was offline): an item whose origin is already in the store is skipped, so a
    replay of the queue after a crash never appends it twice.
    """

    ts: datetime
    type: str
    data: Mapping[str, JSON]
    origin: str | None = None


def encode_item(seq: int, prev: str, item: Item, key: bytes | None) -> list[Encoded]:
    """The line(s) of one event chained after (seq - 1, prev): a large observation is split
    exactly as the file log splits it; anything else over the limit raises LineTooLong."""
    try:
        return [encode(seq, item.ts, item.type, item.data, prev, key)]
    except LineTooLong:
        if item.type not in SPLITTABLE:
            raise
    try:
        parts = split(item.type, item.data)
    except ItemTooLarge as exc:
        raise LineTooLong(item.type, MAX_LINE_BYTES + 1) from exc
    lines: list[Encoded] = []
    for part in parts:
        lines.append(encode(seq, item.ts, item.type, part, prev, key))
        seq, prev = seq + 1, lines[-1].event.hash
    return lines


@dataclass(frozen=True, slots=True)
class Appended:
    """What one append transaction saw and wrote, in chain order."""

    missed: list[tuple[int, str, str | None]]
    """Lines other writers committed after the caller's `after_seq` (not ours)."""
    written: list[list[Encoded]]
    """Per item (the header first when this transaction created the chain), the lines
    written; empty when the item's origin was already in the store."""


def append_items(
    conn: psycopg.Connection[Any],
    incident: str,
    items: Sequence[Item],
    *,
    key: bytes | None,
    after_seq: int,
    header: Item | None = None,
    check_origins: bool = False,
) -> Appended:
    """Chain `items` onto the incident's head in one transaction (the incident row is locked
    FOR UPDATE, so every writer on every host appends in turn) and notify the listeners.

    `header` is written first when the incident is new (its chain is empty); a queued
    header (type log.opened) is dropped when the chain already has one. With
    `check_origins`, an item whose origin is already in the store is skipped.
    """
    # Two round trips: BEGIN + lock + the lines we have not seen (the head is needed to
    # chain), then the inserts, the head update, the notification and COMMIT, pipelined.
    with conn.pipeline(), conn.transaction():
        found = _lock(conn, incident, after_seq)
        if found is None:
            conn.execute(
                "INSERT INTO cockpit_incidents (incident, last_hash) VALUES (%s, %s) "
                "ON CONFLICT (incident) DO NOTHING",
                (incident, ZERO_HASH),
            )
            found = _lock(conn, incident, after_seq)
        assert found is not None
        (seq, prev), missed = found
        todo = list(items)
        if seq == 0 and header is not None and not (todo and todo[0].type == header.type):
            todo.insert(0, header)
        written: list[list[Encoded]] = []
        rows: list[tuple[object, ...]] = []
        for item in todo:
            skip = item.type == HEADER_TYPE and seq > 0
            if skip or (check_origins and item.origin and _has_origin(conn, incident, item.origin)):
                written.append([])
                continue
            lines = encode_item(seq + 1, prev, item, key)
            rows += [
                (
                    incident,
                    e.event.seq,
                    e.event.ts,
                    e.event.type,
                    e.event.hash,
                    item.origin if n == 0 else None,
                    e.line[:-1].decode("utf-8"),
                )
                for n, e in enumerate(lines)
            ]
            seq, prev = lines[-1].event.seq, lines[-1].event.hash
            written.append(lines)
        if rows:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO cockpit_events (incident, seq, ts, type, hash, origin, line) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    rows,
                )
            conn.execute(
                "UPDATE cockpit_incidents SET last_seq = %s, last_hash = %s WHERE incident = %s",
                (seq, prev, incident),
            )
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, incident))
    return Appended(missed, written)


def _has_origin(conn: psycopg.Connection[Any], incident: str, origin: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM cockpit_events WHERE incident = %s AND origin = %s", (incident, origin)
    ).fetchone()
    return row is not None


def _lock(
    conn: psycopg.Connection[Any], incident: str, after_seq: int
) -> tuple[tuple[int, str], list[tuple[int, str, str | None]]] | None:
    """Lock the incident's row for this transaction: its head (last seq, last hash) and the
    lines after `after_seq` (read under the lock, in the same round trip)."""
    head = conn.execute(
        "SELECT last_seq, last_hash FROM cockpit_incidents WHERE incident = %s FOR UPDATE",
        (incident,),
    )
    lines = conn.execute(
        "SELECT seq, line, origin FROM cockpit_events WHERE incident = %s AND seq > %s "
        "ORDER BY seq",
        (incident, after_seq),
    )
    row = head.fetchone()
    missed = [(int(r[0]), str(r[1]), r[2]) for r in lines.fetchall()]
    return None if row is None else ((int(row[0]), str(row[1])), missed)
