"""Parsing loan input: a guaranteed loan's terms, and a repayment actually made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grants.models.loans import BorrowerKind, RepaymentMethod
from grants.rules.schedule import PERIODS
from incubator.formatting import today as today_in_china
from incubator.forms import FormReader
from incubator.i18n import N_

EARLIEST = dt.date(2000, 1, 1)
MAX_PRINCIPAL = Decimal("99999999.99")
MAX_RATE = Decimal(36)  # percent a year: above this a loan is usury, not a guaranteed loan
MAX_TERM_MONTHS = 360
MAX_PARTNERS = 50


@dataclass(frozen=True)
class LoanInput:
    startup_id: int | None  # None when editing: a loan stays with its startup
    borrower_kind: BorrowerKind
    person_id: int | None
    partners: int
    borrower_name: str
    bank: str
    guarantee_agency: str
    contract_number: str
    principal: Decimal
    annual_rate: Decimal
    lpr: Decimal | None  # None: the one-year LPR in force on the contract date
    contract_on: dt.date
    start_on: dt.date
    term_months: int
    period_months: int
    method: RepaymentMethod
    note: str


@dataclass(frozen=True)
class RepaymentInput:
    paid_on: dt.date
    principal: Decimal
    interest: Decimal
    reference: str


def _positive(form: FormReader, name: str, message: str, *, places: int, maximum: Decimal) -> Decimal | None:
    """A number above zero; zero, negatives and too many decimals are refused with `message`."""
    if form.raw(name).replace(",", "").lstrip().startswith("-"):
        form.error(name, message)
        return None
    value = form.decimal(name, places=places, maximum=maximum)
    if value is not None and value <= 0:
        form.error(name, message)
        return None
    return value


def _rate(form: FormReader, name: str, *, required: bool = True) -> Decimal | None:
    """A rate in percent a year, above 0 and below 36, at most four decimals."""
    message = N_("Enter a rate above 0 and below 36 (percent a year), e.g. 3.45.")
    raw = form.raw(name)
    if not raw and not required:
        return None
    if raw.lstrip().startswith("-"):
        form.error(name, message)
        return None
    value = form.decimal(name, places=4, maximum=Decimal(1000))
    if value is not None and not 0 < value < MAX_RATE:
        form.error(name, message)
        return None
    return value


def parse_loan(data: Mapping[str, Any] | None, *, today: dt.date | None = None, creating: bool = True) -> LoanInput:
    day = today or today_in_china()
    form = FormReader(data)
    startup_id = form.integer("startup_id", minimum=1) if creating else None
    kind = form.choice("borrower_kind", BorrowerKind)
    person_id = form.integer("person_id", required=False, minimum=1)
    partners = 1
    if kind is BorrowerKind.PARTNERSHIP:
        counted = form.integer("partners", required=False, minimum=0, maximum=MAX_PARTNERS)
        if counted is not None and counted < 2:
            form.error("partners", N_("A partnership has at least two partners."))
        elif counted is None and "partners" not in form.errors:
            form.error("partners", N_("Enter how many partners borrowed together."))
        partners = counted or 0
    if kind in (BorrowerKind.INDIVIDUAL, BorrowerKind.PARTNERSHIP) and person_id is None:
        if "person_id" not in form.errors:
            form.error("person_id", N_("Choose the founder who borrowed."))
    if kind is BorrowerKind.ENTERPRISE:
        person_id = None
    borrower_name = form.text("borrower_name", required=False, max_length=100)
    bank = form.text("bank", max_length=100)
    agency = form.text("guarantee_agency", max_length=100)
    contract_number = form.text("contract_number", max_length=64)
    principal = _positive(
        form, "principal", N_("The principal must be more than zero."), places=2, maximum=MAX_PRINCIPAL
    )
    annual_rate = _rate(form, "annual_rate")
    lpr = _rate(form, "lpr", required=False)
    contract_on = form.date("contract_on", not_before=EARLIEST, not_after=day)
    start_on = form.date("start_on", not_before=EARLIEST)
    if contract_on and start_on and start_on < contract_on:
        form.error("start_on", N_("The loan cannot start before the contract is signed."))
    term = form.integer("term_months", minimum=1, maximum=MAX_TERM_MONTHS)
    period = form.integer("period_months", minimum=1, maximum=12)
    if period is not None and period not in PERIODS:
        form.error("period_months", N_("Choose monthly, quarterly, half-yearly or yearly instalments."))
    if term is not None and period is not None and period in PERIODS and term < period:
        form.error("term_months", N_("The term is shorter than one repayment period."))
    method = form.choice("method", RepaymentMethod)
    note = form.text("note", required=False, max_length=500, multiline=True)
    form.done()
    assert kind is not None and principal is not None and annual_rate is not None and method is not None
    assert contract_on is not None and start_on is not None and term is not None and period is not None
    return LoanInput(
        startup_id=startup_id,
        borrower_kind=kind,
        person_id=person_id,
        partners=partners,
        borrower_name=borrower_name,
        bank=bank,
        guarantee_agency=agency,
        contract_number=contract_number,
        principal=principal,
        annual_rate=annual_rate,
        lpr=lpr,
        contract_on=contract_on,
        start_on=start_on,
        term_months=term,
        period_months=period,
        method=method,
        note=note,
    )


def _amount(form: FormReader, name: str) -> Decimal | None:
    """Zero or more yuan to the fen; blank is zero."""
    if not form.raw(name):
        return Decimal("0.00")
    if form.raw(name).replace(",", "").lstrip().startswith("-"):
        form.error(name, N_("The amount cannot be negative."))
        return None
    return form.decimal(name, maximum=MAX_PRINCIPAL)


def parse_repayment(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> RepaymentInput:
    day = today or today_in_china()
    form = FormReader(data)
    paid_on = form.date("paid_on", not_before=EARLIEST, not_after=day)
    principal = _amount(form, "principal")
    interest = _amount(form, "interest")
    if principal is not None and interest is not None and principal + interest <= 0:
        form.error("interest", N_("Enter the principal or the interest repaid."))
    reference = form.text("reference", required=False, max_length=64)
    form.done()
    assert paid_on is not None and principal is not None and interest is not None
    return RepaymentInput(paid_on, principal, interest, reference)
