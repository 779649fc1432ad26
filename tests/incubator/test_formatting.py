"""Money, 大写 amounts, dates and numbers through the one formatting module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from incubator import formatting
from incubator.i18n import using_locale


def test_it_formats_money_in_both_locales():
    assert formatting.money(Decimal("12000.5"), "zh_CN") == "¥12,000.50"
    assert formatting.money(Decimal("12000.5"), "en") == "CN¥12,000.50"
    assert formatting.money(None) == ""


def test_it_writes_amounts_in_words_for_receipts():
    assert formatting.money_in_words(Decimal("12000")) == "人民币壹万贰仟元整"
    assert formatting.money_in_words(Decimal("180000")) == "人民币壹拾捌万元整"
    assert formatting.money_in_words("12000.50") == "人民币壹万贰仟元伍角"
    assert formatting.money_in_words("20000.05") == "人民币贰万元零伍分"


def test_it_rounds_to_the_fen_half_up():
    assert formatting.to_fen("0.005") == Decimal("0.01")
    assert formatting.to_fen("2.675") == Decimal("2.68")
    assert formatting.to_fen(3) == Decimal("3.00")


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False))
def test_it_always_gives_two_places(value):
    fen = formatting.to_fen(value)
    assert fen.as_tuple().exponent == -2
    assert abs(fen - value) <= Decimal("0.005")


def test_it_formats_dates_and_times_by_locale_and_china_time():
    assert formatting.date(dt.date(2025, 3, 9), "zh_CN") == "2025年3月9日"
    assert formatting.date(dt.date(2025, 3, 9), "en") == "Mar 9, 2025"
    moment = dt.datetime(2025, 3, 9, 17, 30, tzinfo=dt.UTC)  # 01:30 next day in Lhasa's official time
    with using_locale("zh_CN"):
        assert formatting.datetime(moment) == "2025/3/10 01:30"


def test_it_formats_areas_and_percentages():
    assert formatting.area(Decimal("3500"), "zh_CN") == "3,500 m²"
    assert formatting.percent(Decimal("0.9"), "zh_CN") == "90%"
