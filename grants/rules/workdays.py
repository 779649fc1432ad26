"""Working days: the national calendar (chinesecalendar, with 调休 make-up days) plus regional days off.

The library knows the years the State Council has announced. For a later year it cannot
know, Monday to Friday count as working days and `Calendar.unknown_years` says which years
were guessed, so a notice can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar

DAY = dt.timedelta(days=1)


@dataclass
class Calendar:
    """Working days in a region: national holidays and make-up days, and the region's own days off."""

    regional: frozenset[dt.date] = frozenset()
    unknown_years: set[int] = field(default_factory=set)

    @classmethod
    def with_holidays(cls, ranges: Iterable[tuple[dt.date, dt.date]]) -> Calendar:
        days: set[dt.date] = set()
        for start, end in ranges:
            day = start
            while day <= end:
                days.add(day)
                day += DAY
        return cls(frozenset(days))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.regional:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.unknown_years.add(day.year)
            return day.weekday() < 5

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day counting from `start` itself (start counts when it is one)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day = start
        seen = 0
        while True:
            if self.is_working_day(day):
                seen += 1
                if seen == count:
                    return day
            day += DAY

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` through `end`, both included."""
        count = 0
        day = start
        while day <= end:
            count += self.is_working_day(day)
            day += DAY
        return count
