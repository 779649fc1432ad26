"""Disbursement (拨付): a bureau's batch of applications to pay on a day, its transfer list, then paid.

A batch takes applications whose public notice ended before today and before the payment
date, and that no other batch holds; it is numbered BF-<region>-<year>-<seq> from a sequence
counted under the bureau's row lock. While it is a draft, applications may be taken out of it
and it may be deleted. Recording it as paid (with the bank's reference) moves every
application to `paid` in one transaction: a paid application is final, no transition leaves it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from grants.forms.notices import DisbursementInput, PaidInput
from grants.models import Application, AppState, Disbursement, DisbursementState, PublicNotice
from grants.services import notices, workflow
from grants.services.notices import bureau_of, refused
from incubator import audit, formatting
from incubator.access import Principal, get_visible, require, visible
from incubator.errors import Conflict, NotFound
from incubator.i18n import N_, gettext
from incubator.models import Bureau
from incubator.spreadsheets import CellValue, Heading, WorkbookWriter

BATCH_FIELDS = ("number", "pay_on", "state", "total", "count", "bank_reference", "paid_on")
TRANSFER_HEADINGS = (
    (N_("Seq."), "number"),
    (N_("Application number"), "code"),
    (N_("Payee (organisation or person)"), "text"),
    (N_("Opening bank"), "text"),
    (N_("Bank account number"), "code"),
    (N_("Amount"), "money"),
    (N_("Amount in capitals"), "text"),
    (N_("Subsidy item"), "text"),
    (N_("Base of the startup"), "text"),
)


def visible_batches(principal: Principal) -> QuerySet[Disbursement]:
    require(principal, "subsidy.batches")
    return visible(principal, Disbursement)


async def get_batch(principal: Principal, disbursement_id: int) -> Disbursement:
    batch = await get_visible(principal, Disbursement, disbursement_id)
    require(principal, "subsidy.batches", batch)
    return batch


def disbursable(principal: Principal, on: dt.date | None = None) -> QuerySet[Application]:
    """Applications in a notice whose period ended before `on` (today), in no batch yet."""
    return visible(principal, Application).filter(
        state=AppState.IN_NOTICE, disbursement_id=None, notice__ends_on__lt=on or formatting.today()
    )


def lines(batch: Disbursement) -> QuerySet[Application]:
    return Application.filter(disbursement_id=batch.id).select_related("startup", "policy", "base").order_by("id")


async def _next_number(region_code: str, year: int) -> str:
    """The next number of the region's batches of the year; call under the bureau's row lock."""
    prefix = f"BF-{region_code}-{year}-"
    last = await Disbursement.filter(number__startswith=prefix).order_by("-number").first()
    seq = int(last.number.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:04d}"


async def _refresh(batch: Disbursement) -> None:
    """The batch's count and total, summed in SQL from its applications."""
    rows = (
        await Application.filter(disbursement_id=batch.id)
        .annotate(total=Sum("approved_amount"), n=Count("id"))
        .values("total", "n")
    )
    row = rows[0] if rows else {}
    batch.total = formatting.to_fen(Decimal(str(row.get("total") or 0)))
    batch.count = int(row.get("n") or 0)
    await batch.save(update_fields=["total", "count"])


async def _record(principal: Principal, action: str, batch: Disbursement, **values: Any) -> None:
    await audit.record(principal, action, batch, region_code=batch.region_code, **values)


async def create_batch(principal: Principal, data: DisbursementInput) -> Disbursement:
    """Prepare a batch paying these applications on `pay_on`: their notices must be over, no other batch theirs."""
    require(principal, "subsidy.review")
    bureau = await bureau_of(principal)
    today = formatting.today()
    if not data.application_ids:
        raise refused("application_ids", N_("Choose at least one application."))
    seen = await visible(principal, Application).filter(id__in=list(data.application_ids)).count()
    if seen != len(data.application_ids):
        raise refused("application_ids", N_("Choose from the listed applications."))
    async with in_transaction():
        await Bureau.filter(id=bureau.id).select_for_update().get()
        batch = await Disbursement.create(
            bureau_id=bureau.id,
            region_code=bureau.region_id,
            number=await _next_number(bureau.region_id, data.pay_on.year),
            pay_on=data.pay_on,
            created_by_id=principal.user_id or None,
        )
        references = []
        for app_id in sorted(data.application_ids):
            app = await workflow.lock(app_id)
            workflow.guard(app, {AppState.IN_NOTICE})
            if app.disbursement_id is not None:
                other = await Disbursement.get(id=app.disbursement_id)
                raise refused(
                    "application_ids",
                    N_("Application %(ref)s is already in payment batch %(number)s."),
                    ref=app.reference,
                    number=other.number,
                )
            notice = await PublicNotice.get(id=app.notice_id)
            if not (notice.ends_on < today and notice.ends_on < data.pay_on):
                raise refused(
                    "application_ids",
                    N_("The public notice of application %(ref)s runs until %(date)s: it can be paid only after that."),
                    ref=app.reference,
                    date=formatting.date(notice.ends_on),
                )
            app.disbursement_id = batch.id
            await app.save(update_fields=["disbursement_id"])
            references.append(app.reference)
        await _refresh(batch)
        await _record(
            principal,
            "disbursement.created",
            batch,
            after={**audit.snapshot(batch, BATCH_FIELDS), "applications": references},
        )
    return batch


