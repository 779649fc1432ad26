"""Exporting the startups, people and leases a principal may see to .xlsx.

Rows are read a page at a time (by id) and written as they come, with headers and labels in the
user's language, dates as dates and amounts as numbers. ID numbers are masked unless a principal
allowed to reveal them asks for full numbers, which is audited (the count, never the numbers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from tortoise.models import Model
from tortoise.queryset import QuerySet

from incubator import audit
from incubator.access import Principal, require, visible
from incubator.formatting import today
from incubator.i18n import N_, get_locale, gettext
from incubator.labels import label
from incubator.pii import open_id_number
from incubator.spreadsheets import CellValue, Heading, SheetWriter, WorkbookWriter
from tenants.models import Founder, Lease, LeaseSpace, Person, Startup

PAGE = 1000
M = TypeVar("M", bound=Model)

STARTUP_HEADINGS = (
    (N_("Base"), "text"),
    (N_("Name"), "text"),
    (N_("Legal form"), "text"),
    (N_("Unified social credit code"), "text"),
    (N_("Registered on"), "date"),
    (N_("Industry"), "text"),
    (N_("Status"), "text"),
    (N_("Applied on"), "date"),
    (N_("Admitted on"), "date"),
    (N_("Incubation ends on"), "date"),
    (N_("Left on"), "date"),
    (N_("Exit reason"), "text"),
    (N_("Contact person"), "text"),
    (N_("Contact phone"), "text"),
    (N_("Contact e-mail"), "text"),
    (N_("Founders"), "text"),
)
PERSON_HEADINGS = (
    (N_("Full name"), "text"),
    (N_("ID number"), "text"),
    (N_("Sex"), "text"),
    (N_("Birth date"), "date"),
    (N_("Mobile phone"), "text"),
    (N_("Household region code"), "text"),
    (N_("College graduate"), "text"),
    (N_("School"), "text"),
    (N_("Graduation year"), "text"),
    (N_("Categories"), "text"),
    (N_("Startups"), "text"),
)
LEASE_HEADINGS = (
    (N_("Base"), "text"),
    (N_("Startup"), "text"),
    (N_("Spaces"), "text"),
    (N_("Starts on"), "date"),
    (N_("Ends on"), "date"),
    (N_("Ended on"), "date"),
    (N_("State"), "text"),
    (N_("List rent"), "money"),
    (N_("Agreed rent"), "money"),
    (N_("Deposit"), "money"),
    (N_("Billing cycle"), "text"),
)


def _headings(spec: Sequence[tuple[str, str]]) -> list[Heading]:
    return [Heading(gettext(text), kind) for text, kind in spec]


def joined(names: Sequence[str]) -> str:
    return ("、" if get_locale() == "zh_CN" else ", ").join(names)


def yes_no(flag: bool) -> str:
    return gettext("Yes") if flag else gettext("No")


async def pages(query: QuerySet[M]) -> AsyncIterator[list[M]]:
    """The rows of a query, PAGE at a time, in id order (keyset, so later pages stay cheap)."""
    last = 0
    while True:
        page = await query.filter(id__gt=last).order_by("id").limit(PAGE)
        if not page:
            return
        yield page
        last = page[-1].pk


async def append_rows(sheet: SheetWriter, rows: list[list[CellValue]]) -> None:
    # Writing cells is CPU work: keep it off the event loop.
    await run_in_threadpool(sheet.extend, rows)


async def export_startups(principal: Principal) -> bytes:
    """The startups in the principal's scope, with the names of their current founders."""
    require(principal, "records.export")
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Startups"), _headings(STARTUP_HEADINGS))
    async for page in pages(visible(principal, Startup).select_related("base")):
        founders: dict[int, list[str]] = defaultdict(list)
        query = visible(principal, Founder).filter(startup_id__in=[s.id for s in page], left_on__isnull=True)
        for founder in await query.select_related("person").order_by("joined_on", "id"):
            founders[founder.startup_id].append(founder.person.name)
        rows: list[list[CellValue]] = [
            [
                s.base.name,
                s.name,
                label("legal_form", s.legal_form),
                s.uscc or "",
                s.registered_on,
                label("industry", s.industry),
                label("startup_status", s.status),
                s.applied_on,
                s.admitted_on,
                s.incubation_ends_on,
                s.left_on,
                label("exit_reason", s.exit_reason),
                s.contact_name,
                s.contact_phone,
                s.contact_email,
                joined(founders[s.id]),
            ]
            for s in page
        ]
        await append_rows(sheet, rows)
    return await run_in_threadpool(book.save)


async def export_people(principal: Principal, *, full: bool = False) -> bytes:
    """The people in the principal's scope; full ID numbers only for those who may reveal them (audited)."""
    require(principal, "records.export")
    if full:
        require(principal, "person.reveal")
    book = WorkbookWriter()
    sheet = book.sheet(gettext("People"), _headings(PERSON_HEADINGS))
    async for page in pages(visible(principal, Person)):
        startups: dict[int, list[str]] = defaultdict(list)
        query = visible(principal, Founder).filter(person_id__in=[p.id for p in page], left_on__isnull=True)
        for founder in await query.select_related("startup").order_by("id"):
            startups[founder.person_id].append(founder.startup.name)
        rows: list[list[CellValue]] = [
            [
                p.name,
                open_id_number(p.id_cipher) if full else p.id_masked,
                label("sex", p.sex),
                p.birth_date,
                p.phone,
                p.hukou_region_code,
                yes_no(p.is_graduate),
                p.school,
                p.graduation_year,
                joined([label("person_category", c) for c in p.categories]),
                joined(startups[p.id]),
            ]
            for p in page
        ]
        await append_rows(sheet, rows)
    content = await run_in_threadpool(book.save)
    if full:
        await audit.record(
            principal,
            "person.ids_exported",
            object_type="Person",
            object_id="",
            base_id=principal.base_id,
            region_code=principal.region_code,
            after={"count": sheet.count},
        )
    return content


async def export_leases(principal: Principal) -> bytes:
    """The leases in the principal's scope, with their spaces, dates, state and amounts."""
    require(principal, "records.export")
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Leases"), _headings(LEASE_HEADINGS))
    day = today()
    async for page in pages(visible(principal, Lease).select_related("base", "startup")):
        codes: dict[int, list[str]] = defaultdict(list)
        query = visible(principal, LeaseSpace).filter(lease_id__in=[lease.id for lease in page])
        for link in await query.select_related("space").order_by("id"):
            codes[link.lease_id].append(link.space.code)
        rows: list[list[CellValue]] = [
            [
                lease.base.name,
                lease.startup.name,
                joined(codes[lease.id]),
                lease.start_on,
                lease.end_on,
                lease.ended_on,
                label("lease_state", lease.state_on(day)),
                lease.list_rent,
                lease.monthly_rent,
                lease.deposit,
                label("billing_cycle", lease.billing_cycle),
            ]
            for lease in page
        ]
        await append_rows(sheet, rows)
    return await run_in_threadpool(book.save)
