"""Payment pages: the list, recording money received against a startup's bills, a payment, applying credit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import money, today
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import is_htmx, render
from tenants.forms.billing import parse_payment
from tenants.models import Bill, BillStatus, Payment, PaymentAllocation, Startup
from tenants.services import payments as services
from tenants.services.rents import ZERO


async def payments(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    query = visible(principal, Payment).select_related("startup")
    startup = request.query_params.get("startup", "")[:12]
    if (startup_id := parse_id(startup)) is not None:
        query = query.filter(startup_id=startup_id)
    method = request.query_params.get("method", "")
    if method in {value for value, _text in choices("payment_method")}:
        query = query.filter(method=method)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-received_on", "-id"), limit, offset)
    startups = (
        await visible(principal, Startup).filter(payments__id__isnull=False).distinct().order_by("name").limit(500)
    )
    return render(
        request,
        "tenants/payments.html",
        {
            "page": page,
            "startup": startup,
            "method": method,
            "methods": choices("payment_method"),
            "startups": startups,
            "manage": can(principal, "billing.manage"),
            "nav": "payments",
        },
    )


async def _form_context(principal: Principal, startup_id: str) -> dict[str, Any]:
    startups = await visible(principal, Startup).filter(base_id=principal.base_id or 0).order_by("name").limit(1000)
    owing: list[Bill] = []
    credit = None
    if (startup := parse_id(startup_id)) is not None:
        owing = (
            await visible(principal, Bill)
            .filter(startup_id=startup, status=BillStatus.ISSUED, balance__gt=0)
            .order_by("due_on", "id")
            .limit(50)
        )
        credit = sum(
            (p.unapplied for p in await visible(principal, Payment).filter(startup_id=startup, unapplied__gt=0)),
            ZERO,
        )
    return {
        "startups": [(s.id, s.name) for s in startups],
        "owing": owing,
        "credit": credit,
        "methods": choices("payment_method"),
        "today": today(),
        "nav": "payments",
    }


async def payment_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.manage")
    params = request.query_params
    startup_id = (params.get("startup") or params.get("startup_id") or "")[:12]
    values: dict[str, Any] = {
        "startup_id": startup_id,
        "received_on": today().isoformat(),
        "method": "bank_transfer",
    }
    bill_id = request.query_params.get("bill", "")[:12]
    context = await _form_context(principal, startup_id)
    if (wanted := parse_id(bill_id)) is not None:
        for bill in context["owing"]:
            if bill.id == wanted:
                values["amount"] = str(bill.balance)
                values[f"allocation_{bill.id}"] = str(bill.balance)
        startup = await visible(principal, Startup).filter(id=parse_id(startup_id) or 0).first()
        values["payer"] = startup.name if startup else ""
    template = "tenants/_payment_bills.html" if is_htmx(request) else "tenants/payment_form.html"
    return render(request, template, {"values": values, "errors": {}, "message": "", **context})


async def payment_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.manage")
    form = form_of(request)
    try:
        payment = await services.record_payment(principal, parse_payment(form))
    except ValidationFailed as exc:
        context = await _form_context(principal, str(form.get("startup_id", ""))[:12])
        return rejected(request, "tenants/payment_form.html", exc, context)
    flash = gettext(
        "Payment of %(amount)s recorded: receipt %(number)s.", amount=money(payment.amount), number=payment.number
    )
    return redirect(f"/payments/{payment.id}", flash, request)


async def payment_detail(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    payment = await get_visible(principal, Payment, request.path_params["payment_id"], related=("startup",))
    allocations = (
        await PaymentAllocation.filter(payment_id=payment.id).select_related("bill", "credit_note").order_by("id")
    )
    return render(
        request,
        "tenants/payment_detail.html",
        {"payment": payment, "allocations": allocations, "nav": "payments"},
    )


async def credit_apply(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "billing.manage", startup)
    try:
        applied = await services.apply_credit(principal, startup, today())
    except ValidationFailed:
        return redirect(
            f"/payments?startup={startup.id}", gettext("There is no credit to apply, or no bill owing."), request
        )
    return redirect(
        f"/bills?startup={startup.id}",
        gettext("%(amount)s of credit applied to bills owing.", amount=money(applied)),
        request,
    )
