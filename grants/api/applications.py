"""JSON API for eligibility checks and subsidy applications, with their transitions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from grants.explain import explained
from grants.forms.applications import REQUESTED, parse_claim, parse_details, parse_transition
from grants.models import Application, ApplicationEvent, AppState, Evidence, PolicyKind
from grants.services import applications as services
from grants.services.eligibility import Evaluation
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
from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.i18n import N_
from incubator.pagination import paginate, window
from tenants.api.billing import DATE, choice_param, id_param, money

KINDS = tuple(k.value for k in PolicyKind)
STATES = tuple(s.value for s in AppState)
STEP = {
    "type": "object",
    "required": ["outcome", "text", "msgid", "params"],
    "properties": {
        "outcome": {"enum": ["pass", "fail", "info"]},
        "text": {"type": "string", "description": "The step in the request's language"},
        "msgid": {"type": "string", "description": "The message id (English source text)"},
        "params": {"type": "object", "description": "Typed values: {money}, {rate}, {date}, {label}, or plain"},
    },
}
DECISION = schema(
    "Decision",
    {
        "type": "object",
        "required": ["eligible", "amount", "trace"],
        "properties": {
            "eligible": {"type": "boolean"},
            "amount": MONEY,
            "subjects": {"type": "array", "items": {"type": "string"}},
            "trace": {"type": "array", "items": STEP},
            "facts": {"type": "object", "description": "The facts the rule decided on"},
            "policy": {
                "type": ["object", "null"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "document_number": {"type": "string"},
                    "version_id": {"type": "integer"},
                    "valid_from": DATE,
                },
            },
        },
    },
)
APPLICATION_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "reference": {"type": "string"},
    "kind": {"enum": list(KINDS)},
    "state": {"enum": list(STATES)},
    "version": {"type": "integer", "description": "Send it back with a transition to act on what you saw"},
    "policy": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "startup": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "base_id": {"type": "integer"},
    "region_code": {"type": "string"},
    "period_start": NULLABLE_DATE,
    "period_end": NULLABLE_DATE,
    "loan_id": {"type": ["integer", "null"]},
    "period_no": {"type": ["integer", "null"]},
    "computed_amount": MONEY,
    "approved_amount": {"type": ["string", "null"]},
    "approval_reason": {"type": "string"},
    "paid_on": NULLABLE_DATE,
    "notice_id": {"type": ["integer", "null"]},
    "disbursement_id": {"type": ["integer", "null"]},
}
APPLICATION = schema(
    "Application",
    {
        "type": "object",
        "required": ["id", "reference", "kind", "state", "version"],
        "properties": APPLICATION_PROPERTIES,
    },
)
APPLICATION_DETAIL = schema(
    "ApplicationDetail",
    {
        "type": "object",
        "required": ["id", "reference", "state", "timeline", "evidence"],
        "properties": {
            **APPLICATION_PROPERTIES,
            "payee_name": {"type": "string"},
            "payee_bank": {"type": "string"},
            "payee_account": {"type": "string", "description": "Masked"},
            "note": {"type": "string"},
            "declared": {"type": "object"},
            "decision_now": {
                "type": ["object", "null"],
                "description": "Live check of a draft or returned application",
            },
            "submitted_decision": {"type": ["object", "null"]},
            "approved_decision": {"type": ["object", "null"]},
            "next_steps": {"type": "array", "items": {"enum": [s.value for s in REQUESTED]}},
            "timeline": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "from": {"type": ["string", "null"]},
                        "to": {"type": "string"},
                        "actor": {"type": "string"},
                        "role": {"type": "string"},
                        "comment": {"type": "string"},
                        "amount": {"type": ["string", "null"]},
                    },
                },
            },
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "label": {"type": "string"},
                        "filename": {"type": "string"},
                        "size": {"type": "integer"},
                        "content_type": {"type": "string"},
                    },
                },
            },
        },
    },
)
CLAIM_INPUT = schema(
    "ApplicationInput",
    {
        "type": "object",
        "required": ["policy"],
        "properties": {
            "policy": {"enum": list(KINDS)},
            "startup_id": {"type": "integer", "description": "Operators: one of the base's startups"},
            "year": {"type": "integer", "description": "Rent subsidy: the year the rent was paid for"},
            "loan_id": {"type": "integer", "description": "Interest subsidy: the loan"},
            "period_no": {"type": "integer", "description": "Interest subsidy: the repayment period"},
        },
    },
)
DETAILS_INPUT = schema(
    "ApplicationDetailsInput",
    {
        "type": "object",
        "properties": {
            "payee_name": {"type": "string", "maxLength": 100},
            "payee_bank": {"type": "string", "maxLength": 100},
            "payee_account": {"type": "string", "description": "8 to 34 digits"},
            "note": {"type": "string", "maxLength": 2000},
            "declared": {
                "type": "object",
                "description": "Founder person id -> groups declared (with evidence)",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
)
TRANSITION_INPUT = schema(
    "TransitionInput",
    {
        "type": "object",
        "required": ["to"],
        "properties": {
            "to": {"enum": [s.value for s in REQUESTED]},
            "comment": {"type": "string", "maxLength": 2000, "description": "Required to return or reject"},
            "amount": {"type": ["string", "number"], "description": "Approval: default the computed amount"},
            "version": {"type": "integer", "description": "The version you saw; a stale one is refused (409)"},
        },
    },
)


def _steps(frozen: Any) -> list[dict[str, Any]]:
    texts = explained(frozen)
    raw = frozen["trace"] if isinstance(frozen, dict) else None
    if raw is None:
        from grants.rules.core import encode

        raw = encode(frozen)["trace"]
    return [{**text, "msgid": step["msgid"], "params": step["params"]} for text, step in zip(texts, raw, strict=True)]


def decision_json(found: Evaluation) -> dict[str, Any]:
    frozen = found.frozen()
    return {
        "eligible": frozen["eligible"],
        "amount": frozen["amount"],
        "subjects": frozen["subjects"],
        "trace": _steps(frozen),
        "facts": frozen["facts"],
        "policy": {
            "id": found.policy.id,
            "name": found.policy.name,
            "document_number": found.policy.document_number,
            "version_id": found.version.id,
            "valid_from": found.version.valid_from,
        }
        if found.policy is not None and found.version is not None
        else None,
    }


def _frozen_json(frozen: dict[str, Any] | None) -> dict[str, Any] | None:
    if not frozen:
        return None
    return {**frozen, "trace": _steps(frozen)}


def application_json(app: Application) -> dict[str, Any]:
    """An application; `policy` and `startup` must be loaded."""
    return {
        "id": app.id,
        "reference": app.reference,
        "kind": app.kind,
        "state": app.state,
        "version": app.row_version,
        "policy": {"id": app.policy_id, "name": app.policy.name},
        "startup": {"id": app.startup_id, "name": app.startup.name},
        "base_id": app.base_id,
        "region_code": app.region_code,
        "period_start": app.period_start,
        "period_end": app.period_end,
        "loan_id": app.loan_id,
        "period_no": app.period_no,
        "computed_amount": money(app.computed_amount),
        "approved_amount": money(app.approved_amount) if app.approved_amount is not None else None,
        "approval_reason": app.approval_reason,
        "paid_on": app.paid_on,
        "notice_id": app.notice_id,
        "disbursement_id": app.disbursement_id,
    }


async def _detail(request: Request, app: Application) -> dict[str, Any]:
    principal = api_principal(request)
    await app.fetch_related("policy", "startup")
    events = await ApplicationEvent.filter(application_id=app.id).order_by("at", "id")
    evidence = await Evidence.filter(application_id=app.id).select_related("file").order_by("id")
    now = await services.evaluation_of(app) if app.state in services.EDITABLE else None
    account = app.payee_account
    return {
        **application_json(app),
        "payee_name": app.payee_name,
        "payee_bank": app.payee_bank,
        "payee_account": f"{account[:4]}…{account[-4:]}" if len(account) > 8 else account,
        "note": app.note,
        "declared": app.declared or {},
        "decision_now": decision_json(now) if now is not None else None,
        "submitted_decision": _frozen_json(app.submitted_decision),
        "approved_decision": _frozen_json(app.approved_decision),
        "next_steps": [s.value for s in services.next_steps(principal, app)],
        "timeline": [
            {
                "at": e.at,
                "from": e.from_state.value if e.from_state else None,
                "to": e.to_state.value,
                "actor": e.actor_name,
                "role": e.actor_role,
                "comment": e.comment,
                "amount": money(e.amount) if e.amount is not None else None,
            }
            for e in events
        ],
        "evidence": [
            {
                "id": e.id,
                "label": e.label,
                "filename": e.file.filename,
                "size": e.file.size,
                "content_type": e.file.content_type,
            }
            for e in evidence
        ],
    }


@operation(
    "What a startup would get for a policy and period today, with the reasons",
    tags=("subsidies",),
    response=DECISION,
    params=(
        query_param("startup_id", {"type": "integer"}, "Founders: their own startup (may be left out)"),
        query_param("policy", {"enum": list(KINDS)}),
        query_param("period", {"type": "string"}, "Rent: a year (2025); interest: loan id and period, 12:3"),
    ),
    errors=(403, 404, 422),
)
async def eligibility(request: Request) -> ApiResponse:
    principal = api_principal(request)
    require(principal, "subsidy.view")
    kind = choice_param(request, "policy", KINDS)
    if kind is None:
        raise ValidationFailed({"policy": N_("This field is required.")})
    raw: dict[str, Any] = {"policy": kind}
    startup_id = id_param(request, "startup_id")
    if startup_id is not None:
        raw["startup_id"] = startup_id
    period = request.query_params.get("period", "")[:24]
    if kind == PolicyKind.RENT_SUBSIDY.value:
        raw["year"] = period
    elif kind == PolicyKind.LOAN_INTEREST.value:
        loan, _sep, number = period.partition(":")
        raw.update(loan_id=loan, period_no=number)
    data = parse_claim(raw, today=today())
    if principal.role.value in ("admin", "bureau") and data.startup_id is not None:
        # Reviewers may check any startup they see; the apply permission is not theirs.
        from grants.services.eligibility import Period, evaluate
        from tenants.models import Startup

        startup = await get_visible(principal, Startup, data.startup_id)
        found = await evaluate(startup, Period(data.kind, data.year, data.loan_id, data.period_no), applied_on=today())
    else:
        _startup, found = await services.preview(principal, data)
    return ApiResponse(decision_json(found))


@operation(
    "Applications the caller may see",
    tags=("subsidies",),
    response=page_of(APPLICATION),
    params=(
        *PAGE_PARAMS,
        query_param("state", {"enum": list(STATES)}),
        query_param("policy", {"enum": list(KINDS)}),
        query_param("startup_id", {"type": "integer"}),
    ),
    errors=(422,),
)
async def list_applications(request: Request) -> ApiResponse:
    principal = api_principal(request)
    require(principal, "subsidy.view")
    query = visible(principal, Application).select_related("policy", "startup")
    state = choice_param(request, "state", STATES)
    if state:
        query = query.filter(state=state)
    kind = choice_param(request, "policy", KINDS)
    if kind:
        query = query.filter(kind=kind)
    startup_id = id_param(request, "startup_id")
    if startup_id is not None:
        query = query.filter(startup_id=startup_id)
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-id"), limit, offset)
    return ApiResponse(
        {"items": [application_json(a) for a in page.items], "total": page.total, "limit": limit, "offset": offset}
    )


@operation(
    "Start an application (a draft) for a policy and period",
    tags=("subsidies",),
    request=CLAIM_INPUT,
    response=APPLICATION_DETAIL,
    status=201,
    errors=(403, 404, 422),
)
async def create_application(request: Request) -> ApiResponse:
    principal = api_principal(request)
    app = await services.create_draft(principal, parse_claim(body_of(request), today=today()))
    return ApiResponse(await _detail(request, app), status_code=201)


@operation(
    "An application with its decisions, evidence and timeline",
    tags=("subsidies",),
    response=APPLICATION_DETAIL,
    errors=(404,),
)
async def get_application(request: Request) -> ApiResponse:
    principal = api_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    return ApiResponse(await _detail(request, app))


@operation(
    "Change the payee, note or declared groups of a draft or returned application",
    tags=("subsidies",),
    request=DETAILS_INPUT,
    response=APPLICATION_DETAIL,
    errors=(403, 404, 409, 422),
)
async def update_application(request: Request) -> ApiResponse:
    principal = api_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    founders = {f.person_id for f in await services.current_founders(app)}
    await services.update_details(principal, app, parse_details(body_of(request), founders=founders))
    return ApiResponse(await _detail(request, await Application.get(id=app.id)))


@operation(
    "Move an application: submit, withdraw, forward, return, reject or approve",
    tags=("subsidies",),
    request=TRANSITION_INPUT,
    response=APPLICATION_DETAIL,
    errors=(403, 404, 409, 422),
)
async def transition(request: Request) -> ApiResponse:
    principal = api_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    data = parse_transition(body_of(request))
    await services.transition(principal, app, data)
    return ApiResponse(await _detail(request, await Application.get(id=app.id)))
