"""JSON API for bills and their fapiao records, and the parts the billing API shares.

Issued bills are never edited: there is no PATCH, PUT or DELETE on a bill (405); corrections
are credit notes (tenants/api/payments.py). Amounts are strings with two decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise.expressions import Q

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
from incubator.errors import ValidationFailed
from incubator.formatting import to_fen, today
from incubator.i18n import N_
from incubator.pagination import paginate, window
from tenants.forms.billing import parse_bill, parse_fapiao
from tenants.models import (
    SERVICE_KINDS,
    Bill,
    BillLine,
    BillStatus,
    CreditNote,
    FapiaoRecord,
    LineKind,
    PaymentAllocation,
)
from tenants.services import bills as bill_service
from tenants.services import payments as payment_service
from tenants.services.bill_lines import LineDraft

DATE = {"type": "string", "format": "date"}
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "YYYY-MM"}
AMOUNT_IN = {"type": ["string", "number"], "description": "CNY, more than zero, at most two decimals"}
QUANTITY = {"type": "string", "pattern": r"^\d+\.\d{3}$"}
NAMED = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}
STARTUP = schema("BillStartup", NAMED)
LINE_DESCRIPTION = {
    "type": "string",
    "description": "Typed text; on generated rent lines a code: '' (list rent), 'concession' or 'above_list'",
}

BILL_LINE_INPUT = schema(
    "BillLineInput",
    {
        "type": "object",
        "required": ["kind", "description", "quantity", "unit_price"],
        "properties": {
            "kind": {"enum": [v.value for v in SERVICE_KINDS]},
            "description": {"type": "string", "maxLength": 200},
            "quantity": {"type": ["string", "number"], "description": "More than 0, at most three decimals"},
            "unit_price": AMOUNT_IN,
        },
    },
)
BILL_INPUT = schema(
    "BillInput",
    {
        "type": "object",
        "required": ["startup_id", "period_start", "period_end"],
        "properties": {
            "startup_id": {"type": "integer"},
            "period_start": DATE,
            "period_end": {**DATE, "description": "Within the calendar year of period_start"},
            "issued_on": {**DATE, "description": "Default: today; not in a closed period"},
            "due_on": {**DATE, "description": "Default: issued_on plus the base's due days"},
            "include_rent": {"type": "boolean", "description": "Bill the rent due from the startup's leases"},
            "include_charges": {"type": "boolean", "description": "Bill the startup's pending service charges"},
            "lines": {"type": "array", "items": BILL_LINE_INPUT, "maxItems": 50},
            "note": {"type": "string", "maxLength": 300},
        },
    },
)
BILL_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "number": {"type": "string"},
    "base_id": {"type": "integer"},
    "run_id": {"type": ["integer", "null"]},
    "startup": STARTUP,
    "billed_to": {"type": "string", "description": "The startup's name when billed"},
    "period_start": DATE,
    "period_end": DATE,
    "issued_on": DATE,
    "due_on": DATE,
    "list_rent": MONEY,
    "waived": {**MONEY, "description": "Discounts and waivers below the list rent"},
    "rent": MONEY,
    "services": MONEY,
    "total": MONEY,
    "credited": MONEY,
    "paid": MONEY,
    "balance": MONEY,
    "status": {"enum": [v.value for v in BillStatus]},
    "overdue": {"type": "boolean", "description": "Something is left to pay after the due date"},
    "note": {"type": "string"},
    "hash": {"type": "string", "description": "Link of the base's document hash chain"},
}
BILL = schema(
    "Bill",
    {
        "type": "object",
        "required": ["id", "number", "startup", "total", "balance", "status"],
        "properties": BILL_PROPERTIES,
    },
)
LINE_PROPERTIES: dict[str, Any] = {
    "kind": {"enum": [v.value for v in LineKind]},
    "description": LINE_DESCRIPTION,
    "space_code": {"type": "string"},
    "period_start": NULLABLE_DATE,
    "period_end": NULLABLE_DATE,
    "days": {"type": ["integer", "null"]},
    "quantity": QUANTITY,
    "unit_price": MONEY,
    "amount": MONEY,
}
BILL_LINE = schema(
    "BillLine",
    {
        "type": "object",
        "required": ["id", "position", "kind", "amount", "credited"],
        "properties": {
            "id": {"type": "integer"},
            "position": {"type": "integer"},
            **LINE_PROPERTIES,
            "credited": MONEY,
        },
    },
)
FAPIAO_INPUT = schema(
    "FapiaoInput",
    {
        "type": "object",
        "required": ["number", "issued_on", "amount"],
        "properties": {
            "number": {"type": "string", "pattern": r"^(\d{8}|\d{20})$"},
            "issued_on": DATE,
            "amount": {**AMOUNT_IN, "description": "All fapiao of a bill add up to at most what it asks"},
        },
    },
)
FAPIAO = schema(
    "Fapiao",
    {
        "type": "object",
        "required": ["id", "bill_id", "number", "issued_on", "amount"],
        "properties": {
            "id": {"type": "integer"},
            "bill_id": {"type": "integer"},
            "number": {"type": "string"},
            "issued_on": DATE,
            "amount": MONEY,
        },
    },
)
BILL_DETAIL = schema(
    "BillDetail",
    {
        "type": "object",
        "required": ["id", "number", "lines", "credit_notes", "allocations", "fapiao"],
        "properties": {
            **BILL_PROPERTIES,
            "lines": {"type": "array", "items": BILL_LINE},
            "credit_notes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "number", "issued_on", "total"],
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "string"},
                        "issued_on": DATE,
                        "reason": {"type": "string"},
                        "total": MONEY,
                    },
                },
            },
            "allocations": {
                "type": "array",
                "description": "Payments applied; a negative amount gave money back to credit after a credit note",
                "items": {
                    "type": "object",
                    "required": ["payment_id", "receipt", "amount", "applied_on"],
                    "properties": {
                        "payment_id": {"type": "integer"},
                        "receipt": {"type": "string"},
                        "amount": MONEY,
                        "applied_on": DATE,
                        "credit_note_id": {"type": ["integer", "null"]},
                    },
                },
            },
            "fapiao": {"type": "array", "items": FAPIAO},
        },
    },
)


def money(amount: Decimal) -> str:
    return format(to_fen(amount), "f")


def quantity(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.001")), "f")


def is_overdue(bill: Bill, day: dt.date) -> bool:
    return bill.status is BillStatus.ISSUED and bill.balance > 0 and bill.due_on < day


def bill_json(bill: Bill) -> dict[str, Any]:
    """A bill's header and settlement; `bill.startup` must be loaded."""
    return {
        "id": bill.id,
        "number": bill.number,
        "base_id": bill.base_id,
        "run_id": bill.run_id,
        "startup": {"id": bill.startup_id, "name": bill.startup.name},
        "billed_to": bill.billed_to,
        "period_start": bill.period_start,
        "period_end": bill.period_end,
        "issued_on": bill.issued_on,
        "due_on": bill.due_on,
        "list_rent": money(bill.list_rent),
        "waived": money(bill.waived),
        "rent": money(bill.rent),
        "services": money(bill.services),
        "total": money(bill.total),
        "credited": money(bill.credited),
        "paid": money(bill.paid),
        "balance": money(bill.balance),
        "status": bill.status,
        "overdue": is_overdue(bill, today()),
        "note": bill.note,
        "hash": bill.hash,
    }


