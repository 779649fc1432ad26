"""GB/T 2260 region codes: levels, parents and subtree bounds without recursion."""

from __future__ import annotations

import re

from incubator.models import RegionLevel

_CODE = re.compile(r"^[1-9]\d{5}$", re.ASCII)


def is_region_code(code: str) -> bool:
    return bool(_CODE.match(code))


def level_of(code: str) -> RegionLevel:
    """The level a GB/T 2260 code denotes by its trailing zero pairs."""
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.PREFECTURE
    return RegionLevel.COUNTY


def parent_code(code: str) -> str | None:
    """The code of the division one level up, or None for a province."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return None
    if level is RegionLevel.PREFECTURE:
        return code[:2] + "0000"
    return code[:4] + "00"


def prefix_of(code: str) -> str:
    """The digits every code in the subtree shares: 540000 -> 54, 540300 -> 5403."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return code[:2]
    if level is RegionLevel.PREFECTURE:
        return code[:4]
    return code


def subtree_bounds(code: str) -> tuple[str, str]:
    """Inclusive bounds of the subtree as a range, so a plain btree index serves it.

    Codes are six ASCII digits, so a prefix match equals this range on any collation.
    """
    prefix = prefix_of(code)
    pad = 6 - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def subtree_filter(path: str, code: str) -> dict[str, str]:
    """Tortoise filter arguments selecting the rows whose `path` lies in the code's subtree."""
    low, high = subtree_bounds(code)
    return {f"{path}__gte": low, f"{path}__lte": high}


def in_subtree(code: str, ancestor: str) -> bool:
    return code.startswith(prefix_of(ancestor))


def lineage(code: str) -> list[str]:
    """The code and every division above it, the province first: 540302 -> 540000, 540300, 540302."""
    chain = [code]
    while (parent := parent_code(chain[0])) is not None:
        chain.insert(0, parent)
    return chain
