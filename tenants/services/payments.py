"""Money received (payments with their receipts), credit notes (红冲) and fapiao records.

A payment is applied to the bills named, or to the oldest bills still owing; what is left is
credit on the startup's account and is applied to its next bill. A credit note reduces what a
bill asks; if the bill was paid beyond its new amount, the excess goes back to credit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, get_visible
from incubator.errors import ValidationFailed
from incubator.formatting import money
from incubator.i18n import N_
from incubator.models import Base
from tenants.forms.billing import CreditNoteInput, FapiaoInput, PaymentInput
from tenants.models import (
    Bill,
    BillLine,
    BillStatus,
    CreditNote,
    CreditNoteLine,
    FapiaoRecord,
    Payment,
    PaymentAllocation,
    Series,
    Startup,
)
from tenants.services import ledger
from tenants.services.rents import ZERO


async def _allocate(payment: Payment, bill: Bill, amount: Decimal, day: dt.date) -> None:
    await PaymentAllocation.create(payment_id=payment.id, bill_id=bill.id, amount=amount, applied_on=day)
    payment.unapplied -= amount
    bill.paid += amount
    bill.balance -= amount
    await bill.save(update_fields=["paid", "balance"])


async def record_payment(principal: Principal, data: PaymentInput) -> Payment:
    """Record money received from a startup and apply it; issues the receipt number."""
    startup = await get_visible(principal, Startup, data.startup_id)
    ledger.require_operator(principal, startup.base_id)
    base = await Base.get(id=startup.base_id)
    async with in_transaction():
        profile = await ledger.lock(base.id)
        ledger.refuse_closed(profile, data.received_on, "received_on")
        named = {a.bill_id: a.amount for a in data.allocations}
        bills = await Bill.filter(id__in=list(named), startup_id=startup.id).select_for_update().order_by("id")
        if len(bills) != len(named):
            raise ValidationFailed({"allocations": N_("Choose bills of this startup.")})
        for bill in bills:
            if bill.status is BillStatus.CANCELLED:
                raise ValidationFailed(
                    {"allocations": N_("Bill %(number)s is cancelled: nothing can be paid on it.")},
                    field_params={"allocations": {"number": bill.number}},
                )
            if named[bill.id] > bill.balance:
                raise ValidationFailed(
                    {"allocations": N_("Bill %(number)s has %(balance)s left to pay.")},
                    field_params={"allocations": {"number": bill.number, "balance": money(bill.balance)}},
                )
        if not named:
            # Nothing named: pay the oldest bills still owing, then keep the rest as credit.
            bills = (
                await Bill.filter(startup_id=startup.id, status=BillStatus.ISSUED, balance__gt=0)
                .select_for_update()
                .order_by("due_on", "id")
            )
        number, year, seq = await ledger.next_number(profile, base, Series.RECEIPT, data.received_on)
        payment = Payment(
            base_id=base.id,
            startup_id=startup.id,
            number=number,
            year=year,
            seq=seq,
            received_on=data.received_on,
            amount=data.amount,
            method=data.method,
            payer=data.payer,
            reference=data.reference,
            note=data.note,
            unapplied=data.amount,
            created_by=principal.username,
        )
        ledger.seal(profile, payment, ledger.payment_content(payment))
        await payment.save()
        applied = []
        for bill in bills:
            share = named.get(bill.id) if named else min(bill.balance, payment.unapplied)
            if share is None or share <= 0:
                continue
            await _allocate(payment, bill, share, data.received_on)
            applied.append({"bill": bill.number, "amount": share})
        await payment.save(update_fields=["unapplied"])
        await ledger.save_head(profile)
        await audit.record(
            principal,
            "payment.recorded",
            payment,
            base_id=base.id,
            region_code=base.region_id,
            after={
                "receipt": payment.number,
                "startup_id": startup.id,
                "received_on": payment.received_on,
                "amount": payment.amount,
                "method": payment.method,
                "applied": applied,
                "credit": payment.unapplied,
                "hash": payment.hash,
            },
        )
    return payment


async def apply_credit(principal: Principal, startup: Startup, day: dt.date) -> Decimal:
    """Apply the startup's account credit to its bills still owing, oldest first."""
    ledger.require_operator(principal, startup.base_id)
    base = await Base.get(id=startup.base_id)
    applied = ZERO
    async with in_transaction():
        profile = await ledger.lock(base.id)
        ledger.refuse_closed(profile, day, "day")
        credits = await Payment.filter(startup_id=startup.id, unapplied__gt=0).order_by("received_on", "id")
        bills = await Bill.filter(startup_id=startup.id, status=BillStatus.ISSUED, balance__gt=0).order_by(
            "due_on", "id"
        )
        moves = []
        for payment in credits:
            for bill in bills:
                share = min(payment.unapplied, bill.balance)
                if share > 0:
                    await _allocate(payment, bill, share, day)
                    applied += share
                    moves.append({"receipt": payment.number, "bill": bill.number, "amount": share})
            await payment.save(update_fields=["unapplied"])
        if not moves:
            raise ValidationFailed({"__all__": N_("There is no credit to apply, or no bill owing.")})
        await audit.record(
            principal,
            "payment.credit_applied",
            startup,
            base_id=base.id,
            region_code=base.region_id,
            after={"applied": moves, "total": applied},
        )
    return applied


