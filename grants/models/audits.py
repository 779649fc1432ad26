"""The bureau's job audit (就业核查): a base's declared roster checked against social insurance."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope
from tenants.models import Employment, Startup


class AuditState(StrEnum):
    OPEN = "open"  # opened, no social insurance roster reconciled yet
    RECONCILED = "reconciled"  # findings to confirm or override
    SIGNED_OFF = "signed_off"  # frozen; employments marked verified or rejected
    SUPERSEDED = "superseded"  # a later signed audit of the same scope and period replaced it


class FindingKind(StrEnum):
    VERIFIED = "verified"
    NOT_FOUND = "not_found"
    OTHER_EMPLOYER = "other_employer"
    FEWER_MONTHS = "fewer_months"
    COUNTED_TWICE = "counted_twice"
    NAME_DIFFERS = "name_differs"
    UNDECLARED = "undeclared"


class Outcome(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"
    NOTED = "noted"  # people insured by a startup but not on its roster: nothing to mark


class JobAudit(Model):
    """A check of the employments a base (or one of its startups) declared for a period."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="job_audits", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyNullableRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="job_audits", null=True, on_delete=fields.RESTRICT
    )
    startup_id: int | None
    region_code = fields.CharField(max_length=6)
    period_start = fields.DateField()
    period_end = fields.DateField()
    required_months = fields.IntField(default=1)
    state = fields.CharEnumField(AuditState, max_length=16, default=AuditState.OPEN)
    roster_filename = fields.CharField(max_length=200, default="")
    roster_sha256 = fields.CharField(max_length=64, default="")
    roster_rows = fields.IntField(default=0)
    roster_skipped = fields.IntField(default=0)
    mapping: Any = fields.JSONField(null=True)
    counts: Any = fields.JSONField(null=True)  # findings by kind, after each reconciliation
    totals: Any = fields.JSONField(null=True)  # frozen at sign-off
    opened_by = fields.CharField(max_length=64)
    opened_at = fields.DatetimeField(auto_now_add=True)
    reconciled_at = fields.DatetimeField(null=True)
    signed_by = fields.CharField(max_length=64, default="")
    signed_at = fields.DatetimeField(null=True)
    sign_note = fields.CharField(max_length=500, default="")
    superseded_by_id = fields.IntField(null=True)

    scope = Scope(roles=frozenset({"bureau", "operator"}), region="region_code", base="base_id")

    class Meta:
        table = "job_audit"
        ordering = ["-id"]
        indexes = [("base_id", "period_end"), ("region_code", "state")]


class AuditFinding(Model):
    """What the audit found for one declared employment, or for one insured person not declared.

    `proposed` is the reconciliation's suggestion; `outcome` is the officer's decision (with a
    reason when it differs from the suggestion). The roster figures in force when the audit
    ran are copied, so the finding reads the same after the roster changes.
    """

    id = fields.IntField(primary_key=True)
    audit: fields.ForeignKeyRelation[JobAudit] = fields.ForeignKeyField(
        "models.JobAudit", related_name="findings", on_delete=fields.CASCADE
    )
    audit_id: int
    employment: fields.ForeignKeyNullableRelation[Employment] = fields.ForeignKeyField(
        "models.Employment", related_name="audit_findings", null=True, on_delete=fields.RESTRICT
    )
    employment_id: int | None
    startup: fields.ForeignKeyNullableRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="audit_findings", null=True, on_delete=fields.RESTRICT
    )
    startup_id: int | None
    kind = fields.CharEnumField(FindingKind, max_length=16)
    flags: Any = fields.JSONField(default=list)  # further kinds that also apply (name_differs, counted_twice)
    proposed = fields.CharEnumField(Outcome, max_length=16)
    outcome = fields.CharEnumField(Outcome, max_length=16, null=True)
    reason = fields.CharField(max_length=300, default="")
    decided_by = fields.CharField(max_length=64, default="")
    decided_at = fields.DatetimeField(null=True)
    declared_name = fields.CharField(max_length=50, default="")
    insured_name = fields.CharField(max_length=50, default="")
    id_masked = fields.CharField(max_length=18)
    id_index = fields.CharField(max_length=64, default="")
    id_cipher = fields.TextField(default="")  # only for people not on the roster, so they can be added
    employer_uscc = fields.CharField(max_length=18, default="")
    months_paid = fields.IntField(null=True)
    hired_on = fields.DateField(null=True)
    left_on = fields.DateField(null=True)
    other = fields.CharField(max_length=300, default="")  # the other startups the person is declared at

    scope = Scope(roles=frozenset({"bureau", "operator"}), region="audit__region_code", base="audit__base_id")

    class Meta:
        table = "job_audit_finding"
        ordering = ["id"]
        indexes = [("audit_id", "kind")]
