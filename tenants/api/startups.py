"""JSON API for startups, their lifecycle, and people (ID numbers masked on the way out)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import can, get_visible, require, visible
from incubator.apikit import (
    NULLABLE_DATE,
    NULLABLE_STRING,
    PAGE_PARAMS,
    SCHEMAS,
    ApiResponse,
    api_principal,
    body_of,
    operation,
    page_of,
    query_param,
    schema,
)
from incubator.audit import jsonable
from incubator.convertors import parse_id
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import today
from incubator.i18n import N_
from incubator.models import Base
from incubator.pagination import paginate, window
from tenants.forms.startups import parse_contact, parse_person, parse_startup, parse_transition
from tenants.models import ExitReason, Industry, LegalForm, Person, Startup, StartupStatus
from tenants.services import people as people_service
from tenants.services import startups as service

CONTACT_FIELDS = {
    "contact_name": {"type": "string", "maxLength": 50},
    "contact_phone": {"type": "string", "maxLength": 32},
    "contact_email": {"type": "string", "maxLength": 100},
}
STARTUP_INPUT = schema(
    "StartupInput",
    {
        "type": "object",
        "required": ["name", "legal_form", "industry"],
        "properties": {
            "name": {"type": "string", "maxLength": 100},
            "legal_form": {"enum": [v.value for v in LegalForm]},
            "uscc": {**NULLABLE_STRING, "description": "GB 32100-2015; absent only for an unregistered team"},
            "registered_on": NULLABLE_DATE,
            "industry": {"enum": [v.value for v in Industry], "description": "GB/T 4754-2017 section"},
            **CONTACT_FIELDS,
            "description": {"type": "string", "maxLength": 2000},
            "applied_on": NULLABLE_DATE,
        },
    },
)
STARTUP_PATCH = schema(
    "StartupPatch",
    {
        "type": "object",
        "description": "Only the fields to change; founders may send only contact_* fields",
        "properties": SCHEMAS["StartupInput"]["properties"],
    },
)
STARTUP = schema(
    "Startup",
    {
        "type": "object",
        "required": ["id", "base_id", "name", "legal_form", "uscc", "status"],
        "properties": {
            "id": {"type": "integer"},
            "base_id": {"type": "integer"},
            "name": {"type": "string"},
            "legal_form": {"enum": [v.value for v in LegalForm]},
            "uscc": NULLABLE_STRING,
            "registered_on": NULLABLE_DATE,
            "industry": {"enum": [*(v.value for v in Industry), None]},
            **CONTACT_FIELDS,
            "description": {"type": "string"},
            "status": {"enum": [v.value for v in StartupStatus]},
            "applied_on": NULLABLE_DATE,
            "admitted_on": NULLABLE_DATE,
            "incubation_ends_on": NULLABLE_DATE,
            "left_on": NULLABLE_DATE,
            "exit_reason": {"enum": [*(v.value for v in ExitReason), None]},
        },
    },
)
TRANSITION = schema(
    "TransitionInput",
    {
        "type": "object",
        "required": ["to", "on"],
        "properties": {
            "to": {"enum": ["incubating", "graduated", "exited"]},
            "on": {"type": "string", "format": "date"},
            "reason": {"enum": [v.value for v in ExitReason], "description": "Required when exiting"},
            "note": {"type": "string", "maxLength": 500, "description": "Required for reason 'other'"},
            "incubation_ends_on": {"type": "string", "format": "date"},
        },
    },
)
PERSON_PROPERTIES: dict[str, Any] = {
    "id_number": {"type": "string", "description": "18-character resident ID number (GB 11643-1999)"},
    "name": {"type": "string", "maxLength": 50},
    "phone": {"type": "string", "maxLength": 11},
    "hukou_region_code": {"type": "string", "description": "GB/T 2260; default: from the ID number"},
    "is_graduate": {"type": "boolean"},
    "school": {"type": "string", "maxLength": 100},
    "graduation_year": {"type": ["integer", "null"]},
    "is_farmer_herder": {"type": "boolean"},
    "is_veteran": {"type": "boolean"},
    "is_poverty_alleviated": {"type": "boolean"},
    "is_disabled": {"type": "boolean"},
    "has_employment_difficulty": {"type": "boolean"},
}
PERSON_INPUT = schema(
    "PersonInput", {"type": "object", "required": ["id_number", "name"], "properties": PERSON_PROPERTIES}
)
PERSON = schema(
    "Person",
    {
        "type": "object",
        "required": ["id", "name", "id_number", "birth_date", "sex", "categories"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "id_number": {"type": "string", "description": "Masked: region code and last two characters"},
            "birth_date": {"type": "string", "format": "date"},
            "sex": {"enum": ["male", "female"]},
            "hukou_region_code": {"type": "string"},
            "categories": {"type": "array", "items": {"type": "string"}},
            "created": {"type": "boolean", "description": "POST only: a new person was registered"},
            "name_flagged": {"type": "boolean", "description": "POST only: the name sent differs"},
        },
    },
)


def startup_json(startup: Startup) -> dict[str, Any]:
    return {
        "id": startup.id,
        "base_id": startup.base_id,
        "name": startup.name,
        "legal_form": startup.legal_form,
        "uscc": startup.uscc,
        "registered_on": startup.registered_on,
        "industry": startup.industry,
        "contact_name": startup.contact_name,
        "contact_phone": startup.contact_phone,
        "contact_email": startup.contact_email,
        "description": startup.description,
        "status": startup.status,
        "applied_on": startup.applied_on,
        "admitted_on": startup.admitted_on,
        "incubation_ends_on": startup.incubation_ends_on,
        "left_on": startup.left_on,
        "exit_reason": startup.exit_reason,
    }


def person_json(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "id_number": person.id_masked,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "hukou_region_code": person.hukou_region_code,
        "categories": person.categories,
    }


@operation(
    "Startups visible to you",
    tags=("startups",),
    response=page_of(STARTUP),
    params=(
        *PAGE_PARAMS,
        query_param("base", {"type": "integer"}, "Only this base"),
        query_param("status", {"enum": [v.value for v in StartupStatus]}, "Only this status"),
    ),
    errors=(422,),
)
async def list_startups(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = visible(principal, Startup).order_by("id")
    params = request.query_params
    if base := params.get("base"):
        if (base_id := parse_id(base)) is None:
            raise ValidationFailed({"base": N_("Enter a whole number.")})
        query = query.filter(base_id=base_id)
    if status := params.get("status"):
        if status not in StartupStatus.__members__.values():
            raise ValidationFailed({"status": N_("Choose one of the listed values.")})
        query = query.filter(status=status)
    limit, offset = window(params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([startup_json(s) for s in page.items]))


@operation(
    "Record a startup's application to your base",
    tags=("startups",),
    request=STARTUP_INPUT,
    response=STARTUP,
    status=201,
    errors=(403, 422),
)
async def create_startup(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "startup.manage")
    base = await get_visible(principal, Base, principal.base_id)
    startup = await service.create_startup(principal, base, parse_startup(body_of(request), today=today()))
    return ApiResponse(startup_json(startup), status_code=201)


@operation("One startup", tags=("startups",), response=STARTUP, errors=(404,))
async def get_startup(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    return ApiResponse(startup_json(startup))


@operation(
    "Change a startup (founders: contact details only)",
    tags=("startups",),
    request=STARTUP_PATCH,
    response=STARTUP,
    errors=(403, 404, 422),
)
async def patch_startup(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "startup.contact", startup)
    body = body_of(request)
    if not isinstance(body, dict):
        raise ValidationFailed({"__all__": N_("The request body must be an object.")})
    contact_only = not can(principal, "startup.manage")
    if contact_only and set(body) - set(CONTACT_FIELDS):
        raise Forbidden()
    merged = {k: v for k, v in jsonable(startup_json(startup)).items() if v is not None} | body
    if not contact_only:
        startup = await service.update_startup(principal, startup, parse_startup(merged, today=today()))
    else:
        startup = await service.update_contact(principal, startup, parse_contact(merged))
    return ApiResponse(startup_json(startup))


@operation(
    "Move a startup along its lifecycle (admit, graduate, exit)",
    tags=("startups",),
    request=TRANSITION,
    response=STARTUP,
    errors=(403, 404, 422),
)
async def create_transition(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "startup.manage", startup)
    startup = await service.transition(principal, startup, parse_transition(body_of(request), today=today()))
    return ApiResponse(startup_json(startup))


@operation(
    "Find a person by ID number, or register them at your base",
    tags=("people",),
    request=PERSON_INPUT,
    response=PERSON,
    status=201,
    errors=(403, 422),
)
async def register_person(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "person.register")
    base = await get_visible(principal, Base, principal.base_id)
    link = await people_service.register_person(principal, base, parse_person(body_of(request), today=today()))
    body = {**person_json(link.person), "created": link.created, "name_flagged": link.name_flagged}
    return ApiResponse(body, status_code=201 if link.created else 200)


@operation("One person (ID number masked)", tags=("people",), response=PERSON, errors=(404,))
async def get_person(request: Request) -> JSONResponse:
    principal = api_principal(request)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    return ApiResponse(person_json(person))
