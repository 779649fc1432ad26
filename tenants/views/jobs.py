"""Job pages: a startup's roster, corrections and endings, and the base's and region's job counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require, visible
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.labels import choices
from incubator.models import Base, Region, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.regions import in_subtree, is_region_code, subtree_filter
from incubator.templating import render
from tenants.forms.jobs import parse_counting_rule, parse_employment, parse_leaving, parse_terms
from tenants.models import CountingRule, Employment, Startup
from tenants.services import roster
from tenants.services.jobcounts import JobCounts, JobRow, Target, by_base, job_counts, monthly_series


def period_of(request: Request) -> tuple[dt.date, dt.date, dt.date]:
    """(as of, period start, period end) from ?as_of=&from=&to= (default: this year to today)."""
    now = today()

    def day(name: str, default: dt.date) -> dt.date:
        try:
            value = dt.date.fromisoformat(request.query_params.get(name, ""))
        except ValueError:
            return default
        return value if dt.date(2000, 1, 1) <= value <= now else default

    as_of = day("as_of", now)
    start = day("from", dt.date(as_of.year, 1, 1))
    end = day("to", as_of)
    return as_of, min(start, end), max(start, end)


async def _figures(target: Target, region_code: str, request: Request) -> tuple[JobCounts, list[Any]]:
    as_of, start, end = period_of(request)
    counts = await job_counts(target, region_code, as_of=as_of, period_start=start, period_end=end)
    series = await monthly_series(target, counts.rule, as_of)
    return counts, series


def _export_flags(principal: Principal) -> dict[str, bool]:
    """Whether the page offers the .xlsx exports, and the one with full ID numbers."""
    return {"can_export": can(principal, "jobs.export"), "can_reveal": can(principal, "person.reveal")}


async def startup_roster(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    return render(request, "tenants/roster.html", await roster_context(request, principal, startup))


async def roster_context(request: Request, principal: Principal, startup: Startup) -> dict[str, Any]:
    """What a startup's roster page shows (also when a roster upload is sent back to it)."""
    query = visible(principal, Employment).filter(startup_id=startup.id).select_related("person")
    show = request.query_params.get("show", "current")
    if show != "all":
        query = query.filter(left_on=None)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-hired_on", "-id"), limit, offset)
    counts, series = await _figures(Target(startup_id=startup.id), startup.base.region_id, request)
    return {
        "startup": startup,
        "page": page,
        "show": show,
        "counts": counts,
        "series": series,
        "can_manage": can(principal, "roster.manage"),
        **_export_flags(principal),
        "contract_kinds": choices("contract_kind"),
        "values": {"hired_on": today().isoformat()},
        "errors": {},
        "message": "",
        "nav": "startup" if principal.role is Role.FOUNDER else "startups",
    }


async def roster_add(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "roster.manage", startup)
    try:
        employment = await roster.add_employment(principal, startup, parse_employment(form_of(request), today=today()))
    except ValidationFailed as exc:
        context = await roster_context(request, principal, startup)
        return rejected(request, "tenants/roster.html", exc, context)
    name = employment.person.name
    return redirect(f"/startups/{startup.id}/roster", gettext("%(name)s was added to the roster.", name=name), request)


def _terms_values(employment: Employment) -> dict[str, Any]:
    def iso(day: dt.date | None) -> str:
        return day.isoformat() if day else ""

    return {
        "hired_on": iso(employment.hired_on),
        "left_on": iso(employment.left_on),
        "left_reason": employment.left_reason,
        "contract_kind": employment.contract_kind.value,
        "insured_from": iso(employment.insured_from),
        "insured_until": iso(employment.insured_until),
        "monthly_wage": employment.monthly_wage if employment.monthly_wage is not None else "",
    }


async def employment_edit(request: Request) -> Response:
    principal = page_principal(request)
    employment = await get_visible(principal, Employment, request.path_params["employment_id"], related=("person",))
    require(principal, "roster.manage", employment)
    context = {
        "employment": employment,
        "contract_kinds": choices("contract_kind"),
        "values": _terms_values(employment),
        "errors": {},
        "message": "",
        "nav": "startup" if principal.role is Role.FOUNDER else "startups",
    }
    return render(request, "tenants/employment_form.html", context)


async def employment_update(request: Request) -> Response:
    principal = page_principal(request)
    employment = await get_visible(principal, Employment, request.path_params["employment_id"], related=("person",))
    require(principal, "roster.manage", employment)
    try:
        await roster.correct_employment(principal, employment, parse_terms(form_of(request), today=today()))
    except ValidationFailed as exc:
        context = {"employment": employment, "contract_kinds": choices("contract_kind"), "nav": "startups"}
        return rejected(request, "tenants/employment_form.html", exc, context)
    return redirect(f"/startups/{employment.startup_id}/roster", gettext("The roster entry was corrected."), request)


