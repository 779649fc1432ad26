"""Issuing bills: by hand for one startup, or as a billing run over every lease of a base for a month.

A bill is computed as drafts first (the preview), then issued inside one transaction under
the base's ledger lock: number, hash link, lines, the charges it bills and any account credit
applied to it. Nothing about an issued bill is edited afterwards; corrections are credit notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, get_visible
from incubator.errors import ValidationFailed
from incubator.formatting import date as format_date
from incubator.formatting import today
from incubator.i18n import N_
from incubator.models import Base
from incubator.tasks import Progress
from tenants.forms.billing import BillInput, ChargeInput
from tenants.models import (
    Bill,
    BillingCycle,
    BillingProfile,
    BillingRun,
    BillLine,
    BillStatus,
    Lease,
    LeaseSpace,
    LineKind,
    Payment,
    PaymentAllocation,
    RentConcession,
    Series,
    ServiceCharge,
    Startup,
)
from tenants.services import ledger
from tenants.services.bill_lines import LineDraft, SpaceRent, Totals, quarter_of, rent_lines, service_line, totals
from tenants.services.bill_lines import unbilled as unbilled_days
from tenants.services.ledger import month_end
from tenants.services.rents import ZERO

MAX_RUN_BILLS = 5000


@dataclass
class BillDraft:
    """A bill before it is issued: whom it charges, for which days, and its lines."""

    startup_id: int
    startup_name: str
    period_start: dt.date
    period_end: dt.date
    lines: list[LineDraft] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return totals(self.lines)


@dataclass(frozen=True)
class RunPreview:
    base_id: int
    period: dt.date
    drafts: list[BillDraft]
    digest: str
    issued: BillingRun | None

    @property
    def total(self) -> Decimal:
        return sum((d.totals.total for d in self.drafts), ZERO)

    @property
    def waived(self) -> Decimal:
        return sum((d.totals.waived for d in self.drafts), ZERO)


def _split_by_year(start: dt.date, end: dt.date) -> Iterable[tuple[dt.date, dt.date]]:
    """A bill's rent line stays within one calendar year, so rent per year sums exactly."""
    while start <= end:
        last = min(end, dt.date(start.year, 12, 31))
        yield start, last
        start = last + dt.timedelta(days=1)


async def _rent_drafts(
    leases: Sequence[Lease], windows: dict[int, tuple[dt.date, dt.date]]
) -> dict[int, list[LineDraft]]:
    """Rent lines per startup for the unbilled days of each lease within its window."""
    ids = [lease.id for lease in leases]
    if not ids:
        return {}
    spaces: dict[int, list[SpaceRent]] = defaultdict(list)
    for link in await LeaseSpace.filter(lease_id__in=ids).select_related("space").order_by("space__code"):
        spaces[link.lease_id].append(SpaceRent(link.space_id, link.space.code, link.list_rent))
    concessions: dict[int, list[RentConcession]] = defaultdict(list)
    for concession in await RentConcession.filter(lease_id__in=ids):
        concessions[concession.lease_id].append(concession)
    earliest = min(w[0] for w in windows.values())
    billed: dict[int, set[tuple[dt.date, dt.date]]] = defaultdict(set)
    rows = await BillLine.filter(
        lease_id__in=ids, kind=LineKind.RENT, bill__status=BillStatus.ISSUED, period_end__gte=earliest
    ).values_list("lease_id", "period_start", "period_end")
    for lease_id, first, last in rows:
        billed[lease_id].add((first, last))
    drafts: dict[int, list[LineDraft]] = defaultdict(list)
    for lease in leases:
        for gap in unbilled_days(windows[lease.id], lease.start_on, lease.occupied_until, billed[lease.id]):
            for start, end in _split_by_year(*gap):
                drafts[lease.startup_id] += rent_lines(
                    lease_id=lease.id,
                    start=start,
                    end=end,
                    monthly_rent=lease.monthly_rent,
                    spaces=spaces[lease.id],
                    concessions=concessions[lease.id],
                )
    return drafts


def _charge_lines(charges: Iterable[ServiceCharge]) -> dict[int, list[LineDraft]]:
    lines: dict[int, list[LineDraft]] = defaultdict(list)
    for charge in charges:
        lines[charge.startup_id].append(
            service_line(
                charge.kind,
                charge.description,
                charge.quantity,
                charge.unit_price,
                day=charge.incurred_on,
                charge_ids=(charge.id,),
            )
        )
    return lines


