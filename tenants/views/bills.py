"""Bill pages: the list, a bill by hand, a bill with its settlement, credit notes and fapiao records."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import Q

from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import date as format_date
from incubator.formatting import money, today
from incubator.forms import FormReader
from incubator.i18n import N_, gettext
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.billing import parse_bill, parse_credit_note, parse_fapiao, parse_month
from tenants.models import (
    SERVICE_KINDS,
    Bill,
    BillLine,
    BillStatus,
    CreditNote,
    CreditNoteLine,
    FapiaoRecord,
    PaymentAllocation,
    Startup,
)
from tenants.services import bills as services
from tenants.services import payments as payment_services
from tenants.services.ledger import month_end
from tenants.services.rents import ZERO

STATUSES = ("issued", "cancelled", "owing", "overdue", "settled")


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    status = params.get("status", "")
    if params.get("overdue") == "1":
        status = "overdue"
    startup = params.get("startup", "")[:12]
    period = params.get("period", "")[:7]
    return {
        "status": status if status in STATUSES else "",
        "startup": startup if parse_id(startup) is not None else "",
        "period": period if period and parse_month(FormReader({"p": period}), "p") else "",
        "q": params.get("q", "").strip()[:60],
    }


async def bills(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    chosen = _filters(request)
    query = visible(principal, Bill).select_related("startup")
    day = today()
    match chosen["status"]:
        case "issued" | "cancelled":
            query = query.filter(status=chosen["status"])
        case "owing":
            query = query.filter(status=BillStatus.ISSUED, balance__gt=0)
        case "overdue":
            query = query.filter(status=BillStatus.ISSUED, balance__gt=0, due_on__lt=day)
        case "settled":
            query = query.filter(status=BillStatus.ISSUED, balance=0)
    if chosen["startup"]:
        query = query.filter(startup_id=int(chosen["startup"]))
    if chosen["period"]:
        first = parse_month(FormReader({"p": chosen["period"]}), "p")
        assert first is not None
        query = query.filter(period_start__lte=month_end(first), period_end__gte=first)
    if chosen["q"]:
        query = query.filter(Q(number__icontains=chosen["q"]) | Q(billed_to__icontains=chosen["q"]))
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-issued_on", "-id"), limit, offset)
    startups = await visible(principal, Startup).filter(bills__id__isnull=False).distinct().order_by("name").limit(500)
    link = "/bills?" + "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "tenants/bills.html",
        {
            "page": page,
            "chosen": chosen,
            "statuses": STATUSES,
            "startups": startups,
            "today": day,
            "link": link,
            "manage": can(principal, "billing.manage"),
            "nav": "bills",
        },
    )


async def _new_context(principal: Principal) -> dict[str, Any]:
    startups = await visible(principal, Startup).filter(base_id=principal.base_id or 0).order_by("name").limit(1000)
    return {"startups": [(s.id, s.name) for s in startups], "kinds": SERVICE_KINDS, "rows": range(5), "nav": "bills"}


async def bill_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.manage")
    day = today()
    first = day.replace(day=1)
    values = {
        "startup_id": request.query_params.get("startup", "")[:12],
        "period_start": first.isoformat(),
        "period_end": month_end(first).isoformat(),
        "issued_on": day.isoformat(),
        "include_rent": "1",
        "include_charges": "1",
    }
    context = await _new_context(principal)
    return render(request, "tenants/bill_form.html", {"values": values, "errors": {}, "message": "", **context})


async def bill_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.manage")
    form = form_of(request)
    try:
        data = parse_bill(form)
        if form.get("confirm") != "1":
            raise ValidationFailed({"confirm": N_("Confirm the bill: an issued bill cannot be edited.")})
        bill = await services.issue_bill(principal, data)
    except ValidationFailed as exc:
        return rejected(request, "tenants/bill_form.html", exc, await _new_context(principal))
    return redirect(f"/bills/{bill.id}", gettext("Bill %(number)s issued.", number=bill.number), request)


async def _bill_context(principal: Principal, bill: Bill) -> dict[str, Any]:
    lines = await BillLine.filter(bill_id=bill.id).select_related("lease").order_by("position")
    allocations = (
        await PaymentAllocation.filter(bill_id=bill.id).select_related("payment", "credit_note").order_by("id")
    )
    notes = await visible(principal, CreditNote).filter(bill_id=bill.id).order_by("issued_on", "id")
    fapiao = await FapiaoRecord.filter(bill_id=bill.id).order_by("issued_on", "id")
    day = today()
    return {
        "bill": bill,
        "lines": lines,
        "allocations": allocations,
        "notes": notes,
        "fapiao": fapiao,
        "fapiao_total": sum((f.amount for f in fapiao), ZERO),
        "overdue": bill.status is BillStatus.ISSUED and bill.balance > 0 and bill.due_on < day,
        "manage": can(principal, "billing.manage") and principal.base_id == bill.base_id,
        "today": day,
        "failed": "",
        "nav": "bills",
    }


async def _bill(request: Request) -> tuple[Principal, Bill]:
    principal = page_principal(request)
    require(principal, "billing.view")
    bill = await get_visible(principal, Bill, request.path_params["bill_id"], related=("startup",))
    return principal, bill


async def bill_detail(request: Request) -> Response:
    principal, bill = await _bill(request)
    context = await _bill_context(principal, bill)
    values = {"issued_on": today().isoformat()}
    return render(request, "tenants/bill_detail.html", {"values": values, "errors": {}, "message": "", **context})


async def credit_note_create(request: Request) -> Response:
    principal, bill = await _bill(request)
    require(principal, "billing.manage", bill)
    try:
        note = await payment_services.issue_credit_note(principal, bill, parse_credit_note(form_of(request)))
    except ValidationFailed as exc:
        bill = await get_visible(principal, Bill, bill.id, related=("startup",))
        context = {**await _bill_context(principal, bill), "failed": "credit"}
        return rejected(request, "tenants/bill_detail.html", exc, context)
    flash = gettext("Credit note %(number)s issued for %(amount)s.", number=note.number, amount=money(note.total))
    return redirect(f"/credit-notes/{note.id}", flash, request)


async def fapiao_record(request: Request) -> Response:
    principal, bill = await _bill(request)
    require(principal, "billing.manage", bill)
    try:
        record = await payment_services.record_fapiao(principal, bill, parse_fapiao(form_of(request)))
    except ValidationFailed as exc:
        context = {**await _bill_context(principal, bill), "failed": "fapiao"}
        return rejected(request, "tenants/bill_detail.html", exc, context)
    flash = gettext("Fapiao %(number)s of %(date)s recorded.", number=record.number, date=format_date(record.issued_on))
    return redirect(f"/bills/{bill.id}#fapiao", flash, request)


async def credit_notes(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    query = visible(principal, CreditNote).select_related("bill", "startup")
    startup = request.query_params.get("startup", "")[:12]
    if (startup_id := parse_id(startup)) is not None:
        query = query.filter(startup_id=startup_id)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-issued_on", "-id"), limit, offset)
    return render(request, "tenants/credit_notes.html", {"page": page, "startup": startup, "nav": "bills"})


async def credit_note_detail(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    note = await get_visible(principal, CreditNote, request.path_params["credit_note_id"], related=("bill", "startup"))
    lines = await CreditNoteLine.filter(credit_note_id=note.id).select_related("bill_line").order_by("id")
    released = await PaymentAllocation.filter(credit_note_id=note.id).select_related("payment").order_by("id")
    return render(
        request,
        "tenants/credit_note_detail.html",
        {"note": note, "lines": lines, "released": released, "nav": "bills"},
    )
