"""JSON API of subsidy policies with their dated versions, the LPR table and regional holidays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from grants.forms.policies import parse_version
from grants.models import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday
from grants.rules.params import SCHEMA
from grants.services import policies as service
from incubator.access import Principal, get_visible, require, require_region, visible
from incubator.apikit import (
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
from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.i18n import N_
from incubator.pagination import paginate, window
from incubator.regions import is_region_code, lineage

DATE = {"type": "string", "format": "date"}
KINDS = [k.value for k in PolicyKind]
PARAM_NAMES = sorted({spec.name for specs in SCHEMA.values() for spec in specs})
SOURCE = schema(
    "ParameterSource",
    {
        "type": "object",
        "required": ["ref", "confirmed"],
        "properties": {
            "ref": {"type": "string", "description": "The document, its number and article"},
            "confirmed": {"type": "boolean", "description": "Checked against the official text"},
        },
    },
)
PARAMS_DESCRIPTION = (
    "Parameters by name, as the kind's schema lists them: money as strings with two decimals,"
    " whole numbers, percents as strings, eligible_groups as a list of codes, mode as full|share|above_lpr. "
    "Names: " + ", ".join(PARAM_NAMES)
)
VERSION = schema(
    "PolicyVersion",
    {
        "type": "object",
        "required": ["id", "policy_id", "valid_from", "valid_until", "params", "sources"],
        "properties": {
            "id": {"type": "integer"},
            "policy_id": {"type": "integer"},
            "valid_from": DATE,
            "valid_until": {**NULLABLE_DATE, "description": "Null while open-ended"},
            "params": {"type": "object", "description": PARAMS_DESCRIPTION},
            "sources": {"type": "object", "additionalProperties": SOURCE},
            "note": {"type": "string"},
        },
    },
)
POLICY = schema(
    "Policy",
    {
        "type": "object",
        "required": ["id", "kind", "region_code", "name", "issuing_body", "document_number", "versions"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": KINDS},
            "region_code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "issuing_body": {"type": "string"},
            "document_number": {"type": "string", "description": "文号"},
            "summary": {"type": "string"},
            "is_active": {"type": "boolean"},
            "in_force_version_id": {"type": ["integer", "null"], "description": "The version in force today"},
            "versions": {"type": "array", "items": VERSION},
        },
    },
)
VERSION_INPUT = schema(
    "PolicyVersionInput",
    {
        "type": "object",
        "required": ["valid_from", "params", "sources"],
        "properties": {
            "valid_from": DATE,
            "valid_until": NULLABLE_DATE,
            "params": {"type": "object", "description": PARAMS_DESCRIPTION},
            "sources": {"type": "object", "additionalProperties": SOURCE},
            "note": {"type": "string", "maxLength": 500},
            "adjust_neighbours": {
                "type": "boolean",
                "description": (
                    "On a correction: the version before ends the day before, the one after starts the day after"
                ),
            },
        },
    },
)
LPR = schema(
    "LprRate",
    {
        "type": "object",
        "required": ["id", "effective_on", "one_year"],
        "properties": {
            "id": {"type": "integer"},
            "effective_on": DATE,
            "one_year": {"type": "string", "description": "Percent a year"},
            "five_year": {"type": ["string", "null"], "description": "Percent a year"},
            "source": {"type": "string"},
        },
    },
)
HOLIDAY = schema(
    "RegionHoliday",
    {
        "type": "object",
        "required": ["id", "region_code", "name", "starts_on", "ends_on"],
        "properties": {
            "id": {"type": "integer"},
            "region_code": {"type": "string"},
            "name": {"type": "string"},
            "starts_on": DATE,
            "ends_on": {**DATE, "description": "Included"},
        },
    },
)


def reader(request: Request) -> Principal:
    principal = api_principal(request)
    require(principal, "policy.view")
    return principal


def version_json(version: PolicyVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "policy_id": version.policy_id,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "params": version.params,
        "sources": version.sources,
        "note": version.note,
    }


def policy_json(policy: Policy, versions: list[PolicyVersion]) -> dict[str, Any]:
    day = today()
    current = next(
        (v.id for v in versions if v.valid_from <= day and (v.valid_until is None or v.valid_until >= day)), None
    )
    return {
        "id": policy.id,
        "kind": policy.kind,
        "region_code": policy.region_id,
        "name": policy.name,
        "name_en": policy.name_en,
        "issuing_body": policy.issuing_body,
        "document_number": policy.document_number,
        "summary": policy.summary,
        "is_active": policy.is_active,
        "in_force_version_id": current,
        "versions": [version_json(v) for v in versions],
    }


async def _with_versions(policies: list[Policy]) -> list[dict[str, Any]]:
    """The policies with their versions, read in one query."""
    by_policy: dict[int, list[PolicyVersion]] = {p.id: [] for p in policies}
    for version in await PolicyVersion.filter(policy_id__in=list(by_policy)).order_by("valid_from"):
        by_policy[version.policy_id].append(version)
    return [policy_json(p, by_policy[p.id]) for p in policies]


@operation(
    "Policies that apply in your region (bureaus: and below it), with every version's parameters and sources",
    tags=("subsidies",),
    response=page_of(POLICY),
    params=(
        *PAGE_PARAMS,
        query_param("kind", {"enum": KINDS}),
        query_param("region", {"type": "string"}, "Only the policies that apply in this region (its own and above)"),
    ),
    errors=(403, 422),
)
async def list_policies(request: Request) -> JSONResponse:
    principal = reader(request)
    query = visible(principal, Policy).order_by("kind", "region_id")
    kind = request.query_params.get("kind", "")
    if kind:
        if kind not in KINDS:
            raise ValidationFailed({"kind": N_("Choose one of the listed values.")})
        query = query.filter(kind=kind)
    region = request.query_params.get("region", "")
    if region:
        if not is_region_code(region):
            raise ValidationFailed({"region": N_("A region code has six digits (GB/T 2260), e.g. 540102.")})
        query = query.filter(region_id__in=lineage(region))
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope(await _with_versions(page.items)))


@operation("One policy with every version", tags=("subsidies",), response=POLICY, errors=(403,))
async def get_policy(request: Request) -> JSONResponse:
    principal = reader(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"])
    return ApiResponse((await _with_versions([policy]))[0])


@operation(
    "Add a version from a date on; the open version before it ends the day before (admin, bureau of the region)",
    tags=("subsidies",),
    request=VERSION_INPUT,
    response=VERSION,
    status=201,
    errors=(403, 404),
)
async def create_version(request: Request) -> JSONResponse:
    principal = api_principal(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"])
    require_region(principal, "policy.manage", policy.region_id)
    version = await service.add_version(principal, policy, parse_version(policy.kind, body_of(request)))
    return ApiResponse(version_json(version), status_code=201)


def _merged(version: PolicyVersion, body: Any) -> Any:
    """The stored version with the body's fields over it (params and sources merged by name)."""
    if not isinstance(body, Mapping):
        return body
    merged: dict[str, Any] = {
        "valid_from": version.valid_from.isoformat(),
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "note": version.note,
        **{k: v for k, v in body.items() if k not in ("params", "sources")},
    }
    params = body.get("params", {})
    merged["params"] = {**(version.params or {}), **params} if isinstance(params, Mapping) else params
    sources = body.get("sources", {})
    if isinstance(sources, Mapping):
        stored = dict(version.sources or {})
        for name, source in sources.items():
            old = stored.get(name)
            both = isinstance(old, Mapping) and isinstance(source, Mapping)
            stored[name] = {**old, **source} if both else source  # type: ignore[dict-item]
        merged["sources"] = stored
    else:
        merged["sources"] = sources
    return merged


