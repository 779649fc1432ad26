"""JSON API of the subsidy figures (applied, approved, paid) and the ledger of subsidies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from grants.forms.subsidy_reports import GROUPINGS, parse_grouping, parse_ledger_query, parse_year
from grants.models import Application, AppState, PolicyKind
from grants.services import subsidy_reports as service
from incubator.access import require
from incubator.apikit import (
    MONEY,
    NULLABLE_DATE,
    PAGE_PARAMS,
    ApiResponse,
    api_principal,
    operation,
    query_param,
    schema,
)
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.pagination import paginate, window

AMOUNT = {
    "type": "object",
    "required": ["count", "amount"],
    "properties": {"count": {"type": "integer", "minimum": 0}, "amount": MONEY},
}
FIGURE_ROW = schema(
    "SubsidyFigureRow",
    {
        "type": "object",
        "required": ["key", "label", "applied", "approved", "paid"],
        "properties": {
            "key": {"type": "string", "description": "The policy kind, the base id or the month (YYYY-MM)"},
            "label": {"type": "string"},
            "applied": AMOUNT,
            "approved": AMOUNT,
            "paid": AMOUNT,
        },
    },
)
FIGURES = schema(
    "SubsidyFigures",
    {
        "type": "object",
        "required": ["year", "by", "items", "total", "limit", "offset", "totals", "queue", "definitions"],
        "properties": {
            "year": {"type": "integer"},
            "by": {"enum": list(GROUPINGS)},
            "items": {"type": "array", "items": FIGURE_ROW},
            "total": {"type": "integer", "minimum": 0, "description": "How many rows in all"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "totals": FIGURE_ROW,
            "queue": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["state", "count", "oldest_days"],
                    "properties": {
                        "state": {"enum": [AppState.SUBMITTED.value, AppState.FORWARDED.value]},
                        "count": {"type": "integer"},
                        "oldest_days": {"type": ["integer", "null"]},
                    },
                },
            },
            "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
)
LEDGER_ENTRY = schema(
    "SubsidyLedgerEntry",
    {
        "type": "object",
        "required": [
            "application_id",
            "reference",
            "startup",
            "base",
            "region_code",
            "kind",
            "amount",
            "state",
            "paid",
        ],
        "properties": {
            "application_id": {"type": "integer"},
            "reference": {"type": "string"},
            "startup": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "base": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "region_code": {"type": "string"},
            "kind": {"enum": [k.value for k in PolicyKind]},
            "period_start": NULLABLE_DATE,
            "period_end": NULLABLE_DATE,
            "period_no": {"type": ["integer", "null"]},
            "amount": {**MONEY, "description": "The approved amount"},
            "state": {"enum": [s.value for s in service.APPROVED_STATES]},
            "paid": {"type": "boolean", "description": "False: approved, not paid yet"},
            "paid_on": NULLABLE_DATE,
        },
    },
)
LEDGER_TOTAL = {
    "type": "object",
    "required": ["count", "paid", "unpaid"],
    "properties": {"count": {"type": "integer"}, "paid": MONEY, "unpaid": MONEY},
}
LEDGER = schema(
    "SubsidyLedger",
    {
        "type": "object",
        "required": ["items", "total", "limit", "offset", "totals"],
        "properties": {
            "items": {"type": "array", "items": LEDGER_ENTRY},
            "total": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "totals": {**LEDGER_TOTAL, "description": "Of every entry matching the filters, not only this page"},
        },
    },
)
YEAR = query_param("year", {"type": "integer", "minimum": 2000}, "Default: this year")


def _amount(amount: service.Amount) -> dict[str, Any]:
    return {"count": amount.count, "amount": amount.amount}


def figure_json(row: service.FigureRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        **{measure: _amount(row.of(measure)) for measure in service.MEASURES},
    }


@operation(
    "Money applied, approved and paid in a year, by policy kind, base or month (admin, bureaus, operators)",
    tags=("subsidies",),
    response=FIGURES,
    params=(*PAGE_PARAMS, YEAR, query_param("by", {"enum": list(GROUPINGS), "default": "policy"})),
    errors=(403, 422),
)
async def figures(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "subsidy.figures")
    year = parse_year(request.query_params, today=today())
    by = parse_grouping(request.query_params)
    rows = await service.figures(principal, year, by)
    limit, offset = window(request.query_params)
    return ApiResponse(
        {
            "year": year,
            "by": by,
            "items": [figure_json(row) for row in rows[offset : offset + limit]],
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "totals": figure_json(service.total_of(rows)),
            "queue": [
                {"state": q.state.value, "count": q.count, "oldest_days": q.oldest_days}
                for q in await service.review_queue(principal)
            ],
            "definitions": {measure: gettext(service.RULES[measure]) for measure in service.MEASURES},
        }
    )


def ledger_json(app: Application) -> dict[str, Any]:
    """A ledger entry; `app.startup` and `app.base` must be loaded."""
    return {
        "application_id": app.id,
        "reference": app.reference,
        "startup": {"id": app.startup_id, "name": app.startup.name},
        "base": {"id": app.base_id, "name": app.base.name},
        "region_code": app.region_code,
        "kind": app.kind.value,
        "period_start": app.period_start,
        "period_end": app.period_end,
        "period_no": app.period_no,
        "amount": app.approved_amount,
        "state": app.state.value,
        "paid": app.state is AppState.PAID,
        "paid_on": app.paid_on,
    }


@operation(
    "Subsidies paid, and approved not paid yet, that you see (founders: their startup's), newest first",
    tags=("subsidies",),
    response=LEDGER,
    params=(
        *PAGE_PARAMS,
        query_param("year", {"type": "integer"}, "Paid in this year, or approved in it and not paid yet"),
        query_param("kind", {"enum": [k.value for k in PolicyKind]}),
        query_param("base", {"type": "integer"}, "Only this base's"),
        query_param("startup", {"type": "integer"}, "Only this startup's"),
        query_param("region", {"type": "string", "pattern": r"^\d{6}$"}, "Only this region's subtree"),
    ),
    errors=(403, 422),
)
async def ledger(request: Request) -> JSONResponse:
    principal = api_principal(request)
    require(principal, "subsidy.view")
    query = parse_ledger_query(request.query_params, today=today())
    limit, offset = window(request.query_params)
    page = await paginate(service.ledger_rows(principal, query).select_related("startup", "base"), limit, offset)
    total = await service.ledger_total(principal, query)
    return ApiResponse(
        {
            **page.envelope([ledger_json(app) for app in page.items]),
            "totals": {"count": total.count, "paid": total.paid, "unpaid": total.unpaid},
        }
    )
