"""Platform models: regions, bases, bureaus, users, memberships, sessions, audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


@dataclass(frozen=True)
class Scope:
    """How a model's rows are placed in the tenancy, read by incubator/access.py.

    Each entry is a Tortoise filter path: `region` to a GB/T 2260 code, `base` to a base id,
    `startup` to a startup id. `roles` lists the non-admin roles that may see rows at all;
    `founder_by_base` lets a founder read rows of their own startup's base. `applies_in` is
    described below. `via` names
    reverse relations: a row with no tenancy of its own (a person, shared across bases) is
    visible when a visible row of one of those relations points at it. `own` names a user id
    column: such a row is its user's alone, whatever the role (the admin included).
    """

    roles: frozenset[str] = field(default_factory=frozenset)
    region: str | None = None
    base: str | None = None
    startup: str | None = None
    founder_by_base: bool = False
    via: tuple[str, ...] = ()
    # A region code of rules that apply to that region and everything below it (a policy): the
    # row is visible where it applies (the principal's region or one above it), and to bureaus
    # for their whole subtree.
    applies_in: str | None = None
    own: str | None = None


class Role(StrEnum):
    ADMIN = "admin"
    BUREAU = "bureau"
    OPERATOR = "operator"
    FOUNDER = "founder"


class RegionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class BaseKind(StrEnum):
    MAKER_SPACE = "maker_space"
    INCUBATION_BASE = "incubation_base"
    STUDENT_MAKER_COMMUNITY = "student_maker_community"
    TECH_INCUBATOR = "tech_incubator"
    OTHER = "other"


class BaseLevel(StrEnum):
    NATIONAL = "national"
    AUTONOMOUS_REGION = "autonomous_region"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    NONE = "none"


class Region(Model):
    """An administrative division by its GB/T 2260 six-digit code."""

    code = fields.CharField(max_length=6, primary_key=True)
    name = fields.CharField(max_length=64)
    name_en = fields.CharField(max_length=64, default="")
    level = fields.CharEnumField(RegionLevel, max_length=16)
    parent: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: str | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(roles=frozenset({"bureau", "operator", "founder"}))

    class Meta:
        table = "region"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Base(Model):
    """An incubation base or maker space: the tenant of this installation."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    code = fields.CharField(max_length=16, unique=True)
    kind = fields.CharEnumField(BaseKind, max_length=32)
    level = fields.CharEnumField(BaseLevel, max_length=32)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="bases", on_delete=fields.RESTRICT, db_index=True
    )
    region_id: str
    address = fields.CharField(max_length=200, default="")
    area_m2 = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    opened_on = fields.DateField(null=True)
    contact_phone = fields.CharField(max_length=32, default="")
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="region_id",
        base="id",
        founder_by_base=True,
    )

    class Meta:
        table = "base"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Bureau(Model):
    """A human resources and social security bureau (人社局) of one region."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="bureaus", on_delete=fields.RESTRICT
    )
    region_id: str
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(roles=frozenset({"bureau"}), region="region_id")

    class Meta:
        table = "bureau"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class User(Model):
    """A login account: what it may see comes from its memberships."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64)
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)
    is_demo = fields.BooleanField(default=False)
    locale = fields.CharField(max_length=8, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)

    memberships: fields.ReverseRelation[Membership]
    scope = Scope()

    class Meta:
        table = "user"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.username


