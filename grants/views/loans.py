"""Loan pages: the registry, recording and correcting a loan, a loan with its schedule and repayments."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grants.forms.loans import parse_loan, parse_repayment
from grants.models import Application, Loan, LoanRepayment
from grants.services import loans as service
from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import money, today
from incubator.i18n import N_, gettext
from incubator.labels import choices
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.models import Founder, Startup

NAV = "loans"
PERIOD_CHOICES = (
    (1, N_("Every month")),
    (3, N_("Every quarter")),
    (6, N_("Every half year")),
    (12, N_("Every year")),
)


async def loans(request: Request) -> Response:
    principal = page_principal(request)
    query = service.visible_loans(principal).select_related("startup")
    startup = request.query_params.get("startup", "")[:12]
    if (startup_id := parse_id(startup)) is not None:
        query = query.filter(startup_id=startup_id)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-start_on", "-id"), limit, offset)
    repaid = await service.repaid_by_loan(loan.id for loan in page.items)
    rows = [(loan, loan.principal - repaid.get(loan.id, (service.ZERO, service.ZERO))[0]) for loan in page.items]
    startups = await visible(principal, Startup).filter(loans__id__isnull=False).distinct().order_by("name").limit(500)
    return render(
        request,
        "grants/loans.html",
        {
            "page": page,
            "rows": rows,
            "startup": startup if startup.isdigit() else "",
            "startups": startups,
            "manage": can(principal, "loan.manage"),
            "nav": NAV,
        },
    )


async def _form_context(principal: Principal) -> dict[str, Any]:
    base_id = principal.base_id or 0
    startups = await visible(principal, Startup).filter(base_id=base_id).order_by("name").limit(1000)
    founders = (
        await visible(principal, Founder)
        .filter(startup__base_id=base_id, left_on__isnull=True)
        .select_related("person", "startup")
        .order_by("startup__name", "joined_on", "id")
        .limit(3000)
    )
    by_startup: dict[str, list[tuple[int, str]]] = {}
    for founder in founders:
        by_startup.setdefault(founder.startup.name, []).append((founder.person_id, founder.person.name))
    return {
        "startups": [(s.id, s.name) for s in startups],
        "founders": by_startup,
        "kinds": choices("borrower_kind"),
        "methods": choices("repayment_method"),
        "periods": [(value, gettext(text)) for value, text in PERIOD_CHOICES],
        "nav": NAV,
    }


async def loan_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "loan.manage")
    now = today().isoformat()
    values = {
        "startup_id": request.query_params.get("startup", "")[:12],
        "borrower_kind": "individual",
        "partners": "1",
        "contract_on": now,
        "start_on": now,
        "term_months": "36",
        "period_months": "1",
        "method": "equal_principal",
    }
    context = await _form_context(principal)
    return render(
        request, "grants/loan_form.html", {"values": values, "errors": {}, "message": "", "loan": None, **context}
    )


async def loan_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "loan.manage")
    try:
        data = parse_loan(form_of(request), today=today())
        assert data.startup_id is not None
        startup = await service.startup_for_loan(principal, data.startup_id)
        loan = await service.create_loan(principal, startup, data)
    except ValidationFailed as exc:
        context = await _form_context(principal)
        return rejected(request, "grants/loan_form.html", exc, {"loan": None, **context})
    return redirect(f"/loans/{loan.id}", gettext("Loan recorded."), request)


async def _loan(request: Request, principal: Principal) -> Loan:
    return await get_visible(principal, Loan, request.path_params["loan_id"], related=("startup",))


def _values_of(loan: Loan) -> dict[str, Any]:
    values = {name: str(getattr(loan, name) or "") for name in service.LOAN_FIELDS}
    values["borrower_kind"], values["method"] = loan.borrower_kind.value, loan.method.value
    return values


async def loan_edit(request: Request) -> Response:
    principal = page_principal(request)
    loan = await _loan(request, principal)
    service.require_operator(principal, loan.base_id)
    context = await _form_context(principal)
    locked = await Application.filter(loan_id=loan.id).exists()
    message = (
        gettext("A subsidy application refers to this loan: its terms can no longer be changed.") if locked else ""
    )
    return render(
        request,
        "grants/loan_form.html",
        {"values": _values_of(loan), "errors": {}, "message": message, "loan": loan, **context},
    )


async def loan_update(request: Request) -> Response:
    principal = page_principal(request)
    loan = await _loan(request, principal)
    service.require_operator(principal, loan.base_id)
    try:
        await service.update_loan(principal, loan, parse_loan(form_of(request), today=today(), creating=False))
    except ValidationFailed as exc:
        context = await _form_context(principal)
        return rejected(request, "grants/loan_form.html", exc, {"loan": loan, **context})
    return redirect(f"/loans/{loan.id}", gettext("Loan terms saved."), request)


async def _detail_context(principal: Principal, loan: Loan) -> dict[str, Any]:
    repayments = await visible(principal, LoanRepayment).filter(loan_id=loan.id).order_by("paid_on", "id")
    repaid = sum((r.principal for r in repayments), service.ZERO)
    return {
        "loan": loan,
        "periods": await service.period_rows(loan, today()),
        "repayments": repayments,
        "repaid_principal": repaid,
        "repaid_interest": sum((r.interest for r in repayments), service.ZERO),
        "outstanding": loan.principal - repaid,
        "period_label": dict((value, gettext(text)) for value, text in PERIOD_CHOICES).get(loan.period_months, ""),
        "manage": can(principal, "loan.manage") and principal.base_id == loan.base_id,
        "can_apply": can(principal, "subsidy.apply"),
        "values": {"paid_on": today().isoformat()},
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def loan_detail(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "loan.view")
    loan = await _loan(request, principal)
    return render(request, "grants/loan_detail.html", await _detail_context(principal, loan))


async def repayment_create(request: Request) -> Response:
    principal = page_principal(request)
    loan = await _loan(request, principal)
    service.require_operator(principal, loan.base_id)
    try:
        repayment = await service.record_repayment(principal, loan, parse_repayment(form_of(request), today=today()))
    except ValidationFailed as exc:
        return rejected(request, "grants/loan_detail.html", exc, await _detail_context(principal, loan))
    flash = gettext(
        "Repayment of %(principal)s principal and %(interest)s interest recorded.",
        principal=money(repayment.principal),
        interest=money(repayment.interest),
    )
    return redirect(f"/loans/{loan.id}#repayments", flash, request)
