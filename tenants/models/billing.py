"""Billing (DESIGN.md section 9): bills, credit notes, payments with their receipts, fapiao records.

Issued documents are never edited. Bills, credit notes and payments of a base share one hash
chain (`chain_seq`, `prev_hash`, `hash`) whose head is the base's BillingProfile row; taking
that row's lock serialises every issue in the base, so numbers stay gapless and the chain
linear. What a document says (its content) is hashed; how it is settled later (`paid`,
`credited`, `balance`, `status`, a payment's `unapplied`) is bookkeeping kept beside it and
changed only by services that write an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope
from tenants.models.spaces import Lease, Space
from tenants.models.startups import Startup

DEFAULT_BILL_PATTERN = "{base_code}-{year}-{seq:06d}"
DEFAULT_CREDIT_NOTE_PATTERN = "{base_code}-HC-{year}-{seq:06d}"
DEFAULT_RECEIPT_PATTERN = "{base_code}-SJ-{year}-{seq:06d}"

BASE_SCOPE = Scope(roles=frozenset({"bureau", "operator"}), region="base__region_id", base="base_id")
# Rows of one startup that also carry their base: filtered without a join.
STARTUP_ROW_SCOPE = Scope(
    roles=frozenset({"bureau", "operator", "founder"}), region="base__region_id", base="base_id", startup="startup_id"
)


def money_field(**kwargs: Any) -> Any:
    """A CNY amount to the fen."""
    return fields.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class Series(StrEnum):
    """The numbering series of a base: each has its own pattern and yearly counter."""

    BILL = "bill"
    CREDIT_NOTE = "credit_note"
    RECEIPT = "receipt"


class BillStatus(StrEnum):
    ISSUED = "issued"
    # Reversed in full by credit notes (作废): nothing is owed or payable on it any more.
    CANCELLED = "cancelled"


class LineKind(StrEnum):
    RENT = "rent"
    DISCOUNT = "discount"
    WAIVER = "waiver"
    UTILITIES = "utilities"
    MEETING_ROOM = "meeting_room"
    OTHER = "other"


RENT_KINDS = (LineKind.RENT, LineKind.DISCOUNT, LineKind.WAIVER)
SERVICE_KINDS = (LineKind.UTILITIES, LineKind.MEETING_ROOM, LineKind.OTHER)


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    OTHER = "other"


class BillingProfile(Model):
    """A base's billing settings, its closed periods and the head of its document chain."""

    id = fields.IntField(primary_key=True)
    base: fields.OneToOneRelation[Base] = fields.OneToOneField(
        "models.Base", related_name="billing_profile", on_delete=fields.RESTRICT
    )
    base_id: int
    bill_pattern = fields.CharField(max_length=60, default=DEFAULT_BILL_PATTERN)
    credit_note_pattern = fields.CharField(max_length=60, default=DEFAULT_CREDIT_NOTE_PATTERN)
    receipt_pattern = fields.CharField(max_length=60, default=DEFAULT_RECEIPT_PATTERN)
    due_days = fields.IntField(default=15)
    payee_name = fields.CharField(max_length=100, default="")
    bank_name = fields.CharField(max_length=100, default="")
    bank_account = fields.CharField(max_length=40, default="")
    footer = fields.CharField(max_length=300, default="")
    # Nothing may be dated on or before this day (the last day of the latest closed month).
    closed_through = fields.DateField(null=True)
    chain_seq = fields.IntField(default=0)
    chain_hash = fields.CharField(max_length=64, default="0" * 64)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="base__region_id",
        base="base_id",
        founder_by_base=True,
    )

    class Meta:
        table = "billing_profile"


class ClosedPeriod(Model):
    """The record of one closing: every day through `through` is closed from then on."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="closed_periods", on_delete=fields.RESTRICT
    )
    base_id: int
    through = fields.DateField()
    closed_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = BASE_SCOPE

    class Meta:
        table = "closed_period"
        unique_together = [("base", "through")]
        ordering = ["-through"]


class DocumentCounter(Model):
    """The last number used in a base's series for a year, read and raised under the profile lock."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="document_counters", on_delete=fields.RESTRICT
    )
    base_id: int
    series = fields.CharEnumField(Series, max_length=16)
    year = fields.IntField()
    last_seq = fields.IntField(default=0)

    class Meta:
        table = "document_counter"
        unique_together = [("base", "series", "year")]


