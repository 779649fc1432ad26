"""Fifty concurrent attempts at the same money-moving change: exactly the expected winners.

Each attempt is a service call in its own transaction, started together with asyncio.gather.
Row locks only bite on PostgreSQL (SQLite serialises its writers on one connection), so the
races on one row are PostgreSQL-only; the numbering ones run on both databases.

Covered elsewhere, not repeated here:
- the same application transition, 50 reviewers at once: tests/grants/test_applications.py
  ::test_concurrent_approvals_have_one_winner;
- the one-time grant, 50 claims of one enterprise at once: tests/grants/test_applications.py
  ::test_concurrent_grant_claims_have_one_winner;
- a batch prepared 10 times and paid 10 times at once: tests/grants/test_disbursements.py
  ::test_concurrent_batches_and_payments_have_one_winner;
- 50 bills by hand for one base at once, and 50 runs of one month: tests/tenants/test_bills.py
  ::test_it_numbers_fifty_concurrent_bills_without_gaps_or_duplicates and
  ::test_it_lets_only_one_of_fifty_concurrent_runs_for_a_month_issue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from grants.forms.notices import PaidInput
from grants.models import Application, ApplicationEvent, AppState, Disbursement, DisbursementState
from grants.services import disbursements
from incubator import audit
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.models import AuditEvent
from tenants.forms.billing import AllocationInput, BillInput, PaymentInput, parse_bill
from tenants.models import Bill, BillingRun, Payment, PaymentAllocation, PaymentMethod
from tenants.services import bills, ledger, payments
from tests.grants.test_disbursements import AFTER, batch_of, noticed
from tests.personas import World, principal_of

ATTEMPTS = 50
D = Decimal


def outcome(result: object) -> str:
    """A short name for what one attempt ended with (an unexpected exception is re-raised)."""
    if isinstance(result, Conflict | NotFound | ValidationFailed):
        return type(result).__name__
    if isinstance(result, BaseException):
        raise result
    return "ok"


@pytest.mark.parametrize("first", ["payment", "deletion"])
async def test_it_pays_or_deletes_a_batch_once_among_fifty_racing_attempts(
    app, world: World, is_postgres: bool, monkeypatch, first: str
):
    """25 officers record a two-application batch as paid while 25 others delete it: one wins, the rest are told.

    Whoever starts first usually wins, so each side is made to start first once.
    """
    if not is_postgres:
        pytest.skip("row locks: PostgreSQL")
    apps = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    batch = await batch_of(world, apps)
    officer = await principal_of(world, "bureau_chamdo")
    events_before = await AuditEvent.all().count()

    deletes = 0 if first == "deletion" else 1

    async def attempt(n: int) -> object:
        if n % 2 == deletes:
            return await disbursements.delete_batch(officer, batch)
        return await disbursements.record_paid(officer, batch, PaidInput(AFTER, f"REF-{n}"))

    results = await asyncio.gather(*(attempt(n) for n in range(ATTEMPTS)), return_exceptions=True)
    outcomes = [outcome(r) for r in results]
    assert outcomes.count("ok") == 1, outcomes
    winner = outcomes.index("ok")
    paid_ids = [a.id for a in apps]
    if winner % 2 != deletes:  # the payment won: the deletions are told it is paid
        assert sorted(set(outcomes)) == ["Conflict", "ok"]
        stored = await Disbursement.get(id=batch.id)
        assert (stored.state, stored.bank_reference, stored.count) == (DisbursementState.PAID, f"REF-{winner}", 2)
        assert await Application.filter(id__in=paid_ids, state=AppState.PAID).count() == 2
        assert await ApplicationEvent.filter(application_id__in=paid_ids, to_state=AppState.PAID).count() == 2
        actions = ["disbursement.paid"]
    else:  # the deletion won: the payments are told the batch is gone
        assert sorted(set(outcomes)) == ["NotFound", "ok"]
        assert not await Disbursement.exists(id=batch.id)
        assert await Application.filter(id__in=paid_ids, state=AppState.IN_NOTICE, disbursement_id=None).count() == 2
        actions = ["disbursement.deleted"]
    new = await AuditEvent.filter(seq__gt=events_before, action__startswith="disbursement.").values_list(
        "action", flat=True
    )
    assert list(new) == actions
    assert (await audit.verify_chain()).ok


def _hand_bill(startup_id: int, day: dt.date, n: int) -> BillInput:
    return parse_bill(
        {
            "startup_id": str(startup_id),
            "period_start": day.replace(day=1).isoformat(),
            "period_end": day.isoformat(),
            "issued_on": day.isoformat(),
            "lines": [{"kind": "utilities", "description": f"水电费 {n}", "quantity": "1", "unit_price": "35.50"}],
        },
        today=day,
    )


async def test_it_numbers_fifty_concurrent_runs_and_bills_of_two_bases_gaplessly_per_base_and_year(world: World):
    """Twelve months' runs of two bases, each month twice, and two bills by hand, all at once."""
    dsj, chamdo = world.bases["dsj"], world.bases["chamdo"]
    operators = {
        dsj.id: await principal_of(world, "operator_dsj"),
        chamdo.id: await principal_of(world, "operator_chamdo"),
    }
    months = [dt.date(2026, m, 1) for m in range(1, 13)]
    runs = [
        bills.issue_run(operators[base.id], base.id, month, issued_on=month.replace(day=5))
        for base in (dsj, chamdo)
        for month in months
        for _twice in range(2)
    ]
    by_hand = [
        bills.issue_bill(operators[dsj.id], _hand_bill(world.startups[key].id, dt.date(2026, 12, 20), n))
        for n, key in enumerate(("dsj", "dsj_sibling"))
    ]
    attempts = [*runs, *by_hand]
    assert len(attempts) == ATTEMPTS
    results = await asyncio.gather(*attempts, return_exceptions=True)
    outcomes = [outcome(r) for r in results]
    # One run per base and month wins; its twin is told the month is billed already.
    assert outcomes.count("ok") == 24 + 2 and outcomes.count("ValidationFailed") == 24, outcomes
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert all(set(r.fields) == {"period"} for r in refused)
    assert await BillingRun.filter(base_id=dsj.id).count() == 12
    assert await BillingRun.filter(base_id=chamdo.id).count() == 12
    for base, expected in ((dsj, 12 * 2 + 2), (chamdo, 12 * 2)):
        issued = await Bill.filter(base_id=base.id, year=2026).values_list("seq", "number")
        assert sorted(seq for seq, _number in issued) == list(range(1, expected + 1)), base.code
        assert len({number for _seq, number in issued}) == expected
        # The world's bills of 2025 keep their own numbers.
        assert sorted(await Bill.filter(base_id=base.id, year=2025).values_list("seq", flat=True)) == [1, 2]
        check = await ledger.verify_base(base)
        assert check.ok, check
    assert (await audit.verify_chain()).ok


