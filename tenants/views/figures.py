"""Base figures pages: one base, a region's bases side by side, and the recognition standards."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require, visible
from incubator.errors import ValidationFailed
from incubator.formatting import date, today
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.models import Base, BaseLevel, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.figures import FIRST_YEAR, PERCENT_MEASURES, parse_period, parse_standard
from tenants.models import RecognitionStandard
from tenants.services import figures as service

REGION_PAGE_SIZE = 20


def _shared(nav: str, year: int) -> dict[str, Any]:
    return {
        "nav": nav,
        "years": list(range(today().year, FIRST_YEAR - 1, -1)),
        "year": year,
        "rules": service.RULES,
        "percent_measures": PERCENT_MEASURES,
        "level": service.COMPARED_LEVEL,
    }


async def base_figures(request: Request) -> Response:
    principal = page_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"], related=("region",))
    require(principal, "figures.view", base)
    period = parse_period(request.query_params, today=today())
    figures = await service.base_figures(principal, base, year=period.year, day=period.day)
    nav = {Role.OPERATOR: "base", Role.BUREAU: "figures"}.get(principal.role, "bases")
    return render(
        request,
        "tenants/base_figures.html",
        {"base": base, "figures": figures, **_shared(nav, period.year)},
    )


async def region_figures(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "figures.compare")
    period = parse_period(request.query_params, today=today())
    query = visible(principal, Base).select_related("region").order_by("region_id", "id")
    limit, offset = window(request.query_params, default_limit=REGION_PAGE_SIZE)
    page = await paginate(query, limit, offset)
    rows = await service.region_figures(principal, page.items, year=period.year, day=period.day)
    standards = await service.standards_in_force(service.COMPARED_LEVEL, period.day)
    return render(
        request,
        "tenants/region_figures.html",
        {
            "page": page,
            "rows": rows,
            "standards": standards,
            "checks": service.CHECKS,
            "day": period.day,
            **_shared("figures", period.year),
        },
    )


async def _standards_context(request: Request, principal: Principal) -> dict[str, Any]:
    day = today()
    in_force = await service.standards_in_force_by_level(day)
    limit, offset = window(request.query_params)
    history = await paginate(
        visible(principal, RecognitionStandard).order_by("level", "measure", "-effective_from", "-id"), limit, offset
    )
    return {
        "nav": "standards",
        "day": day,
        "in_force": in_force,
        "in_force_ids": {row.id for rows in in_force.values() for row in rows.values()},
        "page": history,
        "percent_measures": PERCENT_MEASURES,
        "can_manage": can(principal, "standard.manage"),
        "levels": [(value, text) for value, text in choices("base_level") if value != BaseLevel.NONE],
        "measures": choices("standard_measure"),
    }


async def standards(request: Request) -> Response:
    principal = page_principal(request)
    context = await _standards_context(request, principal)
    return render(request, "tenants/standards.html", {"values": {}, "errors": {}, "message": "", **context})


async def standard_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "standard.manage")
    try:
        standard = await service.add_standard_version(principal, parse_standard(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "tenants/standards.html", exc, await _standards_context(request, principal))
    return redirect(
        "/standards", gettext("Standard version from %(day)s saved.", day=date(standard.effective_from)), request
    )
