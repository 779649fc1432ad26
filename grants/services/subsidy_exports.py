"""The subsidy dashboard and ledger as .xlsx: the same figures as the pages, amounts as numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from starlette.concurrency import run_in_threadpool
from tortoise.queryset import QuerySet

from grants.forms.subsidy_reports import LedgerQuery
from grants.models import Application
from grants.services.subsidy_reports import (
    MEASURES,
    FigureRow,
    dashboard,
    ledger_rows,
    ledger_state,
    ledger_total,
    ledger_totals,
    total_of,
)
from incubator.access import Principal
from incubator.i18n import N_, gettext
from incubator.labels import label
from incubator.spreadsheets import CellValue, Heading, WorkbookWriter

EXPORT_PAGE = 1000

FIGURE_HEADINGS = (
    (N_("Applications applied"), "number"),
    (N_("Money applied"), "money"),
    (N_("Applications approved"), "number"),
    (N_("Money approved"), "money"),
    (N_("Applications paid"), "number"),
    (N_("Money paid"), "money"),
)


def _figure_cells(row: FigureRow) -> list[CellValue]:
    cells: list[CellValue] = [row.label]
    for measure in MEASURES:
        amount = row.of(measure)
        cells += [amount.count, amount.amount]
    return cells


def _figure_sheet(book: WorkbookWriter, title: str, first: str, rows: Sequence[FigureRow], total: FigureRow) -> None:
    headings = [Heading(gettext(first)), *(Heading(gettext(text), kind) for text, kind in FIGURE_HEADINGS)]
    sheet = book.sheet(title, headings)
    sheet.extend([_figure_cells(r) for r in rows])
    sheet.append(_figure_cells(total))


async def export_dashboard(principal: Principal, year: int) -> bytes:
    """The dashboard's figures as .xlsx: a sheet by policy, by base and by month, and the review queue."""
    board = await dashboard(principal, year)
    book = WorkbookWriter()
    _figure_sheet(book, gettext("By policy %(year)s", year=year), N_("Policy"), board.by_policy, board.total)
    _figure_sheet(book, gettext("By base %(year)s", year=year), N_("Base"), board.by_base, total_of(board.by_base))
    _figure_sheet(book, gettext("By month %(year)s", year=year), N_("Month"), board.by_month, total_of(board.by_month))
    queue = book.sheet(
        gettext("Review queue"),
        [
            Heading(gettext("Queue")),
            Heading(gettext("Applications"), "number"),
            Heading(gettext("Oldest wait (days)"), "number"),
        ],
    )
    queue.extend([[q.label, q.count, q.oldest_days] for q in board.queue])
    return await run_in_threadpool(book.save)


LEDGER_HEADINGS = (
    (N_("Application number"), "code"),
    (N_("Startup"), "text"),
    (N_("Base"), "text"),
    (N_("Region code"), "code"),
    (N_("Policy"), "text"),
    (N_("Period from"), "date"),
    (N_("Period to"), "date"),
    (N_("Approved amount"), "money"),
    (N_("State"), "text"),
    (N_("Paid on"), "date"),
)
TOTAL_HEADINGS = (
    (N_("Applications"), "number"),
    (N_("Paid"), "money"),
    (N_("Approved, not paid yet"), "money"),
    (N_("Total"), "money"),
)


async def _pages(rows: QuerySet[Application]) -> AsyncIterator[list[Application]]:
    """The ledger a page at a time, by id (keyset)."""
    last: int | None = None
    while True:
        page = await (rows.filter(id__lt=last) if last is not None else rows).limit(EXPORT_PAGE)
        if not page:
            return
        yield page
        last = page[-1].id


async def export_ledger(principal: Principal, query: LedgerQuery) -> bytes:
    """The filtered ledger as .xlsx, with its totals per startup, base and region."""
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Subsidy ledger"), [Heading(gettext(t), k) for t, k in LEDGER_HEADINGS])
    async for page in _pages(ledger_rows(principal, query).select_related("startup", "base")):
        rows: list[list[CellValue]] = [
            [
                app.reference,
                app.startup.name,
                app.base.name,
                app.region_code,
                label("policy_kind", app.kind),
                app.period_start,
                app.period_end,
                app.approved_amount,
                ledger_state(app),
                app.paid_on,
            ]
            for app in page
        ]
        await run_in_threadpool(sheet.extend, rows)
    titles = {"startup": N_("By startup"), "base": N_("By base"), "region": N_("By region")}
    firsts = {"startup": N_("Startup"), "base": N_("Base"), "region": N_("Region")}
    for by, title in titles.items():
        totals = book.sheet(
            gettext(title), [Heading(gettext(firsts[by])), *(Heading(gettext(t), k) for t, k in TOTAL_HEADINGS)]
        )
        for total in [*await ledger_totals(principal, query, by), await ledger_total(principal, query)]:
            totals.append([total.label, total.count, total.paid, total.unpaid, total.amount])
    return await run_in_threadpool(book.save)
