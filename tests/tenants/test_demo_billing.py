"""The demo installation's year of billing: runs, gapless numbers, payments, credit notes, overdue bills,
第三极's free desks billed at nothing with the waived amount shown, and chains that verify."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from incubator import audit
from incubator.formatting import today
from incubator.models import AuditEvent, Base
from tenants.demo.lifecycle import add_months, month_end, month_start
from tenants.models import (
    Bill,
    BillingProfile,
    BillingRun,
    BillLine,
    BillStatus,
    ClosedPeriod,
    CreditNote,
    FapiaoRecord,
    Lease,
    LineKind,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    ServiceCharge,
)
from tenants.services import ledger

# These tests only read the demo: it is loaded once for the module.
pytestmark = [pytest.mark.shared_demo, pytest.mark.usefixtures("demo_installation")]

ZERO = Decimal("0.00")


def _gapless(rows: list[tuple[int, int, str]], pattern: str, code: str) -> None:
    """Per year, the numbers 1..n in the base's pattern."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for year, seq, number in rows:
        by_year[year].append(seq)
        assert number == pattern.format(base_code=code, year=year, seq=seq)
    for seqs in by_year.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


async def test_it_bills_each_demo_base_month_by_month(app):
    day = today()
    this_month = month_start(day)
    for base in await Base.all():
        profile = await BillingProfile.get(base_id=base.id)
        assert profile.payee_name and profile.bank_account
        # One run a month over the last twelve (昌都: since January two years ago, for whole years
        # of rent subsidy), each issued in its month's first five days.
        runs = await BillingRun.filter(base_id=base.id).order_by("period")
        first = dt.date(day.year - 2, 1, 1) if base.code == "CDCK" else add_months(this_month, -11)
        count = (this_month.year - first.year) * 12 + this_month.month - first.month + 1
        assert [run.period for run in runs] == [add_months(first, n) for n in range(count)]
        for run in runs:
            assert run.period <= run.issued_on <= min(day, run.period + dt.timedelta(days=4))
            assert run.bills == await Bill.filter(run_id=run.id).count() > 10
        bills = await Bill.filter(base_id=base.id)
        _gapless([(b.year, b.seq, b.number) for b in bills], profile.bill_pattern, base.code)
        notes = await CreditNote.filter(base_id=base.id)
        _gapless([(n.year, n.seq, n.number) for n in notes], profile.credit_note_pattern, base.code)
        payments = await Payment.filter(base_id=base.id)
        _gapless([(p.year, p.seq, p.number) for p in payments], profile.receipt_pattern, base.code)
        assert all(b.issued_on <= day for b in bills) and all(p.received_on <= day for p in payments)
        # What each bill says adds up, and what was paid on it is what its payments applied.
        lines: dict[int, list[BillLine]] = defaultdict(list)
        for line in await BillLine.filter(bill__base_id=base.id):
            lines[line.bill_id].append(line)
        applied: dict[int, Decimal] = defaultdict(Decimal)
        for allocation in await PaymentAllocation.filter(bill__base_id=base.id):
            applied[allocation.bill_id] += allocation.amount
        for b in bills:
            assert sum((x.amount for x in lines[b.id]), ZERO) == b.total == b.rent + b.services
            assert b.rent == b.list_rent - b.waived and b.paid == applied[b.id]
            assert b.balance == b.total - b.credited - b.paid >= 0
        assert any(x.kind in (LineKind.MEETING_ROOM, LineKind.UTILITIES) for xs in lines.values() for x in xs)
        assert not await ServiceCharge.filter(base_id=base.id, bill_line_id__isnull=True, incurred_on__lt=this_month)
        # Most bills paid in full, some in part; several left owing past their due date.
        owing = [b for b in bills if b.status is BillStatus.ISSUED and b.balance > 0]
        overdue = [b for b in owing if b.due_on < day]
        assert 1 <= len(overdue) <= len(bills) // 10, base.code
        assert all(b.issued_on >= add_months(this_month, -3) for b in overdue)
        assert sum(b.balance == 0 for b in bills if b.total > 0) > len(bills) * 0.6
        assert any(0 < b.paid < b.total - b.credited for b in bills)
        methods = Counter(p.method for p in payments)
        assert all(methods[method] for method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH))
        assert methods[PaymentMethod.WECHAT] + methods[PaymentMethod.ALIPAY] > 0
        assert all(p.reference for p in payments if p.method is not PaymentMethod.CASH)
        # One payment was more than its bill: the rest was carried to the startup's next bill at issue.
        carried = [
            a
            for a in await PaymentAllocation.filter(bill__base_id=base.id, credit_note_id=None).select_related(
                "payment", "bill"
            )
            if a.applied_on == a.bill.issued_on and a.payment.received_on < a.bill.issued_on
        ]
        assert carried
        # A rent line credited (the bill stays), and a bill issued to the wrong startup reversed whole.
        assert len(notes) >= 2
        statuses = Counter(b.status for b in bills if b.credited > 0)
        assert statuses[BillStatus.CANCELLED] >= 1 and statuses[BillStatus.ISSUED] >= 1
        assert await FapiaoRecord.filter(base_id=base.id).count() >= 1
        # The books are closed through the month before last, month by month.
        assert profile.closed_through == month_end(add_months(this_month, -2))
        assert await ClosedPeriod.filter(base_id=base.id).count() >= 10
        check = await ledger.verify_base(base)
        assert check.ok and check.checked == len(bills) + len(notes) + len(payments)
    assert await AuditEvent.filter(action="bill.issued").count() == await Bill.all().count()
    assert (await audit.verify_chain()).ok


async def test_it_bills_dsjs_free_desks_at_nothing_and_shows_the_waiver(app):
    dsj = await Base.get(code="DSJ")
    free = {lease.id for lease in await Lease.filter(base_id=dsj.id, monthly_rent=0)}
    assert free
    by_bill: dict[int, list[BillLine]] = defaultdict(list)
    for line in await BillLine.filter(lease_id__in=list(free)):
        by_bill[line.bill_id].append(line)
    assert len(by_bill) >= 12
    for bill_lines in by_bill.values():
        rent = sum((x.amount for x in bill_lines if x.kind is LineKind.RENT), ZERO)
        (waiver,) = [x for x in bill_lines if x.kind is LineKind.WAIVER]
        assert rent > 0 and waiver.amount == -rent and sum((x.amount for x in bill_lines), ZERO) == 0
    bills = await Bill.filter(id__in=list(by_bill))
    assert all(b.waived > 0 for b in bills)
    # A free desk's bill with nothing else on it asks nothing, and is never overdue.
    nothing = [b for b in bills if b.total == 0]
    assert nothing and all(b.balance == 0 and b.list_rent == b.waived for b in nothing)
    current = month_start(today())
    assert any(b.period_start >= current for b in nothing)
    # 昌都 has no free desks: its only waivers are free-rent periods of leases.
    chamdo = await Base.get(code="CDCK")
    assert not await Lease.filter(base_id=chamdo.id, monthly_rent=0).exists()
