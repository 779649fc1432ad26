"""Subsidy applications (补贴申请), their timeline, evidence, public notices and disbursements.

An application moves draft → submitted → forwarded (the base's pre-review passed) →
approved → in_notice (公示) → paid, or back: returned to the applicant (by the base or the
bureau), rejected by the bureau, withdrawn by the applicant, sent back to review by an
objection during the notice. `row_version` grows with every transition: a transition names
the version it was decided on, so two officers acting at once cannot both win.

A Claim is the one-per-subject rule made a constraint: a one-time grant per person and per
enterprise, a rent subsidy per startup and year, an interest subsidy per loan and period.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from grants.models.loans import Loan
from grants.models.policies import Policy, PolicyKind, PolicyVersion
from incubator.models import Base, Bureau, Scope, StoredFile, User
from tenants.models import Startup
from tenants.models.billing import money_field

APPLICATION_SCOPE = Scope(
    roles=frozenset({"bureau", "operator", "founder"}), region="region_code", base="base_id", startup="startup_id"
)
# Rows of an application: reached through it.
APPLICATION_ROW_SCOPE = Scope(
    roles=frozenset({"bureau", "operator", "founder"}),
    region="application__region_code",
    base="application__base_id",
    startup="application__startup_id",
)
# Notices and disbursements are the bureau's: its officers by region; the admin reads all.
BUREAU_SCOPE = Scope(roles=frozenset({"bureau"}), region="region_code")


class AppState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the base's pre-review
    RETURNED = "returned"  # back with the applicant to complete
    FORWARDED = "forwarded"  # waiting for the bureau's review
    APPROVED = "approved"  # waiting for a public notice
    IN_NOTICE = "in_notice"  # 公示
    PAID = "paid"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# States whose claim is held: the subject is taken while the application lives.
LIVE_STATES = frozenset(
    {
        AppState.DRAFT,
        AppState.SUBMITTED,
        AppState.RETURNED,
        AppState.FORWARDED,
        AppState.APPROVED,
        AppState.IN_NOTICE,
        AppState.PAID,
    }
)
FINAL_STATES = frozenset({AppState.PAID, AppState.REJECTED, AppState.WITHDRAWN})


class NoticeState(StrEnum):
    OPEN = "open"  # published; the period may be running or over
    CLOSED = "closed"  # every application in it was disbursed or sent back


class DisbursementState(StrEnum):
    DRAFT = "draft"  # the transfer list is being prepared
    PAID = "paid"  # recorded as paid with the bank's reference


class PublicNotice(Model):
    """A bureau's 公示 of approved applications for `working_days` working days."""

    id = fields.IntField(primary_key=True)
    bureau: fields.ForeignKeyRelation[Bureau] = fields.ForeignKeyField(
        "models.Bureau", related_name="notices", on_delete=fields.RESTRICT
    )
    bureau_id: int
    region_code = fields.CharField(max_length=6, db_index=True)
    title = fields.CharField(max_length=200)
    published_on = fields.DateField()
    working_days = fields.IntField()
    ends_on = fields.DateField()
    contact = fields.CharField(max_length=200, default="")
    state = fields.CharEnumField(NoticeState, max_length=8, default=NoticeState.OPEN)
    # What was published, row by row, as the public saw it (masked names, amounts as text).
    entries: Any = fields.JSONField()
    calendar_note = fields.CharField(max_length=300, default="")
    published_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    published_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = BUREAU_SCOPE

    class Meta:
        table = "public_notice"
        ordering = ["-published_on", "-id"]


class Disbursement(Model):
    """A bureau's batch of payments (拨付) on a day: a transfer list, then the bank's reference."""

    id = fields.IntField(primary_key=True)
    bureau: fields.ForeignKeyRelation[Bureau] = fields.ForeignKeyField(
        "models.Bureau", related_name="disbursements", on_delete=fields.RESTRICT
    )
    bureau_id: int
    region_code = fields.CharField(max_length=6, db_index=True)
    number = fields.CharField(max_length=32, unique=True)
    pay_on = fields.DateField()
    state = fields.CharEnumField(DisbursementState, max_length=8, default=DisbursementState.DRAFT)
    total = money_field(default=0)
    count = fields.IntField(default=0)
    bank_reference = fields.CharField(max_length=64, default="")
    paid_on = fields.DateField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_by_id: int | None
    paid_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    paid_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = BUREAU_SCOPE

    class Meta:
        table = "disbursement"
        ordering = ["-pay_on", "-id"]


