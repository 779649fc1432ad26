"""JSON API for the job roster and job counts (with the counting rule used)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import get_visible, require, visible
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
from incubator.audit import jsonable
from incubator.convertors import parse_id
from incubator.errors import NotFound, ValidationFailed
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.models import Base, Region, Role
from incubator.pagination import paginate, window
from incubator.regions import in_subtree, is_region_code
from tenants.api.startups import PERSON_PROPERTIES
from tenants.forms.jobs import parse_employment, parse_leaving, parse_terms
from tenants.models import ContractKind, Employment, Startup, Verification
from tenants.services import roster
from tenants.services.jobcounts import CATEGORIES, Figure, JobCounts, Target, job_counts

TERMS = {
    "hired_on": {"type": "string", "format": "date"},
    "left_on": NULLABLE_DATE,
    "left_reason": {"type": "string", "maxLength": 200},
    "contract_kind": {"enum": [k.value for k in ContractKind]},
    "insured_from": NULLABLE_DATE,
    "insured_until": NULLABLE_DATE,
    "monthly_wage": {"type": ["string", "null"], "pattern": r"^\d+(\.\d{1,2})?$"},
}
EMPLOYMENT_INPUT = schema(
    "EmploymentInput",
    {
        "type": "object",
        "required": ["id_number", "name", "hired_on", "contract_kind"],
        "properties": {**PERSON_PROPERTIES, **TERMS},
    },
)
EMPLOYMENT_PATCH = schema(
    "EmploymentPatch",
    {
        "type": "object",
        "description": "Terms to correct; sending left_on alone ends the employment",
        "properties": TERMS,
    },
)
EMPLOYMENT = schema(
    "Employment",
    {
        "type": "object",
        "required": ["id", "startup_id", "person", "hired_on", "contract_kind", "verification"],
        "properties": {
            "id": {"type": "integer"},
            "startup_id": {"type": "integer"},
            "base_id": {"type": "integer"},
            "person": {
                "type": "object",
                "required": ["id", "name", "id_number"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "id_number": {"type": "string", "description": "Masked: region code and last two characters"},
                },
            },
            **TERMS,
            "monthly_wage": {"anyOf": [MONEY, {"type": "null"}]},
            "is_founder": {"type": "boolean"},
            "categories": {"type": "array", "items": {"enum": list(CATEGORIES)}},
            "graduation_year": {"type": ["integer", "null"]},
            "verification": {"enum": [v.value for v in Verification]},
        },
    },
)
FIGURE = {
    "type": "object",
    "properties": {
        "declared": {"type": "object", "additionalProperties": {"type": "integer"}},
        "verified": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}
JOB_COUNTS = schema(
    "JobCounts",
    {
        "type": "object",
        "required": ["as_of", "from", "to", "headcount", "created", "cumulative", "rule"],
        "properties": {
            "as_of": {"type": "string", "format": "date"},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "headcount": FIGURE,
            "created": FIGURE,
            "cumulative": FIGURE,
            "graduates_by_year": {"type": "object", "additionalProperties": {"type": "integer"}},
            "rule": {
                "type": "object",
                "properties": {
                    "region_code": {"type": ["string", "null"]},
                    "effective_from": NULLABLE_DATE,
                    "include_founders": {"type": "boolean"},
                    "min_insured_months": {"type": "integer"},
                    "contract_kinds": {"type": "array", "items": {"type": "string"}},
                    "source": {"type": "string"},
                },
            },
        },
    },
)


def employment_json(employment: Employment) -> dict[str, Any]:
    person = employment.person
    return {
        "id": employment.id,
        "startup_id": employment.startup_id,
        "base_id": employment.base_id,
        "person": {"id": person.id, "name": person.name, "id_number": person.id_masked},
        "hired_on": employment.hired_on,
        "left_on": employment.left_on,
        "left_reason": employment.left_reason,
        "contract_kind": employment.contract_kind,
        "insured_from": employment.insured_from,
        "insured_until": employment.insured_until,
        "monthly_wage": employment.monthly_wage,
        "is_founder": employment.is_founder,
        "categories": [name for name in CATEGORIES if getattr(employment, f"is_{name}")],
        "graduation_year": employment.graduation_year,
        "verification": employment.verification,
    }


@operation(
    "A startup's roster",
    tags=("jobs",),
    response=page_of(EMPLOYMENT),
    params=(*PAGE_PARAMS, query_param("current", {"type": "boolean"}, "Only people still employed")),
    errors=(404,),
)
async def list_employments(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    query = visible(principal, Employment).filter(startup_id=startup.id).select_related("person").order_by("id")
    if request.query_params.get("current") in ("1", "true"):
        query = query.filter(left_on=None)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([employment_json(e) for e in page.items]))


@operation(
    "Add a person to a startup's roster (found by ID number)",
    tags=("jobs",),
    request=EMPLOYMENT_INPUT,
    response=EMPLOYMENT,
    status=201,
    errors=(403, 404, 422),
)
async def create_employment(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "roster.manage", startup)
    employment = await roster.add_employment(principal, startup, parse_employment(body_of(request), today=today()))
    return ApiResponse(employment_json(employment), status_code=201)


@operation("One roster entry", tags=("jobs",), response=EMPLOYMENT, errors=(404,))
async def get_employment(request: Request) -> JSONResponse:
    principal = api_principal(request)
    employment = await get_visible(principal, Employment, request.path_params["employment_id"], related=("person",))
    return ApiResponse(employment_json(employment))


@operation(
    "Correct a roster entry, or end it by sending left_on (and left_reason)",
    tags=("jobs",),
    request=EMPLOYMENT_PATCH,
    response=EMPLOYMENT,
    errors=(403, 404, 422),
)
async def patch_employment(request: Request) -> JSONResponse:
    principal = api_principal(request)
    employment = await get_visible(principal, Employment, request.path_params["employment_id"], related=("person",))
    require(principal, "roster.manage", employment)
    body = body_of(request)
    if not isinstance(body, dict):
        raise ValidationFailed({"__all__": N_("The request body must be an object.")})
    if "left_on" in body and set(body) <= {"left_on", "left_reason"}:
        employment = await roster.end_employment(principal, employment, parse_leaving(body, today=today()))
    else:
        current = {k: v for k, v in jsonable(employment_json(employment)).items() if k in TERMS and v is not None}
        employment = await roster.correct_employment(principal, employment, parse_terms(current | body, today=today()))
    return ApiResponse(employment_json(employment))


def _date_param(request: Request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: N_("Enter a date as YYYY-MM-DD.")}) from None
    if value < dt.date(2000, 1, 1) or value > today():
        raise ValidationFailed({name: N_("The date cannot be in the future.")})
    return value


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {"declared": figure.declared, "verified": figure.verified}


def counts_json(counts: JobCounts) -> dict[str, Any]:
    rule = counts.rule
    return {
        "as_of": counts.as_of,
        "from": counts.period_start,
        "to": counts.period_end,
        "headcount": _figure_json(counts.headcount),
        "created": _figure_json(counts.created),
        "cumulative": _figure_json(counts.cumulative),
        "graduates_by_year": {str(k): v for k, v in counts.graduates_by_year.items()},
        "rule": {
            "region_code": rule.region_code,
            "effective_from": rule.effective_from,
            "include_founders": rule.include_founders,
            "min_insured_months": rule.min_insured_months,
            "contract_kinds": [k.value for k in rule.contract_kinds],
            "source": gettext(rule.source) if rule.is_default else rule.source,
        },
    }


@operation(
    "Job counts of a startup, a base or a region subtree, with the counting rule used",
    tags=("jobs",),
    response=JOB_COUNTS,
    params=(
        query_param("startup_id", {"type": "integer"}),
        query_param("base_id", {"type": "integer"}),
        query_param("region", {"type": "string", "pattern": "^[0-9]{6}$"}),
        query_param("as_of", {"type": "string", "format": "date"}),
        query_param("from", {"type": "string", "format": "date"}),
        query_param("to", {"type": "string", "format": "date"}),
    ),
    errors=(404, 422),
)
async def get_job_counts(request: Request) -> JSONResponse:
    principal = api_principal(request)
    params = request.query_params
    as_of = _date_param(request, "as_of", today())
    start = _date_param(request, "from", dt.date(as_of.year, 1, 1))
    end = _date_param(request, "to", as_of)
    if end < start:
        raise ValidationFailed({"to": N_("The end date cannot be before the start date.")})
    given = [name for name in ("startup_id", "base_id", "region") if params.get(name)]
    if len(given) != 1:
        raise ValidationFailed({"__all__": N_("Give exactly one of startup_id, base_id or region.")})
    if params.get("startup_id"):
        startup = await get_visible(principal, Startup, _int(params["startup_id"], "startup_id"), related=("base",))
        target, region_code = Target(startup_id=startup.id), startup.base.region_id
    elif params.get("base_id"):
        base = await get_visible(principal, Base, _int(params["base_id"], "base_id"))
        if principal.role is Role.FOUNDER:
            raise NotFound()
        target, region_code = Target(base_id=base.id), base.region_id
    else:
        code = params["region"]
        if not is_region_code(code) or principal.role not in (Role.ADMIN, Role.BUREAU):
            raise NotFound()
        if principal.role is Role.BUREAU and not (principal.region_code and in_subtree(code, principal.region_code)):
            raise NotFound()
        region = await get_visible(principal, Region, code)
        target, region_code = Target(region_code=region.code), region.code
    counts = await job_counts(target, region_code, as_of=as_of, period_start=start, period_end=end)
    return ApiResponse(counts_json(counts))


def _int(value: str, name: str) -> int:
    if (number := parse_id(value)) is None:
        raise ValidationFailed({name: N_("Enter a whole number.")})
    return number
