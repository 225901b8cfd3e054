"""Business calendar: which days count for a business-day SLA (weekends off, plus holidays)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working days in UTC. `weekend` holds ISO weekday numbers (6 = Saturday, 7 = Sunday)."""

    weekend: frozenset[int] = frozenset({6, 7})
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, weekend: Iterable[int] = (6, 7), holidays: Iterable[date] = ()) -> BusinessCalendar:
        """A calendar from plain lists (config values)."""
        days = frozenset(weekend)
        if not days <= set(range(1, 8)) or len(days) == 7:
            raise ValueError("weekend days must be ISO weekdays 1..7, and not all seven")
        return cls(days, frozenset(holidays))

    def is_business_day(self, day: date) -> bool:
        """True on a working day."""
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """`start` moved by `days` working days, counting only working time.

        A start on a day off counts from the next working day's midnight, so a SEV-4
        declared on Saturday is due at the end of Monday, not on Sunday.
        """
        when = start.astimezone(UTC)
        if not self.is_business_day(when.date()):
            when = self._next_business_midnight(when)
        for _ in range(days):
            when += DAY
            while not self.is_business_day(when.date()):
                when += DAY
        return when

    def _next_business_midnight(self, when: datetime) -> datetime:
        day = when.date() + DAY
        while not self.is_business_day(day):
            day += DAY
        return datetime(day.year, day.month, day.day, tzinfo=UTC)


WEEKENDS_OFF = BusinessCalendar()