class BillingRun(Model):
    """The bills issued at once for every lease of a base for one month (monthly or quarterly leases)."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="billing_runs", on_delete=fields.RESTRICT
    )
    base_id: int
    # The first day of the month billed.
    period = fields.DateField()
    issued_on = fields.DateField()
    bills = fields.IntField(default=0)
    total = money_field(default=0)
    digest = fields.CharField(max_length=64)
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = BASE_SCOPE

    class Meta:
        table = "billing_run"
        unique_together = [("base", "period")]
        ordering = ["-period"]


class IssuedDocumentChanged(Exception):
    """An issued bill, credit note or payment was about to be edited or deleted."""


class Immutable(Model):
    """A row that, once saved, only ever changes its settlement fields (and is never deleted)."""

    SETTLEMENT: frozenset[str] = frozenset()

    async def save(
        self,
        using_db: Any = None,
        update_fields: Iterable[str] | None = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        if self._saved_in_db and (update_fields is None or not set(update_fields) <= self.SETTLEMENT):
            raise IssuedDocumentChanged(f"{type(self).__name__} {self.pk} is issued and cannot be edited")
        await super().save(using_db, update_fields, force_create, force_update)

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        raise IssuedDocumentChanged(f"{type(self).__name__} {self.pk} is issued and cannot be deleted")

    class Meta:
        abstract = True


class Chained(Immutable):
    """The fields every chained document has."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=60)
    year = fields.IntField()
    seq = fields.IntField()
    chain_seq = fields.IntField()
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Bill(Chained):
    """A 缴费通知单: what a startup is charged for a period, line by line."""

    SETTLEMENT = frozenset({"credited", "paid", "balance", "status"})

    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="bills", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="bills", on_delete=fields.RESTRICT
    )
    startup_id: int
    run: fields.ForeignKeyNullableRelation[BillingRun] = fields.ForeignKeyField(
        "models.BillingRun", related_name="issued_bills", null=True, on_delete=fields.RESTRICT
    )
    run_id: int | None
    # The startup as it was named when billed: an issued document never changes.
    billed_to = fields.CharField(max_length=100)
    billed_to_code = fields.CharField(max_length=18, default="")
    period_start = fields.DateField()
    period_end = fields.DateField()
    issued_on = fields.DateField()
    due_on = fields.DateField()
    list_rent = money_field()
    waived = money_field()
    rent = money_field()
    services = money_field()
    total = money_field()
    note = fields.CharField(max_length=300, default="")
    # Settlement, kept beside the hashed content.
    credited = money_field(default=0)
    paid = money_field(default=0)
    balance = money_field()
    status = fields.CharEnumField(BillStatus, max_length=16, default=BillStatus.ISSUED)

    lines: fields.ReverseRelation[BillLine]
    scope = STARTUP_ROW_SCOPE

    class Meta:
        table = "bill"
        unique_together = [("base", "number"), ("base", "chain_seq")]
        ordering = ["-issued_on", "-id"]
        indexes = [("base_id", "status", "due_on"), ("startup_id", "issued_on")]


class BillLine(Immutable):
    """One line of a bill: a space's list rent, a discount or waiver, or a service."""

    SETTLEMENT = frozenset({"credited"})

    id = fields.IntField(primary_key=True)
    bill: fields.ForeignKeyRelation[Bill] = fields.ForeignKeyField(
        "models.Bill", related_name="lines", on_delete=fields.RESTRICT
    )
    bill_id: int
    position = fields.IntField()
    kind = fields.CharEnumField(LineKind, max_length=16)
    description = fields.CharField(max_length=200, default="")
    lease: fields.ForeignKeyNullableRelation[Lease] = fields.ForeignKeyField(
        "models.Lease", related_name="bill_lines", null=True, on_delete=fields.RESTRICT
    )
    lease_id: int | None
    space: fields.ForeignKeyNullableRelation[Space] = fields.ForeignKeyField(
        "models.Space", related_name="bill_lines", null=True, on_delete=fields.RESTRICT
    )
    space_id: int | None
    space_code = fields.CharField(max_length=32, default="")
    period_start = fields.DateField(null=True)
    period_end = fields.DateField(null=True)
    days = fields.IntField(null=True)
    quantity = fields.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = money_field()
    amount = money_field()
    credited = money_field(default=0)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="bill__base__region_id",
        base="bill__base_id",
        startup="bill__startup_id",
    )

    class Meta:
        table = "bill_line"
        unique_together = [("bill", "position")]
        ordering = ["bill_id", "position"]
        indexes = [("lease_id", "kind")]


