"""JSON API of startups' accounts: the statement of account, as on the statement page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import get_visible, require
from incubator.apikit import MONEY, PAGE_PARAMS, ApiResponse, api_principal, operation, page_of, query_param, schema
from incubator.formatting import to_fen, today
from incubator.pagination import window
from tenants.forms.accounts import parse_statement_period
from tenants.models import Startup
from tenants.services import accounts
from tenants.services.accounts import Entry, Statement

DATE = {"type": "string", "format": "date"}
NULLABLE_MONEY = {**MONEY, "type": ["string", "null"]}
ENTRY = schema(
    "StatementEntry",
    {
        "type": "object",
        "required": ["date", "kind", "id", "number", "charged", "credited", "paid", "balance"],
        "properties": {
            "date": DATE,
            "kind": {"enum": list(accounts.ENTRY_KINDS)},
            "id": {"type": "integer", "description": "of the bill, credit note or payment"},
            "number": {"type": "string", "description": "bill, credit note or receipt number"},
            "description": {"type": "string"},
            "charged": {**NULLABLE_MONEY, "description": "a bill's total"},
            "credited": {**NULLABLE_MONEY, "description": "a credit note's total"},
            "paid": {**NULLABLE_MONEY, "description": "a payment's amount"},
            "balance": {**MONEY, "description": "running balance after the entry; negative is credit"},
        },
    },
)
STATEMENT = schema(
    "Statement",
    {
        "type": "object",
        "required": ["startup_id", "start", "end", "opening_balance", "closing_balance", "credit", "owing", "entries"],
        "properties": {
            "startup_id": {"type": "integer"},
            "startup_name": {"type": "string"},
            "start": DATE,
            "end": DATE,
            "opening_balance": {**MONEY, "description": "charged − credited − paid before start"},
            "charged": MONEY,
            "credited": MONEY,
            "paid": MONEY,
            "closing_balance": MONEY,
            "credit": {**MONEY, "description": "credit on the account now (payments not applied)"},
            "owing": {**MONEY, "description": "balances of issued bills now"},
            "entries": page_of(ENTRY),
        },
    },
)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(to_fen(value), "f")


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "date": entry.day,
        "kind": entry.kind,
        "id": entry.id,
        "number": entry.number,
        "description": entry.description,
        "charged": _money(entry.charged),
        "credited": _money(entry.credited),
        "paid": _money(entry.paid),
        "balance": _money(entry.balance),
    }


def statement_json(found: Statement) -> dict[str, Any]:
    return {
        "startup_id": found.startup.id,
        "startup_name": found.startup.name,
        "start": found.start,
        "end": found.end,
        "opening_balance": _money(found.opening),
        "charged": _money(found.charged),
        "credited": _money(found.credited),
        "paid": _money(found.paid),
        "closing_balance": _money(found.closing),
        "credit": _money(found.credit),
        "owing": _money(found.owing),
        "entries": found.entries.envelope([entry_json(entry) for entry in found.entries.items]),
    }


@operation(
    "A startup's statement of account: entries with running balance, opening and closing balances",
    tags=("billing",),
    response=STATEMENT,
    params=(
        query_param("start", DATE, "Default: a year before end; the period spans at most 3 years"),
        query_param("end", DATE, "Default: today (Asia/Shanghai)"),
        *PAGE_PARAMS,
    ),
    errors=(403, 422),
)
async def get_statement(request: Request) -> JSONResponse:
    principal = api_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"])
    require(principal, "billing.view", startup)
    start, end = parse_statement_period(request.query_params, today=today())
    limit, offset = window(request.query_params)
    found = await accounts.statement(principal, startup, start, end, limit=limit, offset=offset)
    return ApiResponse(statement_json(found))
