"""Worked cases of the one-time grant and the rent subsidy rules (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from grants.defaults import DEFAULT_POLICIES
from grants.models import PolicyKind
from grants.rules import rent_subsidy, startup_grant
from grants.rules.core import Money, Outcome, decode, encode
from grants.rules.params import GrantParams, RentParams
from grants.rules.rent_subsidy import RentFacts
from grants.rules.startup_grant import FounderFacts, GrantFacts

GRANT = GrantParams.of(DEFAULT_POLICIES[PolicyKind.STARTUP_GRANT]["params"])
RENT = RentParams.of(DEFAULT_POLICIES[PolicyKind.RENT_SUBSIDY]["params"])


def founder(
    n: int, *, graduated: int | None = 2021, recorded: frozenset[str] = frozenset(), **kw: object
) -> FounderFacts:
    return FounderFacts(
        person_id=n,
        name=f"创业者{n}",
        joined_on=dt.date(2023, 4, 18) + dt.timedelta(days=n),
        recorded=recorded,
        graduation_year=graduated,
        **kw,  # type: ignore[arg-type]
    )


# 阿琼's company: registered 18 April 2023, three graduates of 2020–2021.
AQIONG = GrantFacts(
    startup_name="昌都童心课后托管服务有限公司",
    uscc="91540300MA6T1234XY",
    registered_on=dt.date(2023, 4, 18),
    applied_on=dt.date(2023, 11, 6),
    founders=(founder(1), founder(2, graduated=2020), founder(3)),
)


@pytest.mark.parametrize(
    ("case", "facts", "eligible", "amount"),
    [
        ("three graduates: 3 × 60,000", AQIONG, True, "180000.00"),
        (
            "first day of the window (6 months to the day)",
            replace(AQIONG, applied_on=dt.date(2023, 10, 18)),
            True,
            "180000.00",
        ),
        ("the day before the window opens", replace(AQIONG, applied_on=dt.date(2023, 10, 17)), False, "0.00"),
        (
            "last day of the window; the 2020 graduate is past 5 years by then",
            replace(AQIONG, applied_on=dt.date(2026, 4, 18)),
            True,
            "120000.00",
        ),
        ("the day after the window closes", replace(AQIONG, applied_on=dt.date(2026, 4, 19)), False, "0.00"),
        (
            "registered 31 August: six months later is the last day of February",
            replace(AQIONG, registered_on=dt.date(2023, 8, 31), applied_on=dt.date(2024, 2, 29)),
            True,
            "180000.00",
        ),
        ("an unregistered team", replace(AQIONG, uscc=None, registered_on=None), False, "0.00"),
        ("the enterprise had the grant", replace(AQIONG, enterprise_claim="BT2023000001"), False, "0.00"),
        (
            "five eligible founders: three count",
            replace(AQIONG, founders=tuple(founder(n) for n in range(1, 6))),
            True,
            "180000.00",
        ),
        (
            "one founder paid before elsewhere: two count",
            replace(AQIONG, founders=(founder(1, earlier_claim="BT2024000007"), founder(2), founder(3))),
            True,
            "120000.00",
        ),
        (
            "graduated 6 years before: only the veteran counts",
            replace(
                AQIONG,
                applied_on=dt.date(2024, 1, 10),
                founders=(founder(1, graduated=2018), founder(2, graduated=None, recorded=frozenset({"veteran"}))),
            ),
            True,
            "60000.00",
        ),
        (
            "graduated exactly 5 years before counts",
            replace(AQIONG, applied_on=dt.date(2024, 1, 10), founders=(founder(1, graduated=2019),)),
            True,
            "60000.00",
        ),
        (
            "a declared group counts (checked against the evidence)",
            replace(AQIONG, founders=(founder(1, graduated=None, declared=frozenset({"returning_migrant"})),)),
            True,
            "60000.00",
        ),
        (
            "nobody in an eligible group",
            replace(AQIONG, founders=(founder(1, graduated=None), founder(2, graduated=None))),
            False,
            "0.00",
        ),
        ("no founders at all", replace(AQIONG, founders=()), False, "0.00"),
    ],
)
def test_one_time_grant_cases(case: str, facts: GrantFacts, eligible: bool, amount: str) -> None:
    decision = startup_grant.decide(facts, GRANT)
    assert (decision.eligible, decision.amount) == (eligible, Decimal(amount)), case
    assert bool(decision.reasons) is not eligible, case


def test_one_time_grant_claims_the_enterprise_and_each_counted_founder() -> None:
    facts = replace(AQIONG, founders=tuple(founder(n) for n in range(1, 6)))
    decision = startup_grant.decide(facts, GRANT)
    assert decision.subjects == ("enterprise:91540300MA6T1234XY", "person:1", "person:2", "person:3")
    assert startup_grant.decide(replace(AQIONG, enterprise_claim="X"), GRANT).subjects == ()


def test_one_time_grant_trace_explains_the_amount() -> None:
    decision = startup_grant.decide(AQIONG, GRANT)
    last = decision.trace[-1]
    assert last.msgid == "Grant: %(count)s × %(each)s = %(amount)s."
    assert last.params == {"count": 3, "each": Money(Decimal("60000.00")), "amount": Money(Decimal("180000.00"))}
    window = next(s for s in decision.trace if s.msgid.startswith("Registered on"))
    assert window.params["earliest"] == dt.date(2023, 10, 18) and window.params["latest"] == dt.date(2026, 4, 18)
    late = startup_grant.decide(replace(AQIONG, applied_on=dt.date(2026, 11, 22)), GRANT)
    assert [s.msgid for s in late.reasons] == ["Applied on %(applied)s, outside that window."]


def test_a_decision_survives_freezing() -> None:
    decision = startup_grant.decide(AQIONG, GRANT)
    frozen = encode(decision, {"applied_on": "2023-11-06"})
    assert frozen["amount"] == "180000.00" and frozen["facts"] == {"applied_on": "2023-11-06"}
    assert decode(frozen) == decision


# --- Rent --------------------------------------------------------------------------------

RENT_2025 = RentFacts(
    startup_id=7,
    startup_name="昌都童心课后托管服务有限公司",
    year=2025,
    applied_on=dt.date(2026, 1, 15),
    rented_months=12,
    free_months=0,
    rent_charged=Decimal("20160.00"),
    rent_paid=Decimal("20160.00"),
    bills=12,
    months_before=12,
)


@pytest.mark.parametrize(
    ("case", "facts", "eligible", "amount"),
    [
        ("a full year, paid above the cap: 20,000", RENT_2025, True, "20000.00"),
        ("paid below the cap: the rent paid", replace(RENT_2025, rent_paid=Decimal("15000.00")), True, "15000.00"),
        (
            "seven months from June: 20,000 × 7/12",
            replace(RENT_2025, rented_months=7, rent_paid=Decimal("11760.00"), months_before=0),
            True,
            "11666.67",
        ),
        (
            "five months in a free desk do not count",
            replace(RENT_2025, rented_months=7, free_months=5, rent_paid=Decimal("11760.00")),
            True,
            "11666.67",
        ),
        (
            "only rent-free premises",
            replace(RENT_2025, rented_months=0, free_months=12, rent_paid=Decimal("0")),
            False,
            "0.00",
        ),
        ("nothing paid", replace(RENT_2025, rent_paid=Decimal("0.00")), False, "0.00"),
        ("the year is not over", replace(RENT_2025, applied_on=dt.date(2025, 12, 31)), False, "0.00"),
        ("the first day after the year", replace(RENT_2025, applied_on=dt.date(2026, 1, 1)), True, "20000.00"),
        ("the year already claimed", replace(RENT_2025, earlier_claim="BT2026000003"), False, "0.00"),
        ("31 months before: 5 left", replace(RENT_2025, months_before=31), True, "8333.33"),
        ("36 months before: used up", replace(RENT_2025, months_before=36), False, "0.00"),
        (
            "35 months before: one month",
            replace(RENT_2025, months_before=35, rent_paid=Decimal("1000.00")),
            True,
            "1000.00",
        ),
    ],
)
def test_rent_subsidy_cases(case: str, facts: RentFacts, eligible: bool, amount: str) -> None:
    decision = rent_subsidy.decide(facts, RENT)
    assert (decision.eligible, decision.amount) == (eligible, Decimal(amount)), case


def test_rent_subsidy_claims_the_year_and_counts_months() -> None:
    decision = rent_subsidy.decide(RENT_2025, RENT)
    assert decision.subjects == ("rent:7:2025",)
    assert rent_subsidy.counted_months(replace(RENT_2025, months_before=31), RENT) == 5
    cap = next(s for s in decision.trace if s.msgid.startswith("Cap:"))
    assert cap.params["cap"] == Money(Decimal("20000.00")) and cap.outcome is Outcome.INFO
