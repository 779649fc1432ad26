"""Hostile and malformed input for every parser of tenants/: startups, people, spaces and leases, the job
roster, billing, accounts and figures, and the rows of every spreadsheet import.

Each parser is registered with a valid example (a function of "today"); the properties feed it arbitrary
bodies, and its valid example with fields replaced by hostile values, on any day of the century.
Set HOSTILE_SCALE=20 to run twenty times as many examples.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import gettext, using_locale
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.spreadsheets import ColumnSpec, Sheet, SheetError, SheetRow, locate, read_rows
from incubator.spreadsheets.writing import FORMULA_STARTS
from tenants import labels as _labels  # noqa: F401 - registers the labels the imports read
from tenants.forms import accounts, billing, figures, jobs, roster_sheet, spaces, startups, transfer
from tenants.services.imports import TEMPLATES, import_template
from tests.hostile import (
    DATE_TEXTS,
    LARGE_TEXTS,
    MONEY_TEXTS,
    NOT_OBJECTS,
    Parser,
    assert_parses_or_refuses,
    bodies,
    check_clean,
    date_texts,
    enum_values,
    field_names,
    forms_modules,
    hostile_text,
    json_values,
    money_values,
    plausible,
    public_parsers,
    todays,
)

SCALE = int(os.environ.get("HOSTILE_SCALE", "1"))
MODULES = (accounts, billing, figures, jobs, roster_sheet, spaces, startups, transfer)
NAMES = field_names(*MODULES)
ENUMS = enum_values(*MODULES, billing, jobs)
USCC = compose_uscc("91540102MA6T8K9C3")
ID_NUMBER = compose_id_number("540102", dt.date(1995, 5, 1), 12)


def examples(n: int) -> Any:
    return settings(max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def iso(day: dt.date, days: int = 0) -> str:
    return (day + dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Entry:
    """A parser with a valid example for a given day."""

    parser: Parser
    valid: Callable[[dt.date], dict[str, Any]]
    label: str = ""  # when a parser is registered twice

    @property
    def id(self) -> str:
        return self.parser.function.__name__ + (f"[{self.label}]" if self.label else "")


def month(function: Callable[..., Any], data: Any, today: dt.date) -> dt.date | None:
    form = FormReader(data)
    value = function(form, "period")
    form.done()
    return value  # type: ignore[no-any-return]


def person(today: dt.date) -> dict[str, Any]:
    return {"id_number": ID_NUMBER, "name": "次仁卓玛", "phone": "13908901234", "is_graduate": "on"} | {
        "school": "西藏大学",
        "graduation_year": str(min(today.year, 2020)),
    }


def call(**kwargs: Any) -> Callable[[Callable[..., Any], Any, dt.date], Any]:
    return lambda f, data, today: f(data, **kwargs)


def dated(**kwargs: Any) -> Callable[[Callable[..., Any], Any, dt.date], Any]:
    return lambda f, data, today: f(data, today=today, **kwargs)


LINE = {"kind": "utilities", "description": "水电费", "quantity": "1.5", "unit_price": "120.00"}
ENTRIES = [
    # accounts (query strings)
    Entry(Parser(accounts.parse_statement_period, dated(), False), lambda t: {"start": iso(t, -30), "end": iso(t)}),
    Entry(Parser(accounts.parse_as_of, dated(), False), lambda t: {"as_of": iso(t)}),
    Entry(Parser(accounts.parse_export_period, dated(), False), lambda t: {"start": f"{t.year}-01-01", "end": iso(t)}),
    Entry(Parser(accounts.parse_base, call(), False), lambda t: {"base": "3"}),
    # billing
    Entry(
        Parser(billing.parse_bill, dated()),
        lambda t: (
            {"startup_id": "1", "period_start": iso(t.replace(day=1)), "period_end": iso(t)}
            | {"issued_on": iso(t), "due_on": iso(t, 15), "include_rent": "on", "lines": [LINE], "note": "三月"}
        ),
    ),
    Entry(Parser(billing.parse_run, dated()), lambda t: {"period": iso(t)[:7], "issued_on": iso(t)}),
    Entry(Parser(billing.parse_close, call()), lambda t: {"month": "2025-03"}),
    Entry(Parser(billing.parse_month, month), lambda t: {"period": "2025-03"}),
    Entry(
        Parser(billing.parse_charge, dated()),
        lambda t: (
            {"startup_id": "1", "kind": "meeting_room", "description": "会议室", "incurred_on": iso(t)}
            | {"quantity": "2", "unit_price": "50.00"}
        ),
    ),
    Entry(
        Parser(billing.parse_payment, dated()),
        lambda t: (
            {"startup_id": "1", "received_on": iso(t), "amount": "1,200.00", "method": "bank_transfer"}
            | {"payer": "雪域青稞", "reference": "TX-123", "allocations": [{"bill_id": "1", "amount": "1000.00"}]}
        ),
    ),
    Entry(
        Parser(billing.parse_credit_note, dated()),
        lambda t: {"issued_on": iso(t), "reason": "多收水电费", "lines": [{"line_id": "1", "amount": "10.00"}]},
    ),
    Entry(
        Parser(billing.parse_fapiao, dated()),
        lambda t: {"number": "12345678", "issued_on": iso(t), "amount": "100.00"},
    ),
    Entry(
        Parser(billing.parse_profile, call()),
        lambda t: (
            {"bill_pattern": "{base}-{year}-{seq:06d}", "credit_note_pattern": "{base}-CN-{seq:06d}"}
            | {"receipt_pattern": "{base}-R-{seq:06d}", "due_days": "15", "footer": "开户行：中国银行\n拉萨分行"}
        ),
    ),
    # figures
    Entry(Parser(figures.parse_period, dated(), False), lambda t: {"year": str(t.year)}),
    Entry(
        Parser(figures.parse_standard, call()),
        lambda t: (
            {"level": "national", "measure": "utilisation", "minimum": "60", "effective_from": "2020-01-01"}
            | {"source": "国科发区〔2018〕", "confirmed": "on"}
        ),
    ),
    # the job roster
    Entry(
        Parser(jobs.parse_employment, dated()),
        lambda t: person(t) | {"hired_on": iso(t, -100), "contract_kind": "fixed_term", "monthly_wage": "4500"},
    ),
    Entry(
        Parser(jobs.parse_terms, dated()),
        lambda t: {"hired_on": iso(t, -100), "contract_kind": "open_ended", "insured_from": iso(t, -90)},
    ),
    Entry(Parser(jobs.parse_leaving, dated()), lambda t: {"left_on": iso(t), "left_reason": "辞职"}),
    Entry(
        Parser(jobs.parse_counting_rule, call(region_code="540000")),
        lambda t: (
            {"effective_from": "2020-01-01", "min_insured_months": "3", "contract_kinds": ["fixed_term"]}
            | {"source": "藏人社发〔2020〕"}
        ),
    ),
    # spaces and leases
    Entry(
        Parser(spaces.parse_space, call()),
        lambda t: {"code": "A-101", "kind": "office", "floor": "3F", "area_m2": "20.5", "list_rent": "1200.00"},
    ),
    Entry(
        Parser(spaces.parse_lease, dated()),
        lambda t: (
            {"startup_id": "1", "space_ids": ["1", "2"], "start_on": iso(t), "end_on": iso(t, 365)}
            | {"monthly_rent": "1000.00", "deposit": "2000.00", "billing_cycle": "quarterly"}
        ),
    ),
    Entry(
        Parser(spaces.parse_concession, dated()),
        lambda t: {"start_on": iso(t), "end_on": iso(t, 90), "kind": "discount", "monthly_rent": "500.00"},
    ),
    Entry(Parser(spaces.parse_end, dated()), lambda t: {"ended_on": iso(t), "reason": "到期"}),
    Entry(Parser(spaces.parse_renew, dated()), lambda t: {"end_on": iso(t, 365), "monthly_rent": "1100.00"}),
    Entry(Parser(spaces.parse_move, dated()), lambda t: {"on": iso(t), "space_ids": ["3"]}),
    # startups and people
    Entry(
        Parser(startups.parse_contact, call()),
        lambda t: {"contact_name": "次仁", "contact_phone": "13908901234", "contact_email": "tsering@example.com"},
    ),
    Entry(
        Parser(startups.parse_startup, dated()),
        lambda t: (
            {"name": "雪域青稞文创", "legal_form": "limited_company", "uscc": USCC, "registered_on": iso(t, -100)}
            | {"industry": "R", "description": "唐卡\n文创", "applied_on": iso(t)}
        ),
    ),
    Entry(Parser(startups.parse_transition, dated()), lambda t: {"to": "incubating", "on": iso(t)}),
    Entry(Parser(startups.parse_person, dated()), person),
    Entry(Parser(startups.parse_person, dated(with_id=False)), lambda t: person(t) | {"id_number": ""}, "no id"),
    Entry(
        Parser(startups.parse_founder, dated()),
        lambda t: person(t) | {"role": "legal_representative", "joined_on": iso(t)},
    ),
    Entry(Parser(startups.parse_left_on, dated()), lambda t: {"left_on": iso(t)}),
]


BY_NAME = {entry.id: entry for entry in ENTRIES}


def test_every_parser_of_tenants_is_in_the_registry() -> None:
    assert public_parsers(forms_modules("tenants")) == {e.parser.name for e in ENTRIES}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
@examples(30)
@given(today=todays)
@example(today=dt.date(2028, 2, 29))  # a bill entered on a leap day
@example(today=dt.date(2099, 12, 31))
def test_every_registered_example_is_valid_on_any_day(entry: Entry, today: dt.date) -> None:
    value = entry.parser(entry.valid(today), today)
    check_clean(value)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
@examples(25)
@given(data=bodies(NAMES, ENUMS), today=todays)
def test_a_parser_returns_its_value_or_field_errors_for_any_body(entry: Entry, data: Any, today: dt.date) -> None:
    if not entry.parser.bodies and not hasattr(data, "get"):
        data = {}  # a query string is always a mapping
    assert_parses_or_refuses(entry.parser, data, today)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_a_body_that_is_not_an_object_is_refused_by_every_parser(entry: Entry) -> None:
    for body in NOT_OBJECTS if entry.parser.bodies else ({}, {"": None}):
        if assert_parses_or_refuses(entry.parser, body, dt.date(2026, 11, 22)) is not None:
            assert isinstance(body, dict) or body is None  # only parsers whose fields are all optional


HOSTILE = st.one_of(hostile_text, money_values, date_texts, plausible(ENUMS), json_values(st.sampled_from(NAMES)))


@st.composite
def spoiled(draw: st.DrawFn, entry: Entry) -> tuple[dict[str, Any], dt.date, dict[str, Any]]:
    """The entry's valid example on some day, with one to three fields replaced by hostile values."""
    today = draw(todays)
    valid = entry.valid(today)
    names = st.sampled_from(sorted(valid)) | st.sampled_from(NAMES)
    changes = draw(st.dictionaries(names, HOSTILE, min_size=1, max_size=3))
    return valid | changes, today, changes


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
@examples(30)
@given(data=st.data())
def test_hostile_fields_in_a_valid_example_are_named_or_read_cleanly(entry: Entry, data: st.DataObject) -> None:
    body, today, changes = data.draw(spoiled(entry))
    assert_parses_or_refuses(entry.parser, body, today)
    # Keys a parser does not read change nothing.
    unknown = {f"zz_{name}": value for name, value in changes.items()}
    assert entry.parser(entry.valid(today) | unknown, today) == entry.parser(entry.valid(today), today)


