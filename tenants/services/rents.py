"""The rent schedule of a lease: what each calendar month lists, charges and waives.

A pure function of the lease's terms and its concessions, Decimal only, so that billing
(and its tests) can reuse it without a database.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from incubator.formatting import to_fen

ZERO = Decimal("0.00")


class LeaseTerms(Protocol):
    """What the schedule needs of a lease (a Lease row, or any object with these fields)."""

    start_on: dt.date
    occupied_until: dt.date
    list_rent: Decimal
    monthly_rent: Decimal


class ConcessionTerms(Protocol):
    """A period charged at its own monthly rent (0 for free rent)."""

    start_on: dt.date
    end_on: dt.date
    monthly_rent: Decimal


@dataclass(frozen=True)
class RentRow:
    """One calendar month of a lease (or the part of it the lease covers)."""

    start: dt.date
    end: dt.date
    days: int
    days_in_month: int
    list_rent: Decimal
    charged: Decimal
    waived: Decimal
    concession_days: int

    @property
    def prorated(self) -> bool:
        return self.days < self.days_in_month


@dataclass(frozen=True)
class RentSchedule:
    rows: tuple[RentRow, ...]
    days: int
    list_rent: Decimal
    charged: Decimal
    waived: Decimal


def prorate(monthly: Decimal, days: int, days_in_month: int) -> Decimal:
    """monthly × days / days-in-month to the fen (half up); a whole month is never prorated."""
    if days == days_in_month:
        return to_fen(monthly)
    return to_fen(monthly * days / days_in_month)


def months(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date, int]]:
    """(first day, last day, days in the calendar month) of each month part within [start, end]."""
    day = start
    while day <= end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        last = min(end, day.replace(day=days_in_month))
        yield day, last, days_in_month
        day = last + dt.timedelta(days=1)


def _rates(
    start: dt.date, end: dt.date, agreed: Decimal, concessions: tuple[ConcessionTerms, ...]
) -> tuple[Counter[Decimal], int]:
    """How many days of the period are charged at each monthly rate, and how many are conceded."""
    rates: Counter[Decimal] = Counter()
    conceded = 0
    touching = [c for c in concessions if c.start_on <= end and c.end_on >= start]
    day = start
    while day <= end:
        # The first concession covering the day wins (a lease's concessions never overlap).
        rate = next((c.monthly_rent for c in touching if c.start_on <= day <= c.end_on), None)
        if rate is None:
            rates[agreed] += 1
        else:
            rates[rate] += 1
            conceded += 1
        day += dt.timedelta(days=1)
    return rates, conceded


def rent_schedule(lease: LeaseTerms, concessions: Iterable[ConcessionTerms] = ()) -> RentSchedule:
    """Month by month from the start to the last day held: list rent, rent charged, and waived.

    The list rent is the spaces' list rents; the charged rent is the agreed monthly rent, or a
    concession's rent on the days it covers; waived is list minus charged (so an agreed rent
    below list counts as a discount too). Partial months are prorated by days.
    """
    terms = tuple(concessions)
    rows: list[RentRow] = []
    for start, end, days_in_month in months(lease.start_on, lease.occupied_until):
        days = (end - start).days + 1
        listed = prorate(lease.list_rent, days, days_in_month)
        rates, conceded = _rates(start, end, lease.monthly_rent, terms)
        if len(rates) == 1:
            charged = prorate(next(iter(rates)), days, days_in_month)
        else:
            charged = to_fen(sum((rate * n for rate, n in rates.items()), ZERO) / days_in_month)
        rows.append(RentRow(start, end, days, days_in_month, listed, charged, listed - charged, conceded))
    return RentSchedule(
        rows=tuple(rows),
        days=sum(r.days for r in rows),
        list_rent=sum((r.list_rent for r in rows), ZERO),
        charged=sum((r.charged for r in rows), ZERO),
        waived=sum((r.waived for r in rows), ZERO),
    )
