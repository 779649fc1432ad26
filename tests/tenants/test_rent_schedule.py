"""The rent schedule: month by month, list rent, rent charged and waived, prorated by days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.services.rents import prorate, rent_schedule


@dataclass
class Terms:
    start_on: dt.date
    occupied_until: dt.date
    list_rent: Decimal
    monthly_rent: Decimal


@dataclass
class Concession:
    start_on: dt.date
    end_on: dt.date
    monthly_rent: Decimal


D = Decimal


def test_it_charges_whole_months_without_prorating():
    schedule = rent_schedule(Terms(dt.date(2025, 1, 1), dt.date(2025, 3, 31), D("1200.00"), D("1000.00")))
    assert [(r.start, r.end, r.days, r.prorated) for r in schedule.rows] == [
        (dt.date(2025, 1, 1), dt.date(2025, 1, 31), 31, False),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28), 28, False),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31), 31, False),
    ]
    assert {(r.list_rent, r.charged, r.waived) for r in schedule.rows} == {(D("1200.00"), D("1000.00"), D("200.00"))}
    assert (schedule.days, schedule.list_rent, schedule.charged, schedule.waived) == (
        90,
        D("3600.00"),
        D("3000.00"),
        D("600.00"),
    )


def test_it_prorates_partial_months_by_days_half_up():
    # 15 to 31 January (17 of 31 days) and 1 to 10 February 2024 (10 of 29 days, a leap year).
    schedule = rent_schedule(Terms(dt.date(2024, 1, 15), dt.date(2024, 2, 10), D("1000.00"), D("1000.00")))
    first, second = schedule.rows
    assert (first.days, first.days_in_month, first.prorated) == (17, 31, True)
    assert first.list_rent == first.charged == D("548.39")  # 1000 × 17 / 31 = 548.387…
    assert (second.days, second.days_in_month) == (10, 29)
    assert second.charged == D("344.83")  # 1000 × 10 / 29 = 344.827…
    assert schedule.waived == D("0.00")
    assert schedule.charged == D("893.22")


def test_it_waives_what_a_free_rent_period_does_not_charge():
    lease = Terms(dt.date(2025, 1, 1), dt.date(2025, 12, 31), D("1200.00"), D("1200.00"))
    # Free for January and February, and the first half of March.
    free = Concession(dt.date(2025, 1, 1), dt.date(2025, 3, 15), D("0.00"))
    schedule = rent_schedule(lease, [free])
    january, february, march = schedule.rows[:3]
    assert (january.charged, january.waived, january.concession_days) == (D("0.00"), D("1200.00"), 31)
    assert (february.charged, february.waived) == (D("0.00"), D("1200.00"))
    # March: 16 of 31 days at 1200, 15 days free; the list rent of the whole month is kept.
    assert (march.list_rent, march.charged, march.waived, march.concession_days) == (
        D("1200.00"),
        D("619.35"),
        D("580.65"),
        15,
    )
    assert schedule.rows[3].charged == D("1200.00") and not schedule.rows[3].prorated
    assert schedule.list_rent == D("14400.00")
    assert schedule.charged == D("11419.35")
    assert schedule.waived == D("2980.65")


def test_it_counts_an_agreed_rent_below_list_and_a_discount_as_waived():
    lease = Terms(dt.date(2025, 4, 1), dt.date(2025, 5, 31), D("1500.00"), D("1200.00"))
    discount = Concession(dt.date(2025, 5, 1), dt.date(2025, 5, 31), D("600.00"))
    april, may = rent_schedule(lease, [discount]).rows
    assert (april.charged, april.waived) == (D("1200.00"), D("300.00"))
    assert (may.charged, may.waived) == (D("600.00"), D("900.00"))


def test_it_ends_the_schedule_on_the_last_day_held():
    # A lease ended early on 10 March holds its spaces (and is charged) to that day only.
    schedule = rent_schedule(Terms(dt.date(2025, 1, 1), dt.date(2025, 3, 10), D("900.00"), D("900.00")))
    assert schedule.rows[-1].end == dt.date(2025, 3, 10)
    assert schedule.rows[-1].charged == D("290.32")  # 900 × 10 / 31
    assert schedule.days == 31 + 28 + 10


def test_it_prorates_to_the_fen():
    assert prorate(D("1000.00"), 31, 31) == D("1000.00")
    assert prorate(D("0.01"), 15, 30) == D("0.01")  # 0.005 rounds half up
    assert prorate(D("100.00"), 1, 3) == D("33.33")


AMOUNTS = st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2, allow_nan=False, allow_infinity=False)
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@st.composite
def leases(draw: st.DrawFn) -> tuple[Terms, list[Concession]]:
    start = draw(DAYS)
    length = draw(st.integers(min_value=0, max_value=800))
    end = start + dt.timedelta(days=length)
    list_rent = draw(AMOUNTS)
    monthly = draw(st.decimals(min_value=D("0"), max_value=list_rent, places=2, allow_nan=False))
    concessions: list[Concession] = []
    cursor = start
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        gap = draw(st.integers(min_value=0, max_value=120))
        span = draw(st.integers(min_value=0, max_value=120))
        first = cursor + dt.timedelta(days=gap)
        last = min(end, first + dt.timedelta(days=span))
        if first > end:
            break
        rent = draw(st.decimals(min_value=D("0"), max_value=monthly, places=2, allow_nan=False))
        concessions.append(Concession(first, last, rent))
        cursor = last + dt.timedelta(days=1)
    return Terms(start, end, list_rent, monthly), concessions


@settings(max_examples=300, deadline=None)
@given(leases())
def test_it_always_charges_plus_waives_exactly_the_list_rent(case: tuple[Terms, list[Concession]]):
    lease, concessions = case
    schedule = rent_schedule(lease, concessions)
    assert sum((r.charged + r.waived for r in schedule.rows), D("0")) == sum(
        (r.list_rent for r in schedule.rows), D("0")
    )
    assert schedule.charged + schedule.waived == schedule.list_rent
    # The rows cover every day held, once, in order.
    assert schedule.rows[0].start == lease.start_on and schedule.rows[-1].end == lease.occupied_until
    assert schedule.days == (lease.occupied_until - lease.start_on).days + 1
    for before, after in zip(schedule.rows, schedule.rows[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)
    for row in schedule.rows:
        assert row.list_rent.as_tuple().exponent == -2 and row.charged.as_tuple().exponent == -2
        # Nothing is charged above the agreed rent, nor below zero.
        assert D("0") <= row.charged <= row.list_rent
        if not row.prorated:
            assert row.list_rent == lease.list_rent
            if row.concession_days == 0:
                assert row.charged == lease.monthly_rent
