"""Roles with their handovers and the checklist with who ticked what and when, for an export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cockpit.domain.incident import IncidentRecord

Stamp = Callable[[datetime | None], str]


def roles(record: IncidentRecord, stamp: Stamp) -> list[dict[str, Any]]:
    """Each role with its holders in order (`person`: the last one), handovers included."""
    by_role: dict[str, list[dict[str, str]]] = {}
    for held in record.role_history:
        by_role.setdefault(held.role, []).append(
            {"person": held.person, "since": stamp(held.ts), "by": held.actor}
        )
    for role, held in record.roles.items():  # a record without history (older checkpoints)
        by_role.setdefault(role, [{"person": held.person, "since": stamp(held.ts), "by": ""}])
    return [
        {"role": role, "person": holders[-1]["person"], "holders": holders}
        for role, holders in by_role.items()
    ]


def handovers(record: IncidentRecord, stamp: Stamp) -> list[dict[str, str]]:
    """Every change of hands: role, from whom, to whom, when and who recorded it."""
    return [
        {
            "at": stamp(h.ts),
            "role": h.role,
            "previous": h.previous,
            "person": h.person,
            "by": h.actor,
        }
        for h in record.role_history
        if h.previous
    ]


def checklist(record: IncidentRecord, stamp: Stamp) -> list[dict[str, Any]]:
    """Each checklist item as it ended up, with who ticked it and when (and every change)."""
    items: dict[str, list[dict[str, Any]]] = {}
    for tick in record.ticks:
        items.setdefault(tick.item, []).append(
            {"done": tick.done, "by": tick.actor, "at": stamp(tick.ts)}
        )
    return [
        {"item": item, "done": changes[-1]["done"], "by": changes[-1]["by"],
         "at": changes[-1]["at"], "changes": changes}
        for item, changes in items.items()
    ]  # fmt: skip