@pytest.mark.parametrize("name", ["amount", "unit_price", "quantity"])
@examples(60)
@given(value=st.sampled_from(MONEY_TEXTS) | money_values)
@example(value="-0")
@example(value="1e999")
@example(value="１２００.５０")
def test_a_payment_or_a_charge_amount_is_exact_or_named(name: str, value: Any) -> None:
    today = dt.date(2026, 11, 22)
    entry = BY_NAME["parse_payment" if name == "amount" else "parse_charge"]
    body = entry.valid(today) | {name: value}
    body.pop("allocations", None)
    try:
        parsed = entry.parser(body, today)
    except ValidationFailed as exc:
        assert name in exc.fields
        return
    amount = getattr(parsed, name)
    assert type(amount) is Decimal and amount > 0 and not amount.is_signed()
    assert amount == Decimal(str(value).strip().replace(",", ""))


@examples(100)
@given(st.sampled_from(DATE_TEXTS) | date_texts, st.sampled_from(["start", "end"]))
@example("9999-12-31", "end")
def test_a_statement_period_in_any_year_is_a_period_or_a_field_error(value: str, name: str) -> None:
    today = dt.date(2026, 11, 22)
    body = {"start": "9997-06-01", "end": "9999-12-31"} | {name: value}
    try:
        start, end = accounts.parse_statement_period(body, today=today)
    except ValidationFailed as exc:
        assert set(exc.fields) <= {"start", "end"}
    else:
        assert dt.date(2000, 1, 1) <= start <= end < accounts.years_after(start, 3)


