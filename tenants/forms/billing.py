"""Parsing billing input: bills by hand, billing runs, charges, payments, credit notes, fapiao, settings.

Rows (a bill's service lines, a payment's allocations, a credit note's lines) come from a
JSON list of objects, or from an HTML form's parallel repeated fields (`line_kind`,
`line_quantity` …); a row's error is reported on `<row field>.<index>`, e.g. `line_quantity.2`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from incubator.formatting import today as today_in_china
from incubator.forms import FormReader
from incubator.i18n import N_
from tenants.forms.accounts import years_after
from tenants.models import SERVICE_KINDS, LineKind, PaymentMethod

MAX_AMOUNT = Decimal("99999999.99")
MIN_AMOUNT = Decimal("0.01")
MAX_QUANTITY = Decimal("999999.999")
MAX_ROWS = 50
MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
FAPIAO_NUMBER = re.compile(r"^\d{8}$|^\d{20}$", re.ASCII)
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class ServiceLineInput:
    kind: LineKind
    description: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class BillInput:
    startup_id: int
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    due_on: dt.date | None
    include_rent: bool
    include_charges: bool
    lines: tuple[ServiceLineInput, ...]
    note: str


@dataclass(frozen=True)
class RunInput:
    period: dt.date
    issued_on: dt.date
    digest: str | None


@dataclass(frozen=True)
class ChargeInput:
    startup_id: int
    kind: LineKind
    description: str
    incurred_on: dt.date
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class AllocationInput:
    bill_id: int
    amount: Decimal


@dataclass(frozen=True)
class PaymentInput:
    startup_id: int
    received_on: dt.date
    amount: Decimal
    method: PaymentMethod
    payer: str
    reference: str
    note: str
    allocations: tuple[AllocationInput, ...]


@dataclass(frozen=True)
class CreditLineInput:
    line_id: int
    amount: Decimal | None


@dataclass(frozen=True)
class CreditNoteInput:
    issued_on: dt.date
    reason: str
    whole: bool
    lines: tuple[CreditLineInput, ...]


@dataclass(frozen=True)
class FapiaoInput:
    number: str
    issued_on: dt.date
    amount: Decimal


def rows(
    data: Mapping[str, Any], key: str, columns: tuple[str, ...], prefix: str, *, filled: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The rows of a JSON list `key`, or of a form's repeated `<prefix>_<column>` fields.

    A form row counts when one of the `filled` columns (default: any column but `kind`) is not blank,
    so a form can offer rows with hidden ids that only count once an amount is typed.
    """
    value = data.get(key)
    if isinstance(value, list):
        return [item if isinstance(item, Mapping) else {"__invalid__": True} for item in value]  # type: ignore[misc]
    getlist = getattr(data, "getlist", None)

    def values(name: str) -> list[Any]:
        if callable(getlist):
            return list(getlist(name))
        found = data.get(name)
        return found if isinstance(found, list) else [] if found is None else [found]

    columns_values = {c: [v if isinstance(v, str) else "" for v in values(f"{prefix}_{c}")] for c in columns}
    count = max((len(v) for v in columns_values.values()), default=0)
    found = []
    for index in range(count):
        row = {c: (columns_values[c][index] if index < len(columns_values[c]) else "") for c in columns}
        if any(str(v).strip() for k, v in row.items() if (k in filled if filled else k != "kind")):
            found.append(row)
    return found


def _row_reader(form: FormReader, row: Mapping[str, Any], prefix: str, index: int) -> FormReader:
    """A reader over one row whose errors land on the outer form as `<prefix>_<field>.<index>`."""
    reader = FormReader(row)
    original = reader.error

    def error(name: str, message: str, **params: object) -> None:
        original(name, message, **params)
        form.error(f"{prefix}_{name}.{index}", message, **params)

    reader.error = error  # type: ignore[method-assign]
    return reader


