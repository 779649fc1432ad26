"""JSON API of public notices (公示) and disbursements (拨付): list, read, publish, object, batch, paid."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from grants.forms.notices import (
    DEFAULT_WORKING_DAYS,
    MAX_BATCH,
    MAX_WORKING_DAYS,
    parse_disbursement,
    parse_notice,
    parse_objection,
    parse_paid,
)
from grants.models import Application, AppState, Disbursement, DisbursementState, NoticeState, PublicNotice
from grants.services import disbursements as batches
from grants.services import notices as service
from incubator import formatting
from incubator.access import visible
from incubator.apikit import (
    MONEY,
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
from incubator.i18n import N_
from incubator.pagination import paginate, window

IDS = {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": MAX_BATCH}
ENTRY = schema(
    "NoticeEntry",
    {
        "type": "object",
        "required": ["position", "application_id", "reference", "startup", "founders", "policy", "amount"],
        "properties": {
            "position": {"type": "integer"},
            "application_id": {"type": "integer"},
            "reference": {"type": "string"},
            "startup": {"type": "string"},
            "founders": {"type": "string", "description": "masked: the first character of each name"},
            "policy": {"type": "string"},
            "kind": {"type": "string"},
            "base": {"type": "string"},
            "amount": MONEY,
            "state": {
                "enum": [*(s.value for s in AppState), None],
                "description": "the application's state now (detail only; null outside your scope)",
            },
        },
    },
)
NOTICE = schema(
    "PublicNotice",
    {
        "type": "object",
        "required": ["id", "title", "published_on", "working_days", "ends_on", "state", "count", "total"],
        "properties": {
            "id": {"type": "integer"},
            "bureau_id": {"type": "integer"},
            "region_code": {"type": "string"},
            "title": {"type": "string"},
            "published_on": {"type": "string", "format": "date"},
            "working_days": {"type": "integer"},
            "ends_on": {"type": "string", "format": "date", "description": "the last working day of the notice"},
            "period_over": {"type": "boolean", "description": "its applications may be paid"},
            "contact": {"type": "string"},
            "state": {"enum": [s.value for s in NoticeState]},
            "calendar_note": {
                "type": "string",
                "description": "years whose official holidays were not known yet (weekdays counted)",
            },
            "count": {"type": "integer"},
            "total": MONEY,
            "public_url": {"type": "string"},
            "entries": {"type": "array", "items": ENTRY},
        },
    },
)
NOTICE_INPUT = schema(
    "PublicNoticeInput",
    {
        "type": "object",
        "required": ["contact"],
        "properties": {
            "application_ids": {**IDS, "description": "omitted: every approved application you see"},
            "title": NULLABLE_STRING,
            "published_on": {**NULLABLE_DATE, "description": "today when omitted; not in the past"},
            "working_days": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_WORKING_DAYS,
                "default": DEFAULT_WORKING_DAYS,
            },
            "contact": {"type": "string", "maxLength": 200, "description": "where to send objections"},
        },
    },
)
OBJECTION_INPUT = schema(
    "ObjectionInput",
    {
        "type": "object",
        "required": ["application_id", "objector", "content"],
        "properties": {
            "application_id": {"type": "integer", "minimum": 1},
            "received_on": {**NULLABLE_DATE, "description": "today when omitted; within the notice period"},
            "objector": {"type": "string", "maxLength": 100},
            "content": {"type": "string", "maxLength": 2000},
        },
    },
)
OBJECTION = schema(
    "Objection",
    {
        "type": "object",
        "required": ["id", "notice_id", "application_id", "received_on"],
        "properties": {
            "id": {"type": "integer"},
            "notice_id": {"type": "integer"},
            "application_id": {"type": "integer"},
            "received_on": {"type": "string", "format": "date"},
            "objector": {"type": "string"},
            "content": {"type": "string"},
        },
    },
)
LINE = schema(
    "DisbursementLine",
    {
        "type": "object",
        "required": ["application_id", "reference", "amount"],
        "properties": {
            "application_id": {"type": "integer"},
            "reference": {"type": "string"},
            "startup": {"type": "string"},
            "policy": {"type": "string"},
            "payee_name": {"type": "string"},
            "payee_bank": {"type": "string"},
            "payee_account": {"type": "string"},
            "amount": MONEY,
            "state": {"enum": [s.value for s in AppState]},
        },
    },
)
DISBURSEMENT = schema(
    "Disbursement",
    {
        "type": "object",
        "required": ["id", "number", "pay_on", "state", "count", "total"],
        "properties": {
            "id": {"type": "integer"},
            "bureau_id": {"type": "integer"},
            "region_code": {"type": "string"},
            "number": {"type": "string"},
            "pay_on": {"type": "string", "format": "date"},
            "state": {"enum": [s.value for s in DisbursementState]},
            "count": {"type": "integer"},
            "total": MONEY,
            "bank_reference": {"type": "string"},
            "paid_on": NULLABLE_DATE,
            "transfer_list_url": {"type": "string"},
            "lines": {"type": "array", "items": LINE},
        },
    },
)
DISBURSEMENT_INPUT = schema(
    "DisbursementInput",
    {
        "type": "object",
        "required": ["pay_on", "application_ids"],
        "properties": {
            "pay_on": {"type": "string", "format": "date", "description": "today or later"},
            "application_ids": {**IDS, "minItems": 1},
        },
    },
)
PAID_INPUT = schema(
    "DisbursementPaidInput",
    {
        "type": "object",
        "required": ["paid_on", "bank_reference"],
        "properties": {
            "paid_on": {"type": "string", "format": "date", "description": "not in the future"},
            "bank_reference": {"type": "string", "maxLength": 64},
        },
    },
)


def notice_json(notice: PublicNotice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "bureau_id": notice.bureau_id,
        "region_code": notice.region_code,
        "title": notice.title,
        "published_on": notice.published_on,
        "working_days": notice.working_days,
        "ends_on": notice.ends_on,
        "period_over": service.period_over(notice),
        "contact": notice.contact,
        "state": notice.state,
        "calendar_note": notice.calendar_note,
        "count": len(notice.entries or []),
        "total": service.entries_total(notice),
        "public_url": f"/public/notices/{notice.id}",
    }


def batch_json(batch: Disbursement) -> dict[str, Any]:
    return {
        "id": batch.id,
        "bureau_id": batch.bureau_id,
        "region_code": batch.region_code,
        "number": batch.number,
        "pay_on": batch.pay_on,
        "state": batch.state,
        "count": batch.count,
        "total": batch.total,
        "bank_reference": batch.bank_reference,
        "paid_on": batch.paid_on,
        "transfer_list_url": f"/disbursements/{batch.id}/transfer-list.xlsx",
    }


async def _notice_detail(request: Request, notice: PublicNotice) -> dict[str, Any]:
    principal = api_principal(request)
    states = dict(
        await visible(principal, Application).filter(id__in=service.entry_ids(notice)).values_list("id", "state")
    )
    entries = [{**entry, "state": states.get(entry["application_id"])} for entry in notice.entries or []]
    return {**notice_json(notice), "entries": entries}


def _state_filter(value: str, allowed: set[str]) -> str:
    if value not in allowed:
        raise ValidationFailed({"state": N_("Choose one of the listed values.")})
    return value


@operation(
    "Public notices of your region",
    tags=("subsidies",),
    response=page_of(NOTICE),
    params=(*PAGE_PARAMS, query_param("state", {"enum": [s.value for s in NoticeState]})),
    errors=(403, 422),
)
async def list_notices(request: Request) -> JSONResponse:
    query = service.visible_notices(api_principal(request))
    if state := request.query_params.get("state"):
        query = query.filter(state=_state_filter(state, {s.value for s in NoticeState}))
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-published_on", "-id"), limit, offset)
    return ApiResponse(page.envelope([notice_json(n) for n in page.items]))


@operation("One public notice with its entries", tags=("subsidies",), response=NOTICE, errors=(403,))
async def get_notice(request: Request) -> JSONResponse:
    notice = await service.get_notice(api_principal(request), request.path_params["notice_id"])
    return ApiResponse(await _notice_detail(request, notice))


@operation(
    "Publish approved applications in a public notice (all you see unless application_ids names some)",
    tags=("subsidies",),
    request=NOTICE_INPUT,
    response=NOTICE,
    status=201,
    errors=(403, 409),
)
async def publish_notice(request: Request) -> JSONResponse:
    principal = api_principal(request)
    notice = await service.publish(principal, parse_notice(body_of(request), today=formatting.today()))
    return ApiResponse(await _notice_detail(request, notice), status_code=201)


@operation(
    "Record an objection to an application of a notice: it goes back to the bureau's review",
    tags=("subsidies",),
    request=OBJECTION_INPUT,
    response=OBJECTION,
    status=201,
    errors=(403, 409),
)
async def object_to(request: Request) -> JSONResponse:
    principal = api_principal(request)
    notice = await service.get_notice(principal, request.path_params["notice_id"])
    objection = await service.record_objection(
        principal, notice, parse_objection(body_of(request), today=formatting.today())
    )
    body = {
        "id": objection.id,
        "notice_id": objection.notice_id,
        "application_id": objection.application_id,
        "received_on": objection.received_on,
        "objector": objection.objector,
        "content": objection.content,
    }
    return ApiResponse(body, status_code=201)


@operation(
    "Payment batches of your region",
    tags=("subsidies",),
    response=page_of(DISBURSEMENT),
    params=(*PAGE_PARAMS, query_param("state", {"enum": [s.value for s in DisbursementState]})),
    errors=(403, 422),
)
async def list_disbursements(request: Request) -> JSONResponse:
    query = batches.visible_batches(api_principal(request))
    if state := request.query_params.get("state"):
        query = query.filter(state=_state_filter(state, {s.value for s in DisbursementState}))
    limit, offset = window(request.query_params)
    page = await paginate(query.order_by("-pay_on", "-id"), limit, offset)
    return ApiResponse(page.envelope([batch_json(b) for b in page.items]))


async def _batch_detail(batch: Disbursement) -> dict[str, Any]:
    lines = [
        {
            "application_id": app.id,
            "reference": app.reference,
            "startup": app.startup.name,
            "policy": app.policy.name,
            "payee_name": app.payee_name,
            "payee_bank": app.payee_bank,
            "payee_account": app.payee_account,
            "amount": formatting.to_fen(app.amount),
            "state": app.state,
        }
        for app in await batches.lines(batch)
    ]
    return {**batch_json(batch), "lines": lines}


@operation("One payment batch with its lines", tags=("subsidies",), response=DISBURSEMENT, errors=(403,))
async def get_disbursement(request: Request) -> JSONResponse:
    batch = await batches.get_batch(api_principal(request), request.path_params["disbursement_id"])
    return ApiResponse(await _batch_detail(batch))


@operation(
    "Prepare a payment batch of applications whose public notice is over",
    tags=("subsidies",),
    request=DISBURSEMENT_INPUT,
    response=DISBURSEMENT,
    status=201,
    errors=(403, 409),
)
async def create_disbursement(request: Request) -> JSONResponse:
    principal = api_principal(request)
    batch = await batches.create_batch(principal, parse_disbursement(body_of(request), today=formatting.today()))
    return ApiResponse(await _batch_detail(batch), status_code=201)


@operation(
    "Record a payment batch as paid: its applications become paid, and final",
    tags=("subsidies",),
    request=PAID_INPUT,
    response=DISBURSEMENT,
    errors=(403, 409),
)
async def record_paid(request: Request) -> JSONResponse:
    principal = api_principal(request)
    batch = await batches.get_batch(principal, request.path_params["disbursement_id"])
    batch = await batches.record_paid(principal, batch, parse_paid(body_of(request), today=formatting.today()))
    return ApiResponse(await _batch_detail(batch))
