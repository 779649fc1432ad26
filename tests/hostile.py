"""Hostile and malformed input for the property tests of every form parser (tests/*/test_hostile_input.py).

Values are what a browser form, a JSON body or a spreadsheet cell can carry: plausible values (enumeration
codes, dates near today, amounts, ids, valid ID numbers and credit codes) mixed with hostile ones (NaN,
1e999, negative zero, full-width digits, far dates, Tibetan, emoji, control characters, NUL, lone
surrogates, huge and nested JSON). A parser registry lists each parser with the keyword arguments it needs,
and `assert_parses_or_refuses` is the property they all keep: the parser returns its value, or raises
ValidationFailed naming at least one field with a message id; never another exception.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import strategies as st
from starlette.datastructures import FormData

from incubator.errors import ValidationFailed
from incubator.identifiers import compose_id_number, compose_uscc

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)

# -- dates -----------------------------------------------------------------------------------

# "Today" as the parsers are told it: any day of the century, leap days and year ends included.
todays = st.one_of(
    st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from([dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2027, 1, 1)]),
)
far_dates = st.sampled_from(
    [
        *(dt.date.min, dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(1999, 12, 31)),
        *(dt.date(9996, 12, 31), dt.date(9997, 3, 1), dt.date(9998, 2, 28), dt.date.max),
    ]
)
DATE_TEXTS = (
    "2025-02-30",
    "2025-02-29",
    "2024-02-29",
    "2025-13-01",
    "2025-00-10",
    "0000-01-01",
    "10000-01-01",
    "-2025-01-01",
    "+2025-01-01",
    "2025/03/01",
    "2025.3.1",
    "2025年3月1日",
    "01/03/2025",
    "20250301",
    "2025-W10-1",
    "2025-060",
    "2025-03-01T00:00:00",
    "2025-03-01 08:00",
    "２０２５-０３-０１",
    "٢٠٢٥-٠٣-٠١",
    "2025-3-1",
    " 2025-03-01 ",
    "2025-03-01\x00",
    "yesterday",
    "NaN",
)
date_texts = st.one_of(
    st.sampled_from(DATE_TEXTS),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    far_dates.map(dt.date.isoformat),
)


def near(day: dt.date) -> st.SearchStrategy[str]:
    """ISO dates within a few years of a day (so that parsers get past their date checks)."""
    return st.integers(min_value=-3 * 366, max_value=400).map(lambda n: (day + dt.timedelta(days=n)).isoformat())


# -- money and numbers -----------------------------------------------------------------------

MONEY_TEXTS = (
    "-1",
    "-0",
    "-0.00",
    "-0.01",
    "- 1",
    "−1",  # minus sign
    "－1",  # full-width hyphen-minus
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "-sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "Inf",
    "1e999",
    "-1e999",
    "1e-999",
    "1E+2",
    "0E+1000000000",
    "1e1000000000",
    "0e-1000000000",
    "0.001",
    "1.005",
    "1.999",
    "0.1234567890123456789",
    "99999999.99",
    "99999999.999",
    "100000000",
    "9999999999.99",
    "10000000000",
    "9" * 40,
    "1" + "0" * 400,
    "１２００.５０",  # full-width digits
    "١٢٠٠",  # Arabic-Indic digits
    "1,200.50",
    "1，200.50",  # full-width comma
    ",,,",
    "1,2,3,4",
    "1_000",
    " 12.5 ",
    "12 .5",
    "\t12\n",
    "1\u00a0200",
    "¥1200",
    "1200元",
    "0x10",
    "1/2",
    "½",
    "",
    " ",
    ".",
    "-",
    "+",
    "+1",
    "+-1",
    "--1",
    "1e",
    "e1",
    "0",
    "0.00",
    "0.01",
    "12.5",
    "1200.00",
)
money_texts = st.one_of(
    st.sampled_from(MONEY_TEXTS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=0, max_value=10**8, places=2).map(str),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.from_regex(r"-?[0-9０-９,，]{1,12}(\.[0-9０-９]{0,5})?", fullmatch=True),
)
money_values: st.SearchStrategy[Any] = st.one_of(
    money_texts,
    st.floats(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)

# -- text ------------------------------------------------------------------------------------

tibetan = st.characters(min_codepoint=0x0F00, max_codepoint=0x0FFF)
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
emoji = st.sampled_from(["😀", "🏔", "🐂", "👨", "👩", "🇨", "🇳", "\u200d", "\ufe0f"])  # joined into 👨‍👩 and 🇨🇳
controls = st.characters(categories=["Cc"])  # NUL, tab, CR, LF, DEL, C1 controls
odd = st.sampled_from(
    ["\u202e", "\u200b", "\ufeff", "\ufffe", "\uffff", "\U0010ffff", "e", "\u0301", "\u00e9", "ﬁ", "Ａ", "　"]
)
# Any code point, lone surrogates included: JSON's "\ud800" escapes carry them.
any_char = st.characters(codec="utf-8") | st.characters(categories=["Cs"])
hostile_text = st.one_of(
    st.text(alphabet=tibetan | chinese | emoji | st.just(" "), max_size=120),
    st.text(alphabet=tibetan | chinese | emoji | controls | odd, max_size=60),
    st.text(alphabet=any_char, max_size=60),
    st.text(alphabet=st.sampled_from("=+-@\t\r\n'\"<>&;|%$`\\/"), max_size=20),
    st.sampled_from(
        [
            "\x00",
            "名称\x00",
            "a\r\nb",
            "=cmd|'/C calc'!A0",
            "<script>alert(1)</script>",
            "'; DROP TABLE startups; --",
            "../../etc/passwd",
            "ཀྲུང་ཧྭ་མི་དམངས་སྤྱི་མཐུན་རྒྱལ་ཁབ།",
            "བོད་ལྗོངས་",
            "雪域青稞文创",
            "🏔️👨‍👩‍👧🇨🇳",
            "x" * 101,
            "藏" * 2001,
        ]
    ),
)
MEGABYTE = 1024 * 1024
# Large strings of each shape a parser treats differently (digits, letters, Tibetan, dots and @ for patterns).
LARGE_TEXTS = (
    "9" * MEGABYTE,
    "a" * MEGABYTE,
    "ཀ" * (MEGABYTE // 3),
    "a@" + "." * MEGABYTE + "@",
    "1" + "0" * MEGABYTE,
    "2025-01-01" + " " * MEGABYTE + "x",
    "\x00" * MEGABYTE,
)

# -- identifiers -----------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
region_prefixes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
valid_id_numbers = st.builds(compose_id_number, region_prefixes, birth_dates, st.integers(0, 999))
uscc_first17 = st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True)
valid_usccs = uscc_first17.map(compose_uscc)

# -- JSON values -----------------------------------------------------------------------------

json_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(),
    hostile_text,
    money_texts,
    date_texts,
)


def json_values(keys: st.SearchStrategy[str], leaves: st.SearchStrategy[Any] = json_scalars) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars, lists and objects nested a few levels deep."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=8,
    )


# -- what the parsers read -------------------------------------------------------------------

FIELD = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)?)["']""")


