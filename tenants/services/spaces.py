"""Spaces of a base and the occupancy board: who holds which space on a day, and the totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require, visible
from incubator.audit import snapshot
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import to_fen, today
from incubator.i18n import N_
from incubator.models import Base, Role
from incubator.pagination import MAX_LIMIT, Page, paginate
from tenants.forms.spaces import SpaceInput
from tenants.models import Lease, LeaseSpace, Space, SpaceStatus

SPACE_FIELDS = ("code", "kind", "floor", "area_m2", "list_rent", "status", "note")
HUNDRED = Decimal(100)
MAX_SPACES_SHOWN = 500


def _values(data: SpaceInput) -> dict[str, Any]:
    return {name: getattr(data, name) for name in SPACE_FIELDS}


async def _check_code(base_id: int, code: str, exclude_id: int | None = None) -> None:
    query = Space.filter(base_id=base_id, code=code)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    if await query.exists():
        raise ValidationFailed(
            {"code": N_("The base has a space %(code)s already.")}, field_params={"code": {"code": code}}
        )


async def create_space(principal: Principal, base: Base, data: SpaceInput) -> Space:
    """Add a space to the operator's base; its code is unique within the base."""
    require(principal, "space.manage", base)
    if principal.base_id != base.id:
        raise Forbidden()
    await _check_code(base.id, data.code)
    async with in_transaction():
        space = await Space.create(base_id=base.id, **_values(data))
        await audit.record(
            principal,
            "space.created",
            space,
            base_id=base.id,
            region_code=base.region_id,
            after=snapshot(space, SPACE_FIELDS),
        )
    return space


def holding(query: QuerySet[LeaseSpace], start: dt.date, end: dt.date) -> QuerySet[LeaseSpace]:
    """Links whose lease holds its spaces on some day of [start, end] (it holds [start_on, occupied_until])."""
    return query.filter(lease__start_on__lte=end, lease__occupied_until__gte=start)


async def update_space(principal: Principal, space: Space, data: SpaceInput) -> Space:
    """Change a space; it cannot go out of service while a lease holds it today or later."""
    require(principal, "space.manage", space)
    if principal.base_id != space.base_id:
        raise Forbidden()
    await _check_code(space.base_id, data.code, exclude_id=space.id)
    if data.status is SpaceStatus.OUT_OF_SERVICE and space.status is not SpaceStatus.OUT_OF_SERVICE:
        held = await LeaseSpace.filter(space_id=space.id, lease__occupied_until__gte=today()).exists()
        if held:
            raise ValidationFailed({"status": N_("A lease holds this space: end or move the lease first.")})
    base = await Base.get(id=space.base_id)
    before = snapshot(space, SPACE_FIELDS)
    async with in_transaction():
        for name, value in _values(data).items():
            setattr(space, name, value)
        await space.save()
        await audit.record(
            principal,
            "space.updated",
            space,
            base_id=base.id,
            region_code=base.region_id,
            before=before,
            after=snapshot(space, SPACE_FIELDS),
        )
    return space


@dataclass(frozen=True)
class SpaceOnDay:
    """A tile of the board: a space and its state on the day."""

    space: Space
    state: str  # occupied, reserved, free, out_of_service
    lease: Lease | None = None

    @property
    def holder(self) -> str:
        return self.lease.startup.name if self.lease is not None else ""


@dataclass(frozen=True)
class Occupancy:
    """The occupancy board of a base on a day: a page of tiles and the base's totals."""

    base: Base
    day: dt.date
    page: Page[SpaceOnDay]
    spaces: int
    in_service: int
    occupied: int
    in_service_area: Decimal
    occupied_area: Decimal

    @property
    def out_of_service(self) -> int:
        return self.spaces - self.in_service

    @property
    def rate_by_count(self) -> Decimal:
        """Occupied spaces as a percentage of the spaces in service (two places)."""
        return _percent(Decimal(self.occupied), Decimal(self.in_service))

    @property
    def rate_by_area(self) -> Decimal:
        return _percent(self.occupied_area, self.in_service_area)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (part * HUNDRED / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def _count_and_area(query: QuerySet[Space]) -> tuple[int, Decimal]:
    rows: list[dict[str, Any]] = await query.annotate(n=Count("id"), area=Sum("area_m2")).values("n", "area")
    row = rows[0] if rows else {}
    # SQLite sums the text-stored decimals as floats: back to the fen.
    return int(row.get("n") or 0), to_fen(Decimal(str(row.get("area") or 0)))


async def occupancy(
    principal: Principal, base: Base, day: dt.date, *, limit: int = MAX_LIMIT, offset: int = 0
) -> Occupancy:
    """Every space of the base with its state on `day` (one page), and the totals computed in SQL.

    A space is occupied when a lease holds it on the day, reserved when a lease holds it
    later, out of service when marked so, else free. The rates count in-service spaces.
    """
    if principal.role is Role.FOUNDER:
        raise Forbidden()
    spaces = Space.filter(base_id=base.id)
    in_service = spaces.filter(status=SpaceStatus.IN_SERVICE)
    held = holding(LeaseSpace.filter(lease__base_id=base.id), day, day).values("space_id")
    total = await spaces.count()
    in_service_count, in_service_area = await _count_and_area(in_service)
    occupied_count, occupied_area = await _count_and_area(in_service.filter(id__in=Subquery(held)))
    page = await paginate(spaces.order_by("code", "id"), min(limit, MAX_LIMIT), offset)
    links = (
        await LeaseSpace.filter(space_id__in=[s.id for s in page.items], lease__occupied_until__gte=day)
        .select_related("lease__startup")
        .order_by("lease__start_on", "lease_id")
    )
    tiles = [_tile(space, [link.lease for link in links if link.space_id == space.id], day) for space in page.items]
    return Occupancy(
        base=base,
        day=day,
        page=Page(items=tiles, total=page.total, limit=page.limit, offset=page.offset),
        spaces=total,
        in_service=in_service_count,
        occupied=occupied_count,
        in_service_area=in_service_area,
        occupied_area=occupied_area,
    )


async def space_on_day(space: Space, day: dt.date) -> SpaceOnDay:
    """One space's state on a day."""
    leases = (
        await Lease.filter(spaces__space_id=space.id, occupied_until__gte=day)
        .select_related("startup")
        .order_by("start_on", "id")
    )
    return _tile(space, list(leases), day)


def _tile(space: Space, leases: list[Lease], day: dt.date) -> SpaceOnDay:
    """The state of one space from the leases holding it on or after the day (earliest first)."""
    current = next((lease for lease in leases if lease.start_on <= day), None)
    if current is not None:
        return SpaceOnDay(space, "occupied", current)
    if space.status is SpaceStatus.OUT_OF_SERVICE:
        return SpaceOnDay(space, "out_of_service")
    if leases:
        return SpaceOnDay(space, "reserved", leases[0])
    return SpaceOnDay(space, "free")


async def free_spaces(principal: Principal, base_id: int, day: dt.date, *, also: tuple[int, ...] = ()) -> list[Space]:
    """In-service spaces of the base that no lease holds on `day` or later (plus the spaces `also`)."""
    held = LeaseSpace.filter(lease__base_id=base_id, lease__occupied_until__gte=day).values("space_id")
    query = visible(principal, Space).filter(base_id=base_id, status=SpaceStatus.IN_SERVICE)
    free = query.exclude(id__in=Subquery(held))
    if also:
        free = query.filter(Q(id__in=list(also)) | Q(id__in=Subquery(free.values("id"))))
    return list(await free.order_by("code").limit(MAX_SPACES_SHOWN))
