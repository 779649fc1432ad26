"""JSON API of job audits: list, open, read, findings, decisions and sign-off.

The social insurance roster is uploaded in the page (it may need its columns chosen); the API
reads what the reconciliation found and records the officer's decisions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from grants.forms.job_audits import parse_audit, parse_decision, parse_sign_off
from grants.models import AuditFinding, AuditState, FindingKind, JobAudit, Outcome
from grants.services import job_audits as service
from incubator.access import get_visible, require, visible
from incubator.apikit import (
    NULLABLE_DATE,
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
from incubator.formatting import today
from incubator.i18n import N_
from incubator.pagination import paginate, window

COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
JOB_AUDIT = schema(
    "JobAudit",
    {
        "type": "object",
        "required": ["id", "base_id", "period_start", "period_end", "state"],
        "properties": {
            "id": {"type": "integer"},
            "base_id": {"type": "integer"},
            "startup_id": {"type": ["integer", "null"]},
            "region_code": {"type": "string"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "required_months": {"type": "integer"},
            "state": {"enum": [s.value for s in AuditState]},
            "roster_filename": {"type": "string"},
            "roster_rows": {"type": "integer"},
            "roster_skipped": {"type": "integer"},
            "findings": {"anyOf": [COUNTS, {"type": "null"}]},
            "totals": {"anyOf": [{"type": "object"}, {"type": "null"}]},
            "opened_by": {"type": "string"},
            "signed_by": {"type": "string"},
            "signed_at": {"type": ["string", "null"], "format": "date-time"},
            "superseded_by": {"type": ["integer", "null"]},
        },
    },
)
AUDIT_INPUT = schema(
    "JobAuditInput",
    {
        "type": "object",
        "required": ["base_id", "period_start", "period_end"],
        "properties": {
            "base_id": {"type": "integer", "minimum": 1},
            "startup_id": {"type": ["integer", "null"], "minimum": 1},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "required_months": {"type": ["integer", "null"], "minimum": 1, "maximum": 36},
        },
    },
)
FINDING = schema(
    "JobAuditFinding",
    {
        "type": "object",
        "required": ["id", "audit_id", "kind", "proposed"],
        "properties": {
            "id": {"type": "integer"},
            "audit_id": {"type": "integer"},
            "employment_id": {"type": ["integer", "null"]},
            "startup_id": {"type": ["integer", "null"]},
            "kind": {"enum": [k.value for k in FindingKind]},
            "flags": {"type": "array", "items": {"enum": [k.value for k in FindingKind]}},
            "proposed": {"enum": [o.value for o in Outcome]},
            "outcome": {"enum": [*(o.value for o in Outcome), None]},
            "reason": {"type": "string"},
            "declared_name": {"type": "string"},
            "insured_name": {"type": "string"},
            "id_number": {"type": "string", "description": "masked"},
            "employer_uscc": {"type": "string"},
            "months_paid": {"type": ["integer", "null"]},
            "hired_on": NULLABLE_DATE,
            "left_on": NULLABLE_DATE,
            "also_declared_at": {"type": "string"},
            "decided_by": {"type": "string"},
        },
    },
)
DECISION = schema(
    "JobAuditDecision",
    {
        "type": "object",
        "required": ["outcome"],
        "properties": {"outcome": {"enum": [o.value for o in Outcome]}, "reason": NULLABLE_STRING},
    },
)
SIGN_OFF = schema(
    "JobAuditSignOff",
    {
        "type": "object",
        "required": ["confirm"],
        "properties": {"confirm": {"type": "boolean"}, "note": NULLABLE_STRING},
    },
)


def _listed(value: str, enum: type[StrEnum], name: str) -> str:
    """A filter's value, if it is one of the enumeration's; else 422 (as the startups API does)."""
    if value not in {member.value for member in enum}:
        raise ValidationFailed({name: N_("Choose one of the listed values.")})
    return value


def audit_json(job_audit: JobAudit) -> dict[str, Any]:
    return {
        "id": job_audit.id,
        "base_id": job_audit.base_id,
        "startup_id": job_audit.startup_id,
        "region_code": job_audit.region_code,
        "period_start": job_audit.period_start,
        "period_end": job_audit.period_end,
        "required_months": job_audit.required_months,
        "state": job_audit.state,
        "roster_filename": job_audit.roster_filename,
        "roster_rows": job_audit.roster_rows,
        "roster_skipped": job_audit.roster_skipped,
        "findings": job_audit.counts,
        "totals": job_audit.totals,
        "opened_by": job_audit.opened_by,
        "signed_by": job_audit.signed_by,
        "signed_at": job_audit.signed_at,
        "superseded_by": job_audit.superseded_by_id,
    }


def finding_json(finding: AuditFinding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "audit_id": finding.audit_id,
        "employment_id": finding.employment_id,
        "startup_id": finding.startup_id,
        "kind": finding.kind,
        "flags": finding.flags,
        "proposed": finding.proposed,
        "outcome": finding.outcome,
        "reason": finding.reason,
        "declared_name": finding.declared_name,
        "insured_name": finding.insured_name,
        "id_number": finding.id_masked,
        "employer_uscc": finding.employer_uscc,
        "months_paid": finding.months_paid,
        "hired_on": finding.hired_on,
        "left_on": finding.left_on,
        "also_declared_at": finding.other,
        "decided_by": finding.decided_by,
    }


@operation(
    "Job audits in scope (a base's operators see signed ones)",
    tags=("job audits",),
    response=page_of(JOB_AUDIT),
    params=(*PAGE_PARAMS, query_param("state", {"enum": [s.value for s in AuditState]})),
    errors=(403, 422),
)
async def list_audits(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "job_audit.view")
    query = service.visible_audits(principal)
    if state := request.query_params.get("state"):
        query = query.filter(state=_listed(state, AuditState, "state"))
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-id"), limit, offset)
    return ApiResponse(page.envelope([audit_json(a) for a in page.items]))


@operation(
    "Open a job audit of a base (or one startup) for a period",
    tags=("job audits",),
    request=AUDIT_INPUT,
    response=JOB_AUDIT,
    status=201,
    errors=(403, 422),
)
async def create_audit(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "job_audit.manage")
    job_audit = await service.open_audit(principal, parse_audit(body_of(request), today=today()))
    return ApiResponse(audit_json(job_audit), status_code=201)


@operation("One job audit", tags=("job audits",), response=JOB_AUDIT, errors=(404,))
async def get_audit(request: Request) -> JSONResponse:
    principal = api_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    return ApiResponse(audit_json(job_audit))


@operation(
    "The findings of a job audit",
    tags=("job audits",),
    response=page_of(FINDING),
    params=(*PAGE_PARAMS, query_param("kind", {"enum": [k.value for k in FindingKind]})),
    errors=(404, 422),
)
async def list_findings(request: Request) -> JSONResponse:
    principal = api_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    query = visible(principal, AuditFinding).filter(audit_id=job_audit.id)
    if kind := request.query_params.get("kind"):
        query = query.filter(kind=_listed(kind, FindingKind, "kind"))
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("id"), limit, offset)
    return ApiResponse(page.envelope([finding_json(f) for f in page.items]))


@operation(
    "Confirm or override a finding (a reason is required to override)",
    tags=("job audits",),
    request=DECISION,
    response=FINDING,
    errors=(403, 404, 422),
)
async def decide_finding(request: Request) -> JSONResponse:
    principal = api_principal(request)
    finding = await get_visible(principal, AuditFinding, request.path_params["finding_id"])
    job_audit = await service.get_audit(principal, finding.audit_id)
    require(principal, "job_audit.manage", job_audit)
    body = body_of(request)
    if isinstance(body, dict) and body.get("reason") is None:
        body = {**body, "reason": ""}
    finding = await service.decide(principal, finding, parse_decision(body))
    return ApiResponse(finding_json(finding))


@operation(
    "Sign a job audit off: freeze its findings and mark the roster's entries",
    tags=("job audits",),
    request=SIGN_OFF,
    response=JOB_AUDIT,
    errors=(403, 404, 422),
)
async def sign_off(request: Request) -> JSONResponse:
    principal = api_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    require(principal, "job_audit.manage", job_audit)
    body = body_of(request)
    if isinstance(body, dict):
        body = {"confirm": "1" if body.get("confirm") is True else "", "note": body.get("note") or ""}
    job_audit = await service.sign_off(principal, job_audit, parse_sign_off(body))
    return ApiResponse(audit_json(job_audit))
