"""Resident startups of a base (extended by the startups issue)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope


class StartupStatus(StrEnum):
    APPLIED = "applied"
    INCUBATING = "incubating"
    GRADUATED = "graduated"
    EXITED = "exited"


class LegalForm(StrEnum):
    LIMITED_COMPANY = "limited_company"
    SOLE_PROPRIETOR = "sole_proprietor"
    FARMER_COOPERATIVE = "farmer_cooperative"
    PARTNERSHIP = "partnership"
    UNREGISTERED_TEAM = "unregistered_team"


class Startup(Model):
    """A startup or team resident in one base."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="startups", on_delete=fields.RESTRICT, db_index=True
    )
    base_id: int
    name = fields.CharField(max_length=100)
    legal_form = fields.CharEnumField(LegalForm, max_length=32)
    uscc = fields.CharField(max_length=18, null=True)
    status = fields.CharEnumField(StartupStatus, max_length=16, default=StartupStatus.APPLIED)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="base__region_id",
        base="base_id",
        startup="id",
    )

    class Meta:
        table = "startup"
        ordering = ["id"]
        unique_together = [("base", "name")]

    def __str__(self) -> str:
        return self.name
