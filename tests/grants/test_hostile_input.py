"""Hostile and malformed input for every parser of grants/: applications and decisions, job audits, loans
and repayments, notices and disbursements, policies with their parameters, and the subsidy reports.

Each parser is registered with a valid example (a function of "today"); the properties feed it arbitrary
bodies, and its valid example with fields replaced by hostile values, on any day of the century.
Set HOSTILE_SCALE=20 to run twenty times as many examples.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from starlette.datastructures import FormData

from grants import labels as _labels  # noqa: F401 - registers the labels the exports show
from grants.defaults import DEFAULT_POLICIES
from grants.forms import applications, job_audits, loans, notices, policies, subsidy_reports
from grants.models import PolicyKind
from grants.rules.params import SCHEMA, ParamError, ParamType, clean_params, clean_value
from grants.services.subsidy_exports import _figure_sheet
from grants.services.subsidy_reports import Amount, FigureRow
from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.spreadsheets import WorkbookWriter
from incubator.spreadsheets.writing import FORMULA_STARTS
from tests.hostile import (
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
MODULES = (applications, job_audits, loans, notices, policies, subsidy_reports)
GROUP_NAMES = ["registered_unemployed", "online_merchant", "graduate", "veteran", "nobody"]
NAMES = field_names(*MODULES) + [f"params.{spec.name}" for specs in SCHEMA.values() for spec in specs]
ENUMS = enum_values(*MODULES) + [kind.value for kind in PolicyKind] + GROUP_NAMES + ["full", "share", "above_lpr"]


def examples(n: int) -> Any:
    return settings(max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def iso(day: dt.date, days: int = 0) -> str:
    return (day + dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Entry:
    """A parser with a valid example for a given day (and a label when it is registered twice)."""

    parser: Parser
    valid: Callable[[dt.date], dict[str, Any]]
    label: str = ""

    @property
    def id(self) -> str:
        return self.parser.function.__name__ + (f"[{self.label}]" if self.label else "")


def call(**kwargs: Any) -> Callable[[Callable[..., Any], Any, dt.date], Any]:
    return lambda f, data, today: f(data, **kwargs)


def dated(**kwargs: Any) -> Callable[[Callable[..., Any], Any, dt.date], Any]:
    return lambda f, data, today: f(data, today=today, **kwargs)


def of_kind(kind: PolicyKind) -> Callable[[Callable[..., Any], Any, dt.date], Any]:
    return lambda f, data, today: f(kind, data)


def version(kind: PolicyKind) -> dict[str, Any]:
    default = DEFAULT_POLICIES[kind]
    return {"valid_from": "2024-01-01", "valid_until": "", "note": "测试", "params": dict(default["params"])} | {
        "sources": {name: dict(source) for name, source in default["sources"].items()}
    }


POLICY = {"name": "一次性创业补贴", "issuing_body": "西藏自治区人力资源和社会保障厅", "summary": "补贴\n说明"}
LOAN = {
    "startup_id": "1",
    "borrower_kind": "individual",
    "person_id": "1",
    "bank": "中国银行拉萨分行",
    "guarantee_agency": "西藏自治区创业担保中心",
    "contract_number": "HT-2025-001",
    "principal": "100,000.00",
    "annual_rate": "3.45",
    "term_months": "24",
    "period_months": "3",
    "method": "equal_instalment",
}
ENTRIES = [
    # applications
    Entry(
        Parser(applications.parse_claim, dated()),
        lambda t: {"policy": "rent_subsidy", "startup_id": "1", "year": str(t.year)},
    ),
    Entry(
        Parser(applications.parse_details, call(founders={1, 2})),
        lambda t: (
            {"payee_name": "雪域青稞", "payee_bank": "中国银行", "payee_account": "6222 0212-3456 7890"}
            | {"note": "说明\n第二行", "declared": {"1": ["online_merchant"], "2": []}}
        ),
    ),
    Entry(
        Parser(applications.parse_transition, call()),
        lambda t: {"to": "approved", "comment": "同意", "amount": "10000.00", "version": "1"},
    ),
    # job audits
    Entry(
        Parser(job_audits.parse_audit, dated()),
        lambda t: {"base_id": "1", "period_start": iso(t, -365), "period_end": iso(t), "required_months": "3"},
    ),
    Entry(
        Parser(job_audits.parse_mapping, call(headers=["身份证号", "姓名", "单位", "月数"])),
        lambda t: {"column_id_number": "0", "column_name": "1", "column_employer_uscc": "2", "column_months_paid": "3"},
    ),
    Entry(Parser(job_audits.parse_decision, call()), lambda t: {"outcome": "verified", "reason": "已核实"}),
    Entry(Parser(job_audits.parse_sign_off, call()), lambda t: {"note": "", "confirm": "on"}),
    # loans
    Entry(Parser(loans.parse_loan, dated()), lambda t: LOAN | {"contract_on": iso(t, -10), "start_on": iso(t)}),
    Entry(
        Parser(loans.parse_loan, dated(creating=False)),
        lambda t: (
            LOAN
            | {"borrower_kind": "partnership", "partners": "3", "lpr": "3.10"}
            | {"contract_on": iso(t), "start_on": iso(t, 30)}
        ),
        "editing",
    ),
    Entry(
        Parser(loans.parse_repayment, dated()),
        lambda t: {"paid_on": iso(t), "principal": "1000.00", "interest": "", "reference": "R-1"},
    ),
    # notices and disbursements
    Entry(
        Parser(notices.parse_notice, dated()),
        lambda t: {
            "application_ids": ["1", "2"],
            "published_on": iso(t),
            "working_days": "5",
            "contact": "0891-6332211",
        },
    ),
    Entry(
        Parser(notices.parse_objection, dated()),
        lambda t: {"application_id": "1", "received_on": iso(t), "objector": "匿名", "content": "情况不实\n请核查"},
    ),
    Entry(Parser(notices.parse_disbursement, dated()), lambda t: {"pay_on": iso(t, 3), "application_ids": [1, "2"]}),
    Entry(Parser(notices.parse_paid, dated()), lambda t: {"paid_on": iso(t), "bank_reference": "BK-20250301-01"}),
    Entry(Parser(notices.parse_removal, call()), lambda t: {"application_id": "7"}),
    # policies
    Entry(Parser(policies.parse_policy, call()), lambda t: POLICY | {"is_active": "on"}),
    Entry(
        Parser(policies.parse_new_policy, call()),
        lambda t: POLICY | {"region_code": "540102", "kind": "startup_grant"} | version(PolicyKind.STARTUP_GRANT),
    ),
    *(
        Entry(Parser(policies.parse_version, of_kind(kind)), lambda t, kind=kind: version(kind), kind.value)
        for kind in PolicyKind
    ),
    Entry(
        Parser(policies.parse_lpr, call()),
        lambda t: {"effective_on": "2024-01-22", "one_year": "3.45", "five_year": "4.2", "source": "中国人民银行"},
    ),
    Entry(
        Parser(policies.parse_holiday, call()),
        lambda t: {"region_code": "540000", "name": "藏历新年", "starts_on": "2025-02-28", "ends_on": "2025-03-06"},
    ),
    # subsidy reports (query strings)
    Entry(Parser(subsidy_reports.parse_year, dated(), False), lambda t: {"year": str(t.year)}),
    Entry(Parser(subsidy_reports.parse_grouping, call(), False), lambda t: {"by": "base"}),
    Entry(
        Parser(subsidy_reports.parse_ledger_query, dated(), False),
        lambda t: {"year": str(t.year), "kind": "loan_interest", "base": "1", "startup": "2", "region": "540102"},
    ),
]
BY_ID = {entry.id: entry for entry in ENTRIES}


def test_every_parser_of_grants_is_in_the_registry() -> None:
    assert public_parsers(forms_modules("grants")) == {e.parser.name for e in ENTRIES}
    assert {kind.value for kind in PolicyKind} <= {e.id.partition("[")[2].rstrip("]") for e in ENTRIES}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
@examples(20)
@given(today=todays)
@example(today=dt.date(2028, 2, 29))
def test_every_registered_example_is_valid_on_any_day(entry: Entry, today: dt.date) -> None:
    check_clean(entry.parser(entry.valid(today), today))


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
    """The entry's valid example on some day, with one to three fields (or parameters) replaced."""
    today = draw(todays)
    valid = entry.valid(today)
    names = st.sampled_from(sorted(valid)) | st.sampled_from(NAMES)
    changes = draw(st.dictionaries(names, HOSTILE, min_size=1, max_size=3))
    body = valid | changes
    if isinstance(valid.get("params"), dict) and draw(st.booleans()):
        params = valid["params"] | draw(st.dictionaries(st.sampled_from(sorted(valid["params"])), HOSTILE, max_size=3))
        body = body | {"params": params}
    return body, today, changes


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
@examples(30)
@given(data=st.data())
def test_hostile_fields_in_a_valid_example_are_named_or_read_cleanly(entry: Entry, data: st.DataObject) -> None:
    body, today, changes = data.draw(spoiled(entry))
    assert_parses_or_refuses(entry.parser, body, today)
    unknown = {f"zz_{name}": value for name, value in changes.items()}
    assert entry.parser(entry.valid(today) | unknown, today) == entry.parser(entry.valid(today), today)


