"""The one place that turns money, dates and numbers into text (through Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import cn2an
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent

from incubator.i18n import get_locale

CHINA = ZoneInfo("Asia/Shanghai")
FEN = Decimal("0.01")


def to_fen(amount: Decimal | int | str) -> Decimal:
    """A Decimal rounded to the fen (half up, as Chinese accounting does)."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def money(amount: Decimal | int | str | None, locale: str | None = None) -> str:
    """¥12,000.50 in CNY for the locale; an empty string for None."""
    if amount is None:
        return ""
    return format_currency(to_fen(amount), "CNY", locale=locale or get_locale())


def money_in_words(amount: Decimal | int | str) -> str:
    """The 大写 amount a receipt carries, e.g. 人民币壹万贰仟元整."""
    value = to_fen(amount)
    words = cn2an.an2cn(format(value, "f"), "rmb")
    return f"人民币{words}"


def number(value: Decimal | int | float | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=locale or get_locale())


def area(value: Decimal | int | None, locale: str | None = None) -> str:
    """An area in square metres, e.g. 3,500 m²."""
    if value is None:
        return ""
    return f"{format_decimal(value, locale=locale or get_locale())} m²"


def percent(value: Decimal | float | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return format_percent(value, locale=locale or get_locale(), decimal_quantization=False)


def date(value: dt.date | None, locale: str | None = None) -> str:
    """A business date: 2025年3月9日 in Chinese, Mar 9, 2025 in English."""
    if value is None:
        return ""
    return _format_date(value, format="medium", locale=locale or get_locale())


def month(value: dt.date, locale: str | None = None, *, short: bool = False) -> str:
    """A month: 2025年3月 / Mar 2025, or short (3月 / Mar) where the year is said elsewhere."""
    return format_skeleton("MMM" if short else "yMMM", value, locale=locale or get_locale())


def datetime(value: dt.datetime | None, locale: str | None = None) -> str:
    """A UTC timestamp shown in China Standard Time."""
    if value is None:
        return ""
    local = value.astimezone(CHINA)
    return _format_datetime(local, format="short", tzinfo=CHINA, locale=locale or get_locale())


def today() -> dt.date:
    """Today's date in Asia/Shanghai, the business calendar of every base."""
    return dt.datetime.now(CHINA).date()
