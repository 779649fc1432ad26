"""Exporting job figures, and the people behind them, to .xlsx.

The figures come from the same SQL as the job pages (jobcounts.py) and are written with the
counting rule they were computed under. The people are the employments the principal may see
in the target, read a page at a time by id. ID numbers are masked unless a principal allowed
to reveal them asks for full numbers, which is audited (the count, never the numbers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool

from incubator import audit
from incubator.access import Principal, require, visible
from incubator.formatting import date
from incubator.i18n import N_, get_locale, gettext
from incubator.labels import label
from incubator.models import Base
from incubator.pii import open_id_number
from incubator.regions import subtree_filter
from incubator.spreadsheets import CellValue, Heading, WorkbookWriter
from tenants.models import Employment
from tenants.services.exports import append_rows, joined, pages, yes_no
from tenants.services.jobcounts import (
    CATEGORIES,
    Figure,
    JobCounts,
    JobRow,
    MonthPoint,
    Rule,
    Target,
    by_base,
    job_counts,
    monthly_series,
)
from tenants.services.roster import employed_between

KEYS = ("total", *CATEGORIES)

PEOPLE_HEADINGS = (
    (N_("Base"), "text"),
    (N_("Startup"), "text"),
    (N_("Full name"), "text"),
    (N_("ID number"), "code"),
    (N_("Sex"), "text"),
    (N_("Birth date"), "date"),
    (N_("Hired on"), "date"),
    (N_("Left on"), "date"),
    (N_("Reason for leaving"), "text"),
    (N_("Contract"), "text"),
    (N_("Social insurance from"), "date"),
    (N_("Social insurance until"), "date"),
    (N_("Monthly wage"), "money"),
    (N_("Founder"), "text"),
    (N_("Categories at hiring"), "text"),
    (N_("Graduation year"), "text"),
    (N_("Check"), "text"),
    (N_("Check note"), "text"),
)


def _space() -> str:
    # Chinese takes no space after full-width punctuation.
    return "" if get_locale() == "zh_CN" else " "


def rule_description(rule: Rule) -> str:
    """The counting rule in one line, as the job pages state it."""
    if rule.is_default:
        return gettext("Counted by the platform's default rule:") + _space() + gettext(rule.source)
    assert rule.effective_from is not None
    heading = gettext(
        "Counted by the rule of %(region)s in force from %(day)s:",
        region=rule.region_code,
        day=date(rule.effective_from),
    )
    founders = gettext("founders included") if rule.include_founders else gettext("founders not included")
    if rule.min_insured_months:
        months = gettext("at least %(n)s consecutive months of social insurance", n=rule.min_insured_months)
    else:
        months = gettext("no minimum of insured months")
    kinds = joined([label("contract_kind", kind) for kind in rule.contract_kinds])
    separator = "；" if get_locale() == "zh_CN" else "; "
    parts = (founders, months, gettext("contract kinds:") + _space() + kinds)
    return heading + _space() + separator.join(parts)


def _target_kind(target: Target) -> str:
    if target.startup_id is not None:
        return gettext("Startup")
    if target.base_id is not None:
        return gettext("Base")
    return gettext("Region")


def _figure_rows(counts: JobCounts) -> list[list[CellValue]]:
    figures: tuple[tuple[str, Figure], ...] = (
        (gettext("Employed on %(day)s", day=date(counts.as_of)), counts.headcount),
        (
            gettext("Jobs created %(start)s – %(end)s", start=date(counts.period_start), end=date(counts.period_end)),
            counts.created,
        ),
        (gettext("Since admission"), counts.cumulative),
    )
    rows: list[list[CellValue]] = []
    for name, figure in figures:
        rows.append([name, gettext("Declared"), *(figure.declared[key] for key in KEYS)])
        rows.append([name, gettext("Verified"), *(figure.verified[key] for key in KEYS)])
    return rows


def _figures_headings() -> list[Heading]:
    # Fixed widths: the rule's long line must spill over the empty cells, not widen its column.
    return [
        Heading(gettext("Figure"), width=40),
        Heading(gettext("Declared or verified"), width=16),
        *(Heading(label("job_category", key), width=14) for key in KEYS),
    ]


def _figures_rows(target: Target, title: str, counts: JobCounts) -> list[list[CellValue]]:
    """What is counted and by which rule, then the figures, then graduates by graduation year."""
    rule = counts.rule
    source = gettext(rule.source) if rule.is_default else rule.source
    rows: list[list[CellValue]] = [
        [_target_kind(target), title],
        [gettext("As of"), counts.as_of],
        [gettext("Period"), counts.period_start, counts.period_end],
        [gettext("Counting rule"), rule_description(rule)],
        [gettext("Source"), source],
        [gettext("In force from"), rule.effective_from],
        [],
        *_figure_rows(counts),
    ]
    if counts.graduates_by_year:
        rows.append([])
        rows.append([gettext("Graduates employed by graduation year:")])
        for year, count in counts.graduates_by_year.items():
            rows.append([str(year), gettext("Declared"), count])
    return rows


def _monthly_rows(series: list[MonthPoint]) -> list[list[CellValue]]:
    return [
        [point.month.strftime("%Y-%m"), point.headcount, point.verified, *(point.created[key] for key in KEYS)]
        for point in series
    ]


def _comparison_headings(as_of: dt.date) -> list[Heading]:
    def created(key: str) -> str:
        return gettext("Created: %(category)s", category=label("job_category", key))

    def employed(key: str) -> str:
        return gettext("Employed: %(category)s", category=label("job_category", key))

    return [
        Heading(gettext("Base")),
        Heading(gettext("Region"), "code"),
        Heading(gettext("Employed on %(day)s", day=date(as_of))),
        Heading(gettext("Employed and verified")),
        *(Heading(employed(key)) for key in CATEGORIES),
        Heading(gettext("Jobs created in the period")),
        Heading(gettext("Created and verified")),
        *(Heading(created(key)) for key in CATEGORIES),
    ]


def _comparison_row(base: Base, row: JobRow) -> list[CellValue]:
    head, made = row.headcount, row.created
    return [
        base.name,
        base.region_id,
        head.declared.get("total", 0),
        head.verified.get("total", 0),
        *(head.declared.get(key, 0) for key in CATEGORIES),
        made.declared.get("total", 0),
        made.verified.get("total", 0),
        *(made.declared.get(key, 0) for key in CATEGORIES),
    ]


async def export_job_figures(
    principal: Principal,
    target: Target,
    region_code: str,
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    title: str,
) -> bytes:
    """The job figures of a target as on its page: the rule, the figures, the 24 months and,
    for a region, its bases compared. The caller has checked that the principal may see the target."""
    require(principal, "jobs.export")
    counts = await job_counts(target, region_code, as_of=as_of, period_start=start, period_end=end)
    series = await monthly_series(target, counts.rule, as_of)
    book = WorkbookWriter()
    figures = book.sheet(gettext("Job figures"), _figures_headings())
    await append_rows(figures, _figures_rows(target, title, counts))
    monthly_headings = [
        Heading(gettext("Month")),
        Heading(gettext("Headcount")),
        Heading(gettext("Verified")),
        *(Heading(gettext("Created: %(category)s", category=label("job_category", key))) for key in KEYS),
    ]
    monthly = book.sheet(gettext("Monthly"), monthly_headings)
    await append_rows(monthly, _monthly_rows(series))
    if target.region_code is not None:
        comparison = await by_base(target.region_code, counts.rule, as_of=as_of, start=start, end=end)
        sheet = book.sheet(gettext("Bases compared"), _comparison_headings(as_of))
        bases = visible(principal, Base).filter(**subtree_filter("region_id", target.region_code))
        async for page in pages(bases):
            await append_rows(sheet, [_comparison_row(base, comparison.get(base.id, JobRow())) for base in page])
    return await run_in_threadpool(book.save)


def _target_filter(target: Target) -> dict[str, Any]:
    if target.startup_id is not None:
        return {"startup_id": target.startup_id}
    if target.base_id is not None:
        return {"base_id": target.base_id}
    assert target.region_code is not None
    return subtree_filter("region_code", target.region_code)


def _person_row(employment: Employment, *, full: bool) -> list[CellValue]:
    person = employment.person
    categories = [label("job_category", name) for name in CATEGORIES if getattr(employment, f"is_{name}")]
    return [
        employment.base.name,
        employment.startup.name,
        person.name,
        open_id_number(person.id_cipher) if full else person.id_masked,
        label("sex", person.sex),
        person.birth_date,
        employment.hired_on,
        employment.left_on,
        employment.left_reason,
        label("contract_kind", employment.contract_kind),
        employment.insured_from,
        employment.insured_until,
        employment.monthly_wage,
        yes_no(employment.is_founder),
        joined(categories),
        employment.graduation_year,
        label("verification", employment.verification),
        employment.verification_note,
    ]


async def export_job_people(
    principal: Principal,
    target: Target,
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    full: bool = False,
) -> bytes:
    """Every employment the principal may see in the target that overlaps [start, end], one row
    each; full ID numbers only for those who may reveal them (audited with the count)."""
    require(principal, "jobs.export")
    if full:
        require(principal, "person.reveal")
    book = WorkbookWriter()
    sheet = book.sheet(gettext("Job roster"), [Heading(gettext(text), kind) for text, kind in PEOPLE_HEADINGS])
    query = (
        visible(principal, Employment)
        .filter(**_target_filter(target))
        .filter(employed_between(start, end))
        .select_related("person", "startup", "base")
    )
    base_id, region_code = target.base_id, target.region_code
    async for page in pages(query):
        if target.startup_id is not None:
            base_id, region_code = page[0].base_id, page[0].region_code
        await append_rows(sheet, [_person_row(employment, full=full) for employment in page])
    content = await run_in_threadpool(book.save)
    if full:
        await audit.record(
            principal,
            "export.job_people_full",
            object_type="Employment",
            object_id="",
            base_id=base_id if base_id is not None else principal.base_id,
            region_code=region_code or principal.region_code,
            after={
                "count": sheet.count,
                "startup_id": target.startup_id,
                "base_id": target.base_id,
                "region_code": target.region_code,
                "as_of": as_of,
                "from": start,
                "to": end,
            },
        )
    return content
