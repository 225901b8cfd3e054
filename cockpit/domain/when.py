"""Times given on the command line: RFC 3339, `T+mm:ss` from a log's first event, or `-30m`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cockpit.clock import parse_rfc3339, rfc3339

FORMS = "an RFC 3339 time (2025-03-12T14:30:00Z), T+mm:ss or T+hh:mm:ss, -30m / -1h30m, or now"
"""The accepted forms, quoted by every error."""

_RELATIVE = re.compile(r"(?:now)?\s*-\s*(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


class TimeError(ValueError):
    """A time or window that cannot be used; the message names it and the accepted forms."""


@dataclass(frozen=True, slots=True)
class Window:
    """A closed time window [start, end], both UTC-aware, start strictly before end."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        """The window's length in seconds."""
        return (self.end - self.start).total_seconds()

    def __contains__(self, when: object) -> bool:
        return isinstance(when, datetime) and self.start <= when <= self.end

    def describe(self) -> str:
        """`2025-03-12T14:30:00.000000Z .. 2025-03-12T15:00:00.000000Z`."""
        return f"{rfc3339(self.start)} .. {rfc3339(self.end)}"


def parse_time(text: str, *, origin: datetime | None, now: datetime) -> datetime:
    """The time `text` names: RFC 3339 (with a zone), `T+mm:ss` / `T+hh:mm:ss` counted from
    `origin` (a log's first event; None when there is no log), `now`, or `-30m` / `now-1h`
    before `now`. Raises TimeError naming the accepted forms."""
    value = text.strip()
    lowered = value.lower()
    if lowered == "now":
        return now
    if lowered.startswith("t+"):
        if origin is None:
            raise TimeError(f"{value!r}: T+ counts from a log's first event; no log here")
        parts = value[2:].split(":")
        if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise TimeError(f"{value!r}: T+ takes mm:ss or hh:mm:ss; use {FORMS}")
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return origin + timedelta(seconds=seconds)
    relative = _RELATIVE.fullmatch(lowered)
    if relative is not None and any(relative.groups()):
        d, h, m, s = (int(g or 0) for g in relative.groups())
        return now - timedelta(days=d, hours=h, minutes=m, seconds=s)
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise TimeError(f"{value!r} is not a time; use {FORMS}") from None


def parse_window(
    start: str, end: str, *, origin: datetime | None, now: datetime, what: str = "--from/--to"
) -> Window:
    """The window from `start` to `end` (see `parse_time`); TimeError when it is empty or
    reversed, naming both times."""
    first = parse_time(start, origin=origin, now=now)
    last = parse_time(end, origin=origin, now=now)
    if first >= last:
        raise TimeError(
            f"{what}: the window must start before it ends "
            f"({rfc3339(first)} is not before {rfc3339(last)})"
        )
    return Window(first, last)