def field_names(*modules: ModuleType) -> list[str]:
    """Every lower-case string literal of the modules' source: their field names (and some noise)."""
    found: set[str] = set()
    for module in modules:
        found.update(FIELD.findall(inspect.getsource(module)))
    return sorted(found)


def enum_values(*modules: ModuleType) -> list[str]:
    """The values of every enumeration the modules define or import."""
    values: set[str] = set()
    for module in modules:
        for thing in vars(module).values():
            if inspect.isclass(thing) and issubclass(thing, Enum) and thing is not Enum:
                values.update(str(member.value) for member in thing)
    return sorted(values)


def plausible(enums: Iterable[str], today: dt.date = TODAY) -> st.SearchStrategy[Any]:
    """Values a real user would send, so that parsers get past their first checks."""
    return st.one_of(
        st.sampled_from(sorted(enums)),
        near(today),
        near(today).map(lambda day: day[:7]),  # a month
        st.sampled_from(["1", "2", "3", "12", "100", "2025", "2026", "1200.00", "0.5", "3.45", "36"]),
        st.integers(min_value=0, max_value=3000),
        st.sampled_from(["true", "on", "1", "yes", "", "chosen", "540102", "540000", "542100"]),
        st.sampled_from(["13908901234", "0891-6332211", "name@example.com", "12345678", "6222021234567890123"]),
        valid_id_numbers,
        valid_usccs,
        st.lists(st.sampled_from(["1", "2", "3", "registered_unemployed", "online_merchant", "fixed_term"])),
    )


