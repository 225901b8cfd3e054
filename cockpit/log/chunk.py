"""Observations too big for one line: the writer splits them into parts, readers reassemble.

A part is an ordinary line of the same type whose data adds `part` (1-based) and `parts`.
Part 1 keeps the observation's `full` flag and its warnings; parts 2..n are deltas
(`full: false`) of the remaining items and removed keys, so even a reader that ignores
`part` ends with every item. Readers (`LogReader`, `IncidentLog.poll`) hand the fold one
logical event per group: seq and hash of the last part, time and prev of the first. A group
cut short (a writer killed mid-write) is handed over as a delta of the parts found, with a
warning, so it never resolves what the missing parts held.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cockpit.log.codec import MAX_LINE_BYTES, canonical
from cockpit.log.events import JSON, PAYLOADS, Event, Observation

SPLITTABLE = frozenset(t for t, cls in PAYLOADS.items() if issubclass(cls, Observation))
"""Event types the writer may split (keyed collections: alerts, Kafka lag, tenant quotas)."""
ENVELOPE_BYTES = 512
"""Room kept for seq, ts, type, prev, hash and the keys around `data` (about 250 used)."""

T = TypeVar("T")


class ItemTooLarge(ValueError):
    """One item alone does not fit in a line: the observation cannot be split."""


def split(
    type_: str, data: Mapping[str, JSON], limit: int = MAX_LINE_BYTES
) -> list[dict[str, JSON]]:
    """The parts of an over-limit observation, each of which encodes within `limit`."""
    items = list(data.get("items") or ())
    removed = list(data.get("removed") or ())
    head = {**data, "items": [], "removed": [], "part": 10**6, "parts": 10**6}
    budget = limit - len(canonical(head)) - ENVELOPE_BYTES - len(type_)
    sizes = [len(canonical(item)) + 1 for item in items]
    sizes += [len(json.dumps(key, ensure_ascii=False).encode("utf-8")) + 1 for key in removed]
    entries: list[tuple[str, Any]] = [("items", i) for i in items]
    entries += [("removed", k) for k in removed]
    chunks: list[dict[str, list[Any]]] = []
    used = budget + 1
    for (name, value), size in zip(entries, sizes, strict=True):
        if size > budget:
            raise ItemTooLarge(
                f"{type_}: one entry of {size:,} bytes does not fit in a log line ({limit:,} bytes)"
            )
        if used + size > budget:
            chunks.append({"items": [], "removed": []})
            used = 0
        chunks[-1][name].append(value)
        used += size
    parts: list[dict[str, JSON]] = []
    for number, chunk in enumerate(chunks or [{"items": [], "removed": []}], start=1):
        part = {**data, **chunk, "part": number, "parts": len(chunks)}
        if number > 1:
            part["full"] = False
            part["warnings"] = []
        parts.append(part)
    return parts


def part_of(event: Event) -> tuple[int, int] | None:
    """(part, parts) of a split observation's line; None for an ordinary line."""
    if event.type not in SPLITTABLE:
        return None
    part, parts = event.data.get("part"), event.data.get("parts")
    if type(part) is not int or type(parts) is not int or not 1 <= part <= parts:
        return None
    return part, parts


def merge(events: list[Event]) -> Event:
    """One logical event from consecutive parts of one group (all of them, or a run)."""
    first, last = events[0], events[-1]
    low, parts = part_of(first) or (1, 1)
    high = (part_of(last) or (1, 1))[0]
    data: dict[str, JSON] = {k: v for k, v in first.data.items() if k not in ("part", "parts")}
    data["items"] = [item for e in events for item in (e.data.get("items") or ())]
    data["removed"] = [key for e in events for key in (e.data.get("removed") or ())]
    if low != 1 or high != parts:
        data["full"] = False
        warnings = list(first.data.get("warnings") or ())
        warnings.append(
            f"observation incomplete: only parts {low}-{high} of {parts} are in the log "
            f"(seq {first.seq}-{last.seq}); its other items are not known"
        )
        data["warnings"] = warnings
    return Event(last.seq, first.ts, first.type, data, first.prev, last.hash)


@dataclass(slots=True)
class Assembler(Generic[T]):
    """Streams events (each with a tag, e.g. its Record) and hands back logical events, each
    with the tags of its first and last line."""

    _events: list[Event] = field(default_factory=list)
    _tags: list[T] = field(default_factory=list)
    _parts: int = 0

    def push(self, event: Event, tag: T) -> list[tuple[Event, T, T]]:
        """Feed one line; returns the logical events it completes (usually 0 or 1)."""
        out: list[tuple[Event, T, T]] = []
        where = part_of(event)
        if self._events and not self._continues(event, where):
            out.extend(self.flush())
        if where is None:
            out.append((event, tag, tag))
            return out
        part, parts = where
        if not self._events and part != 1:
            # A continuation without its first part: already a delta; say what is missing.
            out.append((merge([event]), tag, tag))
            return out
        self._events.append(event)
        self._tags.append(tag)
        self._parts = parts
        if part == parts:
            out.extend(self._take())
        return out

    @property
    def pending(self) -> bool:
        """True while the parts of a group wait for the rest."""
        return bool(self._events)

    def flush(self) -> list[tuple[Event, T, T]]:
        """Hand over a group cut short (end of the lines, or another line came between)."""
        return self._take() if self._events else []

    def _continues(self, event: Event, where: tuple[int, int] | None) -> bool:
        last = self._events[-1]
        return (
            where is not None
            and where == (len(self._events) + 1, self._parts)
            and event.type == last.type
            and event.data.get("source") == last.data.get("source")
        )

    def _take(self) -> list[tuple[Event, T, T]]:
        events, tags = self._events, self._tags
        self._events, self._tags = [], []
        return [(merge(events), tags[0], tags[-1])]
