"""JSON API for guaranteed loans (创业担保贷款): the registry, a loan's schedule and its repayments."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from grants.forms.loans import parse_loan, parse_repayment
from grants.models import BorrowerKind, Loan, LoanRepayment, RepaymentMethod
from grants.services import loans as service
from grants.services.loans import PeriodRow
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
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import to_fen, today
from incubator.i18n import N_
from incubator.pagination import paginate, window

DATE = {"type": "string", "format": "date"}
RATE = {"type": "string", "pattern": r"^\d+\.\d{4}$", "description": "Percent a year, four decimals"}
RATE_IN = {"type": ["string", "number"], "description": "Percent a year, above 0 and below 36, at most four decimals"}
AMOUNT_IN = {"type": ["string", "number"], "description": "CNY, at most two decimals"}

LOAN_INPUT = schema(
    "LoanInput",
    {
        "type": "object",
        "required": [
            "startup_id",
            "borrower_kind",
            "bank",
            "guarantee_agency",
            "contract_number",
            "principal",
            "annual_rate",
            "contract_on",
            "start_on",
            "term_months",
            "period_months",
            "method",
        ],
        "properties": {
            "startup_id": {"type": "integer", "description": "A startup of your base"},
            "borrower_kind": {"enum": [k.value for k in BorrowerKind]},
            "person_id": {
                "type": ["integer", "null"],
                "description": "Individual or partnership: the founder of the startup who borrowed",
            },
            "partners": {"type": "integer", "minimum": 2, "maximum": 50, "description": "Partnership only"},
            "borrower_name": {"type": "string", "maxLength": 100, "description": "Default: the founder's or startup's"},
            "bank": {"type": "string", "maxLength": 100},
            "guarantee_agency": {"type": "string", "maxLength": 100},
            "contract_number": {"type": "string", "maxLength": 64, "description": "Unique per bank"},
            "principal": {**AMOUNT_IN, "description": "CNY, more than zero"},
            "annual_rate": RATE_IN,
            "lpr": {**RATE_IN, "description": "Default: the one-year LPR in force on contract_on"},
            "contract_on": {**DATE, "description": "Not in the future"},
            "start_on": {**DATE, "description": "Not before contract_on"},
            "term_months": {"type": "integer", "minimum": 1, "maximum": 360},
            "period_months": {"enum": [1, 3, 6, 12], "description": "Months between instalments"},
            "method": {"enum": [m.value for m in RepaymentMethod]},
            "note": {"type": "string", "maxLength": 500},
        },
    },
)
LOAN_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "base_id": {"type": "integer"},
    "startup": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "borrower_kind": {"enum": [k.value for k in BorrowerKind]},
    "person_id": {"type": ["integer", "null"]},
    "partners": {"type": "integer"},
    "borrower_name": {"type": "string"},
    "bank": {"type": "string"},
    "guarantee_agency": {"type": "string"},
    "contract_number": {"type": "string"},
    "principal": MONEY,
    "annual_rate": RATE,
    "lpr": {**RATE, "description": "The one-year LPR on the contract date"},
    "contract_on": DATE,
    "start_on": DATE,
    "term_months": {"type": "integer"},
    "period_months": {"type": "integer"},
    "method": {"enum": [m.value for m in RepaymentMethod]},
    "note": {"type": "string"},
    "principal_repaid": MONEY,
    "outstanding": {**MONEY, "description": "Principal less the principal repaid"},
}
LOAN = schema(
    "Loan", {"type": "object", "required": ["id", "startup", "principal", "outstanding"], "properties": LOAN_PROPERTIES}
)
REPAYMENT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "loan_id": {"type": "integer"},
    "paid_on": DATE,
    "principal": MONEY,
    "interest": MONEY,
    "reference": {"type": "string"},
}
REPAYMENT = schema(
    "LoanRepayment",
    {
        "type": "object",
        "required": ["id", "loan_id", "paid_on", "principal", "interest"],
        "properties": REPAYMENT_PROPERTIES,
    },
)
INSTALMENT = schema(
    "LoanInstalment",
    {
        "type": "object",
        "required": ["no", "start", "end", "days", "due_on", "opening_balance", "principal", "interest", "payment"],
        "properties": {
            "no": {"type": "integer"},
            "start": DATE,
            "end": {**DATE, "description": "The period's last day"},
            "days": {"type": "integer"},
            "due_on": {**DATE, "description": "The day after the period ends"},
            "opening_balance": MONEY,
            "principal": MONEY,
            "interest": {**MONEY, "description": "Opening balance × rate / 360 × days"},
            "payment": MONEY,
            "closing_balance": MONEY,
            "paid_from": {**DATE, "description": "Repayments paid from this day …"},
            "paid_to": {**DATE, "description": "… through this day count for the period"},
            "principal_paid": MONEY,
            "interest_paid": MONEY,
            "ended": {"type": "boolean"},
        },
    },
)
LOAN_DETAIL = schema(
    "LoanDetail",
    {
        "type": "object",
        "required": ["id", "startup", "principal", "outstanding", "schedule", "repayments"],
        "properties": {
            **LOAN_PROPERTIES,
            "schedule": {"type": "array", "items": INSTALMENT},
            "repayments": {"type": "array", "items": REPAYMENT},
        },
    },
)
REPAYMENT_INPUT = schema(
    "LoanRepaymentInput",
    {
        "type": "object",
        "required": ["paid_on"],
        "properties": {
            "paid_on": {**DATE, "description": "Not in the future, not before the loan starts"},
            "principal": {**AMOUNT_IN, "description": "At most the principal outstanding; default 0"},
            "interest": {**AMOUNT_IN, "description": "Default 0; principal and interest not both 0"},
            "reference": {"type": "string", "maxLength": 64},
        },
    },
)


def _rate(value: Any) -> str:
    return f"{value:.4f}"


def loan_json(loan: Loan, repaid: Any) -> dict[str, Any]:
    """A loan with what is left of it; `loan.startup` must be loaded."""
    return {
        "id": loan.id,
        "base_id": loan.base_id,
        "startup": {"id": loan.startup_id, "name": loan.startup.name},
        "borrower_kind": loan.borrower_kind,
        "person_id": loan.person_id,
        "partners": loan.partners,
        "borrower_name": loan.borrower_name,
        "bank": loan.bank,
        "guarantee_agency": loan.guarantee_agency,
        "contract_number": loan.contract_number,
        "principal": to_fen(loan.principal),
        "annual_rate": _rate(loan.annual_rate),
        "lpr": _rate(loan.lpr),
        "contract_on": loan.contract_on,
        "start_on": loan.start_on,
        "term_months": loan.term_months,
        "period_months": loan.period_months,
        "method": loan.method,
        "note": loan.note,
        "principal_repaid": to_fen(repaid),
        "outstanding": to_fen(loan.principal - repaid),
    }


def repayment_json(repayment: LoanRepayment) -> dict[str, Any]:
    return {
        "id": repayment.id,
        "loan_id": repayment.loan_id,
        "paid_on": repayment.paid_on,
        "principal": to_fen(repayment.principal),
        "interest": to_fen(repayment.interest),
        "reference": repayment.reference,
    }


def period_json(row: PeriodRow) -> dict[str, Any]:
    i = row.instalment
    return {
        "no": i.no,
        "start": i.start,
        "end": i.end,
        "days": i.days,
        "due_on": i.due_on,
        "opening_balance": i.opening_balance,
        "principal": i.principal,
        "interest": i.interest,
        "payment": i.payment,
        "closing_balance": i.closing_balance,
        "paid_from": row.paid_from,
        "paid_to": row.paid_to,
        "principal_paid": row.principal_paid,
        "interest_paid": row.interest_paid,
        "ended": row.ended,
    }


async def loan_detail(principal: Principal, loan: Loan) -> dict[str, Any]:
    repayments = await visible(principal, LoanRepayment).filter(loan_id=loan.id).order_by("paid_on", "id")
    repaid = sum((r.principal for r in repayments), service.ZERO)
    return {
        **loan_json(loan, repaid),
        "schedule": [period_json(row) for row in await service.period_rows(loan, today())],
        "repayments": [repayment_json(r) for r in repayments],
    }


def _startup_filter(request: Request) -> int | None:
    raw = request.query_params.get("startup_id")
    if raw is None or raw == "":
        return None
    if (number := parse_id(raw)) is None:
        raise ValidationFailed({"startup_id": N_("Enter a whole number.")})
    return number


@operation(
    "Guaranteed loans visible to you (founders: their startup's), latest first",
    tags=("loans",),
    response=page_of(LOAN),
    params=(*PAGE_PARAMS, query_param("startup_id", {"type": "integer"}, "Only this startup's")),
    errors=(403, 422),
)
async def list_loans(request: Request) -> JSONResponse:
    principal = api_principal(request)
    query = service.visible_loans(principal).select_related("startup").order_by("-start_on", "-id")
    if (startup_id := _startup_filter(request)) is not None:
        query = query.filter(startup_id=startup_id)
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    repaid = await service.repaid_by_loan(loan.id for loan in page.items)
    return ApiResponse(
        page.envelope([loan_json(loan, repaid.get(loan.id, (service.ZERO, service.ZERO))[0]) for loan in page.items])
    )


@operation(
    "Record a guaranteed loan of a startup of your base (operators)",
    tags=("loans",),
    request=LOAN_INPUT,
    response=LOAN_DETAIL,
    status=201,
    errors=(403, 422),
)
async def create_loan(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "loan.manage")
    data = parse_loan(body_of(request), today=today())
    assert data.startup_id is not None
    startup = await service.startup_for_loan(principal, data.startup_id)
    loan = await service.create_loan(principal, startup, data)
    loan = await get_visible(principal, Loan, loan.id, related=("startup",))
    return ApiResponse(await loan_detail(principal, loan), status_code=201)


@operation(
    "One guaranteed loan with its repayment schedule and the repayments made",
    tags=("loans",),
    response=LOAN_DETAIL,
    errors=(403, 404),
)
async def get_loan(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "loan.view")
    loan = await get_visible(principal, Loan, request.path_params["loan_id"], related=("startup",))
    return ApiResponse(await loan_detail(principal, loan))


@operation(
    "Record a repayment actually made on a loan of your base (operators)",
    tags=("loans",),
    request=REPAYMENT_INPUT,
    response=REPAYMENT,
    status=201,
    errors=(403, 404, 422),
)
async def create_repayment(request: Request) -> JSONResponse:
    principal = api_principal(request)
    loan = await get_visible(principal, Loan, request.path_params["loan_id"])
    service.require_operator(principal, loan.base_id)
    repayment = await service.record_repayment(principal, loan, parse_repayment(body_of(request), today=today()))
    return ApiResponse(repayment_json(repayment), status_code=201)
