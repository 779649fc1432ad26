"""Parsing roster entries (employments) and counting rules into plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from incubator.forms import FormReader
from incubator.i18n import N_
from tenants.forms.startups import PersonInput, read_person
from tenants.models import ContractKind


@dataclass(frozen=True)
class EmploymentTerms:
    """The terms of an employment, without the person."""

    hired_on: dt.date
    left_on: dt.date | None
    left_reason: str
    contract_kind: ContractKind
    insured_from: dt.date | None
    insured_until: dt.date | None
    monthly_wage: Decimal | None


@dataclass(frozen=True)
class EmploymentInput:
    person: PersonInput
    terms: EmploymentTerms


def _terms(form: FormReader, *, today: dt.date) -> EmploymentTerms:
    hired_on = form.date("hired_on", not_after=today)
    left_on = form.date("left_on", required=False, not_after=today)
    if hired_on and left_on and left_on < hired_on:
        form.error("left_on", N_("The day of leaving cannot be before the day of hiring."))
    reason = form.text("left_reason", required=False, max_length=200)
    kind = form.choice("contract_kind", ContractKind)
    insured_from = form.date("insured_from", required=False, not_after=today)
    insured_until = form.date("insured_until", required=False, not_after=today)
    if insured_until and not insured_from:
        form.error("insured_from", N_("Enter when social insurance started."))
    if insured_from and insured_until and insured_until < insured_from:
        form.error("insured_until", N_("The end of social insurance cannot be before its start."))
    wage = form.decimal("monthly_wage", required=False, maximum=Decimal("1000000"))
    assert kind is not None or form.errors
    return EmploymentTerms(
        hired_on or today, left_on, reason, kind or ContractKind.FIXED_TERM, insured_from, insured_until, wage
    )


def parse_employment(data: Mapping[str, Any] | None, *, today: dt.date) -> EmploymentInput:
    form = FormReader(data)
    person = read_person(form, today=today, with_id=True)
    terms = _terms(form, today=today)
    form.done()
    return EmploymentInput(person, terms)


def parse_terms(data: Mapping[str, Any] | None, *, today: dt.date) -> EmploymentTerms:
    form = FormReader(data)
    terms = _terms(form, today=today)
    form.done()
    return terms


@dataclass(frozen=True)
class LeavingInput:
    left_on: dt.date
    reason: str


def parse_leaving(data: Mapping[str, Any] | None, *, today: dt.date) -> LeavingInput:
    form = FormReader(data)
    left_on = form.date("left_on", not_after=today)
    reason = form.text("left_reason", max_length=200)
    form.done()
    assert left_on is not None
    return LeavingInput(left_on, reason)


@dataclass(frozen=True)
class CountingRuleInput:
    region_code: str
    effective_from: dt.date
    include_founders: bool
    min_insured_months: int
    contract_kinds: tuple[ContractKind, ...]
    source: str


def parse_counting_rule(data: Mapping[str, Any] | None, *, region_code: str) -> CountingRuleInput:
    form = FormReader(data)
    effective_from = form.date("effective_from", not_before=dt.date(2000, 1, 1))
    months = form.integer("min_insured_months", minimum=0, maximum=36)
    getlist = getattr(data, "getlist", None)
    raw_kinds = getlist("contract_kinds") if getlist is not None else form.data.get("contract_kinds")
    kinds: list[ContractKind] = []
    for value in raw_kinds if isinstance(raw_kinds, (list, tuple)) else []:
        try:
            kinds.append(ContractKind(str(value)))
        except ValueError:
            form.error("contract_kinds", N_("Choose one of the listed values."))
    if not kinds:
        form.error("contract_kinds", N_("Choose at least one contract kind that counts."))
    source = form.text("source", max_length=300)
    form.done()
    assert effective_from is not None and months is not None
    ordered = tuple(k for k in ContractKind if k in kinds)
    return CountingRuleInput(region_code, effective_from, form.boolean("include_founders"), months, ordered, source)