@operation(
    "Correct a version: only the fields given change; dates must leave no gap or overlap (admin, bureau of the region)",
    tags=("subsidies",),
    request=VERSION_INPUT,
    response=VERSION,
    errors=(403, 404),
)
async def update_version(request: Request) -> JSONResponse:
    principal = api_principal(request)
    version = await get_visible(principal, PolicyVersion, request.path_params["version_id"], related=("policy",))
    require_region(principal, "policy.manage", version.policy.region_id)
    data = parse_version(version.policy.kind, _merged(version, body_of(request)))
    updated = await service.update_version(principal, version, data)
    return ApiResponse(version_json(updated))


@operation("The LPR table, latest first", tags=("subsidies",), response=page_of(LPR), params=PAGE_PARAMS)
async def list_lpr_rates(request: Request) -> JSONResponse:
    principal = api_principal(request)
    limit, offset = window(request.query_params)
    page = await paginate(visible(principal, LprRate).order_by("-effective_on"), limit, offset)
    items = [
        {
            "id": r.id,
            "effective_on": r.effective_on,
            "one_year": r.one_year,
            "five_year": r.five_year,
            "source": r.source,
        }
        for r in page.items
    ]
    return ApiResponse(page.envelope(items))


@operation(
    "Regional holidays that apply in your region (bureaus: and below it)",
    tags=("subsidies",),
    response=page_of(HOLIDAY),
    params=(*PAGE_PARAMS, query_param("region", {"type": "string"}, "Only those that apply in this region")),
    errors=(403, 422),
)
async def list_holidays(request: Request) -> JSONResponse:
    principal = reader(request)
    query = visible(principal, RegionHoliday).order_by("starts_on", "region_id")
    region = request.query_params.get("region", "")
    if region:
        if not is_region_code(region):
            raise ValidationFailed({"region": N_("A region code has six digits (GB/T 2260), e.g. 540102.")})
        query = query.filter(region_id__in=lineage(region))
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    items = [
        {"id": h.id, "region_code": h.region_id, "name": h.name, "starts_on": h.starts_on, "ends_on": h.ends_on}
        for h in page.items
    ]
    return ApiResponse(page.envelope(items))
