"""JSON API for money received (payments with their receipts) and credit notes (红冲)."""

from __future__ import annotations

from collections.abc import Mapping
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
from incubator.errors import ValidationFailed
from incubator.formatting import money_in_words, today
from incubator.forms import FormReader
from incubator.pagination import paginate, window
from tenants.api.billing import (
    AMOUNT_IN,
    DATE,
    STARTUP,
    billing_reader,
    choice_param,
    date_params,
    date_range,
    id_param,
    money,
)
from tenants.forms.billing import CreditNoteInput, parse_credit_note, parse_payment
from tenants.models import Bill, CreditNote, CreditNoteLine, Payment, PaymentAllocation, PaymentMethod
from tenants.services import payments as payment_service

METHODS = tuple(v.value for v in PaymentMethod)

PAYMENT_INPUT = schema(
    "PaymentInput",
    {
        "type": "object",
        "required": ["startup_id", "received_on", "amount", "method", "payer"],
        "properties": {
            "startup_id": {"type": "integer"},
            "received_on": {**DATE, "description": "Not in the future, not in a closed period"},
            "amount": AMOUNT_IN,
            "method": {"enum": list(METHODS)},
            "payer": {"type": "string", "maxLength": 100},
            "reference": {"type": "string", "maxLength": 100, "description": "Required for transfers"},
            "note": {"type": "string", "maxLength": 300},
            "allocations": {
                "type": "array",
                "maxItems": 50,
                "description": "Bills to pay and how much on each; none: the oldest bills owing, then credit",
                "items": {
                    "type": "object",
                    "required": ["bill_id", "amount"],
                    "properties": {"bill_id": {"type": "integer"}, "amount": AMOUNT_IN},
                },
            },
        },
    },
)
PAYMENT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "number": {"type": "string", "description": "The receipt number"},
    "base_id": {"type": "integer"},
    "startup": STARTUP,
    "received_on": DATE,
    "amount": MONEY,
    "amount_in_words": {"type": "string", "description": "大写, as on the receipt"},
    "method": {"enum": list(METHODS)},
    "payer": {"type": "string"},
    "reference": {"type": "string"},
    "note": {"type": "string"},
    "unapplied": {**MONEY, "description": "Not applied to a bill: credit on the startup's account"},
    "hash": {"type": "string"},
}
PAYMENT = schema(
    "Payment",
    {
        "type": "object",
        "required": ["id", "number", "startup", "amount", "unapplied"],
        "properties": PAYMENT_PROPERTIES,
    },
)
PAYMENT_DETAIL = schema(
    "PaymentDetail",
    {
        "type": "object",
        "required": ["id", "number", "amount", "unapplied", "allocations"],
        "properties": {
            **PAYMENT_PROPERTIES,
            "allocations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["bill_id", "bill_number", "amount", "applied_on"],
                    "properties": {
                        "bill_id": {"type": "integer"},
                        "bill_number": {"type": "string"},
                        "amount": MONEY,
                        "applied_on": DATE,
                        "credit_note_id": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
)
CREDIT_NOTE_INPUT = schema(
    "CreditNoteInput",
    {
        "type": "object",
        "required": ["bill_id", "reason"],
        "properties": {
            "bill_id": {"type": "integer"},
            "issued_on": {**DATE, "description": "Default: today; not before the bill"},
            "reason": {"type": "string", "maxLength": 300},
            "whole": {"type": "boolean", "description": "Reverse everything the bill still asks (cancels it)"},
            "lines": {
                "type": "array",
                "description": "Without whole: the lines to credit; an amount left out credits the line's rest",
                "items": {
                    "type": "object",
                    "required": ["line_id"],
                    "properties": {"line_id": {"type": "integer"}, "amount": AMOUNT_IN},
                },
            },
        },
    },
)
CREDIT_NOTE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "number": {"type": "string"},
    "base_id": {"type": "integer"},
    "startup": STARTUP,
    "bill": {
        "type": "object",
        "required": ["id", "number"],
        "properties": {"id": {"type": "integer"}, "number": {"type": "string"}},
    },
    "issued_on": DATE,
    "reason": {"type": "string"},
    "total": MONEY,
    "hash": {"type": "string"},
}
CREDIT_NOTE = schema(
    "CreditNote",
    {"type": "object", "required": ["id", "number", "bill", "total"], "properties": CREDIT_NOTE_PROPERTIES},
)
CREDIT_NOTE_DETAIL = schema(
    "CreditNoteDetail",
    {
        "type": "object",
        "required": ["id", "number", "bill", "total", "lines"],
        "properties": {
            **CREDIT_NOTE_PROPERTIES,
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["line_id", "position", "kind", "amount"],
                    "properties": {
                        "line_id": {"type": "integer"},
                        "position": {"type": "integer"},
                        "kind": {"type": "string"},
                        "description": {"type": "string"},
                        "amount": MONEY,
                    },
                },
            },
        },
    },
)


# -- payments -----------------------------------------------------------------------------


def payment_json(payment: Payment) -> dict[str, Any]:
    """A payment and its receipt; `payment.startup` must be loaded."""
    return {
        "id": payment.id,
        "number": payment.number,
        "base_id": payment.base_id,
        "startup": {"id": payment.startup_id, "name": payment.startup.name},
        "received_on": payment.received_on,
        "amount": money(payment.amount),
        "amount_in_words": money_in_words(payment.amount),
        "method": payment.method,
        "payer": payment.payer,
        "reference": payment.reference,
        "note": payment.note,
        "unapplied": money(payment.unapplied),
        "hash": payment.hash,
    }