def form_data(pairs: list[tuple[str, Any]]) -> FormData:
    """A browser form (repeated keys allowed); non-text values stand for file parts."""
    from starlette.datastructures import UploadFile

    items: list[tuple[str, str | UploadFile]] = []
    for key, value in pairs:
        items.append((key, value if isinstance(value, str) else UploadFile(file=None, filename=str(value))))  # type: ignore[arg-type]
    return FormData(items)


def bodies(names: list[str], enums: Iterable[str]) -> st.SearchStrategy[Any]:
    """Request data: a JSON body (usually an object of known fields) or a browser form."""
    keys = st.sampled_from(names) | st.text(max_size=12)
    values = st.one_of(plausible(enums), json_scalars, money_values)
    objects = st.dictionaries(keys, st.one_of(values, json_values(keys, values)), max_size=len(names) + 2)
    forms = st.lists(
        st.tuples(keys, st.one_of(values.filter(lambda v: isinstance(v, str)), st.integers())), max_size=20
    )
    return st.one_of(
        objects,
        objects,
        objects,
        forms.map(form_data),
        json_values(keys),  # a list, a number, a string, null …
    )


# JSON bodies that are not objects, and an object of nothing useful.
NOT_OBJECTS: tuple[Any, ...] = (
    None,
    [],
    [{}],
    ["name"],
    "",
    "name=x",
    0,
    1,
    -1,
    1.5,
    float("nan"),
    True,
    False,
    {"": None},
)

# -- the parsers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parser:
    """A parser and how to call it: `call(function, data, today)` passes the keyword arguments it needs."""

    function: Callable[..., Any]
    call: Callable[[Callable[..., Any], Any, dt.date], Any]
    # Whether the parser reads JSON bodies (any JSON value) or only query strings and forms (a mapping).
    bodies: bool = True

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def __call__(self, data: Any, today: dt.date) -> Any:
        return self.call(self.function, data, today)


def plain(function: Callable[..., Any], *, bodies: bool = True) -> Parser:
    return Parser(function, lambda f, data, today: f(data), bodies)


def dated(function: Callable[..., Any], *, bodies: bool = True) -> Parser:
    return Parser(function, lambda f, data, today: f(data, today=today), bodies)


def public_parsers(module_names: Iterable[str]) -> set[str]:
    """The qualified names of every public parse_* function defined in the modules."""
    names: set[str] = set()
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for name, thing in vars(module).items():
            if name.startswith("parse_") and inspect.isfunction(thing) and thing.__module__ == module_name:
                names.add(f"{module_name}.{thing.__qualname__}")
    return names


def forms_modules(package: str) -> list[str]:
    """The modules of a package's forms (incubator.forms, or every module of <package>/forms/)."""
    folder = ROOT / package / "forms"
    if not folder.is_dir():
        return [f"{package}.forms"]
    return [f"{package}.forms.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]


def check_clean(value: Any) -> None:
    """A parsed value holds no float, no infinite or NaN Decimal and no text that cannot be stored."""
    if isinstance(value, float):
        raise AssertionError(f"a float leaked out of a parser: {value!r}")
    if isinstance(value, Decimal):
        assert value.is_finite(), value
        assert not (value.is_zero() and value.is_signed()), f"negative zero: {value!r}"
    elif isinstance(value, str):
        value.encode("utf-8")  # no lone surrogates: the database could not store them
        assert "\x00" not in value
        assert unicodedata.is_normalized("NFC", value) or not value.strip(), value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_clean(key)
            check_clean(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_clean(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for spec in fields(value):
            check_clean(getattr(value, spec.name))


def check_refusal(exc: ValidationFailed) -> None:
    """A refusal names fields, each with a message id (text), and parameters only for those fields."""
    assert exc.fields, "ValidationFailed without any field"
    for name, message in exc.fields.items():
        assert isinstance(name, str) and name, exc.fields
        assert isinstance(message, str) and message, exc.fields
    assert set(exc.field_params) <= set(exc.fields), (exc.fields, exc.field_params)
    assert exc.status_code == 422


def assert_parses_or_refuses(parser: Parser, data: Any, today: dt.date) -> Any:
    """The parser's value (checked clean), or None after a clean refusal; any other exception fails."""
    try:
        value = parser(data, today)
    except ValidationFailed as exc:
        check_refusal(exc)
        return None
    check_clean(value)
    return value
