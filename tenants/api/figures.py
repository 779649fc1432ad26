"""JSON API of base figures: the same figures, standards and rules as the figures page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import get_visible, require
from incubator.apikit import ApiResponse, api_principal, operation, query_param, schema
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.models import Base
from tenants.forms.figures import FIRST_YEAR, parse_period
from tenants.models import ExitReason, RecognitionStandard, StandardMeasure, StartupStatus
from tenants.services import figures as service
from tenants.services.figures import BaseFigures, Check

NULLABLE_DECIMAL = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
STANDARD = schema(
    "RecognitionStandard",
    {
        "type": "object",
        "required": ["level", "measure", "minimum", "effective_from", "source", "confirmed"],
        "properties": {
            "level": {"type": "string"},
            "measure": {"enum": [m.value for m in StandardMeasure]},
            "minimum": {"type": "string", "description": "percent for rates, else a count or years"},
            "effective_from": {"type": "string", "format": "date"},
            "source": {"type": "string"},
            "confirmed": {"type": "boolean", "description": "false: to be confirmed against the official text"},
        },
    },
)
FIGURE = schema(
    "BaseFigure",
    {
        "type": "object",
        "required": ["key", "measure", "unit", "value", "met", "standard", "rule"],
        "properties": {
            "key": {"enum": [key for key, _measure, _label in service.CHECKS]},
            "measure": {"enum": [m.value for m in StandardMeasure]},
            "label": {"type": "string"},
            "unit": {"enum": ["percent", "count", "years"]},
            "value": {**NULLABLE_DECIMAL, "description": "null when there is no figure (see missing)"},
            "part": NULLABLE_DECIMAL,
            "whole": NULLABLE_DECIMAL,
            "missing": {"type": ["string", "null"]},
            "standard": {"oneOf": [STANDARD, {"type": "null"}]},
            "met": {"type": ["boolean", "null"]},
            "rule": {"type": "string"},
        },
    },
)
BASE_FIGURES = schema(
    "BaseFigures",
    {
        "type": "object",
        "required": ["base_id", "year", "day", "startups_by_status", "admitted", "left", "figures", "rules"],
        "properties": {
            "base_id": {"type": "integer"},
            "base_name": {"type": "string"},
            "year": {"type": "integer"},
            "day": {"type": "string", "format": "date", "description": "the reference day"},
            "standard_level": {"type": "string"},
            "startups_by_status": {
                "type": "object",
                "properties": {s.value: {"type": "integer"} for s in StartupStatus},
            },
            "admitted": {"type": "integer"},
            "left": {
                "type": "object",
                "properties": {
                    "graduated": {"type": "integer"},
                    "exited": {"type": "integer"},
                    "exited_by_reason": {
                        "type": "object",
                        "properties": {r.value: {"type": "integer"} for r in ExitReason},
                    },
                    "exits_without_reason": {"type": "integer"},
                },
            },
            "figures": {"type": "array", "items": FIGURE},
            "rules": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
)


def standard_json(standard: RecognitionStandard) -> dict[str, Any]:
    return {
        "level": standard.level,
        "measure": standard.measure,
        "minimum": standard.minimum,
        "effective_from": standard.effective_from,
        "source": standard.source,
        "confirmed": standard.confirmed,
    }


def check_json(check: Check) -> dict[str, Any]:
    return {
        "key": check.key,
        "measure": check.measure,
        "label": gettext(check.label),
        "unit": check.unit,
        "value": check.value,
        "part": check.rate.part if check.rate else None,
        "whole": check.rate.whole if check.rate else None,
        "missing": gettext(check.missing) if check.missing else None,
        "standard": standard_json(check.standard) if check.standard else None,
        "met": check.met,
        "rule": gettext(check.rule),
    }


def figures_json(figures: BaseFigures) -> dict[str, Any]:
    return {
        "base_id": figures.base.id,
        "base_name": figures.base.name,
        "year": figures.year,
        "day": figures.day,
        "standard_level": service.COMPARED_LEVEL,
        "startups_by_status": {status.value: n for status, n in figures.by_status.items()},
        "admitted": figures.admitted,
        "left": {
            "graduated": figures.graduated,
            "exited": figures.exited,
            "exited_by_reason": {reason.value: n for reason, n in figures.exited_by_reason.items()},
            "exits_without_reason": figures.exits_without_reason,
        },
        "figures": [check_json(check) for check in figures.checks],
        "rules": {key: gettext(text) for key, text in service.RULES.items()},
    }


@operation(
    "A base's figures for a year beside the recognition standards in force",
    tags=("figures",),
    response=BASE_FIGURES,
    params=(
        query_param(
            "year",
            {"type": "integer", "minimum": FIRST_YEAR},
            "Default this year (reference day today); a past year is counted as of 31 December",
        ),
    ),
    errors=(403, 422),
)
async def get_base_figures(request: Request) -> JSONResponse:
    principal = api_principal(request)
    base = await get_visible(principal, Base, request.path_params["base_id"])
    require(principal, "figures.view", base)
    period = parse_period(request.query_params, today=today())
    figures = await service.base_figures(principal, base, year=period.year, day=period.day)
    return ApiResponse(figures_json(figures))
