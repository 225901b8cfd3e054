"""Builds folded states for the incident-command tests (events built directly, no store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.domain.fold import fold
from cockpit.domain.state import IncidentState
from cockpit.log import events as ev

T0 = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
"""A Monday afternoon."""


def at(minutes: float, base: datetime = T0) -> datetime:
    """`base` + `minutes`."""
    return base + timedelta(minutes=minutes)


class Story:
    """An incident told as events at minute offsets from `base`."""

    def __init__(self, base: datetime = T0) -> None:
        self.base = base
        self.events: list[ev.Event] = []

    def add(self, minutes: float, payload: ev.Payload) -> Story:
        seq = len(self.events) + 1
        data: dict[str, Any] = payload.to_data()
        self.events.append(
            ev.Event(seq, at(minutes, self.base), payload.TYPE, data, "p", f"h{seq}")
        )
        return self

    def declare(self, severity: str = "SEV-2", **fields: Any) -> Story:
        scheme = "p" if severity.startswith("P") else "sev"
        return self.add(0, ev.IncidentDeclared("INC-1", "OCR down", severity, scheme, **fields))

    def state(self) -> IncidentState:
        return fold(self.events)