async def test_it_applies_fifty_concurrent_payments_to_one_bill_without_paying_it_twice(world: World):
    """Half the payments name the bill's last 300.00, half pay the oldest bills: the bill gets exactly 300.00."""
    operator = await principal_of(world, "operator_dsj")
    bill = world.bills["dsj"]
    before = await Bill.get(id=bill.id)
    assert (before.paid, before.credited, before.balance) == (D("600.00"), D("100.00"), D("300.00"))
    startup_id = world.startups["dsj"].id

    def payment(n: int) -> PaymentInput:
        named = (AllocationInput(bill.id, D("300.00")),) if n % 2 else ()
        return PaymentInput(
            startup_id, dt.date(2026, 3, 2), D("300.00"), PaymentMethod.CASH, "雪域青稞", "", f"#{n}", named
        )

    results = await asyncio.gather(
        *(payments.record_payment(operator, payment(n)) for n in range(ATTEMPTS)), return_exceptions=True
    )
    outcomes = [outcome(r) for r in results]
    recorded = [r for r in results if isinstance(r, Payment)]
    # Every payment that names nothing is kept; of those naming the bill, at most the first to come.
    assert len(recorded) in (25, 26) and outcomes.count("ValidationFailed") == ATTEMPTS - len(recorded), outcomes
    after = await Bill.get(id=bill.id)
    assert (after.paid, after.balance) == (D("900.00"), D("0.00"))
    allocated = await PaymentAllocation.filter(bill_id=bill.id, payment_id__in=[p.id for p in recorded]).values_list(
        "amount", flat=True
    )
    assert sum(allocated, D(0)) == D("300.00")
    stored = await Payment.filter(id__in=[p.id for p in recorded])
    assert sum((p.unapplied for p in stored), D(0)) == D("300.00") * (len(recorded) - 1)
    receipts = await Payment.filter(base_id=world.bases["dsj"].id, year=2026).values_list("seq", flat=True)
    assert sorted(receipts) == list(range(1, len(recorded) + 1))
    assert (await ledger.verify_base(world.bases["dsj"])).ok
    assert (await audit.verify_chain()).ok
