"""Account pages: a startup's statement, aged receivables, a base's overdue bills, exports for the accountant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, get_visible, require
from incubator.errors import ValidationFailed
from incubator.files import UNSAFE_NAME, xlsx_response
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.models import Base, Role
from incubator.pages import field_errors, page_principal
from incubator.pagination import window
from incubator.templating import is_htmx, render
from tenants.forms.accounts import parse_as_of, parse_base, parse_export_period, parse_statement_period
from tenants.models import Startup
from tenants.services import account_exports, accounts

RENT_YEARS = 3
OVERDUE_SHOWN = 10
BILLS = N_("bills")
PAYMENTS = N_("payments")
STATEMENT = N_("statement")


def _nav(principal: Principal) -> str:
    return {Role.OPERATOR: "base", Role.FOUNDER: "startup"}.get(principal.role, "bases")


async def _startup(request: Request, principal: Principal) -> Startup:
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "billing.view", startup)
    return startup


async def statement(request: Request) -> Response:
    principal = page_principal(request)
    startup = await _startup(request, principal)
    day = today()
    context: dict[str, Any] = {"startup": startup, "nav": _nav(principal), "errors": {}, "message": ""}
    context["values"] = {k: request.query_params.get(k, "") for k in ("start", "end")}
    context["rent_years"] = [await accounts.rent_paid(startup, day.year - n) for n in range(RENT_YEARS)]
    try:
        start, end = parse_statement_period(request.query_params, today=day)
        limit, offset = window(request.query_params)
        found = await accounts.statement(principal, startup, start, end, limit=limit, offset=offset)
    except ValidationFailed as exc:
        context.update(statement=None, errors=field_errors(exc), message=gettext(exc.message, **exc.params))
        return render(request, "tenants/statement.html", context, status_code=exc.status_code)
    context["values"] = {"start": start.isoformat(), "end": end.isoformat()}
    return render(request, "tenants/statement.html", {**context, "statement": found})


def _filename(kind: str, name: str, start: dt.date, end: dt.date) -> str:
    parts = [gettext(kind), UNSAFE_NAME.sub("_", name), start.isoformat(), end.isoformat()]
    return "-".join(part for part in parts if part) + ".xlsx"


async def statement_export(request: Request) -> Response:
    principal = page_principal(request)
    startup = await _startup(request, principal)
    start, end = parse_statement_period(request.query_params, today=today())
    content = await account_exports.export_statement(principal, startup, start, end)
    return xlsx_response(content, _filename(STATEMENT, startup.name, start, end))


async def receivables(request: Request) -> Response:
    principal = page_principal(request)
    as_of = parse_as_of(request.query_params, today=today())
    base_id = parse_base(request.query_params)
    limit, offset = window(request.query_params)
    aged = await accounts.aged_receivables(principal, base_id, as_of, limit=limit, offset=offset)
    query = f"as_of={as_of.isoformat()}" + (f"&base={aged.base.id}" if aged.base and base_id else "")
    context = {
        "aged": aged,
        "buckets": accounts.BUCKETS,
        "page_url": f"/billing/receivables?{query}",
        "picks_base": principal.role is not Role.OPERATOR,
        "nav": _nav(principal),
    }
    return render(request, "tenants/receivables.html", context)


async def base_overdue(request: Request) -> Response:
    principal = page_principal(request)
    found = await accounts.overdue(principal, request.path_params["base_id"], today(), OVERDUE_SHOWN)
    template = "tenants/_overdue_bills.html" if is_htmx(request) else "tenants/overdue.html"
    return render(request, template, {"overdue": found, "nav": _nav(principal)})


async def _export_base(principal: Principal, request: Request) -> Base | None:
    base_id = parse_base(request.query_params)
    return None if base_id is None else await get_visible(principal, Base, base_id)


async def bills_export(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    base = await _export_base(principal, request)
    start, end = parse_export_period(request.query_params, today=today())
    content = await account_exports.export_bills(principal, start, end, base.id if base else None)
    return xlsx_response(content, _filename(BILLS, base.name if base else principal.label, start, end))


async def payments_export(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    base = await _export_base(principal, request)
    start, end = parse_export_period(request.query_params, today=today())
    content = await account_exports.export_payments(principal, start, end, base.id if base else None)
    return xlsx_response(content, _filename(PAYMENTS, base.name if base else principal.label, start, end))
