"""Startups' accounts: statements, aged receivables, overdue bills and the rent actually paid.

Sums are computed in SQL (filtered aggregates grouped by startup or base); Python only merges
the one page of statement entries shown and applies each bill's rounding in `rent_paid`.
A positive balance is owed by the startup, a negative one is credit on its account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from incubator.access import Principal, get_visible, require, visible
from incubator.errors import Forbidden
from incubator.formatting import date as format_date
from incubator.formatting import to_fen
from incubator.i18n import N_, gettext
from incubator.labels import label
from incubator.models import Base, Role
from incubator.pagination import Page
from tenants.forms.accounts import check_statement_period
from tenants.models import (
    RENT_KINDS,
    Bill,
    BillLine,
    BillStatus,
    CreditNote,
    LineKind,
    Payment,
    PaymentAllocation,
    Startup,
)

ZERO = Decimal("0.00")
REDUCTIONS = (LineKind.DISCOUNT, LineKind.WAIVER)
# Entries of one day: what was charged, then what was credited, then what was paid.
BILL, CREDIT_NOTE, PAYMENT = "bill", "credit_note", "payment"
ENTRY_ORDER = {BILL: 0, CREDIT_NOTE: 1, PAYMENT: 2}
ENTRY_KINDS = {BILL: N_("Bill"), CREDIT_NOTE: N_("Credit note"), PAYMENT: N_("Payment")}
# Days overdue: (key, label, first day, last day or None for open-ended); "current" is not yet due.
BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("current", N_("Not yet due"), -(10**6), 0),
    ("days_1_30", N_("1–30 days"), 1, 30),
    ("days_31_60", N_("31–60 days"), 31, 60),
    ("days_61_90", N_("61–90 days"), 61, 90),
    ("over_90", N_("Over 90 days"), 91, None),
)


def fen(value: Any) -> Decimal:
    """A sum from the database (NULL when nothing matched) to the fen; SQLite sums decimals as floats."""
    return to_fen(Decimal(str(value))) if value is not None else ZERO


def _only_one(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[0] if rows else {}


def _base_scope(principal: Principal) -> None:
    """Accounts of a base are for its operators, bureau officers and the admin, never founders."""
    require(principal, "billing.view")
    if principal.role is Role.FOUNDER:
        raise Forbidden()


# -- statement of account -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a statement: a bill (charged), a credit note (credited) or a payment (paid)."""

    day: dt.date
    kind: str
    id: int
    number: str
    description: str
    charged: Decimal | None
    credited: Decimal | None
    paid: Decimal | None
    balance: Decimal
    url: str

    @property
    def kind_label(self) -> str:
        return gettext(ENTRY_KINDS[self.kind])

    @property
    def change(self) -> Decimal:
        return (self.charged or ZERO) - (self.credited or ZERO) - (self.paid or ZERO)


@dataclass(frozen=True)
class Statement:
    startup: Startup
    start: dt.date
    end: dt.date
    opening: Decimal
    charged: Decimal
    credited: Decimal
    paid: Decimal
    closing: Decimal
    # Now, whatever the period: credit left on the account and balances of issued bills.
    credit: Decimal
    owing: Decimal
    entries: Page[Entry]


def _raw_bill(row: dict[str, Any]) -> Entry:
    description = gettext(
        "Period %(start)s – %(end)s", start=format_date(row["period_start"]), end=format_date(row["period_end"])
    )
    if row["status"] == BillStatus.CANCELLED:
        description += " · " + label("bill_status", BillStatus.CANCELLED)
    return Entry(
        day=row["issued_on"],
        kind=BILL,
        id=row["id"],
        number=row["number"],
        description=description,
        charged=row["total"],
        credited=None,
        paid=None,
        balance=ZERO,
        url=f"/bills/{row['id']}",
    )


def _raw_credit_note(row: dict[str, Any]) -> Entry:
    description = gettext("On bill %(number)s: %(reason)s", number=row["bill__number"], reason=row["reason"])
    return Entry(
        day=row["issued_on"],
        kind=CREDIT_NOTE,
        id=row["id"],
        number=row["number"],
        description=description,
        charged=None,
        credited=row["total"],
        paid=None,
        balance=ZERO,
        url=f"/credit-notes/{row['id']}",
    )


def _raw_payment(row: dict[str, Any]) -> Entry:
    description = label("payment_method", row["method"])
    if row["reference"]:
        description += f" {row['reference']}"
    return Entry(
        day=row["received_on"],
        kind=PAYMENT,
        id=row["id"],
        number=row["number"],
        description=description,
        charged=None,
        credited=None,
        paid=row["amount"],
        balance=ZERO,
        url=f"/payments/{row['id']}",
    )