def test_a_statement_ending_in_the_last_year_there_is_is_refused_not_a_crash() -> None:
    with pytest.raises(ValidationFailed):
        accounts.parse_statement_period({"start": "9990-01-01", "end": "9999-12-31"}, today=dt.date(2026, 1, 1))
    period = accounts.parse_statement_period({"start": "9998-01-01", "end": "9999-12-30"}, today=dt.date(2026, 1, 1))
    assert period == (dt.date(9998, 1, 1), dt.date(9999, 12, 30))


# -- the rows of spreadsheet imports ------------------------------------------------------------

CELL = st.one_of(
    hostile_text,
    st.sampled_from(MONEY_TEXTS),
    st.sampled_from(DATE_TEXTS),
    st.sampled_from(["是", "否", "yes", "√", "×", "有限责任公司", "R", "法定代表人", "工位", "劳动合同（固定期限）"]),
    st.sampled_from([ID_NUMBER, ID_NUMBER.lower(), USCC, "13908901234", "2024/3/1", "2024年3月1日", "20240301"]),
    st.just(""),
)


def header(specs: tuple[ColumnSpec, ...], locale: str) -> tuple[str, ...]:
    with using_locale(locale):
        return tuple(gettext(spec.header) for spec in specs)


@st.composite
def import_sheets(draw: st.DrawFn, specs: tuple[ColumnSpec, ...], title: str = "Sheet") -> Sheet:
    """A sheet with the import's header (in either language, columns shuffled) and hostile rows."""
    names = list(header(specs, draw(st.sampled_from(["zh_CN", "en"]))))
    names = draw(st.permutations(names))
    width = len(names)
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width + 1), max_size=6))
    return Sheet(title, (SheetRow(1, tuple(names)), *(SheetRow(n + 2, tuple(r)) for n, r in enumerate(rows))))


