"""Hostile and malformed input at the foundation: identifiers, FormReader's fields, the core parsers,
JSON bodies, pagination, spreadsheets read and written, and uploads.

Every property is the same promise: bad input becomes a field error (ValidationFailed) or a clean
value; never another exception, never a float, never text the database cannot store.
Set HOSTILE_SCALE=20 to run twenty times as many examples.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
import time
import tracemalloc
import unicodedata
import zipfile
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from starlette.datastructures import QueryParams

from incubator import files, forms
from incubator.access import Principal
from incubator.errors import MalformedBody, ValidationFailed
from incubator.forms import FormReader
from incubator.identifiers import (
    ID_CHECK,
    USCC_CHARSET,
    birth_date_of,
    compose_id_number,
    compose_uscc,
    id_check_char,
    id_number_error,
    normalise_id_number,
    sex_of,
    uscc_check_char,
    uscc_error,
)
from incubator.middleware import json_body
from incubator.models import BaseKind, BaseLevel, Role
from incubator.pagination import MAX_LIMIT, window
from incubator.spreadsheets import Heading, SheetData, WorkbookWriter, read_rows, write_workbook
from incubator.spreadsheets.writing import FORMULA_STARTS, MAX_CELL_TEXT, neutralised
from tests.hostile import (
    DATE_TEXTS,
    LARGE_TEXTS,
    MONEY_TEXTS,
    NOT_OBJECTS,
    ROOT,
    TODAY,
    Parser,
    any_char,
    assert_parses_or_refuses,
    bodies,
    check_clean,
    date_texts,
    dated,
    enum_values,
    field_names,
    forms_modules,
    hostile_text,
    json_values,
    money_texts,
    money_values,
    plain,
    public_parsers,
    todays,
    valid_id_numbers,
    valid_usccs,
)

SCALE = int(os.environ.get("HOSTILE_SCALE", "1"))


def examples(n: int) -> Any:
    return settings(max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- ID numbers (GB 11643-1999) ---------------------------------------------------------------

ID_MESSAGES = {
    "An ID number has 18 characters: 17 digits and a digit or X.",
    "The birth date in this ID number does not exist.",
    "The birth date in this ID number is not plausible.",
    "The check character of this ID number is wrong; please check each digit.",
}
USCC_MESSAGES = {
    "A unified social credit code has 18 digits or capital letters (not I, O, S, V, Z).",
    "The check character of this credit code is wrong; please check each character.",
}
ID_LIKE = st.one_of(
    st.text(alphabet=any_char, max_size=24),
    st.text(alphabet=st.sampled_from("0123456789Xx \t\n０１２３４５６７８９Ｘ-"), min_size=16, max_size=20),
    valid_id_numbers.map(lambda n: n.lower()),
    valid_id_numbers.map(lambda n: f"  {n}\n"),
    valid_id_numbers,
)


def person_form(number: str) -> dict[str, str]:
    return {"id_number": number, "name": "次仁卓玛"}


@examples(400)
@given(ID_LIKE)
@example("11010519491231002x")  # GB 11643-1999's example, lower-case x
@example("110105194902290021")  # 29 February 1949 does not exist
@example("11010519000101001\x00")
@example("１１０１０５１９４９１２３１００２Ｘ")  # full-width digits
def test_an_id_number_is_valid_with_its_check_character_or_refused(value: str) -> None:
    from tenants.forms.startups import parse_person

    message = id_number_error(value, today=TODAY)
    number = normalise_id_number(value)
    if message is None:
        assert re.fullmatch(r"[1-9][0-9]{16}[0-9X]", number, flags=re.ASCII)
        assert id_check_char(number[:17]) == number[17]
        birth = birth_date_of(number)
        assert dt.date(1900, 1, 1) <= birth <= TODAY
        assert compose_id_number(number[:6], birth, int(number[14:17])) == number  # the round trip
        assert sex_of(number) in {"male", "female"}
    else:
        assert message in ID_MESSAGES
    try:
        person = parse_person(person_form(value), today=TODAY)
    except ValidationFailed as exc:
        assert message is not None or len(value.strip()) > 18 or not unicodedata.is_normalized("NFC", value)
        assert set(exc.fields) == {"id_number"}
    else:
        assert message is None and person.id_number == number


@examples(150)
@given(valid_id_numbers)
def test_every_composed_id_number_is_accepted_in_upper_and_lower_case(number: str) -> None:
    assert id_number_error(number, today=TODAY) is None
    assert id_number_error(number.lower(), today=TODAY) is None
    assert birth_date_of(number) <= TODAY


@examples(300)
@given(valid_id_numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_changed_character_of_an_id_number_is_refused(number: str, position: int, char: str) -> None:
    assume(number[position] != char)
    changed = number[:position] + char + number[position + 1 :]
    assert id_number_error(changed, today=TODAY) is not None


@examples(200)
@given(valid_id_numbers, st.integers(0, 15))
def test_any_swap_of_two_neighbouring_digits_of_an_id_number_is_refused(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert id_number_error(swapped, today=TODAY) is not None


@examples(100)
@given(valid_id_numbers, st.text(alphabet=any_char, min_size=1, max_size=3), st.integers(0, 18))
def test_an_id_number_with_inserted_or_deleted_characters_is_refused(number: str, extra: str, position: int) -> None:
    assume(extra.strip())
    assert id_number_error(number[:position] + extra + number[position:], today=TODAY) is not None
    assert id_number_error(number[: position % 18] + number[position % 18 + 1 :], today=TODAY) is not None


def test_the_check_characters_cover_every_remainder() -> None:
    assert sorted(ID_CHECK) == sorted("0123456789X") and len(USCC_CHARSET) == 31


# -- unified social credit codes (GB 32100-2015) -------------------------------------------------

USCC_LIKE = st.one_of(
    st.text(alphabet=any_char, max_size=24),
    st.text(alphabet=st.sampled_from(USCC_CHARSET + "IOSVZ iosvz-"), min_size=16, max_size=20),
    valid_usccs.map(str.lower),
    valid_usccs,
)


@examples(300)
@given(USCC_LIKE)
@example("91540302ma6t1x2y3a")
@example("91540302MA6T1X2Y3I")
@example("９1540302MA6T1X2Y3A")
def test_a_credit_code_is_valid_with_its_check_character_or_refused(value: str) -> None:
    from tenants.forms.startups import parse_startup

    message = uscc_error(value)
    code = value.strip().upper()
    if message is None:
        assert re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", code, flags=re.ASCII)
        assert compose_uscc(code[:17]) == code
    else:
        assert message in USCC_MESSAGES
    data = {"name": "雪域青稞", "legal_form": "limited_company", "uscc": value, "registered_on": "2024-03-01"}
    data |= {"industry": "R"}
    try:
        startup = parse_startup(data, today=TODAY)
    except ValidationFailed as exc:
        assert set(exc.fields) == {"uscc"}
    else:
        assert message is None and startup.uscc == code


@examples(200)
@given(valid_usccs, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_any_single_changed_character_of_a_credit_code_is_refused(code: str, position: int, char: str) -> None:
    assume(code[position] != char)
    assert uscc_error(code[:position] + char + code[position + 1 :]) is not None


@examples(100)
@given(valid_usccs, st.integers(0, 15))
def test_any_swap_of_two_neighbouring_characters_of_a_credit_code_is_refused(code: str, position: int) -> None:
    a, b = code[position], code[position + 1]
    assume(a != b)
    assert uscc_error(code[:position] + b + a + code[position + 2 :]) is not None
    assert uscc_check_char(code[:17]) == code[17]


# -- money -----------------------------------------------------------------------------------

MONEY_ERRORS = {
    "Enter a number.",
    "At most %(places)d decimal places.",
    "Enter a number between %(low)s and %(high)s.",
    "This field is required.",
}


@examples(500)
@given(money_values, st.sampled_from([0, 2, 3, 4]))
@example("-0", 2)
@example("-0.00", 2)
@example("sNaN", 2)
@example("1e999", 2)
@example("0E+1000000000", 2)
@example("１２００.５０", 2)
@example(float("nan"), 2)
@example(1e300, 2)
def test_an_amount_is_an_exact_decimal_within_bounds_or_a_field_error(value: Any, places: int) -> None:
    form = FormReader({"amount": value})
    result = form.decimal("amount", places=places, maximum=Decimal("99999999.99"))
    if result is None:
        assert set(form.errors) == {"amount"} and form.errors["amount"] in MONEY_ERRORS
        with pytest.raises(ValidationFailed) as caught:
            form.done()
        assert caught.value.fields == {"amount": form.errors["amount"]}
        return
    assert not form.errors
    assert type(result) is Decimal and result.is_finite()
    assert Decimal(0) <= result <= Decimal("99999999.99")
    assert result.quantize(Decimal(1).scaleb(-places)) == result  # to the fen (or the given places)
    assert not result.is_signed()  # no negative zero: a receipt would read 负零元
    typed = form.raw("amount").replace(",", "")
    assert result == Decimal(typed)  # exactly what was typed, never through a float


@examples(200)
@given(st.sampled_from(MONEY_TEXTS) | money_values)
def test_every_money_field_of_the_platform_reads_the_same_hostile_amounts(value: Any) -> None:
    """The money readers of the parsers (FormReader.decimal and the helpers that wrap it)."""
    from grants.forms.loans import _amount as repaid
    from grants.forms.loans import _positive, _rate
    from tenants.forms.billing import _amount, _quantity
    from tenants.forms.spaces import _money

    readers = [
        lambda f: _amount(f, "quantity"),
        lambda f: _quantity(f),
        lambda f: _money(f, "quantity"),
        lambda f: repaid(f, "quantity"),
        lambda f: _rate(f, "quantity"),
        lambda f: _positive(f, "quantity", "too small", places=2, maximum=Decimal(100)),
    ]
    for read in readers:
        form = FormReader({"quantity": value})
        result = read(form)
        if result is None:
            assert set(form.errors) == {"quantity"}
        else:
            assert not form.errors and type(result) is Decimal
            check_clean(result)
            assert result >= 0


# -- whole numbers, dates, text ------------------------------------------------------------------


@examples(200)
@given(st.one_of(money_values, hostile_text, st.integers()))
def test_a_whole_number_is_an_int_within_bounds_or_a_field_error(value: Any) -> None:
    form = FormReader({"n": value})
    result = form.integer("n", minimum=1, maximum=1000)
    if result is None:
        assert set(form.errors) == {"n"}
    else:
        assert type(result) is int and 1 <= result <= 1000 and not form.errors


@examples(300)
@given(st.one_of(date_texts, hostile_text, money_values), todays)
@example("2025-02-30", TODAY)
@example("9999-12-31", TODAY)
@example("0001-01-01", TODAY)
@example("2025-W10-1", TODAY)
def test_a_date_is_within_its_bounds_or_a_field_error(value: Any, today: dt.date) -> None:
    form = FormReader({"day": value})
    result = form.date("day", not_after=today, not_before=dt.date(2000, 1, 1))
    if result is None:
        assert set(form.errors) == {"day"}
    else:
        assert not form.errors and type(result) is dt.date
        assert dt.date(2000, 1, 1) <= result <= today
        assert result == dt.date.fromisoformat(form.raw("day"))


def test_the_date_texts_cover_invalid_days_and_other_formats() -> None:
    form = FormReader({name: name for name in DATE_TEXTS})
    accepted = {name for name in DATE_TEXTS if form.date(name, not_before=dt.date(1, 1, 1)) is not None}
    # Real days in fromisoformat's other ISO 8601 spellings get through; nothing else does.
    assert accepted == {"2024-02-29", "20250301", "2025-W10-1", " 2025-03-01 "}


@examples(400)
@given(hostile_text, st.booleans(), st.sampled_from([1, 6, 50, 100, 2000]))
@example("名称\x00", False, 100)
@example("\ud800", False, 100)  # a lone surrogate (JSON "\ud800"): no database can store it
@example("a\udfffb", True, 100)
@example("line\r\nbreak\t", True, 100)
@example("e\u0301", False, 1)  # NFC makes it one character
@example("\x85", False, 100)  # a C1 control
def test_text_is_kept_normalised_within_its_length_or_a_field_error(value: str, multiline: bool, limit: int) -> None:
    form = FormReader({"name": value})
    result = form.text("name", required=False, max_length=limit, multiline=multiline)
    expected = unicodedata.normalize("NFC", value.strip())
    allowed = "\n\t\r" if multiline else ""
    bad = any(unicodedata.category(c) == "Cc" and c not in allowed for c in expected)
    bad = bad or any(unicodedata.category(c) == "Cs" for c in expected)
    if form.errors:
        assert set(form.errors) == {"name"}
        assert bad or len(expected) > limit
    else:
        assert not bad and result == expected and len(result) <= limit
        result.encode("utf-8")


@pytest.mark.parametrize("big", LARGE_TEXTS, ids=["digits", "letters", "tibetan", "dots", "zeros", "date", "nul"])
def test_a_megabyte_in_any_field_is_refused_quickly(big: str) -> None:
    started = time.perf_counter()
    form = FormReader({"v": big})
    assert form.text("v", max_length=2000, multiline=True) in ("", big)
    for read in (FormReader.decimal, FormReader.integer, FormReader.date):
        other = FormReader({"v": big})
        assert read(other, "v") is None and other.errors
    with pytest.raises(ValidationFailed):
        forms.parse_base({"name": big, "code": big, "contact_phone": big, "address": big}, today=TODAY)
    assert time.perf_counter() - started < 2


@examples(100)
@given(json_values(st.text(max_size=8)))
def test_a_body_that_is_not_an_object_is_refused_by_every_reader(body: Any) -> None:
    form = FormReader(body)
    form.text("name", required=False)
    form.decimal("amount", required=False)
    form.date("day", required=False)
    form.integer("n", required=False)
    form.boolean("flag")
    if body is not None and not isinstance(body, dict):
        assert "__all__" in form.errors
        with pytest.raises(ValidationFailed):
            form.done()


# -- the core parsers ------------------------------------------------------------------------

PARSERS: list[Parser] = [
    plain(forms.parse_region),
    Parser(forms.parse_region, lambda f, data, today: f(data, code="540102")),
    dated(forms.parse_base),
    plain(forms.parse_bureau),
    Parser(forms.parse_user, lambda f, data, today: f(data, creating=True)),
    Parser(forms.parse_user, lambda f, data, today: f(data, creating=False)),
    Parser(forms.parse_new_password, lambda f, data, today: f(data, "tsering")),
    plain(forms.parse_membership),
]
NAMES = field_names(forms)
ENUMS = enum_values(forms) + [m.value for e in (Role, BaseKind, BaseLevel) for m in e]


def test_every_core_parser_is_in_the_registry() -> None:
    assert public_parsers(forms_modules("incubator")) == {p.name for p in PARSERS}


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.function.__name__)
@examples(60)
@given(data=bodies(NAMES, ENUMS), today=todays)
def test_a_core_parser_returns_its_value_or_field_errors(parser: Parser, data: Any, today: dt.date) -> None:
    assert_parses_or_refuses(parser, data, today)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.function.__name__)
def test_a_body_that_is_not_an_object_is_refused_by_every_core_parser(parser: Parser) -> None:
    for body in NOT_OBJECTS:
        assert_parses_or_refuses(parser, body, TODAY)


VALID_BASE = {
    "name": "达孜区双创基地",
    "code": "DZ-01",
    "kind": "incubation_base",
    "level": "prefecture",
    "region_code": "540122",
    "area_m2": "3500.50",
    "opened_on": "2019-05-01",
    "contact_phone": "0891-6332211",
}


@examples(200)
@given(st.sampled_from(sorted(VALID_BASE)), st.one_of(hostile_text, money_values, date_texts))
def test_one_hostile_field_in_a_valid_base_is_named_or_read_cleanly(name: str, value: Any) -> None:
    assert forms.parse_base(VALID_BASE, today=TODAY).code == "DZ-01"
    try:
        base = forms.parse_base({**VALID_BASE, name: value}, today=TODAY)
    except ValidationFailed as exc:
        assert set(exc.fields) == {name}
    else:
        check_clean(base)


# -- JSON bodies and pagination ------------------------------------------------------------------


@examples(200)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
@example(b"1" * 5000)  # more digits than Python converts to an int
@example(b"[" * 100_000)  # deeper than the parser recurses
@example(b'{"name": "\\ud800"}')
@example(b"\xff\xfe{")
@example(b"NaN")
def test_any_request_body_is_json_or_malformed(body: bytes) -> None:
    try:
        value = json_body({"body": body})
    except MalformedBody as exc:
        assert exc.status_code == 400
    else:
        del value


@examples(100)
@given(st.dictionaries(st.sampled_from(["limit", "offset", "x"]), hostile_text | money_texts | st.integers().map(str)))
def test_a_page_window_is_always_within_bounds(params: dict[str, str]) -> None:
    limit, offset = window(QueryParams(params))
    assert 1 <= limit <= MAX_LIMIT and 0 <= offset <= 10**9


# -- spreadsheets: reading -----------------------------------------------------------------------


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = xlsx([["名称", "金额"], ["雪域青稞", 1200.5], ["唐卡", "=1+1"]])


def read_or_refuse(data: bytes, name: str, **limits: int) -> Any:
    try:
        return read_rows(data, name, **limits)
    except ValidationFailed as exc:
        assert set(exc.fields) == {"file"}
        return None


@examples(150)
@given(st.binary(max_size=400), st.sampled_from(["a.xlsx", "a.csv", "a.xlsm", "a.XLSX", "a.pdf", "", "../a.csv"]))
def test_any_bytes_are_a_workbook_or_a_file_error(data: bytes, name: str) -> None:
    read_or_refuse(data, name)


@examples(150)
@given(st.data())
def test_a_damaged_workbook_is_read_or_refused(data: st.DataObject) -> None:
    content = bytearray(GOOD)
    how = data.draw(st.sampled_from(["flip", "truncate", "splice"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            position = data.draw(st.integers(0, len(content) - 1))
            content[position] ^= data.draw(st.integers(1, 255))
    elif how == "truncate":
        del content[data.draw(st.integers(4, len(content) - 1)) :]
    else:
        start = data.draw(st.integers(4, len(content) - 1))
        content[start:start] = data.draw(st.binary(min_size=1, max_size=64))
    book = read_or_refuse(bytes(content), "damaged.xlsx")
    if book is not None:
        for sheet in book.sheets:
            for row in sheet.rows:
                assert all(isinstance(cell, str) for cell in row.cells)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """GOOD with its first worksheet replaced."""
    with zipfile.ZipFile(io.BytesIO(GOOD)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return zipped(members)


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'


@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(
            SHEET % b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>', id="last-row"
        ),
        pytest.param(SHEET % b'<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>' * 1, id="last-column"),
        pytest.param(
            SHEET % b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(1, 400)),
            id="wide-rows",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
            + b"".join(
                b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)
            )
            + b"]>"
            + SHEET % b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
            id="billion-laughs",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + SHEET % b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
            id="external-entity",
        ),
    ],
)
def test_a_small_workbook_that_expands_hugely_is_refused_or_read_within_limits(bomb: bytes) -> None:
    data = workbook_with_sheet(bomb)
    assert len(data) < 64 * 1024
    started = time.perf_counter()
    book = read_or_refuse(data, "bomb.xlsx")
    assert time.perf_counter() - started < 5
    if book is not None:
        cells = [cell for sheet in book.sheets for row in sheet.rows for cell in row.cells]
        assert sum(len(cell) for cell in cells) < 1024 * 1024
        assert not any("root:" in cell for cell in cells)


def test_a_zip_bomb_of_many_members_or_a_lying_size_is_refused_without_inflating() -> None:
    many = zipped({f"xl/m{n}.xml": b"" for n in range(2001)})
    assert read_or_refuse(many, "many.xlsx") is None
    # A worksheet that inflates to 64 MB, refused by its stated size …
    size = 64 * 1024 * 1024
    honest = workbook_with_sheet(SHEET % (b" " * size))
    assert len(honest) < 1024 * 1024 and read_or_refuse(honest, "bomb.xlsx") is None
    # … and the same file lying about it (1 KB in both zip headers): zipfile stops at the stated size.
    lying = bytearray(honest)
    stated = (len(SHEET % b"") + size).to_bytes(4, "little")
    patched = 0
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # where the size is stated
        start = lying.find(signature)
        while start >= 0:
            if lying[start + offset : start + offset + 4] == stated:
                lying[start + offset : start + offset + 4] = (1024).to_bytes(4, "little")
                patched += 1
            start = lying.find(signature, start + 4)
    assert patched == 2
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert read_or_refuse(bytes(lying), "lying.xlsx") is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5 and peak < 16 * 1024 * 1024


CSV_CELL = st.text(alphabet=st.characters(codec="gb18030", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
CSV_CELL = CSV_CELL.filter(lambda t: not {",", ";", "\t"} & set(t))


@examples(120)
@given(
    st.lists(st.lists(CSV_CELL, min_size=1, max_size=4), min_size=1, max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_csv_in_utf8_with_or_without_bom_or_gbk_reads_the_same_cells(rows: list[list[str]], encoding: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    if encoding == "gb18030":
        try:
            data.decode("utf-8")
            assume(False)  # GBK bytes that are also UTF-8: read as UTF-8, by design
        except UnicodeDecodeError:
            pass
    book = read_or_refuse(data, "people.csv")
    expected = []
    for row in rows:
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            expected.append(tuple(cells))
    if not data.strip():
        assert book is None
        return
    assert book is not None
    assert [row.cells for row in book.sheets[0].rows] == expected


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])
def test_csv_in_another_encoding_is_refused_or_read_without_crashing(encoding: str) -> None:
    data = "名称,简介\nCafé,naïve résumé ½\n".encode(encoding, errors="replace")
    book = read_or_refuse(data, "people.csv")
    assert book is None or encoding in {"latin-1", "cp1252"}


# -- spreadsheets: writing -----------------------------------------------------------------------

TEXT_CELL = st.one_of(
    hostile_text,
    st.sampled_from(["=1+1", "+86", "-5", "@SUM(A1)", "\t=1", "\r=1", "\n=1", " =1", "\x00=1", "＝1", "'=1"]),
    st.text(alphabet=st.sampled_from("=+-@\t\r\n \x00x1'"), max_size=6),
)
# What each kind of column holds in an export (text may turn up anywhere).
CELLS = {
    "text": TEXT_CELL | st.integers(min_value=-(2**53), max_value=2**53) | st.booleans() | st.none(),
    "code": TEXT_CELL | st.none(),
    "date": TEXT_CELL | st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)) | st.none(),
    "money": TEXT_CELL | st.decimals(min_value=-(10**12), max_value=10**12, places=2) | st.none(),
    "number": TEXT_CELL | st.integers(min_value=-(10**12), max_value=10**12) | st.none(),
}


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[Heading], list[list[Any]]]:
    kinds = draw(st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=4))
    headings = [Heading(draw(TEXT_CELL), kind, tuple(draw(st.lists(TEXT_CELL, max_size=3)))) for kind in kinds]
    rows = draw(st.lists(st.tuples(*(CELLS[kind] for kind in kinds)).map(list), max_size=6))
    return headings, rows


@examples(40)
@given(sheets(), hostile_text)
@example(([Heading('=HYPERLINK("http://x")', "text", ("=1", "+2"))], [["=cmd|'/C calc'!A0"], ["-1"], ["@x"]]), "=t")
@example(([Heading("a")], [["x"]]), "\x00[1]\ud800")
def test_no_written_cell_is_a_formula_and_every_file_opens(
    sheet: tuple[list[Heading], list[list[Any]]], title: str
) -> None:
    headings, rows = sheet
    book = WorkbookWriter()
    book.sheet(title, headings).extend(rows)
    content = book.save()
    loaded = load_workbook(io.BytesIO(content))
    for worksheet in loaded.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not formula_like(cell.value), (cell.coordinate, cell.value)
                    assert len(cell.value) <= MAX_CELL_TEXT
    assert loaded.worksheets[0].max_row <= len(rows) + 1


@examples(40)
@given(
    st.lists(
        st.lists(st.one_of(hostile_text, st.sampled_from(["=1", "-1", "@a", "+1", "\t=1"])), max_size=3), max_size=5
    )
)
def test_a_written_workbook_reads_back_as_its_neutralised_text(rows: list[list[str]]) -> None:
    content = write_workbook([SheetData("导出", [Heading("a"), Heading("b"), Heading("c")], rows)])
    expected = [("a", "b", "c")]
    for row in rows:
        cells = [neutralised(text).strip() for text in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            expected.append(tuple(cells))
    (sheet,) = read_rows(content, "export.xlsx").sheets
    assert [row.cells for row in sheet.rows] == expected
    for row in rows:
        for text in row:
            assert not neutralised(text).startswith(FORMULA_STARTS)


def test_no_module_writes_spreadsheets_or_csv_around_the_neutralising_writer() -> None:
    """Every export goes through incubator.spreadsheets.writing (only the demo writes a CSV, as an upload)."""
    offenders = []
    for package in ("incubator", "tenants", "grants"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("incubator/spreadsheets/"):
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"^\s*from openpyxl import .*Workbook|^\s*import openpyxl", source, flags=re.M):
                offenders.append(relative)
            if "csv.writer" in source and relative != "grants/demo.py":
                offenders.append(relative)
    assert offenders == []


# -- uploads ---------------------------------------------------------------------------------

MAGIC = {kind.content_type: kind.magic for kind in files.ACCEPTED}
HEADS = st.one_of(
    st.binary(max_size=32),
    st.sampled_from(list(MAGIC.values())).flatmap(lambda m: st.binary(max_size=16).map(lambda tail: m + tail)),
    st.sampled_from([b"%PDF", b"\xff\xd8", b"\x89PNG", b"GIF89a", b"PK\x03\x04", b"<svg", b"<html>", b"MZ"]),
)


@examples(200)
@given(HEADS)
def test_a_file_type_comes_from_its_magic_bytes_only(head: bytes) -> None:
    kind = files.file_type(head)
    matching = [k for k in files.ACCEPTED if head.startswith(k.magic)]
    assert (kind is None and not matching) or (kind is not None and [kind] == matching)


FILENAMES = st.one_of(
    st.text(alphabet=any_char, max_size=40),
    st.sampled_from(
        [
            "../../etc/passwd",
            "..\\..\\boot.ini",
            "C:\\x\\合同.pdf",
            "a/b/c.PNG",
            ".htaccess",
            "..",
            ".",
            "",
            " . ",
            "report.pdf.exe",
            "photo.png",
            "scan.JPEG",
            "scan.jpg ",
            "a\x00.pdf",
            "line\r\nbreak.pdf",
            "合同\u202egnp.pdf",
            "x" * 300 + ".pdf",
            "名" * 300,
            'a:b*c?d"e<f>g|h.png',
            "\x7f.png",
            "CON.pdf",
        ]
    ),
    st.none(),
)


@examples(300)
@given(FILENAMES, st.sampled_from(files.ACCEPTED))
@example("合同\x85.pdf", files.ACCEPTED[0])  # a C1 control (NEL)
@example("扫描\ud800.png", files.ACCEPTED[2])
def test_a_kept_file_name_has_no_directories_or_controls_and_the_real_type_as_extension(
    name: str | None, kind: files.FileType
) -> None:
    safe = files.safe_filename(name, kind)
    stem, dot, extension = safe.rpartition(".")
    assert dot and stem and files.EXTENSIONS[extension] == kind.content_type
    assert not files.UNSAFE_NAME.search(safe)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in safe)
    assert len(safe) <= 200 and unicodedata.is_normalized("NFC", safe)


@examples(200)
@given(FILENAMES.map(lambda n: n or "x"))
@example("a\r\nSet-Cookie: session=stolen.pdf")
@example('a"; filename=evil.exe')
@example("a\\")  # a backslash would escape the closing quote
@example("\ud800.pdf")
def test_a_download_header_cannot_be_split_or_spoofed(name: str) -> None:
    header = files.content_disposition(name)
    header.encode("latin-1")  # an HTTP header value
    assert not re.search(r"[\x00-\x1f\x7f]", header)
    assert re.fullmatch(r"attachment; filename=\"[^\"\\]*\"; filename\*=UTF-8''[A-Za-z0-9%._~-]*", header), header
    encoded = header.rpartition("''")[2]
    assert unquote(encoded) == name.encode("utf-8", "replace").decode("utf-8")


class FakeUpload:
    def __init__(self, content: bytes, filename: str | None) -> None:
        self.content, self.filename = content, filename

    async def read(self, size: int = -1) -> bytes:
        return self.content[:size] if size >= 0 else self.content


class Recorded:
    """What store_upload would create, without a database."""

    created: list[dict[str, Any]] = []

    @classmethod
    async def create(cls, **values: Any) -> dict[str, Any]:
        cls.created.append(values)
        return values


UPLOADS = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(list(MAGIC.values())).flatmap(lambda m: st.binary(max_size=64).map(lambda tail: m + tail)),
)


PRINCIPAL = Principal(user_id=1, username="operator", display_name="Operator", role=Role.OPERATOR, membership_id=1)


async def store(content: bytes, name: str | None, **settings_changes: Any) -> Any:
    """store_upload with StoredFile.create recorded instead of written to a database."""
    Recorded.created.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "StoredFile", Recorded)
        if settings_changes:
            changed = dataclasses.replace(files.get_settings(), **settings_changes)
            patch.setattr(files, "get_settings", lambda: changed)
        return await files.store_upload(PRINCIPAL, FakeUpload(content, name), base_id=1)  # type: ignore[arg-type]


@examples(100)
@given(UPLOADS, FILENAMES)
@example(b"", "empty.pdf")
@example(b"%PDF-1.7 a real pdf", "picture.png")  # a PDF named .png is a .pdf
@example(b"\x89PNG\r\n\x1a\n....", "scan.pdf")
@example(b"GIF89a....", "anim.gif")
@example(b"MZ\x90\x00 a program", "invoice.pdf")
@example(b"PK\x03\x04 a zip", "bomb.png")
async def test_an_upload_is_typed_by_its_content_or_refused(content: bytes, name: str | None) -> None:
    try:
        stored = await store(content, name)
    except ValidationFailed as exc:
        assert set(exc.fields) == {"file"}
        assert not Recorded.created
        assert not content or files.file_type(content[:16]) is None
        return
    kind = files.file_type(content)
    assert kind is not None and stored["content_type"] == kind.content_type
    assert files.EXTENSIONS[stored["filename"].rpartition(".")[2]] == kind.content_type
    assert stored["size"] == len(content)
    assert (files.files_dir() / stored["sha256"]).read_bytes() == content


async def test_an_oversize_upload_is_refused_before_it_is_kept() -> None:
    content = b"%PDF-1.7" + b"0" * 2000
    with pytest.raises(ValidationFailed) as caught:
        await store(content, "big.pdf", max_upload_bytes=len(content) - 1)
    assert caught.value.fields == {"file": "The file is larger than %(size)s MB."} and not Recorded.created
    stored = await store(content, "big.pdf", max_upload_bytes=len(content))
    assert stored["size"] == len(content)
