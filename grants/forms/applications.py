"""Parsing what applicants and reviewers enter: the claim, the payee and declared groups, a decision."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grants.models import AppState, PolicyKind
from grants.rules.params import DECLARABLE_GROUPS
from incubator.forms import FormReader
from incubator.i18n import N_

ACCOUNT = re.compile(r"^[0-9]{8,34}$", re.ASCII)
# The transitions people ask for (publishing and paying go through notices and disbursements).
REQUESTED = (
    AppState.SUBMITTED,
    AppState.FORWARDED,
    AppState.RETURNED,
    AppState.APPROVED,
    AppState.REJECTED,
    AppState.WITHDRAWN,
)


@dataclass(frozen=True)
class ClaimInput:
    startup_id: int | None
    kind: PolicyKind
    year: int | None
    loan_id: int | None
    period_no: int | None


def parse_claim(data: Mapping[str, Any] | None, *, today: dt.date) -> ClaimInput:
    form = FormReader(data)
    kind = form.choice("policy", PolicyKind)
    startup_id = form.integer("startup_id", required=False, minimum=1)
    year = loan_id = period_no = None
    if kind is PolicyKind.RENT_SUBSIDY:
        year = form.integer("year", minimum=2000, maximum=today.year)
    elif kind is PolicyKind.LOAN_INTEREST:
        loan_id = form.integer("loan_id", minimum=1)
        period_no = form.integer("period_no", minimum=1, maximum=1000)
    form.done()
    assert kind is not None
    return ClaimInput(startup_id, kind, year, loan_id, period_no)


@dataclass(frozen=True)
class DetailsInput:
    payee_name: str
    payee_bank: str
    payee_account: str
    note: str
    declared: dict[int, frozenset[str]]


def _listed(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    value = getlist(name) if getlist is not None else data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def parse_details(data: Mapping[str, Any] | None, *, founders: set[int]) -> DetailsInput:
    """Payee, note, and groups declared per founder.

    Declared groups come as form fields `declared_<person id>`, or in JSON as {"declared": {id: [..]}}.
    """
    form = FormReader(data)
    payee_name = form.text("payee_name", required=False, max_length=100)
    payee_bank = form.text("payee_bank", required=False, max_length=100)
    account = form.raw("payee_account").replace(" ", "").replace("-", "")
    if account and not ACCOUNT.match(account):
        form.error("payee_account", N_("Enter the bank account number: 8 to 34 digits."))
    note = form.text("note", required=False, max_length=2000, multiline=True)
    declared: dict[int, frozenset[str]] = {}
    source = form.data.get("declared") if isinstance(form.data.get("declared"), Mapping) else None
    for person_id in founders:
        values = _listed(source, str(person_id)) if source is not None else _listed(form.data, f"declared_{person_id}")
        groups = {v for v in values if v}
        if groups - set(DECLARABLE_GROUPS):
            form.error(f"declared_{person_id}", N_("Choose one of the listed values."))
        elif groups:
            declared[person_id] = frozenset(groups)
    if source is not None and any(str(k) not in {str(p) for p in founders} for k in source):
        form.error("declared", N_("Groups can only be declared for the startup's current founders."))
    form.done()
    return DetailsInput(payee_name, payee_bank, account, note, declared)


@dataclass(frozen=True)
class TransitionInput:
    to: AppState
    comment: str
    amount: Decimal | None
    version: int | None


def parse_transition(data: Mapping[str, Any] | None) -> TransitionInput:
    form = FormReader(data)
    to = form.choice("to", AppState)
    if to is not None and to not in REQUESTED:
        form.error("to", N_("Public notice and payment are done from the notice and disbursement pages."))
    comment = form.text("comment", required=False, max_length=2000, multiline=True)
    amount = form.decimal("amount", required=False, maximum=Decimal("100000000.00"))
    version = form.integer("version", required=False, minimum=1)
    if to in (AppState.RETURNED, AppState.REJECTED) and not comment:
        form.error("comment", N_("Say why, so the applicant knows what to do."))
    if amount is not None and amount <= 0:
        form.error("amount", N_("The approved amount must be more than zero."))
    form.done()
    assert to is not None
    return TransitionInput(to, comment, amount, version)