async def _locked_draft(batch: Disbursement) -> Disbursement:
    locked = await Disbursement.filter(id=batch.id).select_for_update().first()
    if locked is None:  # deleted by another officer meanwhile
        raise NotFound()
    if locked.state is not DisbursementState.DRAFT:
        raise Conflict(
            N_("Payment batch %(number)s was recorded as paid on %(date)s: it cannot change."),
            number=locked.number,
            date=formatting.date(locked.paid_on),
        )
    return locked


async def remove_application(principal: Principal, batch: Disbursement, application_id: int) -> Disbursement:
    """Take an application out of a draft batch (it stays in notice, ready for another batch)."""
    require(principal, "subsidy.review", batch)
    async with in_transaction():
        batch = await _locked_draft(batch)
        app = await Application.filter(id=application_id, disbursement_id=batch.id).select_for_update().first()
        if app is None:
            raise refused("application_id", N_("Choose an application of this batch."))
        before = audit.snapshot(batch, BATCH_FIELDS)
        app.disbursement_id = None
        await app.save(update_fields=["disbursement_id"])
        await _refresh(batch)
        await _record(
            principal,
            "disbursement.application_removed",
            batch,
            before=before,
            after={**audit.snapshot(batch, BATCH_FIELDS), "removed": app.reference},
        )
    return batch


async def delete_batch(principal: Principal, batch: Disbursement) -> None:
    """Delete a draft batch; its applications stay in notice, ready for another batch."""
    require(principal, "subsidy.review", batch)
    async with in_transaction():
        batch = await _locked_draft(batch)
        before = audit.snapshot(batch, BATCH_FIELDS)
        await Application.filter(disbursement_id=batch.id).update(disbursement_id=None)
        await _record(principal, "disbursement.deleted", batch, before=before)
        await batch.delete()


async def record_paid(principal: Principal, batch: Disbursement, data: PaidInput) -> Disbursement:
    """Record the batch as paid by the bank: every application of it becomes paid, and final."""
    require(principal, "subsidy.review", batch)
    async with in_transaction():
        batch = await _locked_draft(batch)
        prepared_on = batch.created_at.astimezone(formatting.CHINA).date()
        if data.paid_on < prepared_on:
            raise refused(
                "paid_on",
                N_("The payment cannot be before the batch was prepared (%(date)s)."),
                date=formatting.date(prepared_on),
            )
        found: list[Any] = (
            await Application.filter(disbursement_id=batch.id).order_by("id").values_list("id", flat=True)
        )
        ids = [int(app_id) for app_id in found]
        if not ids:
            raise refused("paid_on", N_("The batch has no application left: delete it instead."))
        before = audit.snapshot(batch, BATCH_FIELDS)
        notice_ids = set()
        for app_id in ids:
            app = await workflow.lock(app_id)
            workflow.guard(app, {AppState.IN_NOTICE})
            await workflow.move(
                principal,
                app,
                AppState.PAID,
                amount=app.amount,
                action="application.paid",
                changes={"paid_on": data.paid_on},
            )
            if app.notice_id is not None:
                notice_ids.add(app.notice_id)
        batch.state = DisbursementState.PAID
        batch.paid_on = data.paid_on
        batch.bank_reference = data.bank_reference
        batch.paid_by_id = principal.user_id or None
        await batch.save(update_fields=["state", "paid_on", "bank_reference", "paid_by_id"])
        await _refresh(batch)
        await _record(principal, "disbursement.paid", batch, before=before, after=audit.snapshot(batch, BATCH_FIELDS))
        await notices.close_settled(principal, notice_ids)
    return batch


async def transfer_list(batch: Disbursement) -> bytes:
    """The bank transfer list of a batch (.xlsx): payee, bank, account, amount and 大写 per line, then the total."""
    book = WorkbookWriter()
    sheet = book.sheet(batch.number, [Heading(gettext(text), kind) for text, kind in TRANSFER_HEADINGS])
    rows: list[list[CellValue]] = []
    for position, app in enumerate(await lines(batch), start=1):
        amount = formatting.to_fen(app.amount)
        rows.append(
            [
                position,
                app.reference,
                app.payee_name,
                app.payee_bank,
                app.payee_account,
                amount,
                formatting.money_in_words(amount),
                app.policy.name,
                app.base.name,
            ]
        )
    total = formatting.to_fen(batch.total)
    rows.append([None, gettext("Total"), None, None, None, total, formatting.money_in_words(total), None, None])
    sheet.extend(rows)
    return await run_in_threadpool(book.save)
