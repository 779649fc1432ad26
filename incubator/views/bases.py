"""Bases: the list in scope, a base's page, and the admin's create/edit forms."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator import services
from incubator.access import get_visible, require, visible
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import today
from incubator.forms import parse_base
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.models import Base, Membership, Region, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.regions import is_region_code, subtree_filter
from incubator.templating import render


async def bases(request: Request) -> Response:
    principal = page_principal(request)
    if principal.role not in (Role.ADMIN, Role.BUREAU):
        raise Forbidden()
    query = visible(principal, Base).select_related("region").order_by("region_id", "id")
    region = request.query_params.get("region", "").strip()
    if is_region_code(region):
        query = query.filter(**subtree_filter("region_id", region))
    if q := request.query_params.get("q", "").strip()[:64]:
        query = query.filter(name__icontains=q)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return render(request, "incubator/bases.html", {"page": page, "q": q, "nav": "bases", "heading": gettext("Bases")})


async def region_home(request: Request) -> Response:
    principal = page_principal(request)
    if principal.role is not Role.BUREAU or principal.region_code is None:
        raise Forbidden()
    region = await Region.get(code=principal.region_code)
    query = visible(principal, Base).select_related("region").order_by("region_id", "id")
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    children = await visible(principal, Region).filter(parent_id=region.code).order_by("code")
    return render(
        request,
        "incubator/region_home.html",
        {"page": page, "region": region, "children": children, "nav": "region"},
    )


async def base_detail(request: Request) -> Response:
    principal = page_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"], related=("region",))
    operators = await Membership.filter(base_id=base.id, role=Role.OPERATOR).select_related("user").order_by("id")
    return render(
        request,
        "incubator/base_detail.html",
        {"base": base, "operators": operators, "nav": "base" if principal.role is Role.OPERATOR else "bases"},
    )


async def _form_context(base: Base | None) -> dict[str, Any]:
    regions = await Region.filter(level__in=["county", "prefecture"]).order_by("code").limit(2000)
    return {
        "base": base,
        "kinds": choices("base_kind"),
        "levels": choices("base_level"),
        "regions": [(r.code, f"{r.code} {r.name}") for r in regions],
        "nav": "bases",
    }


async def base_new(request: Request) -> Response:
    require(page_principal(request), "base.manage")
    return render(
        request, "incubator/base_form.html", {"values": {}, "errors": {}, "message": "", **await _form_context(None)}
    )


async def base_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "base.manage")
    try:
        base = await services.create_base(principal, parse_base(form_of(request), today=today()))
    except ValidationFailed as exc:
        return rejected(request, "incubator/base_form.html", exc, await _form_context(None))
    return redirect(f"/bases/{base.id}", gettext("Base %(name)s saved.", name=base.name), request)


async def base_edit(request: Request) -> Response:
    principal = page_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"])
    require(principal, "base.manage", base)
    values = {
        "name": base.name,
        "code": base.code,
        "kind": base.kind.value,
        "level": base.level.value,
        "region_code": base.region_id,
        "address": base.address,
        "area_m2": base.area_m2 if base.area_m2 is not None else "",
        "opened_on": base.opened_on.isoformat() if base.opened_on else "",
        "contact_phone": base.contact_phone,
        "is_active": base.is_active,
    }
    return render(
        request,
        "incubator/base_form.html",
        {"values": values, "errors": {}, "message": "", **await _form_context(base)},
    )


async def base_update(request: Request) -> Response:
    principal = page_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"])
    require(principal, "base.manage", base)
    form = form_of(request)
    try:
        await services.update_base(
            principal, base, parse_base(form, today=today()), is_active=form.get("is_active") == "1"
        )
    except ValidationFailed as exc:
        return rejected(request, "incubator/base_form.html", exc, await _form_context(base))
    return redirect(f"/bases/{base.id}", gettext("Base %(name)s saved.", name=base.name), request)
