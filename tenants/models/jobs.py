"""The real-name job roster (实名制用工) and the region's counting rules (统计口径)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Region, Scope
from tenants.models.people import Person
from tenants.models.startups import Startup


class ContractKind(StrEnum):
    FIXED_TERM = "fixed_term"
    OPEN_ENDED = "open_ended"
    SERVICE = "service"
    FLEXIBLE = "flexible"
    PUBLIC_WELFARE = "public_welfare"


class Verification(StrEnum):
    DECLARED = "declared"
    VERIFIED = "verified"
    REJECTED = "rejected"


def month_index(year: int, month: int) -> int:
    """Months since year 0, so consecutive-month rules compare integers in SQL."""
    return year * 12 + month - 1


class Employment(Model):
    """A person employed by a startup from hired_on to left_on, as the roster declares it.

    The person's categories are copied as they were at hiring, so later corrections of the
    person do not rewrite past figures. Social insurance months are kept as month indexes
    (year * 12 + month - 1) so the counting rules run as integer comparisons in SQL.
    """

    id = fields.IntField(primary_key=True)
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="employments", on_delete=fields.RESTRICT
    )
    startup_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="employments", on_delete=fields.RESTRICT
    )
    person_id: int
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="employments", on_delete=fields.RESTRICT
    )
    base_id: int
    region_code = fields.CharField(max_length=6)
    hired_on = fields.DateField()
    left_on = fields.DateField(null=True)
    left_reason = fields.CharField(max_length=200, default="")
    contract_kind = fields.CharEnumField(ContractKind, max_length=16)
    insured_from = fields.DateField(null=True)
    insured_until = fields.DateField(null=True)
    insured_from_month = fields.IntField(null=True)
    insured_until_month = fields.IntField(null=True)
    monthly_wage = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    is_founder = fields.BooleanField(default=False)
    is_graduate = fields.BooleanField(default=False)
    graduation_year = fields.IntField(null=True)
    is_tibetan = fields.BooleanField(default=False)
    is_farmer_herder = fields.BooleanField(default=False)
    is_veteran = fields.BooleanField(default=False)
    is_poverty_alleviated = fields.BooleanField(default=False)
    is_disabled = fields.BooleanField(default=False)
    verification = fields.CharEnumField(Verification, max_length=16, default=Verification.DECLARED)
    verification_note = fields.CharField(max_length=300, default="")
    verified_at = fields.DatetimeField(null=True)
    audit_id = fields.IntField(null=True)  # the signed job audit that verified or rejected it
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="region_code",
        base="base_id",
        startup="startup_id",
    )

    class Meta:
        table = "employment"
        ordering = ["-hired_on", "-id"]
        indexes = [
            ("base_id", "hired_on"),
            ("region_code", "hired_on"),
            ("startup_id", "person_id"),
            ("person_id", "hired_on"),
        ]


class CountingRule(Model):
    """How a region counts jobs from a date on: founders, insured months, contract kinds."""

    id = fields.IntField(primary_key=True)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="counting_rules", on_delete=fields.RESTRICT
    )
    region_id: str
    effective_from = fields.DateField()
    include_founders = fields.BooleanField(default=True)
    min_insured_months = fields.IntField(default=0)
    contract_kinds: Any = fields.JSONField()
    source = fields.CharField(max_length=300)
    created_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(roles=frozenset({"bureau", "operator", "founder"}))

    class Meta:
        table = "counting_rule"
        unique_together = [("region", "effective_from")]
        ordering = ["region_id", "-effective_from"]
