"""Platform JSON API: tokens, me, regions, bases, health, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator import auth, notify
from incubator.access import Principal, get_visible, visible
from incubator.apikit import (
    NULLABLE_STRING,
    PAGE_PARAMS,
    ApiResponse,
    api_principal,
    body_of,
    operation,
    page_of,
    query_param,
    schema,
)
from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import N_
from incubator.models import Base, Membership, Notification, Region
from incubator.openapi import build
from incubator.pagination import paginate, window
from incubator.regions import is_region_code, subtree_filter

TOKEN_REQUEST = schema(
    "TokenRequest",
    {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "maxLength": 64},
            "password": {"type": "string", "maxLength": 200},
            "membership_id": {"type": "integer", "description": "Act in this membership"},
            "name": {"type": "string", "maxLength": 64},
        },
    },
)
TOKEN = schema(
    "Token",
    {
        "type": "object",
        "required": ["token", "token_type"],
        "properties": {"token": {"type": "string"}, "token_type": {"const": "bearer"}},
    },
)
MEMBERSHIP = schema(
    "Membership",
    {
        "type": "object",
        "required": ["id", "role", "active"],
        "properties": {
            "id": {"type": "integer"},
            "role": {"enum": ["admin", "bureau", "operator", "founder"]},
            "bureau_id": {"type": ["integer", "null"]},
            "base_id": {"type": ["integer", "null"]},
            "startup_id": {"type": ["integer", "null"]},
            "region_code": NULLABLE_STRING,
            "label": {"type": "string"},
            "active": {"type": "boolean"},
        },
    },
)
ME = schema(
    "Me",
    {
        "type": "object",
        "required": ["id", "username", "display_name", "role", "memberships"],
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string"},
            "locale": NULLABLE_STRING,
            "memberships": {"type": "array", "items": MEMBERSHIP},
        },
    },
)
REGION = schema(
    "Region",
    {
        "type": "object",
        "required": ["region_code", "name", "level"],
        "properties": {
            "region_code": {"type": "string", "pattern": r"^\d{6}$"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "level": {"enum": ["province", "prefecture", "county"]},
            "parent_code": NULLABLE_STRING,
        },
    },
)
BASE = schema(
    "Base",
    {
        "type": "object",
        "required": ["id", "name", "code", "kind", "level", "region_code"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "code": {"type": "string"},
            "kind": {"type": "string"},
            "level": {"type": "string"},
            "region_code": {"type": "string"},
            "address": {"type": "string"},
            "area_m2": {"type": ["string", "null"]},
            "opened_on": {"type": ["string", "null"], "format": "date"},
            "is_active": {"type": "boolean"},
        },
    },
)
HEALTH = schema("Health", {"type": "object", "properties": {"status": {"const": "ok"}}})


def region_json(region: Region) -> dict[str, Any]:
    return {
        "region_code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "level": region.level,
        "parent_code": region.parent_id,
    }


def base_json(base: Base) -> dict[str, Any]:
    return {
        "id": base.id,
        "name": base.name,
        "code": base.code,
        "kind": base.kind,
        "level": base.level,
        "region_code": base.region_id,
        "address": base.address,
        "area_m2": base.area_m2,
        "opened_on": base.opened_on,
        "is_active": base.is_active,
    }


def membership_json(membership: Membership, principal: Principal) -> dict[str, Any]:
    label = ""
    region_code = None
    if membership.bureau is not None:
        label, region_code = membership.bureau.name, membership.bureau.region_id
    elif membership.base is not None:
        label, region_code = membership.base.name, membership.base.region_id
    elif membership.startup is not None:
        label = str(membership.startup)
    return {
        "id": membership.id,
        "role": membership.role,
        "bureau_id": membership.bureau_id,
        "base_id": membership.base_id,
        "startup_id": membership.startup_id,
        "region_code": region_code,
        "label": label,
        "active": membership.id == principal.membership_id,
    }


@operation(
    "Exchange a username and password for a bearer token",
    tags=("auth",),
    request=TOKEN_REQUEST,
    response=TOKEN,
    status=201,
    authenticated=False,
    errors=(429,),
)
async def create_token(request: Request) -> JSONResponse:
    form = FormReader(body_of(request))
    username = form.text("username", max_length=64)
    password = form.text("password", max_length=200)
    membership_id = form.integer("membership_id", required=False, minimum=1)
    name = form.text("name", required=False, max_length=64)
    form.done()
    user = await auth.authenticate(username, password, request.state.address)
    token = await auth.issue_token(user, name=name or "api", membership_id=membership_id)
    return ApiResponse({"token": token, "token_type": "bearer"}, status_code=201)


@operation("Revoke the token used for this request", tags=("auth",), status=204)
async def revoke_token(request: Request) -> JSONResponse:
    principal = api_principal(request)
    await auth.revoke_token(request.state.api_token, principal)
    return JSONResponse(None, status_code=204)


@operation("The current user and their memberships", tags=("auth",), response=ME)
async def me(request: Request) -> JSONResponse:
    principal = api_principal(request)
    memberships = await auth.memberships_of(principal.user_id)
    token = request.state.api_token
    return ApiResponse(
        {
            "id": principal.user_id,
            "username": principal.username,
            "display_name": principal.display_name,
            "role": principal.role,
            "locale": token.user.locale,
            "memberships": [membership_json(m, principal) for m in memberships],
        }
    )


@operation(
    "Regions (GB/T 2260)",
    tags=("regions",),
    response=page_of(REGION),
    params=(*PAGE_PARAMS, query_param("parent", {"type": "string"}, "Children of this code")),
)
async def list_regions(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = visible(principal, Region).order_by("code")
    if parent := request.query_params.get("parent"):
        query = query.filter(parent_id=parent[:6])
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([region_json(r) for r in page.items]))


@operation(
    "Bases visible to you",
    tags=("bases",),
    response=page_of(BASE),
    params=(*PAGE_PARAMS, query_param("region", {"type": "string"}, "Only this region's subtree")),
    errors=(422,),
)
async def list_bases(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = visible(principal, Base).order_by("id")
    region = request.query_params.get("region", "")
    if region:
        if not is_region_code(region):
            raise ValidationFailed({"region": N_("A region code has six digits (GB/T 2260), e.g. 540102.")})
        query = query.filter(**subtree_filter("region_id", region))
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([base_json(b) for b in page.items]))


@operation("One base", tags=("bases",), response=BASE)
async def get_base(request: Request) -> JSONResponse:
    principal = api_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"])
    return ApiResponse(base_json(base))


NOTIFICATION = schema(
    "Notification",
    {
        "type": "object",
        "required": ["id", "message", "msgid", "params", "link", "created_at", "read_at"],
        "properties": {
            "id": {"type": "integer"},
            "message": {"type": "string", "description": "In the language of Accept-Language"},
            "msgid": {"type": "string", "description": "The message id it is translated from"},
            "params": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
            "link": {"type": "string", "description": "A path inside the app (the inbox when none is safe)"},
            "created_at": {"type": "string", "format": "date-time"},
            "read_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
)
NOTIFICATION_PAGE = {
    **page_of(NOTIFICATION),
    "required": ["items", "total", "limit", "offset", "unread"],
}
NOTIFICATION_PAGE["properties"] = {
    **NOTIFICATION_PAGE["properties"],
    "unread": {"type": "integer", "minimum": 0, "description": "Your unread messages in all"},
}
READ_ALL = schema(
    "NotificationsRead",
    {
        "type": "object",
        "required": ["marked", "unread"],
        "properties": {"marked": {"type": "integer", "minimum": 0}, "unread": {"type": "integer", "minimum": 0}},
    },
)


def notification_json(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "message": notify.message_text(note),
        "msgid": note.msgid,
        "params": note.params,
        "link": notify.safe_link(note.link),
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@operation(
    "Your own notifications, newest first, with how many are unread",
    tags=("notifications",),
    response=NOTIFICATION_PAGE,
    params=(*PAGE_PARAMS, query_param("unread", {"type": "boolean"}, "Only unread ones")),
)
async def list_notifications(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = notify.inbox(principal)
    if request.query_params.get("unread", "").lower() in {"1", "true", "yes"}:
        query = query.filter(read_at__isnull=True)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    body = page.envelope([notification_json(n) for n in page.items])
    return ApiResponse({**body, "unread": await notify.unread_count(principal)})


@operation("Mark all your notifications as read", tags=("notifications",), response=READ_ALL)
async def read_all_notifications(request: Request) -> JSONResponse:
    principal = api_principal(request)
    marked = await notify.mark_all_read(principal)
    return ApiResponse({"marked": marked, "unread": 0})


@operation("This API's OpenAPI 3.1 document", tags=("meta",), authenticated=False)
async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(build(list(request.app.routes)))
