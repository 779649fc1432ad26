"""Billing pages of a base: the overview with its runs, a run's preview and issue, charges, settings, closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator import tasks
from incubator.access import Principal, can, get_visible, require, visible
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import date as format_date
from incubator.formatting import money, today
from incubator.forms import FormReader
from incubator.i18n import N_, gettext
from incubator.models import Base
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.billing import parse_charge, parse_close, parse_month, parse_profile, parse_run
from tenants.models import SERVICE_KINDS, BillingRun, ClosedPeriod, ServiceCharge, Startup
from tenants.services import bills as services
from tenants.services import ledger

KIND = "billing_run"


def _base_id(principal: Principal) -> int:
    """The operator's base: billing is kept by a base's operators."""
    require(principal, "billing.manage")
    if principal.base_id is None:
        raise Forbidden()
    return principal.base_id


def _month(text: object) -> dt.date:
    """The month named YYYY-MM, or the current month."""
    form = FormReader({"period": str(text or "")[:7]})
    period = parse_month(form, "period") if form.raw("period") else None
    return period or today().replace(day=1)


async def _overview_context(request: Request, principal: Principal) -> dict[str, Any]:
    limit, offset = window(request.query_params)
    runs = await paginate(
        visible(principal, BillingRun).select_related("base").order_by("-period", "-id"), limit, offset
    )
    context: dict[str, Any] = {"runs": runs, "nav": "billing", "manage": can(principal, "billing.manage")}
    if context["manage"] and principal.base_id is not None:
        profile = await ledger.profile_of(principal.base_id)
        closings = await ClosedPeriod.filter(base_id=principal.base_id).order_by("-through").limit(12)
        pending = await ServiceCharge.filter(base_id=principal.base_id, bill_line_id__isnull=True).count()
        context.update(profile=profile, closings=closings, pending=pending)
    return context


async def billing(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    if principal.role.value == "founder":
        return redirect(f"/bills?startup={principal.startup_id}")
    context = await _overview_context(request, principal)
    month = today().replace(day=1)
    values = {"period": month.strftime("%Y-%m"), "month": (month - dt.timedelta(days=1)).strftime("%Y-%m")}
    return render(request, "tenants/billing.html", {"values": values, "errors": {}, "message": "", **context})


async def _preview_context(principal: Principal, period: dt.date) -> dict[str, Any]:
    base_id = _base_id(principal)
    preview = await services.preview_run(principal, base_id, period)
    return {"preview": preview, "period": period, "nav": "billing"}


async def run_preview(request: Request) -> Response:
    principal = page_principal(request)
    period = _month(request.query_params.get("period"))
    context = await _preview_context(principal, period)
    values = {"period": period.strftime("%Y-%m"), "issued_on": today().isoformat(), "digest": context["preview"].digest}
    return render(request, "tenants/billing_preview.html", {"values": values, "errors": {}, "message": "", **context})


async def run_issue(request: Request) -> Response:
    """Check the run, then issue it in the background; the task page shows progress and links to the bills."""
    principal = page_principal(request)
    base_id = _base_id(principal)
    form = form_of(request)
    try:
        data = parse_run(form)
        if form.get("confirm") != "1":
            raise ValidationFailed({"confirm": N_("Confirm that the preview is right: issued bills cannot be edited.")})
        await services.check_run(principal, base_id, data.period, data.issued_on)
    except ValidationFailed as exc:
        context = await _preview_context(principal, _month(form.get("period")))
        return rejected(request, "tenants/billing_preview.html", exc, context)
    base = await get_visible(principal, Base, base_id)

    async def work(progress: tasks.Progress) -> dict[str, Any]:
        run = await services.issue_run(
            principal, base_id, data.period, issued_on=data.issued_on, digest=data.digest, progress=progress
        )
        message = N_("%(count)d bills issued for %(month)s, %(total)s in all.")
        params = {"count": run.bills, "month": data.period.strftime("%Y-%m"), "total": money(run.total)}
        return {"lines": [{"msgid": message, "params": params}], "run_id": run.id}

    title = gettext("Billing run for %(month)s", month=data.period.strftime("%Y-%m"))
    task = await tasks.start(
        principal,
        KIND,
        title,
        work,
        base_id=base.id,
        region_code=base.region_id,
        link=f"/bills?period={data.period:%Y-%m}",
    )
    return redirect(f"/tasks/{task.id}")


# -- service charges ----------------------------------------------------------------------


async def _charges_context(request: Request, principal: Principal) -> dict[str, Any]:
    limit, offset = window(request.query_params)
    query = visible(principal, ServiceCharge).select_related("startup")
    state = request.query_params.get("state", "pending")
    query = query.filter(bill_line_id__isnull=state != "billed")
    page = await paginate(query.order_by("-incurred_on", "-id"), limit, offset)
    startups = await visible(principal, Startup).filter(base_id=principal.base_id or 0).order_by("name").limit(1000)
    return {
        "page": page,
        "state": "billed" if state == "billed" else "pending",
        "startups": [(s.id, s.name) for s in startups],
        "kinds": [(k.value, k) for k in SERVICE_KINDS],
        "manage": can(principal, "billing.manage"),
        "nav": "billing",
    }


async def charges(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "billing.view")
    values = {"incurred_on": today().isoformat(), "quantity": "1", "kind": "meeting_room"}
    context = await _charges_context(request, principal)
    return render(request, "tenants/charges.html", {"values": values, "errors": {}, "message": "", **context})


async def charge_add(request: Request) -> Response:
    principal = page_principal(request)
    _base_id(principal)
    try:
        charge = await services.add_charge(principal, parse_charge(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "tenants/charges.html", exc, await _charges_context(request, principal))
    return redirect(
        "/billing/charges",
        gettext("Charge of %(amount)s kept for the next bill.", amount=money(charge.amount)),
        request,
    )


async def charge_remove(request: Request) -> Response:
    principal = page_principal(request)
    charge = await get_visible(principal, ServiceCharge, request.path_params["charge_id"])
    try:
        await services.remove_charge(principal, charge)
    except ValidationFailed:
        return redirect(
            "/billing/charges", gettext("This charge is on a bill already: correct it with a credit note."), request
        )
    return redirect("/billing/charges", gettext("The charge is removed."), request)


# -- settings and closing -----------------------------------------------------------------


async def settings(request: Request) -> Response:
    principal = page_principal(request)
    base_id = _base_id(principal)
    profile = await ledger.profile_of(base_id)
    values = {name: getattr(profile, name) for name in ledger.PROFILE_FIELDS}
    return render(
        request,
        "tenants/billing_settings.html",
        {"values": values, "errors": {}, "message": "", "profile": profile, "nav": "billing"},
    )


async def settings_update(request: Request) -> Response:
    principal = page_principal(request)
    base_id = _base_id(principal)
    try:
        await ledger.update_profile(principal, base_id, parse_profile(form_of(request)))
    except ValidationFailed as exc:
        profile = await ledger.profile_of(base_id)
        return rejected(request, "tenants/billing_settings.html", exc, {"profile": profile, "nav": "billing"})
    return redirect("/billing/settings", gettext("Billing settings saved."), request)


async def close_month(request: Request) -> Response:
    principal = page_principal(request)
    base_id = _base_id(principal)
    form = form_of(request)
    try:
        month = parse_close(form)
        if form.get("confirm") != "1":
            raise ValidationFailed({"confirm": N_("Confirm the closing: a closed month cannot be reopened.")})
        profile = await ledger.close_month(principal, base_id, month)
    except ValidationFailed as exc:
        return rejected(request, "tenants/billing.html", exc, await _overview_context(request, principal))
    assert profile.closed_through is not None
    flash = gettext("The books are closed through %(date)s.", date=format_date(profile.closed_through))
    return redirect("/billing", flash, request)
