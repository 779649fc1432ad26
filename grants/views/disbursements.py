"""Disbursement pages: the bureau's payment batches, preparing one, a batch with its transfer list, paid."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grants.forms.notices import MAX_BATCH, parse_disbursement, parse_paid, parse_removal
from grants.models import Disbursement, DisbursementState
from grants.services import disbursements as service
from incubator import formatting
from incubator.access import Principal, can, require
from incubator.errors import ValidationFailed
from incubator.files import xlsx_response
from incubator.i18n import gettext
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render

NAV = "disbursements"


async def disbursement_list(request: Request) -> Response:
    principal = page_principal(request)
    query = service.visible_batches(principal)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-pay_on", "-id"), limit, offset)
    manage = can(principal, "subsidy.review")
    ready = await service.disbursable(principal).count() if manage else 0
    context = {"page": page, "manage": manage, "ready": ready, "nav": NAV}
    return render(request, "grants/disbursements.html", context)


async def _form_context(principal: Principal) -> dict[str, Any]:
    apps = (
        await service.disbursable(principal)
        .select_related("startup", "policy", "base", "notice")
        .order_by("id")
        .limit(MAX_BATCH)
    )
    return {"apps": apps, "max": MAX_BATCH, "nav": NAV}


async def disbursement_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.review")
    context = await _form_context(principal)
    values = {"pay_on": formatting.today().isoformat()}
    checked = {str(app.id) for app in context["apps"]}
    context = {**context, "checked": checked, "values": values, "errors": {}, "message": ""}
    return render(request, "grants/disbursement_form.html", context)


async def disbursement_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.review")
    form = form_of(request)
    try:
        batch = await service.create_batch(principal, parse_disbursement(form, today=formatting.today()))
    except ValidationFailed as exc:
        context = {**await _form_context(principal), "checked": set(form.getlist("application_ids"))}
        return rejected(request, "grants/disbursement_form.html", exc, context)
    flash = gettext(
        "Payment batch %(number)s is prepared: download its transfer list, then record it as paid.",
        number=batch.number,
    )
    return redirect(f"/disbursements/{batch.id}", flash, request)


async def _detail_context(principal: Principal, batch: Disbursement) -> dict[str, Any]:
    return {
        "batch": batch,
        "lines": await service.lines(batch),
        "draft": batch.state is DisbursementState.DRAFT,
        "manage": can(principal, "subsidy.review"),
        "values": {"paid_on": formatting.today().isoformat()},
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def disbursement_detail(request: Request) -> Response:
    principal = page_principal(request)
    batch = await service.get_batch(principal, request.path_params["disbursement_id"])
    return render(request, "grants/disbursement_detail.html", await _detail_context(principal, batch))


async def disbursement_paid(request: Request) -> Response:
    principal = page_principal(request)
    batch = await service.get_batch(principal, request.path_params["disbursement_id"])
    require(principal, "subsidy.review", batch)
    try:
        batch = await service.record_paid(principal, batch, parse_paid(form_of(request), today=formatting.today()))
    except ValidationFailed as exc:
        context = await _detail_context(principal, batch)
        return rejected(request, "grants/disbursement_detail.html", exc, context)
    flash = gettext("Payment batch %(number)s is recorded as paid.", number=batch.number)
    return redirect(f"/disbursements/{batch.id}", flash, request)


async def disbursement_remove(request: Request) -> Response:
    principal = page_principal(request)
    batch = await service.get_batch(principal, request.path_params["disbursement_id"])
    require(principal, "subsidy.review", batch)
    try:
        batch = await service.remove_application(principal, batch, parse_removal(form_of(request)))
    except ValidationFailed as exc:
        context = await _detail_context(principal, batch)
        return rejected(request, "grants/disbursement_detail.html", exc, context)
    flash = gettext("The application was taken out of the batch; it can go in another one.")
    return redirect(f"/disbursements/{batch.id}", flash, request)


async def disbursement_delete(request: Request) -> Response:
    principal = page_principal(request)
    batch = await service.get_batch(principal, request.path_params["disbursement_id"])
    require(principal, "subsidy.review", batch)
    await service.delete_batch(principal, batch)
    flash = gettext("Payment batch %(number)s was deleted.", number=batch.number)
    return redirect("/disbursements", flash, request)


async def transfer_list_download(request: Request) -> Response:
    principal = page_principal(request)
    batch = await service.get_batch(principal, request.path_params["disbursement_id"])
    content = await service.transfer_list(batch)
    return xlsx_response(content, f"{gettext('Transfer list')}-{batch.number}.xlsx")
