"""Exports for the accountant: bills issued and payments received in a period, and a statement, as .xlsx.

Rows are the ones the principal sees (a founder: their own startup's), read a page at a time by
id; amounts are written as numbers, dates as dates, labels in the user's language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from tortoise.functions import Sum

from incubator.access import Principal, require, visible
from incubator.i18n import N_, gettext
from incubator.labels import label
from incubator.spreadsheets import CellValue, Heading, WorkbookWriter
from tenants.models import Bill, FapiaoRecord, Payment, PaymentAllocation, Startup
from tenants.services.accounts import statement
from tenants.services.exports import append_rows, joined, pages

BILL_HEADINGS = (
    (N_("Base"), "text"),
    (N_("Bill number"), "code"),
    (N_("Startup"), "text"),
    (N_("Unified social credit code"), "code"),
    (N_("Period from"), "date"),
    (N_("Period to"), "date"),
    (N_("Issued on"), "date"),
    (N_("Due on"), "date"),
    (N_("List rent"), "money"),
    (N_("Waived"), "money"),
    (N_("Rent"), "money"),
    (N_("Services"), "money"),
    (N_("Total"), "money"),
    (N_("Credited"), "money"),
    (N_("Paid"), "money"),
    (N_("Balance"), "money"),
    (N_("Status"), "text"),
    (N_("Fapiao numbers"), "text"),
)
PAYMENT_HEADINGS = (
    (N_("Base"), "text"),
    (N_("Receipt number"), "code"),
    (N_("Startup"), "text"),
    (N_("Received on"), "date"),
    (N_("Method"), "text"),
    (N_("Payer"), "text"),
    (N_("Reference"), "text"),
    (N_("Amount"), "money"),
    (N_("Amount applied"), "money"),
    (N_("Unapplied"), "money"),
    (N_("Bills paid"), "text"),
)
STATEMENT_HEADINGS = (
    (N_("Date"), "date"),
    (N_("Entry"), "text"),
    (N_("Number"), "code"),
    (N_("Particulars"), "text"),
    (N_("Charged"), "money"),
    (N_("Credited"), "money"),
    (N_("Paid"), "money"),
    (N_("Balance"), "money"),
)


def _headings(spec: Sequence[tuple[str, str]]) -> list[Heading]:
    return [Heading(gettext(text), kind) for text, kind in spec]


async def export_bills(principal: Principal, start: dt.date, end: dt.date, base_id: int | None = None) -> bytes:
    """Every bill the principal sees issued in [start, end], one row each, with its fapiao numbers."""
    require(principal, "billing.view")
    query = visible(principal, Bill).filter(issued_on__gte=start, issued_on__lte=end)
    if base_id is not None:
        query = query.filter(base_id=base_id)
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Bills"), _headings(BILL_HEADINGS))
    async for page in pages(query.select_related("base")):
        fapiao: dict[int, list[str]] = defaultdict(list)
        records = FapiaoRecord.filter(bill_id__in=[bill.id for bill in page]).order_by("issued_on", "id")
        for record in await records.values("bill_id", "number"):
            fapiao[record["bill_id"]].append(record["number"])
        rows: list[list[CellValue]] = [
            [
                bill.base.name,
                bill.number,
                bill.billed_to,
                bill.billed_to_code,
                bill.period_start,
                bill.period_end,
                bill.issued_on,
                bill.due_on,
                bill.list_rent,
                bill.waived,
                bill.rent,
                bill.services,
                bill.total,
                bill.credited,
                bill.paid,
                bill.balance,
                label("bill_status", bill.status),
                joined(fapiao[bill.id]),
            ]
            for bill in page
        ]
        await append_rows(sheet, rows)
    return await run_in_threadpool(book.save)


async def _bills_paid(payment_ids: list[int]) -> dict[int, list[str]]:
    """The numbers of the bills each payment is (still) applied to."""
    applied = (
        await PaymentAllocation.filter(payment_id__in=payment_ids)
        .group_by("payment_id", "bill_id")
        .annotate(net=Sum("amount"))
        .order_by("payment_id", "bill_id")
        .values("payment_id", "bill_id", "net")
    )
    kept = [row for row in applied if row["net"] is not None and row["net"] > 0]
    numbers = dict(await Bill.filter(id__in={row["bill_id"] for row in kept}).values_list("id", "number"))
    found: dict[int, list[str]] = defaultdict(list)
    for row in kept:
        found[row["payment_id"]].append(numbers[row["bill_id"]])
    return found


async def export_payments(principal: Principal, start: dt.date, end: dt.date, base_id: int | None = None) -> bytes:
    """Every payment the principal sees received in [start, end], with the bills it paid."""
    require(principal, "billing.view")
    query = visible(principal, Payment).filter(received_on__gte=start, received_on__lte=end)
    if base_id is not None:
        query = query.filter(base_id=base_id)
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Payments"), _headings(PAYMENT_HEADINGS))
    async for page in pages(query.select_related("base", "startup")):
        paid = await _bills_paid([payment.id for payment in page])
        rows: list[list[CellValue]] = [
            [
                payment.base.name,
                payment.number,
                payment.startup.name,
                payment.received_on,
                label("payment_method", payment.method),
                payment.payer,
                payment.reference,
                payment.amount,
                payment.amount - payment.unapplied,
                payment.unapplied,
                joined(paid[payment.id]),
            ]
            for payment in page
        ]
        await append_rows(sheet, rows)
    return await run_in_threadpool(book.save)


async def export_statement(principal: Principal, startup: Startup, start: dt.date, end: dt.date) -> bytes:
    """A startup's statement for [start, end]: opening balance, every entry, closing balance."""
    found = await statement(principal, startup, start, end, limit=None)
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Statement"), _headings(STATEMENT_HEADINGS))
    opening: list[CellValue] = [start, gettext("Opening balance"), "", startup.name, None, None, None, found.opening]
    rows = [opening]
    for e in found.entries.items:
        rows.append([e.day, e.kind_label, e.number, e.description, e.charged, e.credited, e.paid, e.balance])
    rows.append([end, gettext("Closing balance"), "", "", found.charged, found.credited, found.paid, found.closing])
    await append_rows(sheet, rows)
    return await run_in_threadpool(book.save)