class Membership(Model):
    """One role of a user: platform admin, officer of a bureau, operator of a base, founder."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=16)
    bureau: fields.ForeignKeyNullableRelation[Bureau] = fields.ForeignKeyField(
        "models.Bureau", related_name="memberships", null=True, on_delete=fields.RESTRICT
    )
    bureau_id: int | None
    base: fields.ForeignKeyNullableRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="memberships", null=True, on_delete=fields.RESTRICT
    )
    base_id: int | None
    startup_id: int | None
    startup: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Startup", related_name="memberships", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope()

    class Meta:
        table = "membership"
        ordering = ["id"]


def related_model(model: type[Model], field_name: str) -> type[Model]:
    """The model a relation points at (reaches tenants/ models without importing them)."""
    related: type[Model] = model._meta.fields_map[field_name].related_model  # type: ignore[attr-defined]
    return related


class UserSession(Model):
    """A browser login: the cookie holds a signed random key whose hash is stored here."""

    id = fields.IntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    membership: fields.ForeignKeyNullableRelation[Membership] = fields.ForeignKeyField(
        "models.Membership", related_name="sessions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    address = fields.CharField(max_length=64, default="")

    class Meta:
        table = "user_session"


class ApiToken(Model):
    """A bearer token for the JSON API, stored hashed, bound to one membership."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    membership: fields.ForeignKeyNullableRelation[Membership] = fields.ForeignKeyField(
        "models.Membership", related_name="api_tokens", null=True, on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class LoginAttempt(Model):
    """A failed or successful login, kept in the database so throttling spans processes."""

    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=64)
    address = fields.CharField(max_length=64)
    succeeded = fields.BooleanField()
    at = fields.DatetimeField()

    class Meta:
        table = "login_attempt"
        indexes = [("username", "at"), ("address", "at")]


class AuditEvent(Model):
    """One change, chained by hash to the one before it."""

    id = fields.BigIntField(primary_key=True)
    seq = fields.BigIntField(unique=True)
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor = fields.CharField(max_length=64)
    role = fields.CharField(max_length=16, default="")
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=64)
    object_id = fields.CharField(max_length=64, default="")
    base_id = fields.IntField(null=True)
    region_code = fields.CharField(max_length=6, null=True)
    before: Any = fields.JSONField(null=True)
    after: Any = fields.JSONField(null=True)
    address = fields.CharField(max_length=64, default="")
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    scope = Scope(roles=frozenset({"bureau"}), region="region_code")

    class Meta:
        table = "audit_event"
        ordering = ["-seq"]
        indexes = [("region_code", "seq"), ("object_type", "object_id")]


class AuditHead(Model):
    """The single row that serialises appends to the audit chain."""

    id = fields.IntField(primary_key=True)
    seq = fields.BigIntField(default=0)
    last_hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_head"


class InstallationSetting(Model):
    """Installation-wide flags, such as whether this is a demo installation."""

    key = fields.CharField(max_length=64, primary_key=True)
    value: Any = fields.JSONField()

    class Meta:
        table = "installation_setting"


class StoredFile(Model):
    """An uploaded file (signed agreement, evidence), kept under var/files by its SHA-256.

    It has no scope of its own: it is read only through the record it belongs to.
    """

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()
    content_type = fields.CharField(max_length=100)
    filename = fields.CharField(max_length=200)
    base_id = fields.IntField(null=True)
    uploaded_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope()

    class Meta:
        table = "stored_file"


class TaskState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Task(Model):
    """Long work (an import, a reconciliation) run in the background of the process that took it.

    The page polls it; `result` holds the summary, `problems` the rejected rows (message ids
    with their parameters, so they show in the reader's language), `link` where to go next.
    """

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=40)
    title = fields.CharField(max_length=200)
    state = fields.CharEnumField(TaskState, max_length=16, default=TaskState.RUNNING)
    done = fields.IntField(default=0)
    total = fields.IntField(default=0)
    phase = fields.CharField(max_length=200, default="")
    result: Any = fields.JSONField(null=True)
    problems: Any = fields.JSONField(null=True)
    message = fields.CharField(max_length=500, default="")
    link = fields.CharField(max_length=300, default="")
    runner = fields.CharField(max_length=100, default="")
    user_id = fields.IntField()
    username = fields.CharField(max_length=64)
    base_id = fields.IntField(null=True)
    region_code = fields.CharField(max_length=6, null=True)
    startup_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}), region="region_code", base="base_id", startup="startup_id"
    )

    class Meta:
        table = "task"
        indexes = [("user_id", "created_at")]


class Notification(Model):
    """An in-app message to a user: what happened, in message ids translated when read, and where to look.

    `params` values are plain text or numbers; `link` is a path inside the app.
    """

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    msgid = fields.CharField(max_length=200)
    params: Any = fields.JSONField(default=dict)
    link = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    emailed_at = fields.DatetimeField(null=True)

    # A user's own messages: nobody else reads them, not even the admin.
    scope = Scope(own="user_id")

    class Meta:
        table = "notification"
        ordering = ["-id"]
        indexes = [("user_id", "read_at")]