def assert_errors_placed(errors: list[SheetError], sheet: Sheet) -> None:
    numbers = {row.number for row in sheet.rows}
    for error in errors:
        assert isinstance(error, SheetError) and error.message
        assert error.row is None or error.row in numbers
        with using_locale("zh_CN"):
            assert error.text


@examples(60)
@given(import_sheets(transfer.STARTUP_COLUMNS, "入驻企业"), import_sheets(transfer.FOUNDER_COLUMNS, "创业者"))
def test_startup_and_founder_rows_are_read_or_placed_as_problems(startups_sheet: Sheet, founders_sheet: Sheet) -> None:
    layout, errors = locate(startups_sheet, transfer.STARTUP_COLUMNS)
    assert not errors
    found = transfer.read_startups(layout)
    assert_errors_placed(found.errors, startups_sheet)
    for row in found.startups.values():
        check_clean(row.data)
    founders_layout, errors = locate(founders_sheet, transfer.FOUNDER_COLUMNS)
    assert not errors
    assert_errors_placed(transfer.read_founders(founders_layout, found, startups_sheet.title), founders_sheet)


@examples(60)
@given(import_sheets(transfer.SPACE_COLUMNS))
def test_space_rows_are_read_or_placed_as_problems(sheet: Sheet) -> None:
    layout, errors = locate(sheet, transfer.SPACE_COLUMNS)
    assert not errors
    found, errors = transfer.read_spaces(layout)
    assert_errors_placed(errors, sheet)
    assert len(found) + len({e.row for e in errors}) >= len(sheet.records) - sum(
        not any(r.cells) for r in sheet.records
    )
    for row in found:
        check_clean(row.data)
        assert type(row.data.area_m2) is Decimal and row.data.area_m2 > 0


@examples(60)
@given(import_sheets(roster_sheet.ROSTER_COLUMNS))
def test_roster_rows_are_read_or_placed_as_problems(sheet: Sheet) -> None:
    layout, errors = locate(sheet, roster_sheet.ROSTER_COLUMNS)
    assert not errors and not roster_sheet.unknown_columns(layout)
    reader = roster_sheet.RosterReader(layout, today=dt.date(2026, 11, 22))
    for row in sheet.records:
        read = reader.read(row)
        if read is not None:
            check_clean(read.data)
    assert_errors_placed(reader.errors, sheet)


@examples(200)
@given(st.one_of(hostile_text, date_texts, st.from_regex(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*")))
@example("２０２４年３月１日")
@example("2024/13/45")
def test_a_loosely_written_date_becomes_iso_or_stays_as_typed(raw: str) -> None:
    text = transfer.iso_date(raw)
    typed = unicodedata.normalize("NFKC", raw).strip()
    if text != typed:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), text
        if re.fullmatch(r"\d{8}", typed):
            assert text == f"{typed[:4]}-{typed[4:6]}-{typed[6:]}"
        else:
            assert [int(n) for n in re.findall(r"\d+", typed)] == [int(n) for n in text.split("-")]


# -- exports that need no database ---------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_import_template_has_no_formula_and_reads_back_with_every_column(kind: str, locale: str) -> None:
    with using_locale(locale):
        content = import_template(kind)
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS))
    read = read_rows(content, "template.xlsx")
    for title, specs in TEMPLATES[kind]:
        sheet = read.sheet_named(title)
        assert sheet is not None
        layout, errors = locate(sheet, specs)
        assert not errors and set(layout.positions) == {spec.field for spec in specs}


@pytest.mark.parametrize("big", [LARGE_TEXTS[3]], ids=["dots"])  # the e-mail pattern backtracked on dots
def test_a_megabyte_in_every_field_of_every_parser_is_refused_quickly(big: str) -> None:
    today = dt.date(2026, 11, 22)
    slowest = 0.0
    for entry in ENTRIES:
        started = time.perf_counter()
        assert_parses_or_refuses(entry.parser, dict.fromkeys(entry.valid(today), big), today)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.5
