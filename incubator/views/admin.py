"""Platform admin pages: overview, regions, bureaus (bases are in bases.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from incubator import services
from incubator.access import get_visible, require, visible
from incubator.errors import ValidationFailed
from incubator.forms import parse_bureau, parse_region
from incubator.i18n import gettext
from incubator.models import AuditEvent, Base, Bureau, Region, User
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render


async def overview(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "region.manage")
    counts = {
        "regions": await visible(principal, Region).count(),
        "bases": await visible(principal, Base).count(),
        "bureaus": await visible(principal, Bureau).count(),
        "users": await visible(principal, User).count(),
        "events": await visible(principal, AuditEvent).count(),
    }
    return render(request, "incubator/admin_home.html", {"counts": counts, "nav": "admin"})


async def regions(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "region.manage")
    query = visible(principal, Region).order_by("code")
    if q := request.query_params.get("q", "").strip()[:64]:
        query = query.filter(code__startswith=q) if q.isdigit() else query.filter(name__icontains=q)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return render(request, "incubator/regions.html", {"page": page, "q": q, "nav": "regions"})


async def region_new(request: Request) -> Response:
    require(page_principal(request), "region.manage")
    return render(
        request,
        "incubator/region_form.html",
        {"region": None, "values": {}, "errors": {}, "message": "", "nav": "regions"},
    )


async def region_create(request: Request) -> Response:
    principal = page_principal(request)
    try:
        region = await services.create_region(principal, parse_region(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "incubator/region_form.html", exc, {"region": None, "nav": "regions"})
    return redirect("/admin/regions", gettext("Region %(name)s saved.", name=region.name), request)


async def region_edit(request: Request) -> Response:
    principal = page_principal(request)
    region = await get_visible(principal, Region, request.path_params["region_code"])
    require(principal, "region.manage", region)
    values = {"code": region.code, "name": region.name, "name_en": region.name_en}
    return render(
        request,
        "incubator/region_form.html",
        {"region": region, "values": values, "errors": {}, "message": "", "nav": "regions"},
    )


async def region_update(request: Request) -> Response:
    principal = page_principal(request)
    region = await get_visible(principal, Region, request.path_params["region_code"])
    try:
        await services.update_region(principal, region, parse_region(form_of(request), code=region.code))
    except ValidationFailed as exc:
        return rejected(request, "incubator/region_form.html", exc, {"region": region, "nav": "regions"})
    return redirect("/admin/regions", gettext("Region %(name)s saved.", name=region.name), request)


async def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, f"{r.code} {r.name}") for r in await Region.all().order_by("code").limit(2000)]


async def bureaus(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "bureau.manage")
    limit, offset = window(request.query_params)
    page = await paginate(visible(principal, Bureau).select_related("region").order_by("id"), limit, offset)
    return render(request, "incubator/bureaus.html", {"page": page, "nav": "bureaus"})


async def bureau_new(request: Request) -> Response:
    require(page_principal(request), "bureau.manage")
    return render(
        request,
        "incubator/bureau_form.html",
        {
            "bureau": None,
            "values": {},
            "errors": {},
            "message": "",
            "regions": await _region_choices(),
            "nav": "bureaus",
        },
    )


async def bureau_create(request: Request) -> Response:
    principal = page_principal(request)
    try:
        bureau = await services.create_bureau(principal, parse_bureau(form_of(request)))
    except ValidationFailed as exc:
        return rejected(
            request,
            "incubator/bureau_form.html",
            exc,
            {"bureau": None, "regions": await _region_choices(), "nav": "bureaus"},
        )
    return redirect("/admin/bureaus", gettext("Bureau %(name)s saved.", name=bureau.name), request)


async def bureau_edit(request: Request) -> Response:
    principal = page_principal(request)
    bureau = await get_visible(principal, Bureau, request.path_params["bureau_id"])
    require(principal, "bureau.manage", bureau)
    values = {"name": bureau.name, "region_code": bureau.region_id}
    return render(
        request,
        "incubator/bureau_form.html",
        {
            "bureau": bureau,
            "values": values,
            "errors": {},
            "message": "",
            "regions": await _region_choices(),
            "nav": "bureaus",
        },
    )


async def bureau_update(request: Request) -> Response:
    principal = page_principal(request)
    bureau = await get_visible(principal, Bureau, request.path_params["bureau_id"])
    try:
        await services.update_bureau(principal, bureau, parse_bureau(form_of(request)))
    except ValidationFailed as exc:
        return rejected(
            request,
            "incubator/bureau_form.html",
            exc,
            {"bureau": bureau, "regions": await _region_choices(), "nav": "bureaus"},
        )
    return redirect("/admin/bureaus", gettext("Bureau %(name)s saved.", name=bureau.name), request)