def line_json(line: BillLine | LineDraft) -> dict[str, Any]:
    price = line.unit_price if line.unit_price is not None else line.amount
    return {
        "kind": line.kind,
        "description": line.description,
        "space_code": line.space_code,
        "period_start": line.period_start,
        "period_end": line.period_end,
        "days": line.days,
        "quantity": quantity(line.quantity),
        "unit_price": money(price),
        "amount": money(line.amount),
    }


async def bill_detail(principal: Principal, bill: Bill) -> dict[str, Any]:
    """A visible bill with its lines, credit notes, payments applied and fapiao records."""
    lines = await visible(principal, BillLine).filter(bill_id=bill.id).order_by("position")
    notes = await visible(principal, CreditNote).filter(bill_id=bill.id).order_by("issued_on", "id")
    allocations = (
        await visible(principal, PaymentAllocation).filter(bill_id=bill.id).select_related("payment").order_by("id")
    )
    fapiao = await visible(principal, FapiaoRecord).filter(bill_id=bill.id).order_by("issued_on", "id")
    return {
        **bill_json(bill),
        "lines": [{"id": x.id, "position": x.position, **line_json(x), "credited": money(x.credited)} for x in lines],
        "credit_notes": [
            {"id": n.id, "number": n.number, "issued_on": n.issued_on, "reason": n.reason, "total": money(n.total)}
            for n in notes
        ],
        "allocations": [
            {
                "payment_id": a.payment_id,
                "receipt": a.payment.number,
                "amount": money(a.amount),
                "applied_on": a.applied_on,
                "credit_note_id": a.credit_note_id,
            }
            for a in allocations
        ],
        "fapiao": [fapiao_json(f) for f in fapiao],
    }


