"""Startup pages: the list in scope, admission, details, lifecycle steps and founders."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise.functions import Count

from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.labels import choices, label
from incubator.models import Base, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.startups import parse_contact, parse_founder, parse_left_on, parse_startup, parse_transition
from tenants.models import BasePerson, Founder, Lease, Startup, StartupEvent, StartupStatus
from tenants.services import startups as service


def _nav(principal: Principal) -> str:
    return "startup" if principal.role is Role.FOUNDER else "startups"


async def startups(request: Request) -> Response:
    principal = page_principal(request)
    if principal.role is Role.FOUNDER and principal.startup_id is not None:
        return redirect(f"/startups/{principal.startup_id}")
    query = visible(principal, Startup).select_related("base").order_by("-id")
    status = request.query_params.get("status", "")
    counts_query = visible(principal, Startup)
    if (base_id := parse_id(request.query_params.get("base", ""))) is not None:
        query, counts_query = query.filter(base_id=base_id), counts_query.filter(base_id=base_id)
    if q := request.query_params.get("q", "").strip()[:64]:
        looks_like_uscc = len(q) == 18 and q.isascii() and q.isalnum()
        query = query.filter(uscc=q.upper()) if looks_like_uscc else query.filter(name__icontains=q)
    if status in StartupStatus.__members__.values():
        query = query.filter(status=status)
    counts = {
        row["status"]: row["n"]
        for row in await counts_query.annotate(n=Count("id")).group_by("status").values("status", "n")
    }
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return render(
        request,
        "tenants/startups.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "base": base_id or "",
            "counts": counts,
            "statuses": list(StartupStatus),
            "can_manage": can(principal, "startup.manage"),
            "nav": "startups",
        },
    )


async def _form_context(startup: Startup | None) -> dict[str, Any]:
    return {
        "startup": startup,
        "legal_forms": choices("legal_form"),
        "industries": choices("industry"),
        "nav": "startups",
    }


async def _own_base(principal: Principal) -> Base:
    require(principal, "startup.manage")
    return await get_visible(principal, Base, principal.base_id)


async def startup_new(request: Request) -> Response:
    await _own_base(page_principal(request))
    values = {"applied_on": today().isoformat()}
    return render(
        request,
        "tenants/startup_form.html",
        {"values": values, "errors": {}, "message": "", **await _form_context(None)},
    )


async def startup_create(request: Request) -> Response:
    principal = page_principal(request)
    base = await _own_base(principal)
    try:
        startup = await service.create_startup(principal, base, parse_startup(form_of(request), today=today()))
    except ValidationFailed as exc:
        return rejected(request, "tenants/startup_form.html", exc, await _form_context(None))
    return redirect(f"/startups/{startup.id}", gettext("Startup %(name)s saved.", name=startup.name), request)


async def startup_detail(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    return render(request, "tenants/startup_detail.html", await _detail_context(principal, startup))


async def _detail_context(principal: Principal, startup: Startup) -> dict[str, Any]:
    founders = await visible(principal, Founder).filter(startup_id=startup.id).select_related("person")
    flagged: set[int] = set()
    if principal.role is Role.OPERATOR:
        flags = BasePerson.filter(
            base_id=startup.base_id, name_flagged=True, person_id__in=[f.person_id for f in founders]
        )
        flagged = {row["person_id"] for row in await flags.values("person_id")}
    leases = await visible(principal, Lease).filter(startup_id=startup.id).order_by("-start_on").limit(50)
    events = await visible(principal, StartupEvent).filter(startup_id=startup.id).order_by("on", "id")
    return {
        "startup": startup,
        "founders": founders,
        "flagged": flagged,
        "leases": leases,
        "events": events,
        "today": today(),
        "can_manage": can(principal, "startup.manage"),
        "can_contact": can(principal, "startup.contact"),
        "transitions": service.allowed_transitions(startup) if can(principal, "startup.manage") else [],
        "founder_roles": choices("founder_role"),
        "exit_reasons": choices("exit_reason"),
        "values": {"on": today().isoformat(), "joined_on": today().isoformat()},
        "transition_choices": [(t.value, label("startup_status", t)) for t in service.allowed_transitions(startup)],
        "failed_form": "",
        "errors": {},
        "message": "",
        "nav": _nav(principal),
    }


async def _rejected_on_detail(request: Request, exc: ValidationFailed, startup: Startup) -> Response:
    """Show the startup page again with the rejected form's errors and what was typed."""
    context = await _detail_context(page_principal(request), startup)
    context["failed_form"] = form_of(request).get("form", "")
    return rejected(request, "tenants/startup_detail.html", exc, context)


def _startup_values(startup: Startup) -> dict[str, Any]:
    return {
        "name": startup.name,
        "legal_form": startup.legal_form.value,
        "uscc": startup.uscc or "",
        "registered_on": startup.registered_on.isoformat() if startup.registered_on else "",
        "industry": startup.industry.value if startup.industry else "",
        "contact_name": startup.contact_name,
        "contact_phone": startup.contact_phone,
        "contact_email": startup.contact_email,
        "description": startup.description,
        "applied_on": startup.applied_on.isoformat() if startup.applied_on else "",
    }


async def startup_edit(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "startup.contact", startup)
    context = {"values": _startup_values(startup), "errors": {}, "message": "", **await _form_context(startup)}
    context["nav"] = _nav(principal)
    template = "tenants/startup_form.html" if can(principal, "startup.manage") else "tenants/startup_contact.html"
    return render(request, template, context)


async def startup_update(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "startup.contact", startup)
    form = form_of(request)
    full = can(principal, "startup.manage")
    try:
        if full:
            await service.update_startup(principal, startup, parse_startup(form, today=today()))
        else:
            await service.update_contact(principal, startup, parse_contact(form))
    except ValidationFailed as exc:
        context = {**await _form_context(startup), "nav": _nav(principal)}
        template = "tenants/startup_form.html" if full else "tenants/startup_contact.html"
        return rejected(request, template, exc, context)
    return redirect(f"/startups/{startup.id}", gettext("Startup %(name)s saved.", name=startup.name), request)


async def startup_transition(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "startup.manage", startup)
    try:
        await service.transition(principal, startup, parse_transition(form_of(request), today=today()))
    except ValidationFailed as exc:
        return await _rejected_on_detail(request, exc, startup)
    return redirect(f"/startups/{startup.id}", gettext("The startup's status was changed."), request)


async def founder_add(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "startup.manage", startup)
    try:
        founder = await service.add_founder(principal, startup, parse_founder(form_of(request), today=today()))
    except ValidationFailed as exc:
        return await _rejected_on_detail(request, exc, startup)
    return redirect(
        f"/startups/{startup.id}", gettext("%(name)s was added as a founder.", name=founder.person.name), request
    )


async def founder_end(request: Request) -> Response:
    principal = page_principal(request)
    founder = await get_visible(principal, Founder, request.path_params["founder_id"], related=("person",))
    require(principal, "startup.manage", founder)
    startup = await get_visible(principal, Startup, founder.startup_id, related=("base",))
    try:
        await service.end_founder(principal, founder, parse_left_on(form_of(request), today=today()))
    except ValidationFailed as exc:
        return await _rejected_on_detail(request, exc, startup)
    return redirect(f"/startups/{startup.id}", gettext("%(name)s left the startup.", name=founder.person.name), request)