def _sort_key(entry: Entry) -> tuple[dt.date, int, int]:
    return entry.day, ENTRY_ORDER[entry.kind], entry.id


async def _first_entries(startup_id: int, start: dt.date, end: dt.date, count: int) -> list[Entry]:
    """The first `count` entries of the period in statement order (each table read up to `count` rows)."""
    if count <= 0:
        return []
    bills = (
        await Bill.filter(startup_id=startup_id, issued_on__gte=start, issued_on__lte=end)
        .order_by("issued_on", "id")
        .limit(count)
        .values("id", "number", "issued_on", "period_start", "period_end", "total", "status")
    )
    notes = (
        await CreditNote.filter(startup_id=startup_id, issued_on__gte=start, issued_on__lte=end)
        .order_by("issued_on", "id")
        .limit(count)
        .values("id", "number", "issued_on", "total", "reason", "bill_id", "bill__number")
    )
    payments = (
        await Payment.filter(startup_id=startup_id, received_on__gte=start, received_on__lte=end)
        .order_by("received_on", "id")
        .limit(count)
        .values("id", "number", "received_on", "amount", "method", "reference")
    )
    merged = [
        *(_raw_bill(row) for row in bills),
        *(_raw_credit_note(row) for row in notes),
        *(_raw_payment(row) for row in payments),
    ]
    merged.sort(key=_sort_key)
    return merged[:count]


async def statement(
    principal: Principal,
    startup: Startup,
    start: dt.date,
    end: dt.date,
    *,
    limit: int | None = 50,
    offset: int = 0,
) -> Statement:
    """A startup's statement of account for [start, end] (at most 3 years), one page of entries.

    Opening balance = charged − credited − paid before `start`; each entry carries the running
    balance after it; closing = opening + charged − credited − paid within the period. The
    caller fetched the startup with get_visible. `limit=None` gives every entry (exports).
    """
    require(principal, "billing.view")
    check_statement_period(start, end)
    before, within = Q(issued_on__lt=start), Q(issued_on__gte=start, issued_on__lte=end)
    bills = _only_one(
        await Bill.filter(startup_id=startup.id)
        .annotate(
            before=Sum("total", _filter=before),
            within=Sum("total", _filter=within),
            n=Count("id", _filter=within),
            owing=Sum("balance", _filter=Q(status=BillStatus.ISSUED)),
        )
        .values("before", "within", "n", "owing")
    )
    notes = _only_one(
        await CreditNote.filter(startup_id=startup.id)
        .annotate(
            before=Sum("total", _filter=before), within=Sum("total", _filter=within), n=Count("id", _filter=within)
        )
        .values("before", "within", "n")
    )
    received_before, received_within = Q(received_on__lt=start), Q(received_on__gte=start, received_on__lte=end)
    payments = _only_one(
        await Payment.filter(startup_id=startup.id)
        .annotate(
            before=Sum("amount", _filter=received_before),
            within=Sum("amount", _filter=received_within),
            n=Count("id", _filter=received_within),
            credit=Sum("unapplied"),
        )
        .values("before", "within", "n", "credit")
    )
    opening = fen(bills.get("before")) - fen(notes.get("before")) - fen(payments.get("before"))
    charged, credited, paid = fen(bills.get("within")), fen(notes.get("within")), fen(payments.get("within"))
    total = sum(int(row.get("n") or 0) for row in (bills, notes, payments))
    size = total if limit is None else limit
    first = await _first_entries(startup.id, start, end, offset + size)
    balance = opening + sum((entry.change for entry in first[:offset]), ZERO)
    page: list[Entry] = []
    for entry in first[offset:]:
        balance += entry.change
        page.append(_with_balance(entry, balance))
    return Statement(
        startup=startup,
        start=start,
        end=end,
        opening=opening,
        charged=charged,
        credited=credited,
        paid=paid,
        closing=opening + charged - credited - paid,
        credit=fen(payments.get("credit")),
        owing=fen(bills.get("owing")),
        entries=Page(items=page, total=total, limit=max(size, 1), offset=offset),
    )


def _with_balance(entry: Entry, balance: Decimal) -> Entry:
    def amount(value: Decimal | None) -> Decimal | None:
        return None if value is None else to_fen(value)

    return replace(
        entry,
        charged=amount(entry.charged),
        credited=amount(entry.credited),
        paid=amount(entry.paid),
        balance=to_fen(balance),
    )


# -- aged receivables -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ageing:
    """Outstanding balances by days overdue, and how many bills they are on."""

    current: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    bills: int = 0

    @property
    def total(self) -> Decimal:
        return self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current

    def amount(self, key: str) -> Decimal:
        value: Decimal = getattr(self, key)
        return value


@dataclass(frozen=True)
class AgedRow:
    id: int
    name: str
    url: str
    ageing: Ageing


