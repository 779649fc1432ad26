"""Path ids: `{name:int}` matches 0 to 2**31 - 1 only.

Every integer path parameter names a row, and ids are 32-bit integers. Starlette's own `int`
convertor matches any run of digits, so `/api/v1/startups/99999999999999999999` reached the
database and failed there (an overflow: a 500). With this one the route does not match: 404.
Imported by `incubator/__init__.py`, so it is in place before any route is built.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor

MAX_ID = 2**31 - 1


def digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0..limit (no sign, no leading zeros beyond its length)."""
    text = str(limit)
    shorter = f"[0-9]{{1,{len(text) - 1}}}" if len(text) > 1 else ""
    branches = [shorter] if shorter else []
    for i, digit in enumerate(text):
        rest = len(text) - i - 1
        low = "1" if i == 0 and len(text) > 1 else "0"
        if digit > low:
            top = str(int(digit) - 1)
            span = low if top == low else f"[{low}-{top}]"
            branches.append(text[:i] + span + (f"[0-9]{{{rest}}}" if rest else ""))
    branches.append(text)
    return "|".join(branches)


class IdConvertor(IntegerConvertor):
    regex = f"(?:{digits_up_to(MAX_ID)})"


register_url_convertor("int", IdConvertor())


def parse_id(raw: str) -> int | None:
    """The id named by a query or form value (ASCII digits, 1 to MAX_ID), else None.

    `str.isdigit()` alone is not enough: it accepts '²' (which int() refuses) and numbers
    beyond a 32-bit column (which PostgreSQL refuses).
    """
    if not raw or len(raw) > 10 or not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None
