"""Lease pages: the list, a new lease, a lease with its rent schedule, and the operator's actions on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import NotFound, ValidationFailed
from incubator.files import file_response
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.spaces import parse_concession, parse_end, parse_lease, parse_move, parse_renew
from tenants.models import Lease, LeaseSpace, RentConcession, Startup
from tenants.services import leases as services
from tenants.services.rents import rent_schedule
from tenants.services.spaces import free_spaces

STATES = ("upcoming", "active", "ended", "expired")


async def leases(request: Request) -> Response:
    principal = page_principal(request)
    query = visible(principal, Lease).select_related("startup").prefetch_related("spaces__space")
    state = request.query_params.get("state", "")
    if state in STATES:
        query = query.filter(**services.lease_state_filter(state))
    startup_id = request.query_params.get("startup", "")[:12]
    if (wanted := parse_id(startup_id)) is not None:
        query = query.filter(startup_id=wanted)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-start_on", "-id"), limit, offset)
    startups = await visible(principal, Startup).filter(leases__id__isnull=False).distinct().order_by("name").limit(500)
    return render(
        request,
        "tenants/leases.html",
        {
            "page": page,
            "state": state if state in STATES else "",
            "startup_id": startup_id if wanted is not None else "",
            "states": [(s, s) for s in STATES],
            "startups": startups,
            "today": today(),
            "nav": "leases",
        },
    )


async def _form_context(principal: Principal, selected: list[str]) -> dict[str, Any]:
    base_id = principal.base_id or 0
    startups = await visible(principal, Startup).filter(base_id=base_id, status__in=services.RENTING).order_by("name")
    return {
        "startups": [(s.id, s.name) for s in startups],
        "spaces": await free_spaces(principal, base_id, today()),
        "selected": selected,
        "cycles": choices("billing_cycle"),
        "nav": "leases",
    }


async def lease_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "lease.manage")
    wanted = request.query_params.get("startup_id", "")[:12]
    values = {"startup_id": wanted, "start_on": today().isoformat(), "billing_cycle": "monthly", "deposit": "0.00"}
    context = await _form_context(principal, [])
    return render(request, "tenants/lease_form.html", {"values": values, "errors": {}, "message": "", **context})


async def lease_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "lease.manage")
    form = form_of(request)
    try:
        lease = await services.create_lease(principal, parse_lease(form))
    except ValidationFailed as exc:
        selected = [v for v in form.getlist("space_ids") if isinstance(v, str)]
        return rejected(request, "tenants/lease_form.html", exc, await _form_context(principal, selected))
    return redirect(f"/leases/{lease.id}", gettext("Lease saved."), request)


async def _lease(request: Request) -> tuple[Principal, Lease]:
    principal = page_principal(request)
    lease = await get_visible(principal, Lease, request.path_params["lease_id"], related=("startup", "agreement"))
    return principal, lease


async def _detail_context(principal: Principal, lease: Lease) -> dict[str, Any]:
    links = await LeaseSpace.filter(lease_id=lease.id).select_related("space").order_by("space__code")
    concessions = await RentConcession.filter(lease_id=lease.id).order_by("start_on")
    previous = await visible(principal, Lease).filter(id=lease.previous_id or 0).first()
    successors = await visible(principal, Lease).filter(previous_id=lease.id).order_by("start_on")
    manage = can(principal, "lease.manage")
    own = [link.space_id for link in links]
    return {
        "lease": lease,
        "links": links,
        "concessions": concessions,
        "schedule": rent_schedule(lease, concessions),
        "previous": previous,
        "successors": successors,
        "state": lease.state_on(today()),
        "manage": manage,
        "move_spaces": await free_spaces(principal, lease.base_id, today(), also=tuple(own)) if manage else [],
        "renewal_starts": lease.end_on + dt.timedelta(days=1),
        "selected": [],
        "failed": "",
        "nav": "leases",
    }


async def lease_detail(request: Request) -> Response:
    principal, lease = await _lease(request)
    context = await _detail_context(principal, lease)
    return render(request, "tenants/lease_detail.html", {"values": {}, "errors": {}, "message": "", **context})


# An action returns where to go next and what to tell the operator.
Action = Callable[[Principal, Lease], Awaitable[tuple[str, str]]]


async def _act(request: Request, failed: str, action: Action) -> Response:
    """Run an operator's action on the lease: redirect with its message, or show the page with the errors."""
    principal, lease = await _lease(request)
    require(principal, "lease.manage", lease)
    try:
        target, flash = await action(principal, lease)
    except ValidationFailed as exc:
        context = await _detail_context(principal, lease)
        selected = [v for v in form_of(request).getlist("space_ids") if isinstance(v, str)]
        return rejected(request, "tenants/lease_detail.html", exc, {**context, "failed": failed, "selected": selected})
    return redirect(target, flash, request)


async def concession_add(request: Request) -> Response:
    async def action(principal: Principal, lease: Lease) -> tuple[str, str]:
        await services.add_concession(principal, lease, parse_concession(form_of(request)))
        return f"/leases/{lease.id}#concessions", gettext("Rent concession saved.")

    return await _act(request, "concession", action)


async def lease_end(request: Request) -> Response:
    async def action(principal: Principal, lease: Lease) -> tuple[str, str]:
        await services.end_lease(principal, lease, parse_end(form_of(request)))
        return f"/leases/{lease.id}", gettext("The lease is ended.")

    return await _act(request, "end", action)


async def lease_renew(request: Request) -> Response:
    async def action(principal: Principal, lease: Lease) -> tuple[str, str]:
        renewal = await services.renew_lease(principal, lease, parse_renew(form_of(request)))
        return f"/leases/{renewal.id}", gettext("The lease is renewed.")

    return await _act(request, "renew", action)


async def lease_move(request: Request) -> Response:
    async def action(principal: Principal, lease: Lease) -> tuple[str, str]:
        moved = await services.move_lease(principal, lease, parse_move(form_of(request)))
        return f"/leases/{moved.id}", gettext("The startup is moved to the new spaces.")

    return await _act(request, "move", action)


async def agreement_upload(request: Request) -> Response:
    async def action(principal: Principal, lease: Lease) -> tuple[str, str]:
        upload = form_of(request).get("agreement")
        await services.attach_agreement(principal, lease, upload if not isinstance(upload, str) else None)
        return f"/leases/{lease.id}", gettext("The signed agreement is uploaded.")

    return await _act(request, "agreement", action)


async def agreement_download(request: Request) -> Response:
    _principal, lease = await _lease(request)
    if lease.agreement is None:
        raise NotFound()
    return file_response(lease.agreement)
