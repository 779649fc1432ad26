"""What a bill charges: the pure computation of rent lines for a lease and a period, and line drafts.

No database here: the billing services gather leases, spaces and concessions and call these,
so the amounts (to the fen) are tested without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from incubator.formatting import to_fen
from tenants.models import LineKind
from tenants.services.rents import ZERO, ConcessionTerms, rent_schedule

# Descriptions of generated lines are codes, shown in the reader's language by the templates.
CONCESSION = "concession"
ABOVE_LIST = "above_list"


@dataclass
class Terms:
    """A lease's terms over a part of its term (what rent_schedule reads)."""

    start_on: dt.date
    occupied_until: dt.date
    list_rent: Decimal
    monthly_rent: Decimal


@dataclass(frozen=True)
class SpaceRent:
    space_id: int
    code: str
    list_rent: Decimal


@dataclass(frozen=True)
class LineDraft:
    kind: LineKind
    amount: Decimal
    description: str = ""
    lease_id: int | None = None
    space_id: int | None = None
    space_code: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    days: int | None = None
    quantity: Decimal = Decimal("1")
    unit_price: Decimal | None = None
    charge_ids: tuple[int, ...] = ()

    @property
    def price(self) -> Decimal:
        return self.unit_price if self.unit_price is not None else self.amount


def rent_lines(
    *,
    lease_id: int,
    start: dt.date,
    end: dt.date,
    monthly_rent: Decimal,
    spaces: Sequence[SpaceRent],
    concessions: Iterable[ConcessionTerms] = (),
) -> list[LineDraft]:
    """The lines for a lease over [start, end]: each space at its list rent, then the reductions.

    Partial months are prorated by days. Below the list rent, an agreed rent of zero is a
    waiver (free space); an agreed rent above zero is a discount; a concession period adds a
    waiver when it is free and a discount otherwise. The lines add up to the rent charged.
    """
    days = (end - start).days + 1
    lines: list[LineDraft] = []
    for space in spaces:
        listed = rent_schedule(Terms(start, end, space.list_rent, space.list_rent)).charged
        lines.append(
            LineDraft(
                LineKind.RENT, listed, "", lease_id, space.space_id, space.code, start, end, days, unit_price=listed
            )
        )
    list_total = sum((line.amount for line in lines), ZERO)
    touching = tuple(c for c in concessions if c.start_on <= end and c.end_on >= start)
    agreed = rent_schedule(Terms(start, end, list_total, monthly_rent)).charged
    charged = rent_schedule(Terms(start, end, list_total, monthly_rent), touching).charged
    below_list = list_total - agreed
    if below_list > 0:
        kind = LineKind.WAIVER if monthly_rent == 0 else LineKind.DISCOUNT
        lines.append(LineDraft(kind, -below_list, "", lease_id, None, "", start, end, days, unit_price=-below_list))
    elif below_list < 0:
        # An agreed rent above the list rent: the difference is rent too, on its own line.
        lines.append(
            LineDraft(
                LineKind.RENT, -below_list, ABOVE_LIST, lease_id, None, "", start, end, days, unit_price=-below_list
            )
        )
    conceded = agreed - charged
    if conceded:
        free = all(c.monthly_rent == 0 for c in touching)
        kind = LineKind.WAIVER if free else LineKind.DISCOUNT
        lines.append(LineDraft(kind, -conceded, CONCESSION, lease_id, None, "", start, end, days, unit_price=-conceded))
    return lines


def service_line(
    kind: LineKind,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    *,
    day: dt.date | None = None,
    charge_ids: tuple[int, ...] = (),
) -> LineDraft:
    """A service line: quantity × unit price to the fen."""
    return LineDraft(
        kind,
        to_fen(quantity * unit_price),
        description,
        period_start=day,
        period_end=day,
        quantity=quantity,
        unit_price=unit_price,
        charge_ids=charge_ids,
    )


@dataclass(frozen=True)
class Totals:
    list_rent: Decimal
    waived: Decimal
    rent: Decimal
    services: Decimal
    total: Decimal


def totals(lines: Sequence[LineDraft]) -> Totals:
    rent_kinds = (LineKind.RENT, LineKind.DISCOUNT, LineKind.WAIVER)
    listed = sum((x.amount for x in lines if x.kind is LineKind.RENT), ZERO)
    reductions = sum((x.amount for x in lines if x.kind in (LineKind.DISCOUNT, LineKind.WAIVER)), ZERO)
    rent = sum((x.amount for x in lines if x.kind in rent_kinds), ZERO)
    services = sum((x.amount for x in lines if x.kind not in rent_kinds), ZERO)
    return Totals(listed, -reductions, rent, services, rent + services)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, following - dt.timedelta(days=1)


def unbilled(
    window: tuple[dt.date, dt.date],
    lease_start: dt.date,
    occupied_until: dt.date,
    billed: Iterable[tuple[dt.date, dt.date]],
) -> list[tuple[dt.date, dt.date]]:
    """The runs of days in the window that the lease holds and no issued bill has charged yet."""
    start, end = max(window[0], lease_start), min(window[1], occupied_until)
    gaps: list[tuple[dt.date, dt.date]] = []
    day = start
    for first, last in sorted(billed):
        if last < day:
            continue
        if first > end:
            break
        if first > day:
            gaps.append((day, min(end, first - dt.timedelta(days=1))))
        day = max(day, last + dt.timedelta(days=1))
    if day <= end:
        gaps.append((day, end))
    return gaps
