"""Spaces (场地/工位) of a base and the leases (入驻协议) that occupy them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope, StoredFile
from tenants.models.startups import STARTUP_SCOPE, Startup


class SpaceKind(StrEnum):
    DESK = "desk"
    OFFICE = "office"
    MEETING_ROOM = "meeting_room"
    WORKSHOP = "workshop"
    STORAGE = "storage"


class SpaceStatus(StrEnum):
    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"


class BillingCycle(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class LeaseOrigin(StrEnum):
    NEW = "new"
    RENEWAL = "renewal"
    MOVE = "move"


class Space(Model):
    """A rentable unit of a base: a desk, an office, a meeting room, a workshop, storage."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="spaces", on_delete=fields.RESTRICT
    )
    base_id: int
    code = fields.CharField(max_length=32)
    kind = fields.CharEnumField(SpaceKind, max_length=16)
    floor = fields.CharField(max_length=16, default="")
    area_m2 = fields.DecimalField(max_digits=10, decimal_places=2)
    list_rent = fields.DecimalField(max_digits=12, decimal_places=2)
    status = fields.CharEnumField(SpaceStatus, max_length=16, default=SpaceStatus.IN_SERVICE)
    note = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="base__region_id",
        base="base_id",
        founder_by_base=True,
    )

    class Meta:
        table = "space"
        unique_together = [("base", "code")]
        ordering = ["base_id", "code"]

    def __str__(self) -> str:
        return self.code


class Lease(Model):
    """An agreement letting one or more spaces of a base to a startup for a date range.

    `occupied_until` is the last day the spaces are held: the end date, or the earlier day
    the lease was ended on. Renewals and moves start a new lease pointing at `previous`.
    """

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="leases", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="leases", on_delete=fields.RESTRICT
    )
    startup_id: int
    start_on = fields.DateField()
    end_on = fields.DateField()
    occupied_until = fields.DateField()
    ended_on = fields.DateField(null=True)
    end_reason = fields.CharField(max_length=200, default="")
    list_rent = fields.DecimalField(max_digits=12, decimal_places=2)
    monthly_rent = fields.DecimalField(max_digits=12, decimal_places=2)
    deposit = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    billing_cycle = fields.CharEnumField(BillingCycle, max_length=16, default=BillingCycle.MONTHLY)
    origin = fields.CharEnumField(LeaseOrigin, max_length=16, default=LeaseOrigin.NEW)
    previous: fields.ForeignKeyNullableRelation[Lease] = fields.ForeignKeyField(
        "models.Lease", related_name="successors", null=True, on_delete=fields.RESTRICT
    )
    previous_id: int | None
    agreement: fields.ForeignKeyNullableRelation[StoredFile] = fields.ForeignKeyField(
        "models.StoredFile", related_name="leases", null=True, on_delete=fields.RESTRICT
    )
    agreement_id: int | None
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    spaces: fields.ReverseRelation[LeaseSpace]
    concessions: fields.ReverseRelation[RentConcession]

    scope = STARTUP_SCOPE

    class Meta:
        table = "lease"
        ordering = ["-start_on", "-id"]
        indexes = [("base_id", "occupied_until"), ("startup_id", "start_on")]

    def state_on(self, day: dt.date) -> str:
        """upcoming, active, ended (early) or expired, as of a day."""
        if self.start_on > day:
            return "upcoming"
        if self.occupied_until >= day:
            return "active"
        return "ended" if self.ended_on is not None else "expired"


class LeaseSpace(Model):
    """One space held by a lease, with its list rent when the lease was signed."""

    id = fields.IntField(primary_key=True)
    lease: fields.ForeignKeyRelation[Lease] = fields.ForeignKeyField(
        "models.Lease", related_name="spaces", on_delete=fields.CASCADE
    )
    lease_id: int
    space: fields.ForeignKeyRelation[Space] = fields.ForeignKeyField(
        "models.Space", related_name="lease_links", on_delete=fields.RESTRICT
    )
    space_id: int
    list_rent = fields.DecimalField(max_digits=12, decimal_places=2)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="lease__base__region_id",
        base="lease__base_id",
        startup="lease__startup_id",
    )

    class Meta:
        table = "lease_space"
        unique_together = [("lease", "space")]


class RentConcession(Model):
    """A free-rent or discount period of a lease: the monthly rent charged during it."""

    id = fields.IntField(primary_key=True)
    lease: fields.ForeignKeyRelation[Lease] = fields.ForeignKeyField(
        "models.Lease", related_name="concessions", on_delete=fields.CASCADE
    )
    lease_id: int
    start_on = fields.DateField()
    end_on = fields.DateField()
    monthly_rent = fields.DecimalField(max_digits=12, decimal_places=2)
    note = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="lease__base__region_id",
        base="lease__base_id",
        startup="lease__startup_id",
    )

    class Meta:
        table = "rent_concession"
        ordering = ["start_on", "id"]
