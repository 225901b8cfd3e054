"""Drill debrief: when an incident log's responders acknowledged, found the runbook, mitigated
and resolved, counted from its first firing alert, and the trainee's times beside the original's.

Pure functions over events: the same reading applies to the source log (the original
responders) and to the drill log (the trainee), so the two columns are measured alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from cockpit.log.events import JSON, Event

OBSERVED = frozenset(
    {
        "sources.configured",
        "source.polled",
        "source.failed",
        "alerts.observed",
        "kafka.lag.observed",
        "tenants.quota.observed",
        "postgres.connections.observed",
    }
)
"""What a drill replays from the source log: what the platform showed, never what people did."""

ROWS = ("acknowledge", "first right runbook", "first mitigation", "resolve")
_RUNBOOK_TYPES = ("runbook.opened", "step.requested", "mitigation.requested")


@dataclass(frozen=True, slots=True)
class Marks:
    """The moments the debrief compares (None: it did not happen in that log)."""

    first_alert: datetime | None
    acknowledged: datetime | None
    runbook: datetime | None
    mitigated: datetime | None
    resolved: datetime | None

    def seconds(self) -> tuple[float | None, ...]:
        """Each moment of `ROWS` in seconds after the first alert (None when unknown)."""
        start = self.first_alert
        moments = (self.acknowledged, self.runbook, self.mitigated, self.resolved)
        if start is None:
            return tuple(None for _ in moments)
        return tuple(None if m is None else (m - start).total_seconds() for m in moments)


@dataclass(frozen=True, slots=True)
class DebriefRow:
    """One line of the debrief: what, the original responders' time, the trainee's."""

    what: str
    original_s: float | None
    trainee_s: float | None

    def to_data(self) -> dict[str, JSON]:
        """The row as the `drill.debrief` event keeps it."""
        return {"what": self.what, "original_s": self.original_s, "trainee_s": self.trainee_s}


def _firing_runbook(event: Event) -> tuple[bool, str | None]:
    """Whether an `alerts.observed` event holds a firing alert, and that alert's runbook."""
    items = event.data.get("items")
    for item in items if isinstance(items, list | tuple) else ():
        if isinstance(item, Mapping) and item.get("state") == "firing":
            for where in ("labels", "annotations"):
                found = item.get(where)
                if isinstance(found, Mapping) and isinstance(found.get("runbook"), str):
                    return True, str(found["runbook"])
            return True, None
    return False, None


def right_runbook(events: Iterable[Event]) -> str | None:
    """The runbook the responders turned to first; else the first firing alert's runbook."""
    from_alert: str | None = None
    for event in events:
        if event.type in _RUNBOOK_TYPES and isinstance(event.data.get("runbook"), str):
            return str(event.data["runbook"])
        if event.type == "alerts.observed" and from_alert is None:
            firing, runbook = _firing_runbook(event)
            from_alert = runbook if firing else None
    return from_alert


def marks(events: Iterable[Event], runbook: str | None) -> Marks:
    """The moments of one log; `runbook` is the right one (see `right_runbook`)."""
    found: dict[str, datetime] = {}

    def first(name: str, when: datetime) -> None:
        found.setdefault(name, when)

    for event in events:
        data, kind = event.data, event.type
        if kind == "alerts.observed" and _firing_runbook(event)[0]:
            first("alert", event.ts)
        elif kind == "milestone.set" and data.get("milestone") in ("acknowledged", "resolved"):
            first(str(data["milestone"]), event.ts)
        elif kind in _RUNBOOK_TYPES and runbook is not None and data.get("runbook") == runbook:
            first("runbook", event.ts)
        elif kind == "mitigation.completed" and data.get("outcome") == "ok":
            first("mitigated", event.ts)
    return Marks(
        found.get("alert"),
        found.get("acknowledged"),
        found.get("runbook"),
        found.get("mitigated"),
        found.get("resolved"),
    )


def debrief_rows(original: Marks, trainee: Marks) -> tuple[DebriefRow, ...]:
    """The four rows of the debrief, in `ROWS` order."""
    pairs = zip(ROWS, original.seconds(), trainee.seconds(), strict=True)
    return tuple(DebriefRow(what, o, t) for what, o, t in pairs)


def rows_from_data(rows: Iterable[Mapping[str, JSON]]) -> tuple[DebriefRow, ...]:
    """Rows read back from a `drill.debrief` event (unknown values as None)."""

    def number(value: JSON) -> float | None:
        return float(value) if isinstance(value, int | float) else None

    found = []
    for row in rows:
        what = str(row.get("what", "?"))
        found.append(DebriefRow(what, number(row.get("original_s")), number(row.get("trainee_s"))))
    return tuple(found)


def verdict(row: DebriefRow) -> str:
    """A few words comparing the two times."""
    if row.trainee_s is None:
        return "not done" if row.original_s is not None else "neither"
    if row.original_s is None:
        return "done (the original responders did not)"
    delta = row.trainee_s - row.original_s
    if abs(delta) < 1.0:
        return "same time"
    return f"{abs(delta):.0f} s {'faster' if delta < 0 else 'slower'}"


def clock_text(seconds: float | None) -> str:
    """`T+m:ss` after the first alert, or an em dash when unknown."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else "+"
    whole = round(abs(seconds))
    return f"T{sign}{whole // 60}:{whole % 60:02d}"
