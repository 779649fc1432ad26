"""Users and their memberships (platform admin only)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import Q

from incubator import services
from incubator.access import get_visible, require, visible
from incubator.errors import ValidationFailed
from incubator.forms import parse_membership, parse_new_password, parse_user
from incubator.i18n import gettext
from incubator.labels import choices
from incubator.models import Base, Bureau, Membership, User, related_model
from incubator.pages import field_errors, form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render


async def users(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "user.manage")
    query = visible(principal, User).order_by("username")
    if q := request.query_params.get("q", "").strip()[:64]:
        query = query.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return render(request, "incubator/users.html", {"page": page, "q": q, "nav": "users"})


async def user_new(request: Request) -> Response:
    require(page_principal(request), "user.manage")
    return render(
        request,
        "incubator/user_form.html",
        {"values": {"is_active": True}, "errors": {}, "message": "", "nav": "users"},
    )


async def user_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "user.manage")
    try:
        user = await services.create_user(principal, parse_user(form_of(request), creating=True))
    except ValidationFailed as exc:
        return rejected(request, "incubator/user_form.html", exc, {"nav": "users"})
    return redirect(f"/admin/users/{user.id}", gettext("User %(name)s created.", name=user.username), request)


async def _detail_context(user: User) -> dict[str, Any]:
    memberships = await Membership.filter(user_id=user.id).select_related("bureau", "base", "startup").order_by("id")
    startup_model = related_model(Membership, "startup")
    return {
        "user": user,
        "memberships": memberships,
        "roles": choices("role"),
        "bureaus": [(b.id, b.name) for b in await Bureau.all().order_by("id").limit(500)],
        "bases": [(b.id, b.name) for b in await Base.all().order_by("id").limit(500)],
        "startups": [(s.pk, str(s)) for s in await startup_model.all().order_by("id").limit(2000)],
        "nav": "users",
    }


async def user_detail(request: Request) -> Response:
    principal = page_principal(request)
    user = await get_visible(principal, User, request.path_params["user_id"])
    require(principal, "user.manage", user)
    context = await _detail_context(user)
    values = {"display_name": user.display_name, "is_active": user.is_active}
    return render(request, "incubator/user_detail.html", {"values": values, "errors": {}, "message": "", **context})


async def _rejected_detail(request: Request, user: User, exc: ValidationFailed) -> Response:
    context = await _detail_context(user)
    values = {"display_name": user.display_name, "is_active": user.is_active}
    return render(
        request,
        "incubator/user_detail.html",
        {**context, "values": values, "errors": field_errors(exc), "message": gettext(exc.message, **exc.params)},
        status_code=exc.status_code,
    )


async def user_update(request: Request) -> Response:
    principal = page_principal(request)
    user = await get_visible(principal, User, request.path_params["user_id"])
    require(principal, "user.manage", user)
    try:
        await services.update_user(principal, user, parse_user(form_of(request), creating=False))
    except ValidationFailed as exc:
        return await _rejected_detail(request, user, exc)
    return redirect(f"/admin/users/{user.id}", gettext("User %(name)s saved.", name=user.username), request)


async def user_reset_password(request: Request) -> Response:
    principal = page_principal(request)
    user = await get_visible(principal, User, request.path_params["user_id"])
    require(principal, "user.manage", user)
    try:
        await services.reset_password(principal, user, parse_new_password(form_of(request), user.username))
    except ValidationFailed as exc:
        return await _rejected_detail(request, user, exc)
    return redirect(
        f"/admin/users/{user.id}", gettext("The password of %(name)s has been reset.", name=user.username), request
    )


async def membership_add(request: Request) -> Response:
    principal = page_principal(request)
    user = await get_visible(principal, User, request.path_params["user_id"])
    require(principal, "user.manage", user)
    try:
        await services.add_membership(principal, user, parse_membership(form_of(request)))
    except ValidationFailed as exc:
        return await _rejected_detail(request, user, exc)
    return redirect(f"/admin/users/{user.id}", gettext("Membership added."), request)


async def membership_remove(request: Request) -> Response:
    principal = page_principal(request)
    membership = await get_visible(principal, Membership, request.path_params["membership_id"], related=("user",))
    require(principal, "user.manage", membership)
    try:
        await services.remove_membership(principal, membership)
    except ValidationFailed as exc:
        return await _rejected_detail(request, membership.user, exc)
    return redirect(f"/admin/users/{membership.user.id}", gettext("Membership removed."), request)
