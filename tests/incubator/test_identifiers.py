"""ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from incubator.identifiers import (
    birth_date_of,
    id_check_char,
    id_number_error,
    sex_of,
    uscc_check_char,
    uscc_error,
)

TODAY = dt.date(2026, 11, 22)


def test_it_accepts_the_standards_example_and_lower_case_x():
    assert id_number_error("11010519491231002X", today=TODAY) is None  # GB 11643-1999 annex example
    assert id_number_error("11010519491231002x", today=TODAY) is None
    assert birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)
    assert sex_of("11010519491231002X") == "female"


def test_it_names_what_is_wrong_with_an_id_number():
    assert "18" in id_number_error("1101051949123100", today=TODAY)
    assert "does not exist" in id_number_error("110105194902300021", today=TODAY)
    assert "plausible" in id_number_error("110105209912310021", today=TODAY)
    assert "check character" in id_number_error("110105194912310021", today=TODAY)


def test_it_checks_credit_codes():
    assert uscc_error("91540302MA6T1X2Y3A") is None
    assert uscc_error("91540302ma6t1x2y3a") is None
    assert "check character" in uscc_error("91540302MA6T1X2Y3B")
    assert "18" in uscc_error("91540302MA6T1X2Y3")
    assert "18" in uscc_error("91540302MA6T1X2Y3I")


digits17 = st.from_regex(
    r"[1-9][0-9]{5}(19[0-9]{2}|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
)


@given(digits17)
def test_it_accepts_every_number_with_its_check_character(first17):
    assert id_number_error(first17 + id_check_char(first17), today=TODAY) is None


@given(digits17, st.sampled_from("0123456789X"))
def test_it_refuses_every_wrong_check_character(first17, check):
    number = first17 + check
    assert (id_number_error(number, today=TODAY) is None) == (check == id_check_char(first17))


uscc17 = st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True)


@given(uscc17)
def test_it_accepts_every_credit_code_with_its_check_character(first17):
    code = first17 + uscc_check_char(first17)
    assert uscc_error(code) is None
    wrong = "0" if code[17] != "0" else "1"
    assert uscc_error(first17 + wrong) is not None


@given(st.text(max_size=40))
def test_it_never_crashes_on_any_text(value):
    id_number_error(value, today=TODAY)
    uscc_error(value)


def test_it_refuses_non_ascii_digits():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X"
    assert id_number_error(arabic_indic, today=TODAY) is not None
    assert uscc_error("9154030２MA6T1X2Y3A") is not None