async def payment_detail(principal: Principal, payment: Payment) -> dict[str, Any]:
    allocations = (
        await visible(principal, PaymentAllocation).filter(payment_id=payment.id).select_related("bill").order_by("id")
    )
    return {
        **payment_json(payment),
        "allocations": [
            {
                "bill_id": a.bill_id,
                "bill_number": a.bill.number,
                "amount": money(a.amount),
                "applied_on": a.applied_on,
                "credit_note_id": a.credit_note_id,
            }
            for a in allocations
        ],
    }


@operation(
    "Payments visible to you (founders: their startup's), latest first",
    tags=("billing",),
    response=page_of(PAYMENT),
    params=(
        *PAGE_PARAMS,
        query_param("startup_id", {"type": "integer"}, "Only this startup's"),
        *date_params("received"),
        query_param("method", {"enum": list(METHODS)}),
    ),
    errors=(422,),
)
async def list_payments(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    query = visible(principal, Payment).select_related("startup").order_by("-received_on", "-id")
    if (startup_id := id_param(request, "startup_id")) is not None:
        query = query.filter(startup_id=startup_id)
    start, end = date_range(request, "received")
    if start:
        query = query.filter(received_on__gte=start)
    if end:
        query = query.filter(received_on__lte=end)
    if method := choice_param(request, "method", METHODS):
        query = query.filter(method=method)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([payment_json(p) for p in page.items]))


@operation(
    "Record money received from a startup of your base and apply it to bills (operators)",
    tags=("billing",),
    request=PAYMENT_INPUT,
    response=PAYMENT_DETAIL,
    status=201,
    errors=(403, 404),
)
async def create_payment(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "billing.manage")
    payment = await payment_service.record_payment(principal, parse_payment(body_of(request), today=today()))
    payment = await get_visible(principal, Payment, payment.id, related=("startup",))
    return ApiResponse(await payment_detail(principal, payment), status_code=201)


@operation("One payment with the bills it paid", tags=("billing",), response=PAYMENT_DETAIL)
async def get_payment(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    payment = await get_visible(principal, Payment, request.path_params["payment_id"], related=("startup",))
    return ApiResponse(await payment_detail(principal, payment))


# -- credit notes -------------------------------------------------------------------------


def credit_note_json(note: CreditNote) -> dict[str, Any]:
    """A credit note; `note.startup` and `note.bill` must be loaded."""
    return {
        "id": note.id,
        "number": note.number,
        "base_id": note.base_id,
        "startup": {"id": note.startup_id, "name": note.startup.name},
        "bill": {"id": note.bill_id, "number": note.bill.number},
        "issued_on": note.issued_on,
        "reason": note.reason,
        "total": money(note.total),
        "hash": note.hash,
    }


async def credit_note_detail(note: CreditNote) -> dict[str, Any]:
    # The note is visible, so are its lines (they have no scope of their own).
    lines = await CreditNoteLine.filter(credit_note_id=note.id).select_related("bill_line").order_by("id")
    return {
        **credit_note_json(note),
        "lines": [
            {
                "line_id": x.bill_line_id,
                "position": x.bill_line.position,
                "kind": x.bill_line.kind,
                "description": x.bill_line.description,
                "amount": money(x.amount),
            }
            for x in lines
        ],
    }


def _parse_credit_note(body: Any) -> tuple[int, CreditNoteInput]:
    """The bill named by the body and the credit note's fields, with every field error at once."""
    form = FormReader(body if isinstance(body, Mapping) else None)
    bill_id = form.integer("bill_id", minimum=1)
    try:
        data = parse_credit_note(body, today=today())
    except ValidationFailed as exc:
        raise ValidationFailed(
            {**form.errors, **exc.fields}, field_params={**form.params, **exc.field_params}
        ) from None
    form.done()
    assert bill_id is not None
    return bill_id, data


@operation(
    "Credit notes visible to you (founders: their startup's), latest first",
    tags=("billing",),
    response=page_of(CREDIT_NOTE),
    params=(
        *PAGE_PARAMS,
        query_param("startup_id", {"type": "integer"}, "Only this startup's"),
        query_param("bill_id", {"type": "integer"}, "Only this bill's"),
    ),
    errors=(422,),
)
async def list_credit_notes(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    query = visible(principal, CreditNote).select_related("startup", "bill").order_by("-issued_on", "-id")
    if (startup_id := id_param(request, "startup_id")) is not None:
        query = query.filter(startup_id=startup_id)
    if (bill_id := id_param(request, "bill_id")) is not None:
        query = query.filter(bill_id=bill_id)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return ApiResponse(page.envelope([credit_note_json(n) for n in page.items]))


@operation(
    "Issue a credit note on a bill of your base: whole, or selected lines (operators)",
    tags=("billing",),
    request=CREDIT_NOTE_INPUT,
    response=CREDIT_NOTE_DETAIL,
    status=201,
    errors=(403, 404),
)
async def create_credit_note(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "billing.manage")
    bill_id, data = _parse_credit_note(body_of(request))
    bill = await get_visible(principal, Bill, bill_id)
    note = await payment_service.issue_credit_note(principal, bill, data)
    note = await get_visible(principal, CreditNote, note.id, related=("startup", "bill"))
    return ApiResponse(await credit_note_detail(note), status_code=201)


@operation("One credit note with the lines it credits", tags=("billing",), response=CREDIT_NOTE_DETAIL)
async def get_credit_note(request: Request) -> JSONResponse:
    principal = billing_reader(request)
    note = await get_visible(principal, CreditNote, request.path_params["credit_note_id"], related=("startup", "bill"))
    return ApiResponse(await credit_note_detail(note))
