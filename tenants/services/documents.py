"""What a printed bill (缴费通知单), credit note (红冲单) or receipt (收据) shows, gathered through access.

Each document is read only if the principal sees its row; what it carries besides (lines,
credit notes, payments, fapiao records) hangs off that row. The issuer is the base, with the
payee and bank details of its billing profile. Documents show what was issued (the bill's
`billed_to` snapshot, never the startup's current name) and how it is settled today.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from incubator.access import Principal, get_visible, require
from incubator.formatting import money_in_words
from incubator.models import Base
from tenants.models import (
    Bill,
    BillLine,
    BillStatus,
    CreditNote,
    CreditNoteLine,
    FapiaoRecord,
    Payment,
    PaymentAllocation,
)
from tenants.services.ledger import profile_of
from tenants.services.rents import ZERO


@dataclass(frozen=True)
class Issuer:
    """The base issuing the document and where to pay it."""

    name: str
    address: str
    phone: str
    payee_name: str
    bank_name: str
    bank_account: str
    footer: str


@dataclass(frozen=True)
class BillDocument:
    issuer: Issuer
    bill: Bill
    lines: list[BillLine]
    credit_notes: list[CreditNote]
    # Payments applied to the bill (payment loaded); a negative row gave money back to credit.
    allocations: list[PaymentAllocation]
    fapiao: list[FapiaoRecord]

    @property
    def cancelled(self) -> bool:
        return self.bill.status is BillStatus.CANCELLED

    @property
    def amount_due(self) -> Decimal:
        """What is still to pay on the bill (nothing once cancelled)."""
        return ZERO if self.cancelled else max(self.bill.balance, ZERO)


@dataclass(frozen=True)
class CreditNoteDocument:
    issuer: Issuer
    note: CreditNote
    bill: Bill
    # Each with the bill line it reverses loaded.
    lines: list[CreditNoteLine]


@dataclass(frozen=True)
class ReceiptDocument:
    issuer: Issuer
    payment: Payment
    # Where the money went (bill loaded; credit note loaded on a row giving money back).
    allocations: list[PaymentAllocation]
    amount_in_words: str

    @property
    def kept_as_credit(self) -> Decimal:
        """The part of the payment not applied to any bill: credit on the startup's account."""
        unapplied: Decimal = self.payment.unapplied
        return unapplied


async def _issuer(principal: Principal, base_id: int) -> Issuer:
    base = await get_visible(principal, Base, base_id)
    profile = await profile_of(base.id)
    return Issuer(
        name=base.name,
        address=base.address,
        phone=base.contact_phone,
        payee_name=profile.payee_name or base.name,
        bank_name=profile.bank_name,
        bank_account=profile.bank_account,
        footer=profile.footer,
    )


async def bill_document(principal: Principal, bill_id: int) -> BillDocument:
    """A bill with its lines, credit notes, payments applied and fapiao records; NotFound outside scope."""
    require(principal, "billing.view")
    bill = await get_visible(principal, Bill, bill_id)
    return BillDocument(
        issuer=await _issuer(principal, bill.base_id),
        bill=bill,
        lines=await BillLine.filter(bill_id=bill.id).order_by("position"),
        credit_notes=await CreditNote.filter(bill_id=bill.id).order_by("issued_on", "id"),
        allocations=await PaymentAllocation.filter(bill_id=bill.id)
        .select_related("payment", "credit_note")
        .order_by("applied_on", "id"),
        fapiao=await FapiaoRecord.filter(bill_id=bill.id).order_by("issued_on", "id"),
    )


async def credit_note_document(principal: Principal, credit_note_id: int) -> CreditNoteDocument:
    """A credit note with its lines and the bill lines they reverse; NotFound outside scope."""
    require(principal, "billing.view")
    note = await get_visible(principal, CreditNote, credit_note_id, related=("bill",))
    lines = await CreditNoteLine.filter(credit_note_id=note.id).select_related("bill_line").order_by("id")
    lines.sort(key=lambda line: (line.bill_line.position, line.id))
    return CreditNoteDocument(issuer=await _issuer(principal, note.base_id), note=note, bill=note.bill, lines=lines)


async def receipt_document(principal: Principal, payment_id: int) -> ReceiptDocument:
    """A payment's receipt: the bills it paid, the credit kept and the amount in words; NotFound outside scope."""
    require(principal, "billing.view")
    payment = await get_visible(principal, Payment, payment_id)
    allocations = (
        await PaymentAllocation.filter(payment_id=payment.id)
        .select_related("bill", "credit_note")
        .order_by("applied_on", "id")
    )
    return ReceiptDocument(
        issuer=await _issuer(principal, payment.base_id),
        payment=payment,
        allocations=allocations,
        amount_in_words=money_in_words(payment.amount),
    )