def fapiao_json(record: FapiaoRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "bill_id": record.bill_id,
        "number": record.number,
        "issued_on": record.issued_on,
        "amount": money(record.amount),
    }


# -- query parameters: a bad value is a 422 naming the parameter --------------------------


def id_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    if not value:
        return None
    if (number := parse_id(value)) is None:
        raise ValidationFailed({name: N_("Enter a whole number.")})
    return number


def choice_param(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise ValidationFailed({name: N_("Choose one of the listed values.")})
    return value or None


def date_param(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: N_("Enter a date as YYYY-MM-DD.")}) from None


def date_range(request: Request, prefix: str) -> tuple[dt.date | None, dt.date | None]:
    start, end = date_param(request, f"{prefix}_from"), date_param(request, f"{prefix}_to")
    if start and end and end < start:
        raise ValidationFailed({f"{prefix}_to": N_("The end date cannot be before the start date.")})
    return start, end


def date_params(prefix: str) -> tuple[dict[str, Any], ...]:
    return (
        query_param(f"{prefix}_from", DATE, "On or after this day"),
        query_param(f"{prefix}_to", DATE, "On or before this day"),
    )


def billing_reader(request: Request) -> Principal:
    """The token's principal, if it may read billing (every role may, within its scope)."""
    principal = api_principal(request)
    require(principal, "billing.view")
    return principal


# -- bills --------------------------------------------------------------------------------


@operation(
    "Bills visible to you (founders: their startup's), newest first",
    tags=("billing",),
    response=page_of(BILL),
    params=(
        *PAGE_PARAMS,
        query_param("startup_id", {"type": "integer"}, "Only this startup's"),
        query_param("status", {"enum": [v.value for v in BillStatus]}),
        query_param("overdue", {"type": "boolean"}, "true: something left to pay after the due date"),
        *date_params("issued"),
        query_param("run_id", {"type": "integer"}, "Only the bills of this billing run"),
    ),
    errors=(422,),
)
async def list_bills(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    query = visible(principal, Bill).select_related("startup").order_by("-issued_on", "-id")
    if (startup_id := id_param(request, "startup_id")) is not None:
        query = query.filter(startup_id=startup_id)
    if status := choice_param(request, "status", tuple(v.value for v in BillStatus)):
        query = query.filter(status=status)
    if overdue := choice_param(request, "overdue", ("true", "false")):
        late = Q(status=BillStatus.ISSUED, balance__gt=0, due_on__lt=today())
        query = query.filter(late) if overdue == "true" else query.filter(~late)
    start, end = date_range(request, "issued")
    if start:
        query = query.filter(issued_on__gte=start)
    if end:
        query = query.filter(issued_on__lte=end)
    if (run_id := id_param(request, "run_id")) is not None:
        query = query.filter(run_id=run_id)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([bill_json(b) for b in page.items]))


@operation(
    "Issue one bill by hand to a startup of your base (operators)",
    tags=("billing",),
    request=BILL_INPUT,
    response=BILL_DETAIL,
    status=201,
    errors=(403, 404),
)
async def create_bill(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "billing.manage")
    bill = await bill_service.issue_bill(principal, parse_bill(body_of(request), today=today()))
    bill = await get_visible(principal, Bill, bill.id, related=("startup",))
    return ApiResponse(await bill_detail(principal, bill), status_code=201)


@operation(
    "One bill with its lines, credit notes, payments applied and fapiao",
    tags=("billing",),
    response=BILL_DETAIL,
)
async def get_bill(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    bill = await get_visible(principal, Bill, request.path_params["bill_id"], related=("startup",))
    return ApiResponse(await bill_detail(principal, bill))


@operation(
    "Record a fapiao issued outside for a bill (operators)",
    tags=("billing",),
    request=FAPIAO_INPUT,
    response=FAPIAO,
    status=201,
    errors=(403,),
)
async def create_fapiao(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "billing.manage")
    bill = await get_visible(principal, Bill, request.path_params["bill_id"])
    record = await payment_service.record_fapiao(principal, bill, parse_fapiao(body_of(request), today=today()))
    return ApiResponse(fapiao_json(record), status_code=201)
