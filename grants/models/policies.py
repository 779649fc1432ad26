"""Subsidy policies (补贴政策) with dated, regional parameters, and the calendars they use.

A Policy is one kind of subsidy as a region's document grants it (a 地市 may have its own
policy of a kind, which overrides the 自治区's for its startups). Its PolicyVersions hold the
parameters, each in force over a contiguous run of dates, with the source of every parameter.
The LPR table and the regional holidays are data the admin keeps current.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from incubator.models import Region, Scope, User

# Reference data: every signed-in role reads it (founders see why they may apply).
READABLE = Scope(roles=frozenset({"bureau", "operator", "founder"}))
# Policies and holidays are seen where they apply: in their region and below it. Founders meet
# them through their startup's eligibility, not by id.
APPLIES = Scope(roles=frozenset({"bureau", "operator"}), applies_in="region_id")


class PolicyKind(StrEnum):
    STARTUP_GRANT = "startup_grant"  # 一次性创业补贴
    RENT_SUBSIDY = "rent_subsidy"  # 房租补贴
    LOAN_INTEREST = "loan_interest"  # 创业担保贷款贴息


class Policy(Model):
    """A subsidy as one region's document grants it: kind, name, issuing body and 文号."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(PolicyKind, max_length=16)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="policies", on_delete=fields.RESTRICT
    )
    region_id: str
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=200, default="")
    issuing_body = fields.CharField(max_length=100)
    document_number = fields.CharField(max_length=100, default="")
    summary = fields.TextField(default="")
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    versions: fields.ReverseRelation[PolicyVersion]

    scope = APPLIES

    class Meta:
        table = "policy"
        unique_together = [("region", "kind")]
        ordering = ["kind", "region_id"]

    def __str__(self) -> str:
        return self.name


class PolicyVersion(Model):
    """The parameters of a policy in force from `valid_from` through `valid_until` (open when null).

    `params` maps each parameter to its value (money as strings, to the fen), `sources` maps
    it to where it comes from: {"ref": text, "confirmed": whether it is from an official text}.
    """

    id = fields.IntField(primary_key=True)
    policy: fields.ForeignKeyRelation[Policy] = fields.ForeignKeyField(
        "models.Policy", related_name="versions", on_delete=fields.RESTRICT
    )
    policy_id: int
    valid_from = fields.DateField()
    valid_until = fields.DateField(null=True)
    params: Any = fields.JSONField()
    sources: Any = fields.JSONField()
    note = fields.CharField(max_length=500, default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(roles=frozenset({"bureau", "operator"}), applies_in="policy__region_id")

    class Meta:
        table = "policy_version"
        unique_together = [("policy", "valid_from")]
        ordering = ["policy_id", "valid_from"]


class LprRate(Model):
    """The one-year Loan Prime Rate (贷款市场报价利率) in force from a date, in percent a year."""

    id = fields.IntField(primary_key=True)
    effective_on = fields.DateField(unique=True)
    one_year = fields.DecimalField(max_digits=6, decimal_places=4)
    five_year = fields.DecimalField(max_digits=6, decimal_places=4, null=True)
    source = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = READABLE

    class Meta:
        table = "lpr_rate"
        ordering = ["-effective_on"]


class RegionHoliday(Model):
    """Days off in a region beyond the national calendar (藏历新年, 雪顿节 in Tibet), inclusive."""

    id = fields.IntField(primary_key=True)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="holidays", on_delete=fields.RESTRICT
    )
    region_id: str
    name = fields.CharField(max_length=50)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = APPLIES

    class Meta:
        table = "region_holiday"
        unique_together = [("region", "starts_on")]
        ordering = ["starts_on"]
