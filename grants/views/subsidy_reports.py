"""Subsidy dashboard (money applied, approved and paid, with charts) and the ledger of subsidies."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import Subquery

from grants.forms.subsidy_reports import FIRST_YEAR, LedgerQuery, parse_ledger_query, parse_year
from grants.services import subsidy_exports
from grants.services import subsidy_reports as service
from grants.views import subsidy_charts
from incubator.access import Principal, require, visible
from incubator.errors import ValidationFailed
from incubator.files import xlsx_response
from incubator.formatting import month, today
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.models import Base, Region, Role
from incubator.pages import field_errors, page_principal
from incubator.pagination import paginate, window
from incubator.regions import in_subtree, parent_code
from incubator.templating import render
from tenants.models import Startup

NAV = "subsidy_figures"


def _years(year: int) -> list[int]:
    now = today().year
    return sorted({*range(max(FIRST_YEAR, now - 5), now + 1), year}, reverse=True)


def _failed(request: Request, template: str, exc: ValidationFailed, context: dict[str, Any]) -> Response:
    context = {**context, "errors": field_errors(exc), "message": gettext(exc.message, **exc.params), "nav": NAV}
    return render(request, template, context, status_code=exc.status_code)


async def dashboard(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.figures")
    try:
        year = parse_year(request.query_params, today=today())
    except ValidationFailed as exc:
        return _failed(request, "grants/subsidy_dashboard.html", exc, {"board": None, "years": _years(today().year)})
    board = await service.dashboard(principal, year)
    months = [month(dt.date(year, n, 1), short=True) for n in range(1, 13)]
    charts = [
        subsidy_charts.bar_chart("chart-policy", gettext("By policy"), board.by_policy),
        subsidy_charts.column_chart("chart-month", gettext("By month"), board.by_month, months),
    ]
    if board.by_base:
        charts.append(subsidy_charts.bar_chart("chart-base", gettext("By base"), board.by_base))
    return render(
        request,
        "grants/subsidy_dashboard.html",
        {
            "board": board,
            "charts": {chart.id: chart for chart in charts},
            "years": _years(year),
            "measures": subsidy_charts.legend(),
            "rules": [gettext(service.RULES[m]) for m in service.MEASURES],
            "errors": {},
            "nav": NAV,
        },
    )


async def dashboard_export(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.figures")
    year = parse_year(request.query_params, today=today())
    content = await subsidy_exports.export_dashboard(principal, year)
    return xlsx_response(content, f"subsidies-{year}.xlsx")


async def _filter_options(principal: Principal) -> dict[str, list[tuple[str, str]]]:
    """What the ledger can be narrowed to: the principal's bases, startups and regions."""
    options: dict[str, list[tuple[str, str]]] = {"bases": [], "startups": [], "regions": []}
    if principal.role is Role.FOUNDER:
        return options
    bases = (
        await visible(principal, Base).order_by("region_id", "name").limit(500).values_list("id", "name", "region_id")
    )
    startups = (
        await visible(principal, Startup)
        .filter(id__in=Subquery(service.ledger_rows(principal, LedgerQuery()).values("startup_id")))
        .order_by("name")
        .limit(1000)
        .values_list("id", "name")
    )
    options["startups"] = [(str(pk), str(name)) for pk, name in startups]
    if principal.role is Role.OPERATOR:
        return options
    options["bases"] = [(str(pk), str(name)) for pk, name, _region in bases]
    codes = {str(code) for _pk, _name, code in bases}
    codes |= {p for code in codes if (p := parent_code(code))}
    if principal.region_code:
        codes = {code for code in codes if in_subtree(code, principal.region_code)}
    regions = (
        await visible(principal, Region).filter(code__in=sorted(codes)).order_by("code").values_list("code", "name")
    )
    options["regions"] = [(str(code), f"{name} ({code})") for code, name in regions]
    return options


async def ledger(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.view")
    context: dict[str, Any] = {
        "kinds": choices("policy_kind"),
        "years": _years(today().year),
        "values": {k: v for k, v in request.query_params.items() if isinstance(v, str)},
        "errors": {},
        "nav": NAV if principal.role is not Role.FOUNDER else "subsidy_ledger",
        **await _filter_options(principal),
    }
    try:
        query = parse_ledger_query(request.query_params, today=today())
    except ValidationFailed as exc:
        return _failed(request, "grants/subsidy_ledger.html", exc, {**context, "page": None})
    limit, offset = window(request.query_params)
    page = await paginate(service.ledger_rows(principal, query).select_related("startup", "base"), limit, offset)
    by_startup = await service.ledger_totals(principal, query, "startup", limit=service.TOTALS_SHOWN)
    return render(
        request,
        "grants/subsidy_ledger.html",
        {
            **context,
            "page": page,
            "rows": [(app, service.ledger_state(app)) for app in page.items],
            "total": await service.ledger_total(principal, query),
            "by_base": await service.ledger_totals(principal, query, "base"),
            "by_region": await service.ledger_totals(principal, query, "region"),
            "by_startup": by_startup,
            "startup_groups": await service.ledger_groups(principal, query, "startup"),
            "query": urlencode(query.params()),
        },
    )


async def ledger_export(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.view")
    query = parse_ledger_query(request.query_params, today=today())
    content = await subsidy_exports.export_ledger(principal, query)
    return xlsx_response(content, f"subsidy-ledger{'-' + str(query.year) if query.year else ''}.xlsx")