async def employment_end(request: Request) -> Response:
    principal = page_principal(request)
    employment = await get_visible(principal, Employment, request.path_params["employment_id"], related=("person",))
    require(principal, "roster.manage", employment)
    try:
        await roster.end_employment(principal, employment, parse_leaving(form_of(request), today=today()))
    except ValidationFailed as exc:
        context = {"employment": employment, "contract_kinds": choices("contract_kind"), "nav": "startups"}
        return rejected(request, "tenants/employment_form.html", exc, context)
    name = employment.person.name
    return redirect(
        f"/startups/{employment.startup_id}/roster", gettext("%(name)s left on the given day.", name=name), request
    )


async def jobs_base(principal: Principal, request: Request) -> Base:
    """The base whose job counts are asked for, if the principal may see them (not founders)."""
    if principal.role is Role.FOUNDER:
        raise Forbidden()
    return await get_visible(principal, Base, request.path_params["base_id"], related=("region",))


async def jobs_region(principal: Principal, request: Request) -> Region:
    """The region of ?region= (default: the officer's own), if the principal may see its job counts."""
    if principal.role not in (Role.BUREAU, Role.ADMIN):
        raise Forbidden()
    code = request.query_params.get("region", "").strip() or principal.region_code or "540000"
    if not is_region_code(code):
        raise NotFound()
    if principal.role is Role.BUREAU and not (principal.region_code and in_subtree(code, principal.region_code)):
        raise NotFound()
    return await get_visible(principal, Region, code)


async def base_jobs(request: Request) -> Response:
    principal = page_principal(request)
    base = await jobs_base(principal, request)
    return render(request, "tenants/jobs.html", await base_jobs_context(request, principal, base))


async def base_jobs_context(request: Request, principal: Principal, base: Base) -> dict[str, Any]:
    """What the base's job page shows (also when a roster upload is sent back to it)."""
    counts, series = await _figures(Target(base_id=base.id), base.region_id, request)
    return {
        "title": base.name,
        "base": base,
        "counts": counts,
        "series": series,
        "nav": "jobs",
        **_export_flags(principal),
    }


async def region_jobs(request: Request) -> Response:
    principal = page_principal(request)
    region = await jobs_region(principal, request)
    counts, series = await _figures(Target(region_code=region.code), region.code, request)
    as_of, start, end = period_of(request)
    comparison = await by_base(region.code, counts.rule, as_of=as_of, start=start, end=end)
    limit, offset = window(request.query_params, default_limit=20)
    query = visible(principal, Base).filter(**subtree_filter("region_id", region.code)).order_by("region_id", "id")
    bases = await paginate(query, limit, offset)
    rows = [(base, comparison.get(base.id, JobRow())) for base in bases.items]
    return render(
        request,
        "tenants/jobs.html",
        {
            "title": region.name,
            "region": region,
            "counts": counts,
            "series": series,
            "bases": bases,
            "rows": rows,
            "nav": "jobs",
            **_export_flags(principal),
        },
    )


async def _rules_context(principal: Principal) -> dict[str, Any]:
    query = CountingRule.all().select_related("region").order_by("region_id", "-effective_from")
    if principal.role is Role.BUREAU and principal.region_code:
        query = query.filter(**subtree_filter("region_id", principal.region_code))
    regions = visible(principal, Region).filter(level__in=["province", "prefecture"]).order_by("code")
    if principal.role is Role.BUREAU and principal.region_code:
        regions = regions.filter(**subtree_filter("code", principal.region_code))
    return {
        "rules": await query.limit(200),
        "regions": [(r.code, f"{r.code} {r.name}") for r in await regions.limit(200)],
        "contract_kinds": choices("contract_kind"),
        "can_manage": can(principal, "counting_rule.manage"),
        "nav": "jobs",
    }


async def counting_rules(request: Request) -> Response:
    principal = page_principal(request)
    if principal.role not in (Role.BUREAU, Role.ADMIN):
        raise Forbidden()
    values = {"include_founders": True, "min_insured_months": "0", "region_code": principal.region_code or ""}
    context = {**await _rules_context(principal), "values": values, "errors": {}, "message": ""}
    return render(request, "tenants/counting_rules.html", context)


async def counting_rule_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "counting_rule.manage")
    form = form_of(request)
    code = str(form.get("region_code", ""))
    try:
        if not is_region_code(code):
            raise ValidationFailed({"region_code": N_("A region code has six digits (GB/T 2260), e.g. 540102.")})
        region = await get_visible(principal, Region, code)
        await roster.add_counting_rule(principal, region, parse_counting_rule(form, region_code=code))
    except ValidationFailed as exc:
        return rejected(request, "tenants/counting_rules.html", exc, await _rules_context(principal))
    return redirect("/region/counting-rules", gettext("The counting rule was saved."), request)