def digest_of(drafts: Sequence[BillDraft]) -> str:
    """A fingerprint of what a preview showed, so issuing refuses if anything changed since."""
    body = [
        [
            d.startup_id,
            d.period_start.isoformat(),
            d.period_end.isoformat(),
            [[x.kind.value, str(x.amount), x.lease_id, x.space_id, str(x.period_start), x.charge_ids] for x in d.lines],
        ]
        for d in drafts
    ]
    return hashlib.sha256(json.dumps(body, default=str).encode()).hexdigest()


async def run_drafts(base_id: int, period: dt.date) -> list[BillDraft]:
    """The bills a run for the month would issue: rent of every lease whose cycle falls due, and charges."""
    month = (period, month_end(period))
    quarter = quarter_of(period)
    leases = await Lease.filter(base_id=base_id, start_on__lte=quarter[1], occupied_until__gte=quarter[0]).order_by(
        "id"
    )
    windows = {lease.id: quarter if lease.billing_cycle is BillingCycle.QUARTERLY else month for lease in leases}
    leases = [
        lease
        for lease in leases
        if lease.start_on <= windows[lease.id][1] and lease.occupied_until >= windows[lease.id][0]
    ]
    rent = await _rent_drafts(leases, windows)
    charges = _charge_lines(
        await ServiceCharge.filter(base_id=base_id, bill_line_id__isnull=True, incurred_on__lte=month[1]).order_by(
            "incurred_on", "id"
        )
    )
    startup_ids = set(rent) | set(charges)
    names = dict(await Startup.filter(id__in=list(startup_ids)).values_list("id", "name"))
    drafts = []
    for startup_id in startup_ids:
        lines = rent[startup_id] + charges[startup_id]
        # The bill's period is its rent's days (or the month for charges alone), never an old charge's day.
        starts = [x.period_start for x in rent[startup_id] if x.period_start] or [month[0]]
        ends = [x.period_end for x in rent[startup_id] if x.period_end] or [month[1]]
        drafts.append(BillDraft(startup_id, str(names.get(startup_id, "")), min(starts), max(ends), lines))
    return sorted(drafts, key=lambda d: (d.startup_name, d.startup_id))


async def preview_run(principal: Principal, base_id: int, period: dt.date) -> RunPreview:
    """What a billing run for the month would issue (nothing is saved), or the run already issued."""
    ledger.require_operator(principal, base_id)
    issued = await BillingRun.get_or_none(base_id=base_id, period=period)
    drafts = [] if issued is not None else await run_drafts(base_id, period)
    return RunPreview(base_id, period, drafts, digest_of(drafts), issued)


async def _apply_credit(bill: Bill, day: dt.date) -> Decimal:
    """Apply the startup's unapplied payments (oldest first) to a new bill; returns the amount applied."""
    applied = ZERO
    if bill.balance <= 0:
        return applied
    credits = await Payment.filter(startup_id=bill.startup_id, unapplied__gt=0).order_by("received_on", "id")
    for payment in credits:
        share = min(payment.unapplied, bill.balance)
        if share <= 0:
            break
        await PaymentAllocation.create(payment_id=payment.id, bill_id=bill.id, amount=share, applied_on=day)
        payment.unapplied -= share
        await payment.save(update_fields=["unapplied"])
        bill.paid += share
        bill.balance -= share
        applied += share
    if applied:
        await bill.save(update_fields=["paid", "balance"])
    return applied


