"""JSON API for spaces and leases (with a lease's spaces, concessions and rent schedule)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import Principal, get_visible, require, visible
from incubator.apikit import (
    MONEY,
    NULLABLE_DATE,
    PAGE_PARAMS,
    ApiResponse,
    api_principal,
    body_of,
    operation,
    page_of,
    query_param,
    schema,
)
from incubator.convertors import parse_id
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import to_fen, today
from incubator.i18n import N_
from incubator.models import Base, Role
from incubator.pagination import paginate, window
from tenants.forms.spaces import parse_lease, parse_space
from tenants.models import BillingCycle, Lease, LeaseOrigin, LeaseSpace, RentConcession, Space, SpaceKind, SpaceStatus
from tenants.services import leases as lease_service
from tenants.services import spaces as space_service
from tenants.services.rents import RentSchedule, rent_schedule

DATE = {"type": "string", "format": "date"}
AMOUNT_IN = {"type": ["string", "number"], "description": "CNY, at most two decimals"}
STATES = ("upcoming", "active", "ended", "expired")

SPACE_INPUT = schema(
    "SpaceInput",
    {
        "type": "object",
        "required": ["code", "kind", "area_m2", "list_rent"],
        "properties": {
            "code": {"type": "string", "maxLength": 32, "description": "Unique within the base, e.g. A-203"},
            "kind": {"enum": [v.value for v in SpaceKind]},
            "floor": {"type": "string", "maxLength": 16},
            "area_m2": {**AMOUNT_IN, "description": "More than 0, at most 100000"},
            "list_rent": AMOUNT_IN,
            "status": {"enum": [v.value for v in SpaceStatus], "default": "in_service"},
            "note": {"type": "string", "maxLength": 200},
        },
    },
)
SPACE = schema(
    "Space",
    {
        "type": "object",
        "required": ["id", "base_id", "code", "kind", "area_m2", "list_rent", "status"],
        "properties": {
            "id": {"type": "integer"},
            "base_id": {"type": "integer"},
            "code": {"type": "string"},
            "kind": {"enum": [v.value for v in SpaceKind]},
            "floor": {"type": "string"},
            "area_m2": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
            "list_rent": MONEY,
            "status": {"enum": [v.value for v in SpaceStatus]},
            "note": {"type": "string"},
        },
    },
)
LEASE_INPUT = schema(
    "LeaseInput",
    {
        "type": "object",
        "required": ["startup_id", "space_ids", "start_on", "end_on", "monthly_rent"],
        "properties": {
            "startup_id": {"type": "integer"},
            "space_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            "start_on": DATE,
            "end_on": {**DATE, "description": "On or after start_on"},
            "monthly_rent": {**AMOUNT_IN, "description": "The agreed monthly rent"},
            "deposit": {**AMOUNT_IN, "default": "0.00"},
            "billing_cycle": {"enum": [v.value for v in BillingCycle], "default": "monthly"},
            "note": {"type": "string", "maxLength": 500},
        },
    },
)
LEASE_SPACE = schema(
    "LeaseSpace",
    {
        "type": "object",
        "required": ["space_id", "code", "list_rent"],
        "properties": {
            "space_id": {"type": "integer"},
            "code": {"type": "string"},
            "list_rent": {**MONEY, "description": "The space's list rent when the lease was signed"},
        },
    },
)
LEASE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "base_id": {"type": "integer"},
    "startup_id": {"type": "integer"},
    "startup_name": {"type": "string"},
    "start_on": DATE,
    "end_on": DATE,
    "occupied_until": {**DATE, "description": "Last day the spaces are held"},
    "ended_on": NULLABLE_DATE,
    "end_reason": {"type": "string"},
    "state": {"enum": list(STATES)},
    "list_rent": MONEY,
    "monthly_rent": MONEY,
    "deposit": MONEY,
    "billing_cycle": {"enum": [v.value for v in BillingCycle]},
    "origin": {"enum": [v.value for v in LeaseOrigin]},
    "previous_id": {"type": ["integer", "null"]},
    "has_agreement": {"type": "boolean"},
    "note": {"type": "string"},
    "spaces": {"type": "array", "items": LEASE_SPACE},
}
LEASE = schema("Lease", {"type": "object", "required": ["id", "startup_id", "spaces"], "properties": LEASE_PROPERTIES})
CONCESSION = schema(
    "RentConcession",
    {
        "type": "object",
        "required": ["id", "start_on", "end_on", "kind", "monthly_rent"],
        "properties": {
            "id": {"type": "integer"},
            "start_on": DATE,
            "end_on": DATE,
            "kind": {"enum": ["free", "discount"]},
            "monthly_rent": MONEY,
            "note": {"type": "string"},
        },
    },
)
RENT_ROW = schema(
    "RentRow",
    {
        "type": "object",
        "required": ["start", "end", "days", "list_rent", "charged", "waived"],
        "properties": {
            "start": DATE,
            "end": DATE,
            "days": {"type": "integer"},
            "days_in_month": {"type": "integer"},
            "prorated": {"type": "boolean"},
            "list_rent": MONEY,
            "charged": MONEY,
            "waived": MONEY,
        },
    },
)
LEASE_DETAIL = schema(
    "LeaseDetail",
    {
        "type": "object",
        "required": ["id", "spaces", "concessions", "schedule"],
        "properties": {
            **LEASE_PROPERTIES,
            "successor_ids": {"type": "array", "items": {"type": "integer"}},
            "concessions": {"type": "array", "items": CONCESSION},
            "schedule": {
                "type": "object",
                "required": ["rows", "days", "list_rent", "charged", "waived"],
                "properties": {
                    "rows": {"type": "array", "items": RENT_ROW},
                    "days": {"type": "integer"},
                    "list_rent": MONEY,
                    "charged": MONEY,
                    "waived": MONEY,
                },
            },
        },
    },
)


def money(amount: Decimal) -> str:
    return format(to_fen(amount), "f")


def space_json(space: Space) -> dict[str, Any]:
    return {
        "id": space.id,
        "base_id": space.base_id,
        "code": space.code,
        "kind": space.kind,
        "floor": space.floor,
        "area_m2": money(space.area_m2),
        "list_rent": money(space.list_rent),
        "status": space.status,
        "note": space.note,
    }


def lease_json(lease: Lease, links: list[LeaseSpace]) -> dict[str, Any]:
    return {
        "id": lease.id,
        "base_id": lease.base_id,
        "startup_id": lease.startup_id,
        "startup_name": lease.startup.name,
        "start_on": lease.start_on,
        "end_on": lease.end_on,
        "occupied_until": lease.occupied_until,
        "ended_on": lease.ended_on,
        "end_reason": lease.end_reason,
        "state": lease.state_on(today()),
        "list_rent": money(lease.list_rent),
        "monthly_rent": money(lease.monthly_rent),
        "deposit": money(lease.deposit),
        "billing_cycle": lease.billing_cycle,
        "origin": lease.origin,
        "previous_id": lease.previous_id,
        "has_agreement": lease.agreement_id is not None,
        "note": lease.note,
        "spaces": [{"space_id": x.space_id, "code": x.space.code, "list_rent": money(x.list_rent)} for x in links],
    }


def schedule_json(schedule: RentSchedule) -> dict[str, Any]:
    rows = [
        {
            "start": r.start,
            "end": r.end,
            "days": r.days,
            "days_in_month": r.days_in_month,
            "prorated": r.prorated,
            "list_rent": money(r.list_rent),
            "charged": money(r.charged),
            "waived": money(r.waived),
        }
        for r in schedule.rows
    ]
    totals = {k: money(getattr(schedule, k)) for k in ("list_rent", "charged", "waived")}
    return {"rows": rows, "days": schedule.days, **totals}


def _spaces_principal(request: Request) -> Principal:
    principal = api_principal(request)
    if principal.role is Role.FOUNDER:
        raise Forbidden()
    return principal


def _id_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    if not value:
        return None
    if (number := parse_id(value)) is None:
        raise ValidationFailed({name: N_("Enter a whole number.")})
    return number


def _choice_param(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise ValidationFailed({name: N_("Choose one of the listed values.")})
    return value or None


@operation(
    "Spaces of the bases visible to you (not for founders)",
    tags=("spaces",),
    response=page_of(SPACE),
    params=(
        *PAGE_PARAMS,
        query_param("base", {"type": "integer"}, "Only this base"),
        query_param("kind", {"enum": [v.value for v in SpaceKind]}),
        query_param("status", {"enum": [v.value for v in SpaceStatus]}),
    ),
    errors=(403, 422),
)
async def list_spaces(request: Request) -> JSONResponse:
    principal = _spaces_principal(request)
    query = visible(principal, Space).order_by("base_id", "code")
    if (base := _id_param(request, "base")) is not None:
        query = query.filter(base_id=base)
    if kind := _choice_param(request, "kind", tuple(v.value for v in SpaceKind)):
        query = query.filter(kind=kind)
    if status := _choice_param(request, "status", tuple(v.value for v in SpaceStatus)):
        query = query.filter(status=status)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([space_json(s) for s in page.items]))


@operation(
    "Add a space to your base (operators)",
    tags=("spaces",),
    request=SPACE_INPUT,
    response=SPACE,
    status=201,
    errors=(403,),
)
async def create_space(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "space.manage")
    base = await get_visible(principal, Base, principal.base_id)
    space = await space_service.create_space(principal, base, parse_space(body_of(request)))
    return ApiResponse(space_json(space), status_code=201)


@operation("One space", tags=("spaces",), response=SPACE, errors=(403,))
async def get_space(request: Request) -> JSONResponse:
    principal = _spaces_principal(request)
    space = await get_visible(principal, Space, request.path_params["space_id"])
    return ApiResponse(space_json(space))


async def _links(leases: list[Lease]) -> dict[int, list[LeaseSpace]]:
    links = await LeaseSpace.filter(lease_id__in=[x.id for x in leases]).select_related("space").order_by("space__code")
    by_lease: dict[int, list[LeaseSpace]] = {x.id: [] for x in leases}
    for link in links:
        by_lease[link.lease_id].append(link)
    return by_lease


@operation(
    "Leases visible to you (founders: their startup's)",
    tags=("leases",),
    response=page_of(LEASE),
    params=(
        *PAGE_PARAMS,
        query_param("base", {"type": "integer"}, "Only this base"),
        query_param("startup", {"type": "integer"}, "Only this startup"),
        query_param("state", {"enum": list(STATES)}, "State today"),
    ),
    errors=(422,),
)
async def list_leases(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = visible(principal, Lease).select_related("startup").order_by("-start_on", "-id")
    if (base := _id_param(request, "base")) is not None:
        query = query.filter(base_id=base)
    if (startup := _id_param(request, "startup")) is not None:
        query = query.filter(startup_id=startup)
    if state := _choice_param(request, "state", STATES):
        query = query.filter(**lease_service.lease_state_filter(state))
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    links = await _links(page.items)
    return ApiResponse(page.envelope([lease_json(x, links[x.id]) for x in page.items]))


async def _detail(principal: Principal, lease: Lease) -> dict[str, Any]:
    links = await _links([lease])
    concessions = await RentConcession.filter(lease_id=lease.id).order_by("start_on")
    successors = (
        await visible(principal, Lease).filter(previous_id=lease.id).order_by("id").values_list("id", flat=True)
    )
    return {
        **lease_json(lease, links[lease.id]),
        "successor_ids": list(successors),
        "concessions": [
            {
                "id": c.id,
                "start_on": c.start_on,
                "end_on": c.end_on,
                "kind": "free" if not c.monthly_rent else "discount",
                "monthly_rent": money(c.monthly_rent),
                "note": c.note,
            }
            for c in concessions
        ],
        "schedule": schedule_json(rent_schedule(lease, concessions)),
    }


@operation(
    "Let spaces of your base to a startup (operators)",
    tags=("leases",),
    request=LEASE_INPUT,
    response=LEASE_DETAIL,
    status=201,
    errors=(403, 404),
)
async def create_lease(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "lease.manage")
    lease = await lease_service.create_lease(principal, parse_lease(body_of(request)))
    lease = await get_visible(principal, Lease, lease.id, related=("startup",))
    return ApiResponse(await _detail(principal, lease), status_code=201)


@operation("One lease with its spaces, concessions and rent schedule", tags=("leases",), response=LEASE_DETAIL)
async def get_lease(request: Request) -> JSONResponse:
    principal = api_principal(request)
    lease = await get_visible(principal, Lease, request.path_params["lease_id"], related=("startup",))
    return ApiResponse(await _detail(principal, lease))