@dataclass(frozen=True)
class AgedReceivables:
    as_of: dt.date
    # The base whose startups are listed, or None: one row per base the principal sees.
    base: Base | None
    rows: Page[AgedRow]
    totals: Ageing


def _owing(query: QuerySet[Bill], as_of: dt.date) -> QuerySet[Bill]:
    return query.filter(status=BillStatus.ISSUED, balance__gt=0, issued_on__lte=as_of)


def _bucket_sums(as_of: dt.date) -> dict[str, Any]:
    """One filtered SUM per bucket: days overdue = as_of − due_on."""
    sums: dict[str, Any] = {"bills": Count("id")}
    for key, _label, first, last in BUCKETS:
        if key == "current":
            window = Q(due_on__gte=as_of)
        else:
            window = Q(due_on__lte=as_of - dt.timedelta(days=first))
            if last is not None:
                window &= Q(due_on__gte=as_of - dt.timedelta(days=last))
        sums[key] = Sum("balance", _filter=window)
    return sums


def _ageing(row: dict[str, Any]) -> Ageing:
    return Ageing(**{key: fen(row.get(key)) for key, *_rest in BUCKETS}, bills=int(row.get("bills") or 0))


async def _grouped(query: QuerySet[Bill], column: str, as_of: dt.date) -> dict[int, Ageing]:
    sums = _bucket_sums(as_of)
    rows = await query.group_by(column).annotate(**sums).order_by(column).values(column, *sums)
    return {row[column]: _ageing(row) for row in rows}


async def aged_receivables(
    principal: Principal, base_id: int | None, as_of: dt.date, *, limit: int = 50, offset: int = 0
) -> AgedReceivables:
    """Balances of issued bills still owing on `as_of`, by days overdue, with a totals row.

    With a base (an operator's own by default): one row per startup with something owing.
    Without one (bureau officers, the admin): one row per base they see. Bills issued after
    `as_of` are left out; balances are as recorded now.
    """
    _base_scope(principal)
    if base_id is None and principal.role is Role.OPERATOR:
        base_id = principal.base_id
    sums = _bucket_sums(as_of)
    if base_id is not None:
        base = await get_visible(principal, Base, base_id)
        owing = _owing(Bill.filter(base_id=base.id), as_of)
        startups = Startup.filter(id__in=Subquery(owing.values("startup_id"))).order_by("name", "id")
        total = await startups.count()
        found = await startups.offset(offset).limit(limit)
        ageing = await _grouped(owing.filter(startup_id__in=[s.id for s in found]), "startup_id", as_of)
        rows = [AgedRow(s.id, s.name, f"/startups/{s.id}/statement", ageing.get(s.id, Ageing())) for s in found]
    else:
        base = None
        # By base id, not through visible(Bill): a join would make Tortoise group the totals by every column.
        owing = _owing(Bill.filter(base_id__in=Subquery(visible(principal, Base).values("id"))), as_of)
        bases = visible(principal, Base).order_by("region_id", "id")
        total = await bases.count()
        found_bases = await bases.offset(offset).limit(limit)
        ageing = await _grouped(owing.filter(base_id__in=[b.id for b in found_bases]), "base_id", as_of)
        rows = [
            AgedRow(b.id, b.name, f"/billing/receivables?base={b.id}", ageing.get(b.id, Ageing())) for b in found_bases
        ]
    totals = _ageing(_only_one(await owing.annotate(**sums).values(*sums)))
    return AgedReceivables(as_of, base, Page(items=rows, total=total, limit=limit, offset=offset), totals)


# -- overdue bills of a base ----------------------------------------------------------------


@dataclass(frozen=True)
class OverdueBill:
    id: int
    number: str
    startup_id: int
    startup_name: str
    issued_on: dt.date
    due_on: dt.date
    days: int
    balance: Decimal


@dataclass(frozen=True)
class Overdue:
    base: Base
    as_of: dt.date
    count: int
    total: Decimal
    bills: list[OverdueBill]


async def overdue(principal: Principal, base_id: int, as_of: dt.date, limit: int = 10) -> Overdue:
    """The base's issued bills still owing after their due date: count, sum and the oldest `limit`."""
    base = await get_visible(principal, Base, base_id)
    _base_scope(principal)
    query = Bill.filter(base_id=base.id, status=BillStatus.ISSUED, balance__gt=0, due_on__lt=as_of)
    figures = _only_one(await query.annotate(n=Count("id"), owing=Sum("balance")).values("n", "owing"))
    rows = (
        await query.order_by("due_on", "id")
        .limit(limit)
        .values("id", "number", "startup_id", "startup__name", "issued_on", "due_on", "balance")
    )
    bills = [
        OverdueBill(
            row["id"],
            row["number"],
            row["startup_id"],
            row["startup__name"],
            row["issued_on"],
            row["due_on"],
            (as_of - row["due_on"]).days,
            to_fen(row["balance"]),
        )
        for row in rows
    ]
    return Overdue(base, as_of, int(figures.get("n") or 0), fen(figures.get("owing")), bills)