async def issue_credit_note(principal: Principal, bill: Bill, data: CreditNoteInput) -> CreditNote:
    """Reverse a whole bill or selected lines; never more than the bill still asks."""
    ledger.require_operator(principal, bill.base_id)
    base = await Base.get(id=bill.base_id)
    async with in_transaction():
        profile = await ledger.lock(base.id)
        ledger.refuse_closed(profile, data.issued_on, "issued_on")
        bill = await Bill.select_for_update().get(id=bill.id)
        if bill.status is BillStatus.CANCELLED:
            raise ValidationFailed({"__all__": N_("This bill is cancelled already: nothing is left to credit.")})
        if data.issued_on < bill.issued_on:
            raise ValidationFailed({"issued_on": N_("A credit note cannot be dated before its bill.")})
        lines = {line.id: line for line in await BillLine.filter(bill_id=bill.id).order_by("position")}
        remaining = bill.total - bill.credited
        credits: list[tuple[BillLine, Decimal]] = []
        if data.whole:
            credits = [(line, line.amount - line.credited) for line in lines.values() if line.amount != line.credited]
        else:
            for index, wanted in enumerate(data.lines):
                line = lines.get(wanted.line_id)
                if line is None:
                    raise ValidationFailed({f"credit_line_id.{index}": N_("Choose lines of this bill.")})
                left = line.amount - line.credited
                amount = wanted.amount if wanted.amount is not None else left
                if line.amount <= 0 or amount > left:
                    raise ValidationFailed(
                        {f"credit_amount.{index}": N_("At most %(amount)s can be credited on this line.")},
                        field_params={f"credit_amount.{index}": {"amount": money(max(left, ZERO))}},
                    )
                credits.append((line, amount))
        total = sum((amount for _, amount in credits), ZERO)
        if total <= 0 or total > remaining:
            raise ValidationFailed(
                {"lines": N_("The credit note would be %(total)s but the bill has %(remaining)s left to credit.")},
                field_params={"lines": {"total": money(total), "remaining": money(remaining)}},
            )
        number, year, seq = await ledger.next_number(profile, base, Series.CREDIT_NOTE, data.issued_on)
        note = CreditNote(
            base_id=base.id,
            startup_id=bill.startup_id,
            bill_id=bill.id,
            number=number,
            year=year,
            seq=seq,
            issued_on=data.issued_on,
            reason=data.reason,
            total=total,
            created_by=principal.username,
        )
        note_lines = [CreditNoteLine(bill_line_id=line.id, amount=amount) for line, amount in credits]
        ledger.seal(profile, note, ledger.credit_note_content(note, bill.number, note_lines))
        await note.save()
        for cline, (line, amount) in zip(note_lines, credits, strict=True):
            cline.credit_note_id = note.id
            await cline.save()
            line.credited += amount
            await line.save(update_fields=["credited"])
        bill.credited += total
        bill.balance -= total
        released = await _release_overpayment(bill, note)
        if bill.total == bill.credited:
            bill.status = BillStatus.CANCELLED
        await bill.save(update_fields=["credited", "paid", "balance", "status"])
        await ledger.save_head(profile)
        await audit.record(
            principal,
            "credit_note.issued",
            note,
            base_id=base.id,
            region_code=base.region_id,
            after={
                "number": note.number,
                "bill": bill.number,
                "total": total,
                "reason": data.reason,
                "lines": len(note_lines),
                "returned_to_credit": released,
                "bill_status": bill.status,
                "hash": note.hash,
            },
        )
    return note


async def _release_overpayment(bill: Bill, note: CreditNote) -> Decimal:
    """When payments exceed what the bill now asks, give the excess back to the payments as credit."""
    excess = -bill.balance if bill.balance < 0 else ZERO
    released = ZERO
    allocations = await PaymentAllocation.filter(bill_id=bill.id).select_related("payment").order_by("-id")
    for allocation in allocations:
        if released >= excess:
            break
        if allocation.amount <= 0:
            continue
        share = min(allocation.amount, excess - released)
        await PaymentAllocation.create(
            payment_id=allocation.payment_id,
            bill_id=bill.id,
            amount=-share,
            credit_note_id=note.id,
            applied_on=note.issued_on,
        )
        payment = allocation.payment
        payment.unapplied += share
        await payment.save(update_fields=["unapplied"])
        released += share
    bill.paid -= released
    bill.balance += released
    return released


async def record_fapiao(principal: Principal, bill: Bill, data: FapiaoInput) -> FapiaoRecord:
    """Record a fapiao issued outside for the bill; together they never exceed what the bill asks."""
    ledger.require_operator(principal, bill.base_id)
    base = await Base.get(id=bill.base_id)
    async with in_transaction():
        await ledger.lock(base.id)
        if data.issued_on < bill.issued_on:
            raise ValidationFailed({"issued_on": N_("The fapiao cannot be dated before the bill.")})
        recorded = sum((f.amount for f in await FapiaoRecord.filter(bill_id=bill.id)), ZERO)
        net = bill.total - bill.credited
        if recorded + data.amount > net:
            raise ValidationFailed(
                {"amount": N_("Fapiao for this bill would add up to more than it asks (%(net)s).")},
                field_params={"amount": {"net": money(net)}},
            )
        if await FapiaoRecord.exists(base_id=base.id, number=data.number):
            raise ValidationFailed({"number": N_("This fapiao number is recorded already.")})
        record = await FapiaoRecord.create(
            base_id=base.id,
            bill_id=bill.id,
            number=data.number,
            issued_on=data.issued_on,
            amount=data.amount,
            created_by=principal.username,
        )
        await audit.record(
            principal,
            "bill.fapiao_recorded",
            bill,
            base_id=base.id,
            region_code=base.region_id,
            after={"number": data.number, "issued_on": data.issued_on, "amount": data.amount},
        )
    return record
