"""Time sources: the core takes time from an injected clock, never from the wall directly."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real wall clock (UTC)."""

    def now(self) -> datetime:
        """Current wall-clock time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, snapshots, replay)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen time."""
        return self._now

    def set(self, when: datetime) -> None:
        """Move to an absolute time."""
        self._now = when.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds`."""
        self._now += timedelta(seconds=seconds)


def monotonic() -> float:
    """Monotonic seconds, for durations and deadlines (never for timestamps)."""
    return time.monotonic()


def rfc3339(when: datetime) -> str:
    """Format a UTC datetime as RFC 3339 with microseconds and a `Z` suffix."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: the cockpit only handles UTC-aware times")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp into an aware UTC datetime (raises ValueError)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return value.astimezone(UTC)


def parse_when(text: str, start: datetime) -> datetime:
    """An RFC 3339 time, `T+mm:ss` / `T+hh:mm:ss`, or an offset like `+5m` / `1h30m` / `90s`,
    offsets counted from `start` (ValueError naming the accepted forms)."""
    value = text.strip()
    if value.upper().startswith("T+"):
        parts = value[2:].split(":")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError(_WHEN_FORMS)
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return start + timedelta(seconds=seconds)
    offset = _OFFSET.fullmatch(value.lstrip("+").lower())
    if offset is not None and any(offset.groups()):
        h, m, s = (int(g or 0) for g in offset.groups())
        return start + timedelta(hours=h, minutes=m, seconds=s)
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise ValueError(_WHEN_FORMS) from None


_OFFSET = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_WHEN_FORMS = "use T+mm:ss, T+hh:mm:ss, an offset like +5m or 1h30m, or an RFC 3339 time"