# -- rent actually paid, for the rent subsidy --------------------------------------------


@dataclass(frozen=True)
class RentBill:
    id: int
    number: str
    issued_on: dt.date
    rent: Decimal  # net rent of the year's rent lines on this bill
    paid: Decimal  # rent's share of what was paid on it


@dataclass(frozen=True)
class RentPayment:
    id: int
    number: str  # the receipt number
    received_on: dt.date
    applied: Decimal  # applied to the bills behind the figure, net of amounts given back


@dataclass(frozen=True)
class RentPaid:
    year: int
    charged: Decimal
    waived: Decimal
    paid: Decimal
    bills: list[RentBill]
    payments: list[RentPayment]


def rent_share(rent: Decimal, net_total: Decimal, paid: Decimal) -> Decimal:
    """Rent's share of what was paid on a bill: all of it when the bill is settled, else pro rata."""
    if rent <= 0:
        return ZERO
    if net_total <= 0 or paid >= net_total:
        return rent
    if paid <= 0:
        return ZERO
    return min(rent, to_fen(rent * paid / net_total))


async def rent_paid(startup: Startup, year: int) -> RentPaid:
    """The rent a startup was charged, had waived and actually paid for the days of `year`.

    The rule (for the rent subsidy, which is capped by rent actually paid):
    - the lines counted are the rent lines (kinds rent, discount, waiver) whose period starts in
      the year, on bills that are not cancelled;
    - `charged` is their net rent: the sum of amount − credited over those lines;
    - `waived` is what discount and waiver lines took off the list rent (a positive amount);
    - `paid`, bill by bill: a bill paid in full (paid ≥ total − credited) counts its whole net
      rent; a bill paid in part counts net rent × paid ÷ (total − credited), rounded half up to
      the fen and never more than its net rent; an unpaid bill counts nothing. Rent and services
      on one bill are thus paid in proportion, whenever the money came.
    The caller fetched the startup through access control.
    """
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    reductions = Q(kind__in=list(REDUCTIONS))
    lines = (
        await BillLine.filter(
            bill__startup_id=startup.id,
            bill__status=BillStatus.ISSUED,
            kind__in=list(RENT_KINDS),
            period_start__gte=jan1,
            period_start__lte=dec31,
        )
        .group_by("bill_id")
        .annotate(
            amount=Sum("amount"),
            credited=Sum("credited"),
            reduced=Sum("amount", _filter=reductions),
            reduced_credited=Sum("credited", _filter=reductions),
        )
        .order_by("bill_id")
        .values("bill_id", "amount", "credited", "reduced", "reduced_credited")
    )
    by_bill = {row["bill_id"]: row for row in lines}
    found = (
        await Bill.filter(id__in=list(by_bill))
        .order_by("issued_on", "id")
        .values("id", "number", "issued_on", "total", "credited", "paid")
    )
    bills: list[RentBill] = []
    waived = ZERO
    for row in found:
        sums = by_bill[row["id"]]
        rent = fen(sums["amount"]) - fen(sums["credited"])
        waived += fen(sums["reduced_credited"]) - fen(sums["reduced"])
        share = rent_share(rent, to_fen(row["total"]) - to_fen(row["credited"]), to_fen(row["paid"]))
        bills.append(RentBill(row["id"], row["number"], row["issued_on"], rent, share))
    payments = await _payments_on(list(by_bill))
    return RentPaid(
        year=year,
        charged=sum((b.rent for b in bills), ZERO),
        waived=waived,
        paid=sum((b.paid for b in bills), ZERO),
        bills=bills,
        payments=payments,
    )


async def _payments_on(bill_ids: list[int]) -> list[RentPayment]:
    """The payments applied to these bills, each with its net amount applied to them."""
    if not bill_ids:
        return []
    applied = (
        await PaymentAllocation.filter(bill_id__in=bill_ids)
        .group_by("payment_id")
        .annotate(applied=Sum("amount"))
        .order_by("payment_id")
        .values("payment_id", "applied")
    )
    net = {row["payment_id"]: fen(row["applied"]) for row in applied}
    found = (
        await Payment.filter(id__in=[pid for pid, amount in net.items() if amount > 0])
        .order_by("received_on", "id")
        .values("id", "number", "received_on")
    )
    return [RentPayment(row["id"], row["number"], row["received_on"], net[row["id"]]) for row in found]
