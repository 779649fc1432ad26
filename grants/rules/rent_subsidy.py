"""The rent subsidy (房租补贴): per calendar year, after it ends, on the rent actually paid.

The cap is `annual_cap` for a year of rented premises, prorated by the months with rent
(a month in a rent-free space counts for nothing), and a startup is subsidised for at most
`max_years` × 12 months in all. The subsidy is the lesser of the cap and the rent actually
paid for the year's bills (net of discounts and credit notes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from grants.rules.core import Decision, Money, Trace, fen
from grants.rules.params import RentParams
from incubator.i18n import N_


@dataclass(frozen=True)
class RentFacts:
    startup_id: int
    startup_name: str
    year: int
    applied_on: dt.date
    rented_months: int  # months of the year in premises with rent to pay
    free_months: int  # months of the year only in rent-free premises
    rent_charged: Decimal  # net rent billed for the year
    rent_paid: Decimal  # of which paid
    bills: int
    months_before: int  # months subsidised (or claimed) in other years
    earlier_claim: str | None = None  # application holding this year already


def counted_months(facts: RentFacts, params: RentParams) -> int:
    """The months of this year the subsidy pays for: the rented months, within what is left."""
    remaining = max(params.max_years * 12 - facts.months_before, 0)
    return min(facts.rented_months, remaining)


def decide(facts: RentFacts, params: RentParams) -> Decision:
    trace = Trace()
    year_end = dt.date(facts.year, 12, 31)
    trace.check(
        facts.applied_on > year_end,
        N_("The year %(year)s is over."),
        N_("The year %(year)s is not over yet: the subsidy for a year is claimed after it ends, on the rent paid."),
        year=str(facts.year),
    )
    trace.check(
        facts.earlier_claim is None,
        N_("No other application for %(year)s."),
        N_("The rent of %(year)s is already claimed in application %(ref)s."),
        year=str(facts.year),
        ref=facts.earlier_claim or "",
    )
    trace.check(
        facts.rented_months > 0,
        N_("In %(year)s the startup rented premises with rent for %(months)s months."),
        N_("In %(year)s the startup had no month in premises with rent to pay."),
        year=str(facts.year),
        months=facts.rented_months,
    )
    if facts.free_months:
        trace.info(
            N_("%(months)s months in rent-free premises do not count."),
            months=facts.free_months,
        )
    limit = params.max_years * 12
    remaining = max(limit - facts.months_before, 0)
    trace.check(
        remaining > 0,
        N_("Months subsidised before: %(before)s of at most %(limit)s."),
        N_("Months subsidised before: %(before)s of at most %(limit)s: nothing is left."),
        before=facts.months_before,
        limit=limit,
    )
    months = counted_months(facts, params)
    if 0 < months < facts.rented_months:
        trace.info(N_("Only %(months)s months are left to subsidise."), months=months)
    cap = fen(params.annual_cap * months / 12)
    trace.info(
        N_("Cap: %(annual)s × %(months)s/12 = %(cap)s."),
        annual=Money(params.annual_cap),
        months=months,
        cap=Money(cap),
    )
    trace.check(
        facts.rent_paid > 0,
        N_("Rent paid for %(year)s: %(paid)s of %(charged)s billed on %(bills)s bills."),
        N_("No rent was paid for %(year)s (%(charged)s billed on %(bills)s bills)."),
        year=str(facts.year),
        paid=Money(facts.rent_paid),
        charged=Money(facts.rent_charged),
        bills=facts.bills,
    )
    amount = min(cap, facts.rent_paid)
    trace.info(N_("Subsidy: the lesser of the cap and the rent paid, %(amount)s."), amount=Money(amount))
    return trace.decide(amount, (f"rent:{facts.startup_id}:{facts.year}",))