async def issue(
    principal: Principal,
    profile: BillingProfile,
    base: Base,
    startup: Startup,
    draft: BillDraft,
    *,
    issued_on: dt.date,
    due_on: dt.date,
    note: str = "",
    run: BillingRun | None = None,
) -> Bill:
    """Issue one bill inside the caller's transaction, with the profile locked by the caller."""
    number, year, seq = await ledger.next_number(profile, base, Series.BILL, issued_on)
    sums = draft.totals
    bill = Bill(
        base_id=base.id,
        startup_id=startup.id,
        run_id=run.id if run else None,
        number=number,
        year=year,
        seq=seq,
        billed_to=startup.name,
        billed_to_code=startup.uscc or "",
        period_start=draft.period_start,
        period_end=draft.period_end,
        issued_on=issued_on,
        due_on=due_on,
        list_rent=sums.list_rent,
        waived=sums.waived,
        rent=sums.rent,
        services=sums.services,
        total=sums.total,
        note=note,
        credited=ZERO,
        paid=ZERO,
        balance=sums.total,
        status=BillStatus.ISSUED,
        created_by=principal.username,
    )
    lines = [
        BillLine(
            position=position,
            kind=x.kind,
            description=x.description,
            lease_id=x.lease_id,
            space_id=x.space_id,
            space_code=x.space_code,
            period_start=x.period_start,
            period_end=x.period_end,
            days=x.days,
            quantity=x.quantity,
            unit_price=x.price,
            amount=x.amount,
            credited=ZERO,
        )
        for position, x in enumerate(draft.lines, start=1)
    ]
    ledger.seal(profile, bill, ledger.bill_content(bill, lines))
    await bill.save()
    for line, source in zip(lines, draft.lines, strict=True):
        line.bill_id = bill.id
        await line.save()
        if source.charge_ids:
            billed = await ServiceCharge.filter(id__in=list(source.charge_ids), bill_line_id__isnull=True).update(
                bill_line_id=line.id
            )
            if billed != len(source.charge_ids):
                raise ValidationFailed({"__all__": N_("A service charge was billed meanwhile. Please try again.")})
    applied = await _apply_credit(bill, issued_on)
    await audit.record(
        principal,
        "bill.issued",
        bill,
        base_id=base.id,
        region_code=base.region_id,
        after={
            "number": bill.number,
            "startup_id": startup.id,
            "period": [bill.period_start, bill.period_end],
            "total": bill.total,
            "waived": bill.waived,
            "lines": len(lines),
            "credit_applied": applied,
            "hash": bill.hash,
        },
    )
    return bill


def _due(profile: BillingProfile, issued_on: dt.date) -> dt.date:
    return issued_on + dt.timedelta(days=profile.due_days)


async def refuse_run(profile: BillingProfile, period: dt.date, issued_on: dt.date) -> None:
    """Why a run for the month cannot be issued on the day (a closed period, a month run already)."""
    ledger.refuse_closed(profile, issued_on, "issued_on")
    ledger.refuse_closed(profile, period, "period")
    done = await BillingRun.get_or_none(base_id=profile.base_id, period=period)
    if done is not None:
        raise ValidationFailed(
            {"period": N_("The billing run for this month was issued already, on %(date)s (%(count)d bills).")},
            field_params={"period": {"date": format_date(done.issued_on), "count": done.bills}},
        )


async def check_run(principal: Principal, base_id: int, period: dt.date, issued_on: dt.date) -> None:
    """Refuse a run before starting it in the background (it is checked again when issued)."""
    ledger.require_operator(principal, base_id)
    await refuse_run(await ledger.profile_of(base_id), period, issued_on)


async def issue_run(
    principal: Principal,
    base_id: int,
    period: dt.date,
    *,
    issued_on: dt.date | None = None,
    digest: str | None = None,
    progress: Progress | None = None,
) -> BillingRun:
    """Issue every bill of a month's run at once (all or nothing); a month is run once."""
    ledger.require_operator(principal, base_id)
    issued_on = issued_on or today()
    base = await Base.get(id=base_id)
    async with in_transaction():
        profile = await ledger.lock(base_id)
        await refuse_run(profile, period, issued_on)
        drafts = await run_drafts(base_id, period)
        if digest is not None and digest != digest_of(drafts):
            raise ValidationFailed(
                {"period": N_("Leases or charges changed since the preview. Look at the new preview, then issue.")}
            )
        if not drafts:
            raise ValidationFailed({"period": N_("There is nothing to bill for this month.")})
        if len(drafts) > MAX_RUN_BILLS:
            raise ValidationFailed(
                {"period": N_("A run can issue at most %(max)d bills.")},
                field_params={"period": {"max": MAX_RUN_BILLS}},
            )
        run = await BillingRun.create(
            base_id=base_id,
            period=period,
            issued_on=issued_on,
            digest=digest_of(drafts),
            created_by=principal.username,
        )
        startups = {s.id: s for s in await Startup.filter(id__in=[d.startup_id for d in drafts])}
        due_on = _due(profile, issued_on)
        for draft in drafts:
            await issue(
                principal, profile, base, startups[draft.startup_id], draft, issued_on=issued_on, due_on=due_on, run=run
            )
        run.bills = len(drafts)
        run.total = sum((d.totals.total for d in drafts), ZERO)
        await run.save(update_fields=["bills", "total"])
        await ledger.save_head(profile)
        await audit.record(
            principal,
            "billing.run_issued",
            run,
            base_id=base_id,
            region_code=base.region_id,
            after={"period": period, "issued_on": issued_on, "bills": run.bills, "total": run.total},
        )
    return run


