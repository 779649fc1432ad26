"""Startups (入驻企业/创业团队), their lifecycle history and their founders."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope
from tenants.models.people import Person


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


class Industry(StrEnum):
    """Sections (门类) of GB/T 4754-2017, Industrial classification for national economic activities."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the standard's own letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the standard's own letter
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"


class ExitReason(StrEnum):
    EXPIRED = "expired"
    ABNORMAL = "abnormal"
    MOVED_OUT = "moved_out"
    DEREGISTERED = "deregistered"
    OTHER = "other"


class FounderRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    PARTNER = "partner"
    MEMBER = "member"


STARTUP_SCOPE = Scope(
    roles=frozenset({"bureau", "operator", "founder"}),
    region="startup__base__region_id",
    base="startup__base_id",
    startup="startup_id",
)


class Startup(Model):
    """A startup or team resident in one base."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="startups", on_delete=fields.RESTRICT, db_index=True
    )
    base_id: int
    name = fields.CharField(max_length=100)
    legal_form = fields.CharEnumField(LegalForm, max_length=32)
    uscc = fields.CharField(max_length=18, null=True, db_index=True)
    registered_on = fields.DateField(null=True)
    industry = fields.CharEnumField(Industry, max_length=1, null=True)
    contact_name = fields.CharField(max_length=50, default="")
    contact_phone = fields.CharField(max_length=32, default="")
    contact_email = fields.CharField(max_length=100, default="")
    description = fields.TextField(default="")
    status = fields.CharEnumField(StartupStatus, max_length=16, default=StartupStatus.APPLIED)
    applied_on = fields.DateField(null=True)
    admitted_on = fields.DateField(null=True)
    incubation_ends_on = fields.DateField(null=True)
    left_on = fields.DateField(null=True)
    exit_reason = fields.CharEnumField(ExitReason, max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    founders: fields.ReverseRelation[Founder]
    events: fields.ReverseRelation[StartupEvent]

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
        indexes = [("base_id", "status")]

    def __str__(self) -> str:
        return self.name


class StartupEvent(Model):
    """One step of a startup's lifecycle (申请入驻, 在孵, 毕业, 退出) with its date and reason."""

    id = fields.IntField(primary_key=True)
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="events", on_delete=fields.RESTRICT
    )
    startup_id: int
    from_status = fields.CharEnumField(StartupStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(StartupStatus, max_length=16)
    on = fields.DateField()
    reason = fields.CharEnumField(ExitReason, max_length=16, null=True)
    note = fields.CharField(max_length=500, default="")
    actor = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = STARTUP_SCOPE

    class Meta:
        table = "startup_event"
        ordering = ["on", "id"]
        indexes = [("to_status", "on")]


class Founder(Model):
    """A person's role in founding a startup (法定代表人, 合伙人, 团队成员), with dates."""

    id = fields.IntField(primary_key=True)
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="founders", on_delete=fields.RESTRICT
    )
    startup_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="founder_roles", on_delete=fields.RESTRICT
    )
    person_id: int
    role = fields.CharEnumField(FounderRole, max_length=32)
    joined_on = fields.DateField()
    left_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = STARTUP_SCOPE

    class Meta:
        table = "founder"
        ordering = ["joined_on", "id"]
        indexes = [("startup_id", "left_on")]