def _period(form: FormReader, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    start = form.date("period_start", not_before=EARLIEST)
    end = form.date("period_end", not_before=EARLIEST)
    if start and end:
        if end < start:
            form.error("period_end", N_("The end date cannot be before the start date."))
        elif end.year != start.year:
            form.error("period_end", N_("A bill covers days of one calendar year."))
        elif start > years_after(today, 1):
            form.error("period_start", N_("The period starts more than a year ahead."))
    return start, end


def _issue_date(form: FormReader, name: str, today: dt.date) -> dt.date | None:
    day = form.date(name, required=False, not_before=EARLIEST, not_after=today)
    return day if day is not None else (None if name in form.errors else today)


def _quantity(form: FormReader) -> Decimal | None:
    """A quantity above zero with at most three decimals."""
    if form.raw("quantity").lstrip().startswith("-"):
        form.error("quantity", N_("The quantity must be more than zero."))
        return None
    quantity = form.decimal("quantity", places=3, maximum=MAX_QUANTITY)
    if quantity is not None and quantity <= 0:
        form.error("quantity", N_("The quantity must be more than zero."))
        return None
    return quantity


def _service_lines(form: FormReader, data: Mapping[str, Any]) -> tuple[ServiceLineInput, ...]:
    found = rows(data, "lines", ("kind", "description", "quantity", "unit_price"), "line")
    if len(found) > MAX_ROWS:
        form.error("lines", N_("At most %(max)d lines."), max=MAX_ROWS)
        return ()
    lines: list[ServiceLineInput] = []
    for index, row in enumerate(found):
        reader = _row_reader(form, row, "line", index)
        kind = reader.choice("kind", LineKind)
        if kind is not None and kind not in SERVICE_KINDS:
            reader.error("kind", N_("Rent is billed from leases; choose a service."))
        description = reader.text("description", max_length=200)
        quantity = _quantity(reader)
        price = reader.decimal("unit_price", minimum=MIN_AMOUNT, maximum=MAX_AMOUNT)
        if not reader.errors and kind is not None and quantity is not None and price is not None:
            lines.append(ServiceLineInput(kind, description, quantity, price))
    return tuple(lines)


def parse_bill(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> BillInput:
    day = today or today_in_china()
    form = FormReader(data)
    startup_id = form.integer("startup_id", minimum=1)
    start, end = _period(form, day)
    issued_on = _issue_date(form, "issued_on", day)
    due_on = form.date("due_on", required=False, not_before=EARLIEST)
    if due_on and issued_on and due_on < issued_on:
        form.error("due_on", N_("The due date cannot be before the issue date."))
    include_rent = form.boolean("include_rent")
    include_charges = form.boolean("include_charges")
    lines = _service_lines(form, form.data)
    note = form.text("note", required=False, max_length=300)
    form.done()
    assert startup_id is not None and start and end and issued_on
    return BillInput(startup_id, start, end, issued_on, due_on, include_rent, include_charges, lines, note)


def parse_month(form: FormReader, name: str) -> dt.date | None:
    raw = form.raw(name)
    if not raw:
        form.error(name, N_("This field is required."))
        return None
    match = MONTH.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < EARLIEST.year:
        form.error(name, N_("Enter a month as YYYY-MM."))
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_run(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> RunInput:
    day = today or today_in_china()
    form = FormReader(data)
    period = parse_month(form, "period")
    if period is not None and period > day.replace(day=1) + dt.timedelta(days=62):
        form.error("period", N_("A run can bill at most one month ahead."))
    issued_on = _issue_date(form, "issued_on", day)
    digest = form.text("digest", required=False, max_length=64) or None
    form.done()
    assert period is not None and issued_on is not None
    return RunInput(period, issued_on, digest)


def parse_close(data: Mapping[str, Any] | None) -> dt.date:
    form = FormReader(data)
    month = parse_month(form, "month")
    form.done()
    assert month is not None
    return month


def parse_charge(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> ChargeInput:
    day = today or today_in_china()
    form = FormReader(data)
    startup_id = form.integer("startup_id", minimum=1)
    kind = form.choice("kind", LineKind)
    if kind is not None and kind not in SERVICE_KINDS:
        form.error("kind", N_("Rent is billed from leases; choose a service."))
    description = form.text("description", max_length=200)
    incurred_on = form.date("incurred_on", not_before=EARLIEST, not_after=day)
    quantity = _quantity(form)
    price = form.decimal("unit_price", minimum=MIN_AMOUNT, maximum=MAX_AMOUNT)
    form.done()
    assert startup_id and kind and incurred_on and quantity is not None and price is not None
    return ChargeInput(startup_id, kind, description, incurred_on, quantity, price)


def _amount(form: FormReader, name: str, *, required: bool = True) -> Decimal | None:
    """A positive amount of money to the fen: zero, negatives and fractions of a fen are refused."""
    raw = form.raw(name)
    if raw.replace(",", "").lstrip().startswith("-"):
        form.error(name, N_("The amount must be more than zero."))
        return None
    amount = form.decimal(name, required=required, maximum=MAX_AMOUNT)
    if amount is not None and amount <= 0:
        form.error(name, N_("The amount must be more than zero."))
        return None
    return amount


def parse_payment(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> PaymentInput:
    day = today or today_in_china()
    form = FormReader(data)
    startup_id = form.integer("startup_id", minimum=1)
    received_on = form.date("received_on", not_before=EARLIEST, not_after=day)
    amount = _amount(form, "amount")
    method = form.choice("method", PaymentMethod)
    payer = form.text("payer", max_length=100)
    reference = form.text("reference", required=False, max_length=100)
    if method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.WECHAT, PaymentMethod.ALIPAY) and not reference:
        form.error("reference", N_("Enter the transfer's reference number."))
    note = form.text("note", required=False, max_length=300)
    found = rows(form.data, "allocations", ("bill_id", "amount"), "allocation", filled=("amount",))
    allocations: list[AllocationInput] = []
    seen: set[int] = set()
    for index, row in enumerate(found[: MAX_ROWS + 1]):
        reader = _row_reader(form, row, "allocation", index)
        bill_id = reader.integer("bill_id", minimum=1)
        share = _amount(reader, "amount", required=False)
        if bill_id is not None and bill_id in seen:
            reader.error("bill_id", N_("Each bill once."))
        if bill_id is not None and share is not None and not reader.errors:
            seen.add(bill_id)
            allocations.append(AllocationInput(bill_id, share))
    if len(found) > MAX_ROWS:
        form.error("allocations", N_("At most %(max)d lines."), max=MAX_ROWS)
    if amount is not None and sum((a.amount for a in allocations), Decimal(0)) > amount:
        form.error("allocations", N_("The amounts applied to bills add up to more than the payment."))
    form.done()
    assert startup_id and received_on and amount is not None and method is not None
    return PaymentInput(startup_id, received_on, amount, method, payer, reference, note, tuple(allocations))


def parse_credit_note(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> CreditNoteInput:
    day = today or today_in_china()
    form = FormReader(data)
    issued_on = _issue_date(form, "issued_on", day)
    reason = form.text("reason", max_length=300)
    whole = form.boolean("whole")
    lines: list[CreditLineInput] = []
    if not whole:
        found = rows(form.data, "lines", ("line_id", "amount"), "credit", filled=("amount",))
        for index, row in enumerate(found[:200]):
            reader = _row_reader(form, row, "credit", index)
            line_id = reader.integer("line_id", minimum=1)
            amount = _amount(reader, "amount", required=False)
            if line_id is not None and not reader.errors:
                lines.append(CreditLineInput(line_id, amount))
        if not lines and not any(k.startswith("credit_") for k in form.errors):
            form.error("lines", N_("Choose the lines to credit, or credit the whole bill."))
    form.done()
    assert issued_on is not None
    return CreditNoteInput(issued_on, reason, whole, tuple(lines))


def parse_fapiao(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> FapiaoInput:
    day = today or today_in_china()
    form = FormReader(data)
    number = form.pattern(
        "number", FAPIAO_NUMBER, N_("A fapiao number has 8 digits, or 20 digits for a digital (全电) fapiao.")
    )
    issued_on = form.date("issued_on", not_before=EARLIEST, not_after=day)
    amount = _amount(form, "amount")
    form.done()
    assert issued_on is not None and amount is not None
    return FapiaoInput(number, issued_on, amount)


def parse_profile(data: Mapping[str, Any] | None) -> dict[str, Any]:
    form = FormReader(data)
    values: dict[str, Any] = {
        "bill_pattern": form.text("bill_pattern", max_length=60),
        "credit_note_pattern": form.text("credit_note_pattern", max_length=60),
        "receipt_pattern": form.text("receipt_pattern", max_length=60),
        "due_days": form.integer("due_days", minimum=0, maximum=90),
        "payee_name": form.text("payee_name", required=False, max_length=100),
        "bank_name": form.text("bank_name", required=False, max_length=100),
        "bank_account": form.text("bank_account", required=False, max_length=40),
        "footer": form.text("footer", required=False, max_length=300, multiline=True),
    }
    form.done()
    return values