async def manual_draft(principal: Principal, data: BillInput) -> tuple[Startup, BillDraft]:
    """The draft of a bill by hand: typed service lines, and optionally rent due and pending charges."""
    startup = await get_visible(principal, Startup, data.startup_id)
    ledger.require_operator(principal, startup.base_id)
    window = (data.period_start, data.period_end)
    lines: list[LineDraft] = []
    if data.include_rent:
        leases = await Lease.filter(
            startup_id=startup.id, start_on__lte=data.period_end, occupied_until__gte=data.period_start
        ).order_by("start_on", "id")
        rent = await _rent_drafts(leases, {lease.id: window for lease in leases})
        lines += rent.get(startup.id, [])
    if data.include_charges:
        pending = await ServiceCharge.filter(
            startup_id=startup.id, bill_line_id__isnull=True, incurred_on__lte=data.period_end
        ).order_by("incurred_on", "id")
        lines += _charge_lines(pending).get(startup.id, [])
    lines += [service_line(x.kind, x.description, x.quantity, x.unit_price) for x in data.lines]
    if not lines:
        raise ValidationFailed(
            {"lines": N_("There is nothing to bill: add a line, or include rent or pending charges.")}
        )
    return startup, BillDraft(startup.id, startup.name, data.period_start, data.period_end, lines)


async def issue_bill(principal: Principal, data: BillInput) -> Bill:
    """Issue one bill by hand for a startup of the operator's base."""
    startup, draft = await manual_draft(principal, data)
    base = await Base.get(id=startup.base_id)
    async with in_transaction():
        profile = await ledger.lock(base.id)
        ledger.refuse_closed(profile, data.issued_on, "issued_on")
        ledger.refuse_closed(profile, data.period_start, "period_start")
        due_on = data.due_on or _due(profile, data.issued_on)
        if due_on < data.issued_on:
            raise ValidationFailed({"due_on": N_("The due date cannot be before the issue date.")})
        bill = await issue(
            principal, profile, base, startup, draft, issued_on=data.issued_on, due_on=due_on, note=data.note
        )
        await ledger.save_head(profile)
    return bill


# -- service charges waiting for a bill -------------------------------------------------

CHARGE_FIELDS = ("startup_id", "kind", "description", "incurred_on", "quantity", "unit_price", "amount")


async def add_charge(principal: Principal, data: ChargeInput) -> ServiceCharge:
    """Keep a service used by a startup (a meeting room, utilities) for its next bill."""
    startup = await get_visible(principal, Startup, data.startup_id)
    ledger.require_operator(principal, startup.base_id)
    line = service_line(data.kind, data.description, data.quantity, data.unit_price)
    base = await Base.get(id=startup.base_id)
    async with in_transaction():
        profile = await ledger.lock(base.id)
        ledger.refuse_closed(profile, data.incurred_on, "incurred_on")
        charge = await ServiceCharge.create(
            base_id=base.id,
            startup_id=startup.id,
            kind=data.kind,
            description=data.description,
            incurred_on=data.incurred_on,
            quantity=data.quantity,
            unit_price=data.unit_price,
            amount=line.amount,
            created_by=principal.username,
        )
        await audit.record(
            principal,
            "billing.charge_added",
            charge,
            base_id=base.id,
            region_code=base.region_id,
            after=audit.snapshot(charge, CHARGE_FIELDS),
        )
    return charge


async def remove_charge(principal: Principal, charge: ServiceCharge) -> None:
    """Remove a charge entered by mistake, while no bill carries it."""
    ledger.require_operator(principal, charge.base_id)
    base = await Base.get(id=charge.base_id)
    async with in_transaction():
        await ledger.lock(base.id)
        removed = await ServiceCharge.filter(id=charge.id, bill_line_id__isnull=True).delete()
        if not removed:
            raise ValidationFailed({"__all__": N_("This charge is on a bill already: correct it with a credit note.")})
        await audit.record(
            principal,
            "billing.charge_removed",
            charge,
            base_id=base.id,
            region_code=base.region_id,
            before=audit.snapshot(charge, CHARGE_FIELDS),
        )


def describe(preview: RunPreview) -> dict[str, Any]:
    """Figures of a preview for pages and the API."""
    return {
        "bills": len(preview.drafts),
        "total": preview.total,
        "waived": preview.waived,
        "digest": preview.digest,
    }