@pytest.mark.parametrize("name", ["principal", "annual_rate", "lpr"])
@examples(60)
@given(value=st.sampled_from(MONEY_TEXTS) | money_values)
@example(value="-0")
@example(value="36")
@example(value="0.00001")
def test_a_loan_amount_or_rate_is_exact_and_positive_or_named(name: str, value: Any) -> None:
    today = dt.date(2026, 11, 22)
    try:
        loan = loans.parse_loan(BY_ID["parse_loan"].valid(today) | {name: value}, today=today)
    except ValidationFailed as exc:
        assert name in exc.fields, exc.fields
        return
    amount = getattr(loan, name)
    if amount is None:
        assert name == "lpr" and not FormReader({name: value}).raw(name)
        return
    assert type(amount) is Decimal and amount > 0 and not amount.is_signed()
    assert amount == Decimal(FormReader({name: value}).raw(name).replace(",", ""))
    assert name == "principal" or amount < 36


# -- policy parameters ------------------------------------------------------------------------

SPECS = [spec for specs in SCHEMA.values() for spec in specs]
PARAM_VALUES = st.one_of(
    money_values,
    st.sampled_from(MONEY_TEXTS),
    hostile_text,
    st.lists(st.sampled_from(GROUP_NAMES) | hostile_text, max_size=4),
    st.sampled_from(["full", "share", "above_lpr", "FULL", "1,000", "1，000", "-0", "-0.00", "0E+5", "1e3"]),
    json_values(st.text(max_size=5)),
)