class CreditNote(Chained):
    """A 红冲: reverses a whole bill or selected lines of it, in its own numbering series."""

    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="credit_notes", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="credit_notes", on_delete=fields.RESTRICT
    )
    startup_id: int
    bill: fields.ForeignKeyRelation[Bill] = fields.ForeignKeyField(
        "models.Bill", related_name="credit_notes", on_delete=fields.RESTRICT
    )
    bill_id: int
    issued_on = fields.DateField()
    reason = fields.CharField(max_length=300)
    total = money_field()

    lines: fields.ReverseRelation[CreditNoteLine]
    scope = STARTUP_ROW_SCOPE

    class Meta:
        table = "credit_note"
        unique_together = [("base", "number"), ("base", "chain_seq")]
        ordering = ["-issued_on", "-id"]
        indexes = [("startup_id", "issued_on")]


class CreditNoteLine(Immutable):
    id = fields.IntField(primary_key=True)
    credit_note: fields.ForeignKeyRelation[CreditNote] = fields.ForeignKeyField(
        "models.CreditNote", related_name="lines", on_delete=fields.RESTRICT
    )
    credit_note_id: int
    bill_line: fields.ForeignKeyRelation[BillLine] = fields.ForeignKeyField(
        "models.BillLine", related_name="credit_lines", on_delete=fields.RESTRICT
    )
    bill_line_id: int
    amount = money_field()

    class Meta:
        table = "credit_note_line"
        ordering = ["credit_note_id", "id"]


class Payment(Chained):
    """Money received from a startup (its receipt number is `number`), the part not applied being credit."""

    SETTLEMENT = frozenset({"unapplied"})

    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="payments", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="payments", on_delete=fields.RESTRICT
    )
    startup_id: int
    received_on = fields.DateField()
    amount = money_field()
    method = fields.CharEnumField(PaymentMethod, max_length=16)
    payer = fields.CharField(max_length=100)
    reference = fields.CharField(max_length=100, default="")
    note = fields.CharField(max_length=300, default="")
    # Settlement: the part not (or no longer) applied to a bill, i.e. credit on the account.
    unapplied = money_field()

    allocations: fields.ReverseRelation[PaymentAllocation]
    scope = STARTUP_ROW_SCOPE

    class Meta:
        table = "payment"
        unique_together = [("base", "number"), ("base", "chain_seq")]
        ordering = ["-received_on", "-id"]
        indexes = [("startup_id", "received_on"), ("startup_id", "unapplied")]


class PaymentAllocation(Model):
    """Part of a payment applied to a bill (a negative row gives it back when a credit note overpays the bill)."""

    id = fields.IntField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="allocations", on_delete=fields.RESTRICT
    )
    payment_id: int
    bill: fields.ForeignKeyRelation[Bill] = fields.ForeignKeyField(
        "models.Bill", related_name="allocations", on_delete=fields.RESTRICT
    )
    bill_id: int
    amount = money_field()
    credit_note: fields.ForeignKeyNullableRelation[CreditNote] = fields.ForeignKeyField(
        "models.CreditNote", related_name="released", null=True, on_delete=fields.RESTRICT
    )
    credit_note_id: int | None
    applied_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="bill__base__region_id",
        base="bill__base_id",
        startup="bill__startup_id",
    )

    class Meta:
        table = "payment_allocation"
        ordering = ["id"]
        indexes = [("bill_id", "payment_id")]


class FapiaoRecord(Model):
    """A tax fapiao (发票) issued outside this system for a bill: its number, date and amount."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="fapiao_records", on_delete=fields.RESTRICT
    )
    base_id: int
    bill: fields.ForeignKeyRelation[Bill] = fields.ForeignKeyField(
        "models.Bill", related_name="fapiao_records", on_delete=fields.RESTRICT
    )
    bill_id: int
    number = fields.CharField(max_length=20)
    issued_on = fields.DateField()
    amount = money_field()
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        region="base__region_id",
        base="base_id",
        startup="bill__startup_id",
    )

    class Meta:
        table = "fapiao_record"
        unique_together = [("base", "number")]
        ordering = ["issued_on", "id"]


class ServiceCharge(Model):
    """A service used by a startup (utilities, a meeting room, other) waiting for its next bill."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="service_charges", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="service_charges", on_delete=fields.RESTRICT
    )
    startup_id: int
    kind = fields.CharEnumField(LineKind, max_length=16)
    description = fields.CharField(max_length=200)
    incurred_on = fields.DateField()
    quantity = fields.DecimalField(max_digits=12, decimal_places=3)
    unit_price = money_field()
    amount = money_field()
    bill_line: fields.ForeignKeyNullableRelation[BillLine] = fields.ForeignKeyField(
        "models.BillLine", related_name="charges", null=True, on_delete=fields.RESTRICT
    )
    bill_line_id: int | None
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = STARTUP_ROW_SCOPE

    class Meta:
        table = "service_charge"
        ordering = ["incurred_on", "id"]
        indexes = [("base_id", "bill_line_id", "incurred_on")]
