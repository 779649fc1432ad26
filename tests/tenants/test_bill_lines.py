"""Bill lines without a database: list rent per space, discounts and waivers, proration, gaps, totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants.models import LineKind
from tenants.services.bill_lines import SpaceRent, quarter_of, rent_lines, service_line, totals, unbilled
from tenants.services.rents import ZERO

D = Decimal


class Concession:
    def __init__(self, start: dt.date, end: dt.date, rent: str) -> None:
        self.start_on, self.end_on, self.monthly_rent = start, end, D(rent)


def amounts(lines):
    return [(x.kind, x.space_code, x.amount) for x in lines]


def test_it_charges_each_space_at_list_and_shows_the_discount_as_its_own_line():
    lines = rent_lines(
        lease_id=1,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
        monthly_rent=D("1500.00"),
        spaces=[SpaceRent(1, "A-1", D("1000.00")), SpaceRent(2, "A-2", D("800.00"))],
    )
    assert amounts(lines) == [
        (LineKind.RENT, "A-1", D("1000.00")),
        (LineKind.RENT, "A-2", D("800.00")),
        (LineKind.DISCOUNT, "", D("-300.00")),
    ]
    sums = totals(lines)
    assert (sums.list_rent, sums.waived, sums.rent, sums.total) == (
        D("1800.00"),
        D("300.00"),
        D("1500.00"),
        D("1500.00"),
    )


def test_it_prorates_a_partial_month_by_days_to_the_fen():
    # 10 to 30 November: 21 of 30 days. 1000 × 21/30 = 700.00; 1234.56 × 21/30 = 864.192 → 864.19.
    lines = rent_lines(
        lease_id=1,
        start=dt.date(2026, 11, 10),
        end=dt.date(2026, 11, 30),
        monthly_rent=D("1000.00"),
        spaces=[SpaceRent(1, "B-1", D("1234.56"))],
    )
    assert amounts(lines) == [(LineKind.RENT, "B-1", D("864.19")), (LineKind.DISCOUNT, "", D("-164.19"))]
    assert lines[0].days == 21 and totals(lines).total == D("700.00")


def test_it_waives_a_free_space_in_full_and_keeps_the_list_rent_visible():
    lines = rent_lines(
        lease_id=1,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        monthly_rent=ZERO,
        spaces=[SpaceRent(1, "工位-01", D("300.00"))],
    )
    assert amounts(lines) == [(LineKind.RENT, "工位-01", D("900.00")), (LineKind.WAIVER, "", D("-900.00"))]
    assert totals(lines).total == ZERO and totals(lines).waived == D("900.00")


def test_it_shows_a_free_rent_period_as_a_waiver_beside_the_agreed_discount():
    # February 2026 (28 days) at 1000 agreed, list 1200, free from the 15th to the 28th (14 days).
    lines = rent_lines(
        lease_id=1,
        start=dt.date(2026, 2, 1),
        end=dt.date(2026, 2, 28),
        monthly_rent=D("1000.00"),
        spaces=[SpaceRent(1, "A-203", D("1200.00"))],
        concessions=[Concession(dt.date(2026, 2, 15), dt.date(2026, 3, 31), "0")],
    )
    assert amounts(lines) == [
        (LineKind.RENT, "A-203", D("1200.00")),
        (LineKind.DISCOUNT, "", D("-200.00")),
        (LineKind.WAIVER, "", D("-500.00")),
    ]
    assert totals(lines).total == D("500.00")


def test_it_labels_a_reduced_rent_concession_as_a_discount():
    lines = rent_lines(
        lease_id=1,
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 30),
        monthly_rent=D("1000.00"),
        spaces=[SpaceRent(1, "A", D("1000.00"))],
        concessions=[Concession(dt.date(2026, 4, 1), dt.date(2026, 4, 30), "600.00")],
    )
    assert amounts(lines) == [(LineKind.RENT, "A", D("1000.00")), (LineKind.DISCOUNT, "", D("-400.00"))]


def test_it_multiplies_a_service_line_to_the_fen():
    line = service_line(LineKind.UTILITIES, "电费 11月", D("123.456"), D("0.65"))
    assert line.amount == D("80.25") and line.unit_price == D("0.65")


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2026, 1, 15), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        (dt.date(2026, 5, 31), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        (dt.date(2026, 9, 1), (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        (dt.date(2026, 12, 31), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    ],
)
def test_it_finds_the_calendar_quarter(day, quarter):
    assert quarter_of(day) == quarter


def test_it_bills_only_the_days_no_bill_charged():
    window = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    billed = [(dt.date(2026, 1, 1), dt.date(2026, 1, 31)), (dt.date(2026, 3, 1), dt.date(2026, 3, 10))]
    assert unbilled(window, dt.date(2025, 6, 1), dt.date(2026, 3, 20), billed) == [
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 11), dt.date(2026, 3, 20)),
    ]
    assert unbilled(window, dt.date(2026, 2, 10), dt.date(2026, 12, 31), []) == [
        (dt.date(2026, 2, 10), dt.date(2026, 3, 31))
    ]
    assert unbilled(window, dt.date(2026, 4, 1), dt.date(2026, 12, 31), []) == []


money = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False)


@given(
    list_rent=money,
    agreed=money,
    first=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 1)),
    length=st.integers(0, 95),
)
def test_the_lines_always_add_up_to_the_rent_charged_to_the_fen(list_rent, agreed, first, length):
    last = first + dt.timedelta(days=length)
    lines = rent_lines(lease_id=1, start=first, end=last, monthly_rent=agreed, spaces=[SpaceRent(1, "X", list_rent)])
    sums = totals(lines)
    assert sums.list_rent - sums.waived == sums.rent
    assert all(x.amount == x.amount.quantize(D("0.01")) for x in lines)
    assert sum((x.amount for x in lines), ZERO) == sums.total
