"""Input parsing: required fields, lengths, numbers, dates, control characters, hostile input."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incubator.errors import ValidationFailed
from incubator.forms import FormReader, parse_base, parse_membership, parse_region


def test_it_reads_decimals_to_the_fen_and_refuses_others():
    form = FormReader({"a": "1,200.50", "b": "1.005", "c": "NaN", "d": "-1", "e": "abc", "f": "1e3", "g": ""})
    assert form.decimal("a") == Decimal("1200.50")
    assert form.decimal("b") is None
    assert form.decimal("c") is None
    assert form.decimal("d") is None
    assert form.decimal("e") is None
    assert form.decimal("f") == Decimal("1e3")
    assert form.decimal("g", required=False) is None
    assert set(form.errors) == {"b", "c", "d", "e"}


def test_it_reads_dates_and_refuses_the_future_where_the_past_is_required():
    today = dt.date(2026, 11, 22)
    form = FormReader({"a": "2026-11-22", "b": "2026-11-23", "c": "2026-02-30", "d": "1800-01-01"})
    assert form.date("a", not_after=today) == today
    assert form.date("b", not_after=today) is None
    assert form.date("c") is None
    assert form.date("d") is None
    assert set(form.errors) == {"b", "c", "d"}


def test_it_refuses_control_characters_and_long_text():
    form = FormReader({"a": "名称\x00", "b": "x" * 101, "c": "line\nbreak"})
    form.text("a")
    form.text("b")
    assert form.text("c", multiline=True) == "line\nbreak"
    assert set(form.errors) == {"a", "b"}
    assert form.params["b"] == {"max": 100}


def test_it_reads_only_ascii_digits_as_numbers():
    form = FormReader({"n": "١٢", "code": "５４０１０２"})
    assert form.integer("n") is None
    assert "n" in form.errors


def test_it_refuses_a_non_object_body():
    form = FormReader(["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        form.done()


def test_it_parses_a_region_and_a_membership():
    assert parse_region({"code": "540102", "name": "城关区"}).code == "540102"
    with pytest.raises(ValidationFailed) as exc:
        parse_region({"code": "054010", "name": ""})
    assert set(exc.value.fields) == {"code", "name"}
    assert parse_membership({"role": "operator", "base_id": "3"}).base_id == 3
    with pytest.raises(ValidationFailed):
        parse_membership({"role": "operator", "base_id": "x"})


text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=300,
)


@given(
    st.dictionaries(
        st.sampled_from(["name", "code", "kind", "level", "region_code", "area_m2", "opened_on", "contact_phone"]), text
    )
)
def test_it_never_fails_other_than_with_field_errors(data):
    try:
        parsed = parse_base(data, today=dt.date(2026, 11, 22))
    except ValidationFailed as exc:
        assert exc.fields
    else:
        assert parsed.name and parsed.code


@given(st.one_of(st.text(max_size=50), st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers())))
def test_it_handles_any_json_value_in_a_decimal_field(value):
    form = FormReader({"amount": value})
    result = form.decimal("amount", required=False)
    assert result is None or isinstance(result, Decimal)
    if result is not None:
        assert result >= 0 and result.as_tuple().exponent >= -2  # type: ignore[operator]


tibetan = st.characters(min_codepoint=0x0F00, max_codepoint=0x0FFF)
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
emoji = st.sampled_from("😀🏔️🐂 ")


@given(st.text(alphabet=st.one_of(tibetan, chinese, emoji), max_size=120))
def test_it_keeps_tibetan_chinese_and_emoji_text(value):
    form = FormReader({"name": value})
    result = form.text("name", required=False, max_length=100)
    expected = unicodedata.normalize("NFC", value.strip())
    if len(expected) <= 100:
        assert not form.errors
        assert result == expected
    else:
        assert "name" in form.errors
