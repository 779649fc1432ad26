"""Check characters of Chinese identifiers: 居民身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2)
and 统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import datetime as dt
import re

from incubator.formatting import today as china_today
from incubator.i18n import N_

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$", re.ASCII)

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", re.ASCII)


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number from its first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_error(value: str, *, today: dt.date | None = None) -> str | None:
    """The message id of what is wrong with a resident ID number, or None if it is valid."""
    number = normalise_id_number(value)
    if not ID_PATTERN.match(number):
        return N_("An ID number has 18 characters: 17 digits and a digit or X.")
    try:
        birth = birth_date_of(number)
    except ValueError:
        return N_("The birth date in this ID number does not exist.")
    if birth < dt.date(1900, 1, 1) or birth > (today or china_today()):
        return N_("The birth date in this ID number is not plausible.")
    if id_check_char(number[:17]) != number[17]:
        return N_("The check character of this ID number is wrong; please check each digit.")
    return None


def birth_date_of(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(number: str) -> str:
    """'male' or 'female' from the 17th digit (odd: male)."""
    return "male" if int(number[16]) % 2 else "female"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_error(value: str) -> str | None:
    """The message id of what is wrong with a unified social credit code, or None."""
    code = value.strip().upper()
    if not USCC_PATTERN.match(code):
        return N_("A unified social credit code has 18 digits or capital letters (not I, O, S, V, Z).")
    if uscc_check_char(code[:17]) != code[17]:
        return N_("The check character of this credit code is wrong; please check each character.")
    return None


def compose_id_number(region_code: str, birth: dt.date, sequence: int) -> str:
    """A well-formed ID number (for demo and synthetic data): sequence 0-999, odd for men."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def compose_uscc(first17: str) -> str:
    """A well-formed credit code from its first 17 characters (for demo and synthetic data)."""
    return first17 + uscc_check_char(first17)