class Application(Model):
    """A startup's claim under a policy for a period, with its frozen decisions and its money."""

    id = fields.IntField(primary_key=True)
    policy: fields.ForeignKeyRelation[Policy] = fields.ForeignKeyField(
        "models.Policy", related_name="applications", on_delete=fields.RESTRICT
    )
    policy_id: int
    version: fields.ForeignKeyRelation[PolicyVersion] = fields.ForeignKeyField(
        "models.PolicyVersion", related_name="applications", on_delete=fields.RESTRICT
    )
    version_id: int
    kind = fields.CharEnumField(PolicyKind, max_length=16)
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="applications", on_delete=fields.RESTRICT
    )
    startup_id: int
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="applications", on_delete=fields.RESTRICT
    )
    base_id: int
    region_code = fields.CharField(max_length=6)
    # The period claimed: a calendar year for rent, an instalment period for interest.
    period_start = fields.DateField(null=True)
    period_end = fields.DateField(null=True)
    loan: fields.ForeignKeyNullableRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    loan_id: int | None
    period_no = fields.IntField(null=True)
    state = fields.CharEnumField(AppState, max_length=16, default=AppState.DRAFT)
    row_version = fields.IntField(default=1)
    # Categories the applicant declares for founders beyond what their records show: {person id: [codes]}.
    declared: Any = fields.JSONField(default=dict)
    payee_name = fields.CharField(max_length=100, default="")
    payee_bank = fields.CharField(max_length=100, default="")
    payee_account = fields.CharField(max_length=34, default="")
    note = fields.TextField(default="")
    computed_amount = money_field(default=0)
    approved_amount = money_field(null=True)
    approval_reason = fields.TextField(default="")
    # Decision (facts, eligibility, amount, trace) frozen at submit and again at approval.
    submitted_decision: Any = fields.JSONField(null=True)
    approved_decision: Any = fields.JSONField(null=True)
    notice: fields.ForeignKeyNullableRelation[PublicNotice] = fields.ForeignKeyField(
        "models.PublicNotice", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    notice_id: int | None
    disbursement: fields.ForeignKeyNullableRelation[Disbursement] = fields.ForeignKeyField(
        "models.Disbursement", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    disbursement_id: int | None
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_at = fields.DatetimeField(null=True)
    state_changed_at = fields.DatetimeField(null=True)
    paid_on = fields.DateField(null=True)

    events: fields.ReverseRelation[ApplicationEvent]
    evidence: fields.ReverseRelation[Evidence]

    scope = APPLICATION_SCOPE

    class Meta:
        table = "application"
        ordering = ["-id"]
        indexes = [("region_code", "state"), ("base_id", "state"), ("startup_id", "kind")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The application's number as people quote it: BT + year of creation + id."""
        year = self.created_at.year if self.created_at else 0
        return f"BT{year}{self.id:06d}"

    @property
    def amount(self) -> Any:
        """What is (or will be) paid: the approved amount once approved, else the computed one."""
        return self.approved_amount if self.approved_amount is not None else self.computed_amount


class ApplicationEvent(Model):
    """One step of an application's timeline: who moved it from which state to which, and why."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="events", on_delete=fields.RESTRICT
    )
    application_id: int
    from_state = fields.CharEnumField(AppState, max_length=16, null=True)
    to_state = fields.CharEnumField(AppState, max_length=16)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=100, default="")
    actor_role = fields.CharField(max_length=16, default="")
    comment = fields.TextField(default="")
    amount = money_field(null=True)
    at = fields.DatetimeField()

    scope = APPLICATION_ROW_SCOPE

    class Meta:
        table = "application_event"
        ordering = ["at", "id"]


class Evidence(Model):
    """A file attached to an application (营业执照, 毕业证书, 租金凭证 …)."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="evidence", on_delete=fields.RESTRICT
    )
    application_id: int
    file: fields.ForeignKeyRelation[StoredFile] = fields.ForeignKeyField(
        "models.StoredFile", related_name=False, on_delete=fields.RESTRICT
    )
    file_id: int
    label = fields.CharField(max_length=100, default="")
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    uploaded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = APPLICATION_ROW_SCOPE

    class Meta:
        table = "evidence"
        ordering = ["id"]


class Claim(Model):
    """A subject an application holds: unique, so a second claim on it fails in the database.

    Subjects: `person:<id>` and `enterprise:<USCC>` (one-time grant), `rent:<startup id>:<year>`,
    `loan:<loan id>:<period>`. Released when the application is rejected or withdrawn.
    """

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(PolicyKind, max_length=16)
    subject = fields.CharField(max_length=64)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="claims", on_delete=fields.RESTRICT
    )
    application_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = APPLICATION_ROW_SCOPE

    class Meta:
        table = "subsidy_claim"
        unique_together = [("kind", "subject")]


class Objection(Model):
    """An objection received during a public notice, sending one application back to review."""

    id = fields.IntField(primary_key=True)
    notice: fields.ForeignKeyRelation[PublicNotice] = fields.ForeignKeyField(
        "models.PublicNotice", related_name="objections", on_delete=fields.RESTRICT
    )
    notice_id: int
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="objections", on_delete=fields.RESTRICT
    )
    application_id: int
    region_code = fields.CharField(max_length=6)
    received_on = fields.DateField()
    objector = fields.CharField(max_length=100, default="")
    content = fields.TextField()
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = BUREAU_SCOPE

    class Meta:
        table = "objection"
        ordering = ["received_on", "id"]
