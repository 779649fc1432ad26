"""Worked cases for the repayment schedule and the loan interest subsidy rule (no database).

Every amount below is computed by hand in the comments: interest = balance × rate / 100 / 360
× days, rounded to the fen half up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal

import pytest

from grants.models import BorrowerKind, RepaymentMethod
from grants.rules.core import Label, Money, Outcome, Rate, decode, encode
from grants.rules.loan_interest import LoanFacts, decide
from grants.rules.params import ELIGIBLE_GROUPS, InterestMode, InterestParams
from grants.rules.schedule import Instalment, payment_window, schedule

D = Decimal
EP, IO, EI = RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.INTEREST_ONLY, RepaymentMethod.EQUAL_INSTALMENT
JAN_15 = dt.date(2025, 1, 15)


# -- the schedule --------------------------------------------------------------------------

# (principal, rate, start, term, period, method, no, start, end, days, opening, principal, interest)
SCHEDULE_CASES = [
    # 120,000 at 3.45 % over 12 months, equal principal: 10,000 a month.
    # Period 1, 15 Jan – 14 Feb (31 days): 120,000 × 0.0345 / 360 = 11.50 a day × 31 = 356.50.
    (D(120000), D("3.45"), JAN_15, 12, 1, EP, 1, JAN_15, dt.date(2025, 2, 14), 31, "120000.00", "10000.00", "356.50"),
    # Period 2, 15 Feb – 14 Mar (28 days): 110,000 × 0.0345 / 360 = 10.541666… × 28 = 295.1666… → 295.17.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        EP,
        2,
        dt.date(2025, 2, 15),
        dt.date(2025, 3, 14),
        28,
        "110000.00",
        "10000.00",
        "295.17",
    ),
    # Period 3, 15 Mar – 14 Apr (31 days): 100,000 × 0.0345 / 360 = 9.583333… × 31 = 297.0833… → 297.08.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        EP,
        3,
        dt.date(2025, 3, 15),
        dt.date(2025, 4, 14),
        31,
        "100000.00",
        "10000.00",
        "297.08",
    ),
    # Period 12, 15 Dec – 14 Jan 2026 (31 days): 10,000 × 0.0345 / 360 × 31 = 29.7083… → 29.71.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        EP,
        12,
        dt.date(2025, 12, 15),
        dt.date(2026, 1, 14),
        31,
        "10000.00",
        "10000.00",
        "29.71",
    ),
    # Interest only: the whole balance every period; period 2 (28 days): 11.50 × 28 = 322.00.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        IO,
        2,
        dt.date(2025, 2, 15),
        dt.date(2025, 3, 14),
        28,
        "120000.00",
        "0.00",
        "322.00",
    ),
    # … and the bullet: period 12 repays all 120,000, with 11.50 × 31 = 356.50 of interest.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        IO,
        12,
        dt.date(2025, 12, 15),
        dt.date(2026, 1, 14),
        31,
        "120000.00",
        "120000.00",
        "356.50",
    ),
    # Equal instalments: r = 0.0345 / 12 = 0.002875; payment = 120,000 r / (1 − (1+r)^−12) = 10,187.8569…;
    # principal of period 1 = 10,187.8569… − 120,000 r (345.00) = 9,842.8569… → 9,842.86; interest by days 356.50.
    (D(120000), D("3.45"), JAN_15, 12, 1, EI, 1, JAN_15, dt.date(2025, 2, 14), 31, "120000.00", "9842.86", "356.50"),
    # Period 2 opens at 110,157.14: principal 10,187.8569… − 110,157.14 r (316.7018…) = 9,871.155… → 9,871.16;
    # interest 110,157.14 × 0.0345 / 360 × 28 = 295.5882… → 295.59.
    (
        D(120000),
        D("3.45"),
        JAN_15,
        12,
        1,
        EI,
        2,
        dt.date(2025, 2, 15),
        dt.date(2025, 3, 14),
        28,
        "110157.14",
        "9871.16",
        "295.59",
    ),
    # 14 months, quarterly (not a multiple): 5 periods, 20,000 each. From 31 Jan 2024 (a leap year):
    # period 1, 31 Jan – 29 Apr = 1 + 29 + 31 + 29 = 90 days: 100,000 × 0.0435 / 360 × 90 = 1,087.50.
    (
        D(100000),
        D("4.35"),
        dt.date(2024, 1, 31),
        14,
        3,
        EP,
        1,
        dt.date(2024, 1, 31),
        dt.date(2024, 4, 29),
        90,
        "100000.00",
        "20000.00",
        "1087.50",
    ),
    # The last period is shorter: 31 Jan – 30 Mar 2025 = 1 + 28 + 30 = 59 days (the term ends on
    # 31 Mar 2025 − 1 day): 20,000 × 0.0435 / 360 × 59 = 142.5833… → 142.58.
    (
        D(100000),
        D("4.35"),
        dt.date(2024, 1, 31),
        14,
        3,
        EP,
        5,
        dt.date(2025, 1, 31),
        dt.date(2025, 3, 30),
        59,
        "20000.00",
        "20000.00",
        "142.58",
    ),
    # A loan started on the 31st keeps to month ends: period 2 runs 28 Feb – 30 Mar (31 days).
    (
        D(30000),
        D("3.65"),
        dt.date(2025, 1, 31),
        3,
        1,
        EP,
        2,
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 30),
        31,
        "20000.00",
        "10000.00",
        "62.86",
    ),  # 20,000 × 0.0365 / 360 × 31 = 62.861… → 62.86
    # Equal principal that does not divide: 100,000 / 3 = 33,333.33 twice, the last takes 33,333.34.
    (
        D(100000),
        D("3.00"),
        JAN_15,
        3,
        1,
        EP,
        3,
        dt.date(2025, 3, 15),
        dt.date(2025, 4, 14),
        31,
        "33333.34",
        "33333.34",
        "86.11",
    ),  # 33,333.34 × 0.03 / 360 × 31 = 86.1111… → 86.11
]


@pytest.mark.parametrize(
    (
        "principal",
        "rate",
        "start_on",
        "term",
        "period",
        "method",
        "no",
        "start",
        "end",
        "days",
        "opening",
        "repaid",
        "interest",
    ),
    SCHEDULE_CASES,
)
def test_it_schedules_each_period(
    principal, rate, start_on, term, period, method, no, start, end, days, opening, repaid, interest
):
    instalment = schedule(principal, rate, start_on, term, period, method)[no - 1]
    assert instalment == Instalment(
        no=no,
        start=start,
        end=end,
        days=days,
        opening_balance=D(opening),
        principal=D(repaid),
        interest=D(interest),
        payment=D(repaid) + D(interest),
        closing_balance=D(opening) - D(repaid),
    )
    assert instalment.due_on == end + dt.timedelta(days=1)


@pytest.mark.parametrize("method", [EP, IO, EI])
@pytest.mark.parametrize(
    ("principal", "rate", "term", "period"),
    [(D(120000), D("3.45"), 12, 1), (D("99999.99"), D("4.35"), 37, 3), (D("3000000"), D("2.9"), 360, 1)],
)
def test_it_repays_exactly_the_principal(method, principal, rate, term, period):
    instalments = schedule(principal, rate, JAN_15, term, period, method)
    assert len(instalments) == -(-term // period)
    assert sum(i.principal for i in instalments) == principal
    assert instalments[-1].closing_balance == 0
    assert instalments[-1].end == dt.date(2025 + (term // 12), 1 + term % 12, 15) - dt.timedelta(days=1)
    for before, after in itertools.pairwise(instalments):
        assert after.opening_balance == before.closing_balance and after.start == before.end + dt.timedelta(days=1)
        assert before.principal >= 0


def test_it_keeps_equal_instalments_within_a_few_yuan():
    # The annuity payment is 10,187.86; only the day count moves the interest (28 to 31 days).
    payments = [i.payment for i in schedule(D(120000), D("3.45"), JAN_15, 12, 1, EI)]
    assert max(payments) - min(payments) < D(40)
    assert all(D("10150") < p < D("10200") for p in payments)


def test_it_refuses_a_schedule_without_principal_or_term():
    with pytest.raises(ValueError):
        schedule(D(0), D("3.45"), JAN_15, 12, 1, EP)
    with pytest.raises(ValueError):
        schedule(D(1000), D("3.45"), JAN_15, 0, 1, EP)


@pytest.mark.parametrize(
    ("no", "first", "last"),
    [
        # Due 15 Feb; the next is due 15 Mar (28 days later): the first 14 days after 15 Feb are period 1's.
        (1, JAN_15, dt.date(2025, 3, 1)),
        (2, dt.date(2025, 3, 2), dt.date(2025, 3, 30)),  # due 15 Mar, next due 15 Apr (31 days: 15 each side)
        (12, dt.date(2025, 12, 31), dt.date(2026, 2, 14)),  # the last: at most 30 days after its due date
    ],
)
def test_it_counts_each_repayment_for_the_nearest_due_date(no, first, last):
    instalments = schedule(D(120000), D("3.45"), JAN_15, 12, 1, EP)
    assert payment_window(instalments, no) == (first, last)
    with pytest.raises(LookupError):
        payment_window(instalments, 13)
    with pytest.raises(LookupError):
        payment_window(instalments, 0)


# -- the interest subsidy ------------------------------------------------------------------

PARAMS = InterestParams(
    individual_cap=D("300000.00"),
    partnership_percent=D(110),
    enterprise_cap=D("4000000.00"),
    individual_term_months=36,
    enterprise_term_months=24,
    mode=InterestMode.FULL,
    share_percent=D(50),
    lpr_spread_bp=150,
    graduate_years=5,
    eligible_groups=frozenset(ELIGIBLE_GROUPS),
)
APPLIED = dt.date(2025, 4, 1)


def facts(
    principal: Decimal = D(120000),
    *,
    kind: BorrowerKind = BorrowerKind.INDIVIDUAL,
    rate: str = "3.45",
    term: int = 12,
    method: RepaymentMethod = EP,
    no: int = 2,
    **changes: object,
) -> LoanFacts:
    """A graduate's loan from 15 Jan 2025; by default period 2 (28 days, 110,000 open), paid in full."""
    instalments = schedule(principal, D(rate), JAN_15, term, 1, method)
    instalment = instalments[no - 1]
    first, last = payment_window(instalments, no)
    base = LoanFacts(
        loan_id=7,
        period_no=no,
        borrower_kind=kind,
        borrower_name="阿琼" if kind is not BorrowerKind.ENTERPRISE else "昌都童心课后托管服务有限公司",
        partners=1,
        recorded_groups=frozenset(),
        graduation_year=2023 if kind is not BorrowerKind.ENTERPRISE else None,
        principal=principal,
        annual_rate=D(rate),
        lpr=D("3.10"),
        start_on=JAN_15,
        term_months=term,
        instalment=instalment,
        outstanding=instalment.opening_balance,
        interest_paid=instalment.interest,
        paid_from=first,
        paid_to=last,
        applied_on=APPLIED,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def params(**changes: object) -> InterestParams:
    return dataclasses.replace(PARAMS, **changes)  # type: ignore[arg-type]


def amounts_of(decision) -> tuple[bool, Decimal]:
    return decision.eligible, decision.amount


# (case, facts, params, eligible, amount)
DECISIONS = [
    # Full interest: 110,000 × 0.0345 / 360 × 28 = 295.1666… → 295.17, all of it paid.
    ("full", facts(), PARAMS, True, "295.17"),
    # Share of 50 %: rate 1.725; 110,000 × 0.01725 / 360 × 28 = 147.5833… → 147.58.
    ("share", facts(), params(mode=InterestMode.SHARE), True, "147.58"),
    # Above LPR − 150 bp: 3.45 − (3.10 − 1.50) = 1.85; 110,000 × 0.0185 / 360 × 28 = 158.2777… → 158.28.
    ("above_lpr", facts(), params(mode=InterestMode.ABOVE_LPR), True, "158.28"),
    # A rate of 1.50 below LPR − 150 bp (1.60): nothing to subsidise.
    ("above_lpr below the floor", facts(rate="1.50"), params(mode=InterestMode.ABOVE_LPR), False, "0.00"),
    # Individual cap: 500,000 > 300,000, so 60 % of the balance. Interest only, period 1 (31 days):
    # 300,000 × 0.0345 / 360 × 31 = 891.25 (the borrower paid 500,000 × … = 1,485.42).
    ("individual cap", facts(D(500000), method=IO, no=1), PARAMS, True, "891.25"),
    # Partnership of 3: cap 3 × 300,000 × 110 % = 990,000 of 1,000,000 (99 %); period 1:
    # 990,000 × 0.0345 / 360 × 31 = 2,941.125 → 2,941.13 (half up).
    (
        "partnership of 3",
        facts(D(1000000), kind=BorrowerKind.PARTNERSHIP, method=IO, no=1, partners=3),
        PARAMS,
        True,
        "2941.13",
    ),
    # A partnership of 3 borrowing 900,000 is under its cap: 900,000 × 0.0345 / 360 × 31 = 2,673.75.
    (
        "partnership under cap",
        facts(D(900000), kind=BorrowerKind.PARTNERSHIP, method=IO, no=1, partners=3),
        PARAMS,
        True,
        "2673.75",
    ),
    # Enterprise cap 4,000,000 of 5,000,000 (80 %): 4,000,000 × 0.0345 / 360 × 31 = 11,883.333… → 11,883.33.
    ("enterprise cap", facts(D(5000000), kind=BorrowerKind.ENTERPRISE, method=IO, no=1), PARAMS, True, "11883.33"),
    # Within 36 months for an individual: period 36 of a 48-month interest-only loan ends 14 Jan 2028;
    # 120,000 × 0.0345 / 360 × 31 (15 Dec 2027 – 14 Jan 2028) = 356.50.
    ("individual month 36", facts(term=48, method=IO, no=36, applied_on=dt.date(2028, 3, 1)), PARAMS, True, "356.50"),
    ("individual month 37", facts(term=48, method=IO, no=37, applied_on=dt.date(2028, 3, 1)), PARAMS, False, "0.00"),
    # Enterprises: 24 months. Period 24 (15 Dec 2026 – 14 Jan 2027, 31 days) at 120,000: 356.50.
    (
        "enterprise month 24",
        facts(kind=BorrowerKind.ENTERPRISE, term=36, method=IO, no=24, applied_on=dt.date(2027, 3, 1)),
        PARAMS,
        True,
        "356.50",
    ),
    (
        "enterprise month 25",
        facts(kind=BorrowerKind.ENTERPRISE, term=36, method=IO, no=25, applied_on=dt.date(2027, 3, 1)),
        PARAMS,
        False,
        "0.00",
    ),
    # The period ends on 14 Mar 2025: applying that day is too early, the next day is fine.
    ("not ended", facts(applied_on=dt.date(2025, 3, 14)), PARAMS, False, "0.00"),
    ("just ended", facts(applied_on=dt.date(2025, 3, 15)), PARAMS, True, "295.17"),
    ("interest not paid", facts(interest_paid=D("0.00")), PARAMS, False, "0.00"),
    # Only 200.00 of interest paid: the subsidy (295.17) is limited to it.
    ("paid less than the subsidy", facts(interest_paid=D("200.00")), PARAMS, True, "200.00"),
    ("earlier claim", facts(earlier_claim="BT2025000003"), PARAMS, False, "0.00"),
    # Graduated 2015, applying 2025: 10 years > 5, and no other group.
    ("not eligible borrower", facts(graduation_year=2015), PARAMS, False, "0.00"),
    ("graduate 5 years ago", facts(graduation_year=2020), PARAMS, True, "295.17"),
    ("veteran", facts(graduation_year=None, recorded_groups=frozenset({"veteran"})), PARAMS, True, "295.17"),
    (
        "declared group",
        facts(graduation_year=None, declared_groups=frozenset({"returning_migrant"})),
        PARAMS,
        True,
        "295.17",
    ),
    (
        "group not in the policy",
        facts(recorded_groups=frozenset({"veteran"})),
        params(eligible_groups=frozenset({"online_merchant"})),
        False,
        "0.00",
    ),
    # Prepaid: 80,000 left instead of 110,000: 80,000 × 0.0345 / 360 × 28 = 214.666… → 214.67.
    ("prepaid", facts(outstanding=D("80000.00")), PARAMS, True, "214.67"),
    # Paid late: 120,000 still owed, the schedule's 110,000 counts (the lesser).
    ("repaid late", facts(outstanding=D("120000.00")), PARAMS, True, "295.17"),
    ("repaid in full", facts(outstanding=D("0.00")), PARAMS, False, "0.00"),
]


@pytest.mark.parametrize(("case", "loan", "rule", "eligible", "amount"), DECISIONS, ids=[c[0] for c in DECISIONS])
def test_it_decides_each_worked_case(case, loan, rule, eligible, amount):
    decision = decide(loan, rule)
    assert amounts_of(decision) == (eligible, D(amount)), [(s.msgid, s.params) for s in decision.reasons]
    assert decision.subjects == ((f"loan:7:{loan.period_no}",) if eligible else ())
    assert bool(decision.reasons) is not eligible


def _reasons(decision) -> list[str]:
    return [step.msgid for step in decision.reasons]


def test_it_says_why_in_plain_words():
    assert _reasons(decide(facts(interest_paid=D(0)), PARAMS)) == [
        "The interest for this period is not recorded as paid."
    ]
    assert _reasons(decide(facts(rate="1.50"), params(mode=InterestMode.ABOVE_LPR))) == [
        "Nothing to subsidise: the subsidised rate is zero."
    ]
    assert _reasons(decide(facts(earlier_claim="BT2025000003"), PARAMS)) == [
        "This period of the loan is already claimed in application %(ref)s."
    ]
    assert _reasons(decide(facts(applied_on=dt.date(2025, 3, 1)), PARAMS)) == [
        "The period ends on %(end)s: apply once it has ended (applied on %(applied)s)."
    ]
    assert _reasons(decide(facts(graduation_year=2015), PARAMS)) == ["%(name)s is not in an eligible group."]
    late = decide(facts(term=48, method=IO, no=37, applied_on=dt.date(2028, 3, 1)), PARAMS)
    assert _reasons(late) == ["The period ends after the subsidised term of %(months)s months, which ends on %(last)s."]
    assert late.reasons[0].params == {"months": 36, "last": dt.date(2028, 1, 14)}


def test_it_traces_every_number_with_typed_parameters():
    decision = decide(facts(D(500000), method=IO, no=1), params(mode=InterestMode.ABOVE_LPR))
    steps = {step.msgid: step.params for step in decision.trace}
    assert steps["Subsidised rate: %(rate)s − (LPR %(lpr)s − %(spread)s basis points) = %(subsidy_rate)s."] == {
        "rate": Rate(D("3.45")),
        "lpr": Rate(D("3.10")),
        "spread": 150,
        "subsidy_rate": Rate(D("1.85")),
    }
    assert steps["Balance at the start of the period: %(balance)s (the lesser of the two)."] == {
        "balance": Money(D("500000.00"))
    }
    assert steps[
        "The principal %(principal)s is above the cap: only %(share)s of the balance counts, %(balance)s."
    ] == {
        "principal": Money(D(500000)),
        "share": Rate(D("60.00")),
        "balance": Money(D("300000.00")),
    }
    # 300,000 × 0.0185 / 360 × 31 = 477.9166… → 477.92
    assert steps["Subsidy: %(balance)s × %(rate)s ÷ 360 × %(days)s days = %(amount)s."] == {
        "balance": Money(D("300000.00")),
        "rate": Rate(D("1.85")),
        "days": 31,
        "amount": Money(D("477.92")),
    }
    assert decision.amount == D("477.92")
    assert steps["%(name)s counts as “%(group)s”."]["group"] == Label("eligible_group", "graduate")
    for step in decision.trace:  # every message fills from its own parameters
        assert step.msgid % {name: "x" for name in step.params}


def test_it_skips_the_group_check_for_enterprises_and_says_so():
    decision = decide(facts(kind=BorrowerKind.ENTERPRISE), PARAMS)
    assert decision.eligible
    msgids = [step.msgid for step in decision.trace]
    assert "The borrower is an enterprise: no eligible group is required; the reviewers check the enterprise." in msgids
    assert "%(name)s counts as “%(group)s”." not in msgids


def test_it_freezes_and_thaws_the_decision():
    decision = decide(facts(), params(mode=InterestMode.SHARE))
    assert decode(encode(decision)) == decision
    assert all(step.outcome in (Outcome.INFO, Outcome.PASS) for step in decision.trace)
