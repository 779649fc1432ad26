"""Billing services: runs, bills by hand, numbering, the chain, closed periods, credit notes, payments."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from incubator.errors import Forbidden, ValidationFailed
from incubator.models import AuditEvent
from tenants.forms.billing import parse_bill, parse_charge, parse_credit_note, parse_fapiao, parse_payment
from tenants.models import (
    Bill,
    BillingProfile,
    BillingRun,
    BillLine,
    BillStatus,
    CreditNote,
    IssuedDocumentChanged,
    LineKind,
    Payment,
    PaymentAllocation,
    RentConcession,
    ServiceCharge,
)
from tenants.services import bills, ledger, payments
from tests.personas import principal_of

D = Decimal
NOV = dt.date(2026, 11, 1)


async def snapshot_counts() -> tuple[int, ...]:
    return (
        await Bill.all().count(),
        await BillLine.all().count(),
        await CreditNote.all().count(),
        await Payment.all().count(),
        await PaymentAllocation.all().count(),
        await AuditEvent.all().count(),
    )


async def run_november(world, day: dt.date = dt.date(2026, 11, 5)) -> BillingRun:
    operator = await principal_of(world, "operator_dsj")
    return await bills.issue_run(operator, world.bases["dsj"].id, NOV, issued_on=day)


async def test_it_previews_a_run_then_issues_one_bill_per_startup_with_gapless_numbers(world):
    operator = await principal_of(world, "operator_dsj")
    preview = await bills.preview_run(operator, world.bases["dsj"].id, NOV)
    assert [d.startup_name for d in preview.drafts] == ["拉萨格桑花电商创业团队", "拉萨雪域青稞文创有限公司"]
    # Each startup: 1000 of rent (1200 list less 200) and the meeting room the world left unbilled.
    assert preview.total == D("2200.00") and preview.waived == D("400.00")
    before = await snapshot_counts()
    assert await snapshot_counts() == before, "a preview saves nothing"
    run = await bills.issue_run(
        operator, world.bases["dsj"].id, NOV, issued_on=dt.date(2026, 11, 5), digest=preview.digest
    )
    issued = await Bill.filter(run_id=run.id).order_by("seq")
    assert [b.number for b in issued] == ["DSJ-2026-000001", "DSJ-2026-000002"]
    assert [(b.list_rent, b.waived, b.rent, b.services, b.total, b.balance) for b in issued] == [
        (D("1200.00"), D("200.00"), D("1000.00"), D("100.00"), D("1100.00"), D("1100.00"))
    ] * 2
    assert issued[0].due_on == dt.date(2026, 11, 20)
    lines = await BillLine.filter(bill_id=issued[0].id).order_by("position")
    assert [(x.kind, x.space_code, x.amount) for x in lines] == [
        (LineKind.RENT, "A-203-2", D("1200.00")),
        (LineKind.DISCOUNT, "", D("-200.00")),
        (LineKind.MEETING_ROOM, "", D("100.00")),
    ]
    assert (run.bills, run.total) == (2, D("2200.00"))
    assert await AuditEvent.filter(action="bill.issued", object_id__in=[str(b.id) for b in issued]).count() == 2
    assert await AuditEvent.filter(action="billing.run_issued").count() == 1


async def test_it_refuses_a_second_run_for_the_same_month_and_changes_nothing(world):
    await run_november(world)
    before = await snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        await run_november(world)
    assert failure.value.fields["period"].startswith("The billing run for this month was issued already")
    assert failure.value.field_params["period"]["count"] == 2
    assert await snapshot_counts() == before


async def test_it_refuses_to_issue_when_the_leases_changed_since_the_preview(world):
    operator = await principal_of(world, "operator_dsj")
    preview = await bills.preview_run(operator, world.bases["dsj"].id, NOV)
    await RentConcession.create(
        lease=world.leases["dsj"], start_on=dt.date(2026, 11, 1), end_on=dt.date(2026, 11, 30), monthly_rent=0
    )
    with pytest.raises(ValidationFailed) as failure:
        await bills.issue_run(operator, world.bases["dsj"].id, NOV, digest=preview.digest)
    assert "changed since the preview" in failure.value.fields["period"]
    assert not await BillingRun.exists()


async def test_it_bills_a_quarterly_lease_once_per_quarter_and_a_late_start_from_its_first_day(world):
    lease = world.leases["dsj"]
    lease.billing_cycle = "quarterly"
    lease.start_on = dt.date(2026, 11, 16)
    await lease.save()
    run = await run_november(world)
    bill = await Bill.get(run_id=run.id, startup_id=world.startups["dsj"].id)
    # 16–30 November (15/30 of 1000 = 500.00) and the whole of December (1000.00).
    assert (bill.period_start, bill.period_end, bill.rent) == (
        dt.date(2026, 11, 16),
        dt.date(2026, 12, 31),
        D("1500.00"),
    )
    operator = await principal_of(world, "operator_dsj")
    december = await bills.preview_run(operator, world.bases["dsj"].id, dt.date(2026, 12, 1))
    assert [d.startup_id for d in december.drafts] == [world.startups["dsj_sibling"].id]


async def test_it_issues_a_bill_by_hand_with_rent_services_and_pending_charges(world):
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    await bills.add_charge(
        operator,
        parse_charge(
            {
                "startup_id": str(startup.id),
                "kind": "meeting_room",
                "description": "路演厅 3小时",
                "incurred_on": "2026-10-20",
                "quantity": "3",
                "unit_price": "80.00",
            },
            today=dt.date(2026, 11, 1),
        ),
    )
    data = parse_bill(
        {
            "startup_id": str(startup.id),
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
            "issued_on": "2026-11-02",
            "include_rent": "on",
            "include_charges": "on",
            "line_kind": ["utilities", "other"],
            "line_description": ["电费 10月", ""],
            "line_quantity": ["312.5", ""],
            "line_unit_price": ["0.56", ""],
        },
        today=dt.date(2026, 11, 2),
    )
    bill = await bills.issue_bill(operator, data)
    lines = await BillLine.filter(bill_id=bill.id).order_by("position")
    assert [(x.kind, x.amount) for x in lines] == [
        (LineKind.RENT, D("1200.00")),
        (LineKind.DISCOUNT, D("-200.00")),
        (LineKind.MEETING_ROOM, D("100.00")),
        (LineKind.MEETING_ROOM, D("240.00")),
        (LineKind.UTILITIES, D("175.00")),
    ]
    assert (bill.rent, bill.services, bill.total) == (D("1000.00"), D("515.00"), D("1515.00"))
    charge = await ServiceCharge.get(startup_id=startup.id, description="路演厅 3小时")
    assert charge.bill_line_id == lines[3].id
    # October's rent is billed now, so November's run starts after it and never bills it twice.
    preview = await bills.preview_run(operator, world.bases["dsj"].id, dt.date(2026, 10, 1))
    assert [d.startup_id for d in preview.drafts] == [world.startups["dsj_sibling"].id]


async def test_it_keeps_the_chain_verifiable_and_detects_an_altered_or_removed_bill(world):
    await run_november(world)
    base = world.bases["dsj"]
    check = await ledger.verify_base(base)
    # The world's bill, payment and credit note of each of the two startups, then the run's two bills.
    assert check.ok and check.checked == 8
    bill = await Bill.get(number="DSJ-2026-000002")
    await Bill.filter(id=bill.id).update(total=D("1.00"))
    check = await ledger.verify_base(base)
    assert (check.ok, check.broken_at, check.reason) == (False, 8, "content altered")
    await Bill.filter(id=bill.id).update(total=D("1100.00"))
    assert (await ledger.verify_base(base)).ok
    await BillLine.filter(bill_id=bill.id).update(amount=D("0.00"))
    assert (await ledger.verify_base(base)).reason == "content altered"


async def test_it_refuses_to_edit_or_delete_an_issued_bill(world):
    await run_november(world)
    bill = await Bill.get(number="DSJ-2026-000001")
    bill.total = D("1.00")
    with pytest.raises(IssuedDocumentChanged):
        await bill.save()
    with pytest.raises(IssuedDocumentChanged):
        await bill.delete()
    assert (await Bill.get(id=bill.id)).total == D("1100.00")


async def test_it_closes_a_month_and_refuses_anything_dated_inside_it(world):
    operator = await principal_of(world, "operator_dsj")
    base_id = world.bases["dsj"].id
    await ledger.close_month(operator, base_id, dt.date(2026, 10, 1))
    assert (await BillingProfile.get(base_id=base_id)).closed_through == dt.date(2026, 10, 31)
    before = await snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        await bills.issue_run(operator, base_id, NOV, issued_on=dt.date(2026, 10, 31))
    assert failure.value.fields["issued_on"] == "The books are closed through %(date)s: choose a later date."
    with pytest.raises(ValidationFailed):
        await bills.issue_run(operator, base_id, dt.date(2026, 10, 1), issued_on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationFailed) as failure:
        await ledger.close_month(operator, base_id, dt.date(2026, 9, 1))
    assert failure.value.fields["month"] == "The books are closed through %(date)s already."
    assert await snapshot_counts() == before


async def test_it_pays_the_oldest_bills_first_then_keeps_an_overpayment_as_credit_for_the_next_bill(world):
    run = await run_november(world)
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    old = await Bill.get(id=world.bills["dsj"].id)
    assert old.balance == D("300.00"), "January 2025: 1000 less 600 paid and 100 credited"
    bill = await Bill.get(run_id=run.id, startup_id=startup.id)
    first = await payments.record_payment(
        operator,
        parse_payment(
            {
                "startup_id": str(startup.id),
                "received_on": "2026-11-10",
                "amount": "400.00",
                "method": "cash",
                "payer": "次仁卓玛",
            },
            today=dt.date(2026, 11, 10),
        ),
    )
    old, bill = await Bill.get(id=old.id), await Bill.get(id=bill.id)
    assert (first.number, old.balance, bill.paid, bill.balance, first.unapplied) == (
        "DSJ-SJ-2026-000001",
        D("0.00"),
        D("100.00"),
        D("1000.00"),
        D("0.00"),
    )
    second = await payments.record_payment(
        operator,
        parse_payment(
            {
                "startup_id": str(startup.id),
                "received_on": "2026-11-12",
                "amount": "1400.00",
                "method": "wechat",
                "payer": "次仁卓玛",
                "reference": "4200001234202611",
                "allocations": [{"bill_id": bill.id, "amount": "1000.00"}],
            },
            today=dt.date(2026, 11, 12),
        ),
    )
    bill = await Bill.get(id=bill.id)
    assert (bill.balance, second.unapplied) == (D("0.00"), D("400.00"))
    december = await bills.issue_run(
        operator, world.bases["dsj"].id, dt.date(2026, 12, 1), issued_on=dt.date(2026, 11, 22)
    )
    nxt = await Bill.get(run_id=december.id, startup_id=startup.id)
    assert (nxt.total, nxt.paid, nxt.balance) == (D("1000.00"), D("400.00"), D("600.00"))
    assert (await Payment.get(id=second.id)).unapplied == D("0.00")
    assert (await ledger.verify_base(world.bases["dsj"])).checked == 12


async def test_it_refuses_bad_payments_with_a_clear_message_and_changes_nothing(world):
    run = await run_november(world)
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    bill = await Bill.get(run_id=run.id, startup_id=startup.id)
    good = {"startup_id": str(startup.id), "received_on": "2026-11-10", "method": "cash", "payer": "x"}
    for amount, message in [
        ("0", "The amount must be more than zero."),
        ("-5", "The amount must be more than zero."),
        ("10.001", "At most %(places)d decimal places."),
        ("NaN", "Enter a number."),
    ]:
        with pytest.raises(ValidationFailed) as failure:
            parse_payment({**good, "amount": amount}, today=dt.date(2026, 11, 10))
        assert failure.value.fields["amount"] == message
    before = await snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        await payments.record_payment(
            operator,
            parse_payment(
                {**good, "amount": "2000", "allocations": [{"bill_id": bill.id, "amount": "1500.00"}]},
                today=dt.date(2026, 11, 10),
            ),
        )
    assert failure.value.fields["allocations"] == "Bill %(number)s has %(balance)s left to pay."
    await payments.issue_credit_note(
        operator, bill, parse_credit_note({"whole": "on", "reason": "退租"}, today=dt.date(2026, 11, 6))
    )
    before = await snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        await payments.record_payment(
            operator,
            parse_payment(
                {**good, "amount": "100", "allocations": [{"bill_id": bill.id, "amount": "100.00"}]},
                today=dt.date(2026, 11, 10),
            ),
        )
    assert failure.value.fields["allocations"] == "Bill %(number)s is cancelled: nothing can be paid on it."
    assert await snapshot_counts() == before


async def test_it_credits_selected_lines_then_refuses_a_credit_larger_than_what_remains(world):
    run = await run_november(world)
    operator = await principal_of(world, "operator_dsj")
    bill = await Bill.get(run_id=run.id, startup_id=world.startups["dsj"].id)
    rent_line = await BillLine.get(bill_id=bill.id, kind=LineKind.RENT)
    note = await payments.issue_credit_note(
        operator,
        bill,
        parse_credit_note(
            {"reason": "11月按15天计", "lines": [{"line_id": rent_line.id, "amount": "500.00"}]},
            today=dt.date(2026, 11, 20),
        ),
    )
    bill = await Bill.get(id=bill.id)
    assert (note.number, note.total, bill.credited, bill.balance, bill.status) == (
        "DSJ-HC-2026-000001",
        D("500.00"),
        D("500.00"),
        D("600.00"),
        BillStatus.ISSUED,
    )
    before = await snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        await payments.issue_credit_note(
            operator,
            bill,
            parse_credit_note(
                {"reason": "x", "lines": [{"line_id": rent_line.id, "amount": "700.00"}]}, today=dt.date(2026, 11, 20)
            ),
        )
    assert failure.value.fields == {
        "lines": "The credit note would be %(total)s but the bill has %(remaining)s left to credit."
    }
    assert await snapshot_counts() == before
    assert (await ledger.verify_base(world.bases["dsj"])).ok


async def test_it_returns_what_was_paid_beyond_a_credited_bill_to_the_account(world):
    run = await run_november(world)
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    bill = await Bill.get(run_id=run.id, startup_id=startup.id)
    payment = await payments.record_payment(
        operator,
        parse_payment(
            {
                "startup_id": str(startup.id),
                "received_on": "2026-11-10",
                "amount": "1100",
                "method": "cash",
                "payer": "x",
                "allocations": [{"bill_id": bill.id, "amount": "1100"}],
            },
            today=dt.date(2026, 11, 10),
        ),
    )
    await payments.issue_credit_note(
        operator, bill, parse_credit_note({"whole": "1", "reason": "重复开单"}, today=dt.date(2026, 11, 11))
    )
    bill = await Bill.get(id=bill.id)
    payment = await Payment.get(id=payment.id)
    assert (bill.status, bill.paid, bill.balance, payment.unapplied) == (
        BillStatus.CANCELLED,
        D("0.00"),
        D("0.00"),
        D("1100.00"),
    )
    released = await PaymentAllocation.get(bill_id=bill.id, amount__lt=0)
    assert released.amount == D("-1100.00")


async def test_it_records_a_fapiao_up_to_the_bill_amount(world):
    run = await run_november(world)
    operator = await principal_of(world, "operator_dsj")
    bill = await Bill.get(run_id=run.id, startup_id=world.startups["dsj"].id)
    record = await payments.record_fapiao(
        operator,
        bill,
        parse_fapiao(
            {"number": "25542000000012345678", "issued_on": "2026-11-06", "amount": "600"}, today=dt.date(2026, 11, 6)
        ),
    )
    assert record.amount == D("600.00")
    with pytest.raises(ValidationFailed) as failure:
        await payments.record_fapiao(
            operator,
            bill,
            parse_fapiao(
                {"number": "12345678", "issued_on": "2026-11-06", "amount": "500.01"}, today=dt.date(2026, 11, 6)
            ),
        )
    assert failure.value.fields == {"amount": "Fapiao for this bill would add up to more than it asks (%(net)s)."}
    with pytest.raises(ValidationFailed) as failure:
        parse_fapiao({"number": "1234", "issued_on": "2026-11-06", "amount": "1"}, today=dt.date(2026, 11, 6))
    assert "number" in failure.value.fields


async def test_it_lets_only_the_bases_operator_bill(world):
    other = await principal_of(world, "operator_chamdo")
    founder = await principal_of(world, "founder_dsj")
    before = await snapshot_counts()
    for principal in (other, founder):
        with pytest.raises(Forbidden):
            await bills.issue_run(principal, world.bases["dsj"].id, NOV)
    assert await snapshot_counts() == before


def test_it_validates_numbering_patterns():
    assert ledger.pattern_error("{base_code}-{year}-{seq:06d}") is None
    assert ledger.pattern_error("{base_code}-{year}") == "The pattern must contain {seq}."
    assert ledger.pattern_error("{base}-{seq}") == "Use only {base_code}, {year} and {seq} in the pattern."
    assert ledger.pattern_error("{seq") == "The pattern has an unmatched brace."
    assert ledger.render_number("{base_code}/{year}/{seq:04d}", "CDCK", 2026, 7) == "CDCK/2026/0007"


async def test_it_numbers_fifty_concurrent_bills_without_gaps_or_duplicates(world):
    operator = await principal_of(world, "operator_dsj")
    startups = [world.startups["dsj"], world.startups["dsj_sibling"]]

    async def one(index: int) -> Bill:
        data = parse_bill(
            {
                "startup_id": str(startups[index % 2].id),
                "period_start": "2026-11-01",
                "period_end": "2026-11-30",
                "issued_on": "2026-11-20",
                "lines": [
                    {"kind": "utilities", "description": f"电费 {index}", "quantity": "1", "unit_price": "10.00"}
                ],
            },
            today=dt.date(2026, 11, 20),
        )
        return await bills.issue_bill(operator, data)

    issued = await asyncio.gather(*(one(i) for i in range(50)))
    seqs = sorted(b.seq for b in issued)
    assert seqs == list(range(1, 51))
    assert len({b.number for b in issued}) == 50
    assert await Bill.filter(base_id=world.bases["dsj"].id, year=2026).count() == 50
    check = await ledger.verify_base(world.bases["dsj"])
    assert check.ok and check.checked == 56, check


async def test_it_lets_only_one_of_fifty_concurrent_runs_for_a_month_issue(world):
    operator = await principal_of(world, "operator_dsj")
    results = await asyncio.gather(
        *(bills.issue_run(operator, world.bases["dsj"].id, NOV, issued_on=dt.date(2026, 11, 5)) for _ in range(50)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, BillingRun) for r in results) == 1
    assert all(isinstance(r, (BillingRun, ValidationFailed)) for r in results), results
    assert await BillingRun.all().count() == 1
    assert await Bill.filter(run_id__isnull=False).count() == 2
    assert (await ledger.verify_base(world.bases["dsj"])).ok
