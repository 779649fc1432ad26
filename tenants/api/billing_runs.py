"""JSON API for billing runs: the runs of visible bases, a month's preview, issuing a month at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import Principal, get_visible, require, visible
from incubator.apikit import (
    MONEY,
    PAGE_PARAMS,
    ApiResponse,
    api_principal,
    body_of,
    operation,
    page_of,
    query_param,
    schema,
)
from incubator.formatting import today
from incubator.models import Base
from incubator.pagination import paginate, window
from tenants.api.billing import BILL, DATE, LINE_PROPERTIES, MONTH, STARTUP, bill_json, billing_reader, line_json, money
from tenants.forms.billing import parse_run
from tenants.models import Bill, BillingRun
from tenants.services import bills as bill_service
from tenants.services.bills import BillDraft, RunPreview

RUN_INPUT = schema(
    "BillingRunInput",
    {
        "type": "object",
        "required": ["period"],
        "properties": {
            "period": {**MONTH, "description": "The month to bill, YYYY-MM (at most one month ahead)"},
            "issued_on": {**DATE, "description": "Default: today"},
            "digest": {"type": "string", "description": "The preview's digest: refused if anything changed since"},
        },
    },
)
RUN_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "base_id": {"type": "integer"},
    "period": MONTH,
    "issued_on": DATE,
    "bills": {"type": "integer", "description": "How many bills the run issued"},
    "total": MONEY,
}
RUN = schema("BillingRun", {"type": "object", "required": list(RUN_PROPERTIES), "properties": RUN_PROPERTIES})
RUN_ISSUED = schema(
    "BillingRunIssued",
    {
        "type": "object",
        "required": [*RUN_PROPERTIES, "issued_bills"],
        "properties": {**RUN_PROPERTIES, "issued_bills": {"type": "array", "items": BILL}},
    },
)
TOTALS: dict[str, Any] = {k: MONEY for k in ("list_rent", "waived", "rent", "services", "total")}
DRAFT = schema(
    "BillDraft",
    {
        "type": "object",
        "required": ["startup", "period_start", "period_end", "lines", "total"],
        "properties": {
            "startup": STARTUP,
            "period_start": DATE,
            "period_end": DATE,
            "lines": {"type": "array", "items": {"type": "object", "properties": LINE_PROPERTIES}},
            **TOTALS,
        },
    },
)
PREVIEW = schema(
    "BillingRunPreview",
    {
        "type": "object",
        "required": ["base_id", "period", "bills", "total", "waived", "digest", "drafts", "issued"],
        "properties": {
            "base_id": {"type": "integer"},
            "period": MONTH,
            "bills": {"type": "integer"},
            "total": MONEY,
            "waived": MONEY,
            "digest": {"type": "string", "description": "Send it back when issuing the run"},
            "drafts": {"type": "array", "items": DRAFT},
            "issued": {"oneOf": [RUN, {"type": "null"}], "description": "The run, when the month was run already"},
        },
    },
)


def month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


# -- billing runs ---------------------------------------------------------------------------


def run_json(run: BillingRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "base_id": run.base_id,
        "period": month(run.period),
        "issued_on": run.issued_on,
        "bills": run.bills,
        "total": money(run.total),
    }


def draft_json(draft: BillDraft) -> dict[str, Any]:
    sums = draft.totals
    return {
        "startup": {"id": draft.startup_id, "name": draft.startup_name},
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "lines": [line_json(x) for x in draft.lines],
        **{k: money(getattr(sums, k)) for k in TOTALS},
    }


def preview_json(preview: RunPreview) -> dict[str, Any]:
    figures = bill_service.describe(preview)
    return {
        "base_id": preview.base_id,
        "period": month(preview.period),
        "bills": figures["bills"],
        "total": money(figures["total"]),
        "waived": money(figures["waived"]),
        "digest": figures["digest"],
        "drafts": [draft_json(d) for d in preview.drafts],
        "issued": run_json(preview.issued) if preview.issued else None,
    }


async def _operator_base(request: Request) -> tuple[Principal, Base]:
    principal = api_principal(request)
    require(principal, "billing.manage")
    return principal, await get_visible(principal, Base, principal.base_id)


@operation(
    "Billing runs of the bases visible to you, latest month first",
    tags=("billing",),
    response=page_of(RUN),
    params=PAGE_PARAMS,
)
async def list_runs(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    query = visible(principal, BillingRun).order_by("-period", "base_id")
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([run_json(r) for r in page.items]))


@operation(
    "What a billing run of your base would issue for a month (operators; nothing is saved)",
    tags=("billing",),
    response=PREVIEW,
    params=(query_param("period", MONTH, "The month, YYYY-MM (required)"),),
    errors=(403, 422),
)
async def preview_run(request: Request) -> JSONResponse:
    principal, base = await _operator_base(request)
    period = parse_run({"period": request.query_params.get("period", "")}, today=today()).period
    return ApiResponse(preview_json(await bill_service.preview_run(principal, base.id, period)))


@operation(
    "Issue the billing run of your base for a month, all bills at once (operators)",
    tags=("billing",),
    request=RUN_INPUT,
    response=RUN_ISSUED,
    status=201,
    errors=(403,),
)
async def create_run(request: Request) -> JSONResponse:
    principal, base = await _operator_base(request)
    data = parse_run(body_of(request), today=today())
    run = await bill_service.issue_run(principal, base.id, data.period, issued_on=data.issued_on, digest=data.digest)
    issued = await visible(principal, Bill).filter(run_id=run.id).select_related("startup").order_by("number")
    return ApiResponse({**run_json(run), "issued_bills": [bill_json(b) for b in issued]}, status_code=201)