@examples(400)
@given(st.sampled_from(SPECS), PARAM_VALUES)
@example(next(s for s in SPECS if s.type is ParamType.MONEY), "-0.00")  # stored as "-0.00": 负零元
@example(next(s for s in SPECS if s.type is ParamType.MONEY), "-0")
@example(next(s for s in SPECS if s.type is ParamType.INT), "1e999999")
@example(next(s for s in SPECS if s.type is ParamType.PERCENT), "sNaN")
def test_a_parameter_is_stored_in_its_exact_form_or_refused(spec: Any, raw: Any) -> None:
    try:
        value = clean_value(spec, raw)
    except ParamError as error:
        assert error.name == spec.name and error.msgid
        return
    if spec.type is ParamType.MONEY:
        assert isinstance(value, str) and Decimal(value).as_tuple().exponent == -2
        assert not value.startswith("-") and Decimal(value) < Decimal("1000000000000")
    elif spec.type is ParamType.INT:
        assert type(value) is int and 0 <= value <= (spec.maximum or value)
    elif spec.type is ParamType.PERCENT:
        assert isinstance(value, str) and not value.startswith("-") and 0 <= Decimal(value) <= 1000
        assert Decimal(value).as_tuple().exponent >= -4  # type: ignore[operator]
    elif spec.type is ParamType.GROUPS:
        assert isinstance(value, list) and value and len(set(value)) == len(value)
    else:
        assert value in {"full", "share", "above_lpr"}


@pytest.mark.parametrize("kind", list(PolicyKind), ids=lambda k: k.value)
@examples(60)
@given(raw=st.dictionaries(st.sampled_from([s.name for s in SPECS]) | st.text(max_size=8), PARAM_VALUES))
def test_the_parameters_of_a_kind_are_complete_or_each_error_is_named(kind: PolicyKind, raw: dict[str, Any]) -> None:
    values, errors = clean_params(kind, raw)
    names = {spec.name for spec in SCHEMA[kind]}
    assert set(errors) <= names and all(isinstance(m, str) and m for m in errors.values())
    if not errors:
        assert set(values) == names
        check_clean(values)


@pytest.mark.parametrize("kind", list(PolicyKind), ids=lambda k: k.value)
@examples(30)
@given(changes=st.dictionaries(st.sampled_from(sorted(NAMES)), PARAM_VALUES, max_size=3))
def test_a_version_shown_again_in_its_form_parses_to_the_same_version(
    kind: PolicyKind, changes: dict[str, Any]
) -> None:
    """version_values -> the browser's flat form -> version_data -> parse_version is the identity."""
    parsed = policies.parse_version(kind, version(kind))
    flat = policies.version_values(kind, version(kind) | {"params": parsed.params})
    pairs: list[tuple[str, str]] = []
    for name, value in flat.items():
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    assert policies.parse_version(kind, policies.version_data(kind, FormData(pairs))) == parsed
    # The same form with hostile fields added parses or names them.
    spoiled = [(name, value if isinstance(value, str) else str(value)) for name, value in changes.items()]
    assert_parses_or_refuses(
        BY_ID[f"parse_version[{kind.value}]"].parser,
        policies.version_data(kind, FormData(pairs + spoiled)),
        dt.date(2026, 1, 1),
    )


# -- exports that need no database ---------------------------------------------------------------


@examples(40)
@given(
    st.lists(hostile_text | st.sampled_from(['=HYPERLINK("x")', "-1", "+1", "@A1", "\t=1"]), max_size=5), hostile_text
)
def test_figures_of_startups_and_bases_with_formula_like_names_are_neutralised(labels: list[str], title: str) -> None:
    rows = [FigureRow(str(n), label, Amount(n, Decimal(n) * 100)) for n, label in enumerate(labels)]
    book = WorkbookWriter()
    _figure_sheet(book, title, "Startup", rows, FigureRow("total", "=SUM(B2:B9)", Amount(1, Decimal("1.00"))))
    loaded = load_workbook(io.BytesIO(book.save()))
    for sheet in loaded.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)), cell.value


@pytest.mark.parametrize("big", [LARGE_TEXTS[0]], ids=["digits"])
def test_a_megabyte_in_every_field_of_every_parser_is_refused_quickly(big: str) -> None:
    today = dt.date(2026, 11, 22)
    slowest = 0.0
    for entry in ENTRIES:
        started = time.perf_counter()
        assert_parses_or_refuses(entry.parser, dict.fromkeys(entry.valid(today), big), today)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.5
