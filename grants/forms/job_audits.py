"""Parsing what a bureau officer enters for a job audit: the audit, column choices, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grants.models import Outcome
from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import N_
from incubator.spreadsheets import ColumnSpec

EARLIEST = dt.date(2000, 1, 1)

# The columns of a social insurance roster export, under the names the systems in use give them.
INSURANCE_COLUMNS = (
    ColumnSpec(
        "id_number",
        N_("ID number"),
        ("公民身份号码", "身份证号", "身份证号码", "证件号码", "社会保障号码", "社保号码", "id_number", "id"),
        required=True,
    ),
    ColumnSpec("name", N_("Full name"), ("姓名", "参保人姓名", "name"), required=True),
    ColumnSpec(
        "employer_uscc",
        N_("Employer credit code"),
        (
            "单位统一社会信用代码",
            "统一社会信用代码",
            "单位社会信用代码",
            "社会信用代码",
            "信用代码",
            "uscc",
            "employer",
        ),
        required=True,
    ),
    ColumnSpec(
        "months_paid",
        N_("Months paid"),
        ("缴费月数", "实缴月数", "累计缴费月数", "参保月数", "月数", "months"),
        required=True,
    ),
)


@dataclass(frozen=True)
class AuditInput:
    base_id: int
    startup_id: int | None
    period_start: dt.date
    period_end: dt.date
    required_months: int | None  # None: the counting rule's minimum


def parse_audit(data: Mapping[str, Any] | None, *, today: dt.date) -> AuditInput:
    form = FormReader(data)
    base_id = form.integer("base_id", minimum=1)
    startup_id = form.integer("startup_id", required=False, minimum=1)
    start = form.date("period_start", not_after=today, not_before=EARLIEST)
    end = form.date("period_end", not_after=today, not_before=EARLIEST)
    if start and end and end < start:
        form.error("period_end", N_("The end of the period cannot be before its start."))
    months = form.integer("required_months", required=False, minimum=1, maximum=36)
    form.done()
    assert base_id is not None and start is not None and end is not None
    return AuditInput(base_id, startup_id, start, end, months)


def parse_mapping(data: Mapping[str, Any] | None, headers: Sequence[str]) -> dict[str, int]:
    """The column of the file chosen for each field (by position), all different."""
    form = FormReader(data)
    chosen: dict[str, int] = {}
    for spec in INSURANCE_COLUMNS:
        index = form.integer(f"column_{spec.field}", minimum=0, maximum=max(len(headers) - 1, 0))
        if index is None:
            continue
        if index in chosen.values():
            form.error(f"column_{spec.field}", N_("This column is already chosen for another field."))
            continue
        chosen[spec.field] = index
    form.done()
    return chosen


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    reason: str


def parse_decision(data: Mapping[str, Any] | None) -> DecisionInput:
    form = FormReader(data)
    outcome = form.choice("outcome", Outcome)
    reason = form.text("reason", required=False, max_length=300)
    form.done()
    assert outcome is not None
    return DecisionInput(outcome, reason)


def parse_sign_off(data: Mapping[str, Any] | None) -> str:
    form = FormReader(data)
    note = form.text("note", required=False, max_length=500)
    if not form.boolean("confirm"):
        form.error("confirm", N_("Tick the box to confirm that the findings are final."))
    form.done()
    return note


def refused(field: str, message: str, **params: object) -> ValidationFailed:
    return ValidationFailed({field: message}, field_params={field: params} if params else None)
