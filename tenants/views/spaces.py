"""Space pages: the occupancy board of a base, a space with its lease history, the operator's forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.models import Base, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import MAX_LIMIT, paginate, window
from incubator.templating import render
from tenants.forms.spaces import parse_space
from tenants.models import Lease, Space
from tenants.services import spaces as services


def board_principal(request: Request) -> Principal:
    """Founders never see the board of their base (it names the other startups)."""
    principal = page_principal(request)
    if principal.role is Role.FOUNDER:
        raise Forbidden()
    return principal


def day_param(request: Request) -> dt.date:
    """The ?on=YYYY-MM-DD of the request, else today."""
    try:
        return dt.date.fromisoformat(request.query_params.get("on", "")[:10])
    except ValueError:
        return today()


async def board_base(principal: Principal, wanted: str) -> Base | None:
    """The operator's own base; for others the ?base= they may see, else the first visible one."""
    if principal.role is Role.OPERATOR:
        return await get_visible(principal, Base, principal.base_id)
    if (base_id := parse_id(wanted)) is not None:
        return await get_visible(principal, Base, base_id)
    return await visible(principal, Base).order_by("id").first()


async def spaces(request: Request) -> Response:
    principal = board_principal(request)
    base = await board_base(principal, request.query_params.get("base", "")[:12])
    day = day_param(request)
    limit, offset = window(request.query_params, default_limit=MAX_LIMIT)
    board = await services.occupancy(principal, base, day, limit=limit, offset=offset) if base else None
    bases = [] if principal.role is Role.OPERATOR else await visible(principal, Base).order_by("id").limit(500)
    return render(
        request,
        "tenants/spaces.html",
        {"board": board, "base": base, "bases": bases, "day": day, "nav": "spaces"},
    )


async def _own_base(principal: Principal) -> Base:
    require(principal, "space.manage")
    return await get_visible(principal, Base, principal.base_id)


def _form_context(space: Space | None) -> dict[str, Any]:
    return {
        "space": space,
        "kinds": choices("space_kind"),
        "statuses": choices("space_status"),
        "nav": "spaces",
    }


async def space_new(request: Request) -> Response:
    await _own_base(page_principal(request))
    values = {"status": "in_service"}
    return render(
        request, "tenants/space_form.html", {"values": values, "errors": {}, "message": "", **_form_context(None)}
    )


async def space_create(request: Request) -> Response:
    principal = page_principal(request)
    base = await _own_base(principal)
    try:
        space = await services.create_space(principal, base, parse_space(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "tenants/space_form.html", exc, _form_context(None))
    return redirect(f"/spaces/{space.id}", gettext("Space %(code)s saved.", code=space.code), request)


async def space_detail(request: Request) -> Response:
    principal = board_principal(request)
    space = await get_visible(principal, Space, request.path_params["space_id"], related=("base",))
    query = visible(principal, Lease).filter(spaces__space_id=space.id).select_related("startup")
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-start_on", "-id"), limit, offset)
    day = today()
    return render(
        request,
        "tenants/space_detail.html",
        {"space": space, "page": page, "day": day, "tile": await services.space_on_day(space, day), "nav": "spaces"},
    )


async def _editable(request: Request) -> tuple[Principal, Space]:
    principal = page_principal(request)
    space = await get_visible(principal, Space, request.path_params["space_id"])
    require(principal, "space.manage", space)
    return principal, space


async def space_edit(request: Request) -> Response:
    _principal, space = await _editable(request)
    values = {
        "code": space.code,
        "kind": space.kind.value,
        "floor": space.floor,
        "area_m2": space.area_m2,
        "list_rent": space.list_rent,
        "status": space.status.value,
        "note": space.note,
    }
    return render(
        request, "tenants/space_form.html", {"values": values, "errors": {}, "message": "", **_form_context(space)}
    )


async def space_update(request: Request) -> Response:
    principal, space = await _editable(request)
    try:
        await services.update_space(principal, space, parse_space(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "tenants/space_form.html", exc, _form_context(space))
    return redirect(f"/spaces/{space.id}", gettext("Space %(code)s saved.", code=space.code), request)
