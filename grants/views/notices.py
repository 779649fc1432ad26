"""Public notice pages: the bureau's notices, publishing one, a notice with its objections, print and PDF,
and the public page anyone may open without logging in."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grants.forms.notices import DEFAULT_WORKING_DAYS, MAX_BATCH, parse_notice, parse_objection
from grants.models import Application, AppState, Objection, PublicNotice
from grants.services import notices as service
from incubator import formatting
from incubator.access import Principal, can, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.i18n import gettext
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.pdf import html_to_pdf, pdf_response
from incubator.templating import STATIC_DIR, context_for, environment, render
from tenants.views.documents import document_filename

NAV = "notices"
PRINT = "grants/notice_print.html"


async def notice_list(request: Request) -> Response:
    principal = page_principal(request)
    query = service.visible_notices(principal).select_related("bureau")
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-published_on", "-id"), limit, offset)
    manage = can(principal, "subsidy.review")
    return render(
        request,
        "grants/notices.html",
        {
            "page": page,
            "counts": await service.state_counts(n.id for n in page.items),
            "totals": {n.id: service.entries_total(n) for n in page.items},
            "over": {n.id: service.period_over(n) for n in page.items},
            "waiting": await service.waiting(principal).count() if manage else 0,
            "manage": manage,
            "nav": NAV,
        },
    )


async def _form_context(principal: Principal) -> dict[str, Any]:
    apps = await service.waiting(principal).select_related("startup", "policy", "base").order_by("id").limit(MAX_BATCH)
    return {"apps": apps, "max": MAX_BATCH, "nav": NAV}


async def notice_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.review")
    context = await _form_context(principal)
    values = {
        "published_on": formatting.today().isoformat(),
        "working_days": str(DEFAULT_WORKING_DAYS),
    }
    checked = {str(app.id) for app in context["apps"]}
    context = {**context, "checked": checked, "values": values, "errors": {}, "message": ""}
    return render(request, "grants/notice_form.html", context)


async def notice_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "subsidy.review")
    form = form_of(request)
    try:
        notice = await service.publish(principal, parse_notice(form, today=formatting.today()))
    except ValidationFailed as exc:
        context = {**await _form_context(principal), "checked": set(form.getlist("application_ids"))}
        return rejected(request, "grants/notice_form.html", exc, context)
    flash = gettext(
        "The notice is published: it runs until %(date)s.",
        date=formatting.date(notice.ends_on),
    )
    return redirect(f"/notices/{notice.id}", flash, request)


async def _detail_context(principal: Principal, notice: PublicNotice) -> dict[str, Any]:
    ids = service.entry_ids(notice)
    apps = {app.id: app for app in await visible(principal, Application).filter(id__in=ids)}
    objections = await Objection.filter(notice_id=notice.id).order_by("received_on", "id")
    objected = {o.application_id for o in objections}
    return {
        "notice": notice,
        "apps": apps,
        "objections": objections,
        "objected": objected,
        "total": service.entries_total(notice),
        "over": service.period_over(notice),
        "running": service.running(notice),
        "manage": can(principal, "subsidy.review"),
        "in_notice": AppState.IN_NOTICE,
        "objection_for": None,
        "today": formatting.today().isoformat(),
        "values": {},
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def notice_detail(request: Request) -> Response:
    principal = page_principal(request)
    notice = await service.get_notice(principal, request.path_params["notice_id"])
    return render(request, "grants/notice_detail.html", await _detail_context(principal, notice))


async def objection_create(request: Request) -> Response:
    principal = page_principal(request)
    notice = await service.get_notice(principal, request.path_params["notice_id"])
    require(principal, "subsidy.review", notice)
    form = form_of(request)
    try:
        await service.record_objection(principal, notice, parse_objection(form, today=formatting.today()))
    except ValidationFailed as exc:
        context = await _detail_context(principal, notice)
        raw = str(form.get("application_id", ""))[:12]
        context["objection_for"] = parse_id(raw)
        return rejected(request, "grants/notice_detail.html", exc, context)
    return redirect(
        f"/notices/{notice.id}#objections",
        gettext("The objection is recorded; the application is back in the bureau's review."),
        request,
    )


def _print_context(notice: PublicNotice, *, public: bool) -> dict[str, Any]:
    prefix = f"/public/notices/{notice.id}" if public else f"/notices/{notice.id}"
    return {
        "notice": notice,
        "total": service.entries_total(notice),
        "pdf_url": f"{prefix}.pdf",
        "back_url": prefix if public else f"/notices/{notice.id}",
    }


async def _pdf(request: Request, notice: PublicNotice, context: dict[str, Any]) -> Response:
    html = environment().get_template(PRINT).render(context_for(request, {**context, "pdf": True}))
    content = await html_to_pdf(html, base_url=STATIC_DIR.as_uri() + "/")
    return pdf_response(content, document_filename(notice.title, str(notice.id)))


async def notice_print(request: Request) -> Response:
    notice = await service.get_notice(page_principal(request), request.path_params["notice_id"])
    context = {**_print_context(notice, public=False), "pdf": False}
    return render(request, PRINT, context, headers={"cache-control": "private, no-store"})


async def notice_pdf(request: Request) -> Response:
    notice = await service.get_notice(page_principal(request), request.path_params["notice_id"])
    return await _pdf(request, notice, _print_context(notice, public=False))


async def public_page(request: Request) -> Response:
    """The notice as the public reads it: no login, masked names, no ids of people."""
    notice = await service.public_notice(request.path_params["notice_id"])
    context = {**_print_context(notice, public=True), "over": service.period_over(notice)}
    return render(request, "grants/notice_public.html", context)


async def public_pdf(request: Request) -> Response:
    notice = await service.public_notice(request.path_params["notice_id"])
    return await _pdf(request, notice, _print_context(notice, public=True))
