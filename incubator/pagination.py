"""Every list is paginated: limit/offset parsing and the page envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.datastructures import QueryParams
from tortoise.queryset import QuerySet

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def previous_offset(self) -> int:
        return max(0, self.offset - self.limit)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def first_number(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return min(self.offset + self.limit, self.total)

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        return {"items": items, "total": self.total, "limit": self.limit, "offset": self.offset}


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        number = default
    return max(low, min(high, number))


def window(params: QueryParams, default_limit: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """(limit, offset) from the query string, clamped to sane bounds."""
    limit = _int(params.get("limit"), default_limit, 1, MAX_LIMIT)
    offset = _int(params.get("offset"), 0, 0, 10**9)
    return limit, offset


async def paginate(query: QuerySet[Any], limit: int, offset: int) -> Page[Any]:
    """One page of the query and the total count, both computed in SQL."""
    total = await query.count()
    items = await query.offset(offset).limit(limit)
    return Page(items=list(items), total=total, limit=limit, offset=offset)
