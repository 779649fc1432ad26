"""The guaranteed-loan interest subsidy (创业担保贷款贴息) for one repayment period of one loan.

A period is subsidised when it lies within the subsidised term counted from the loan's start
(individual and partnership borrowers: `individual_term_months`, enterprises:
`enterprise_term_months`), has ended before the application, its interest is recorded as paid,
no other application holds it, and an individual or partnership borrower belongs to an
eligible group (a graduate within `graduate_years` of graduating). Enterprise borrowers are not
checked for a group: the reviewers check the enterprise's own conditions.

The subsidy is computed on the balance at the start of the period — the lesser of the
schedule's opening balance and what was actually left after the repayments recorded — limited
to the capped share of the principal (individual `individual_cap`; partnership partners ×
`individual_cap` × `partnership_percent` %; enterprise `enterprise_cap`): when the principal is
above the cap only balance × cap / principal counts. The subsidised rate depends on the mode:
the whole rate (full), `share_percent` % of it (share), or the part of the rate above LPR minus
`lpr_spread_bp` basis points (above_lpr). Subsidy = subsidised balance × subsidised rate / 100
/ 360 × the period's days, to the fen, and never more than the interest actually paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from grants.models.loans import BorrowerKind
from grants.rules.core import Decision, Label, Money, Rate, Trace, add_months, fen
from grants.rules.params import InterestMode, InterestParams
from grants.rules.schedule import DAYS_IN_YEAR, Instalment
from incubator.i18n import N_

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LoanFacts:
    """What the rule needs about one loan and one of its periods, gathered by grants.services.loans."""

    loan_id: int
    period_no: int
    borrower_kind: BorrowerKind
    borrower_name: str
    partners: int
    # Eligible-group codes the borrower person's record shows (graduate excluded, see graduation_year).
    recorded_groups: frozenset[str]
    graduation_year: int | None  # when the record says college graduate
    principal: Decimal
    annual_rate: Decimal  # percent a year
    lpr: Decimal  # the one-year LPR on the contract date, percent a year
    start_on: dt.date
    term_months: int
    instalment: Instalment  # the period claimed, as the repayment schedule has it
    outstanding: Decimal  # principal actually left at the period's start, after the repayments recorded
    interest_paid: Decimal  # interest of the repayments counted for this period
    paid_from: dt.date  # repayments paid from this day …
    paid_to: dt.date  # … through this day count for the period
    applied_on: dt.date
    earlier_claim: str | None = None  # reference of another application that holds this period
    declared_groups: frozenset[str] = frozenset()  # groups declared on the application, with evidence


def principal_cap(facts: LoanFacts, params: InterestParams, trace: Trace) -> Decimal:
    """The most principal the borrower's kind may have subsidised, traced."""
    if facts.borrower_kind is BorrowerKind.ENTERPRISE:
        cap = params.enterprise_cap
        trace.info(N_("Subsidised principal for a small or micro enterprise: at most %(cap)s."), cap=Money(cap))
    elif facts.borrower_kind is BorrowerKind.PARTNERSHIP:
        cap = fen(facts.partners * params.individual_cap * params.partnership_percent / HUNDRED)
        trace.info(
            N_("Subsidised principal for a partnership: %(partners)s partners × %(each)s × %(percent)s = %(cap)s."),
            partners=facts.partners,
            each=Money(params.individual_cap),
            percent=Rate(params.partnership_percent),
            cap=Money(cap),
        )
    else:
        cap = params.individual_cap
        trace.info(N_("Subsidised principal for an individual: at most %(cap)s."), cap=Money(cap))
    return cap


def borrower_groups(facts: LoanFacts, params: InterestParams, trace: Trace) -> list[str]:
    """The eligible groups the borrower belongs to on the day of the application, each traced."""
    name = facts.borrower_name
    groups = sorted((facts.recorded_groups | facts.declared_groups) & params.eligible_groups - {"graduate"})
    if facts.graduation_year is not None and "graduate" in params.eligible_groups:
        years = facts.applied_on.year - facts.graduation_year
        if years <= params.graduate_years:
            groups.insert(0, "graduate")
            trace.info(
                N_("%(name)s graduated in %(year)s, within %(limit)s years."),
                name=name,
                year=str(facts.graduation_year),
                limit=params.graduate_years,
            )
        else:
            trace.info(
                N_("%(name)s graduated in %(year)s, more than %(limit)s years ago: not counted as a graduate."),
                name=name,
                year=str(facts.graduation_year),
                limit=params.graduate_years,
            )
    for group in sorted(facts.declared_groups & params.eligible_groups):
        trace.info(
            N_("%(name)s is declared on this application as “%(group)s”; the reviewers check the evidence."),
            name=name,
            group=Label("eligible_group", group),
        )
    return groups


def subsidised_rate(facts: LoanFacts, params: InterestParams, trace: Trace) -> Decimal:
    """The part of the loan's rate the subsidy pays, in percent a year, traced."""
    rate = facts.annual_rate
    if params.mode is InterestMode.SHARE:
        subsidy_rate = rate * params.share_percent / HUNDRED
        trace.info(
            N_("Subsidised rate: %(share)s of %(rate)s = %(subsidy_rate)s."),
            share=Rate(params.share_percent),
            rate=Rate(rate),
            subsidy_rate=Rate(subsidy_rate),
        )
    elif params.mode is InterestMode.ABOVE_LPR:
        floor = facts.lpr - Decimal(params.lpr_spread_bp) / HUNDRED
        subsidy_rate = max(ZERO, rate - floor)
        trace.info(
            N_("Subsidised rate: %(rate)s − (LPR %(lpr)s − %(spread)s basis points) = %(subsidy_rate)s."),
            rate=Rate(rate),
            lpr=Rate(facts.lpr),
            spread=params.lpr_spread_bp,
            subsidy_rate=Rate(subsidy_rate),
        )
    else:
        subsidy_rate = rate
        trace.info(N_("Subsidised rate: the whole rate of the loan, %(rate)s."), rate=Rate(rate))
    return subsidy_rate


def decide(facts: LoanFacts, params: InterestParams) -> Decision:
    """Whether the period's interest is subsidised, and by how much, with every step traced."""
    trace = Trace()
    period = facts.instalment
    trace.info(
        N_("Loan of %(principal)s to %(name)s (%(kind)s) at %(rate)s a year, from %(start)s for %(months)s months."),
        principal=Money(facts.principal),
        name=facts.borrower_name,
        kind=Label("borrower_kind", facts.borrower_kind.value),
        rate=Rate(facts.annual_rate),
        start=facts.start_on,
        months=facts.term_months,
    )
    trace.info(
        N_("Period %(no)s: %(start)s to %(end)s, %(days)s days."),
        no=period.no,
        start=period.start,
        end=period.end,
        days=period.days,
    )
    # The period: within the subsidised term, over before the application, not claimed before.
    enterprise = facts.borrower_kind is BorrowerKind.ENTERPRISE
    months = params.enterprise_term_months if enterprise else params.individual_term_months
    term_ends = add_months(facts.start_on, months) - dt.timedelta(days=1)
    trace.check(
        period.end <= term_ends,
        N_("The period is within the subsidised term of %(months)s months, which ends on %(last)s."),
        N_("The period ends after the subsidised term of %(months)s months, which ends on %(last)s."),
        months=months,
        last=term_ends,
    )
    trace.check(
        period.end < facts.applied_on,
        N_("The period ended on %(end)s, before the application on %(applied)s."),
        N_("The period ends on %(end)s: apply once it has ended (applied on %(applied)s)."),
        end=period.end,
        applied=facts.applied_on,
    )
    trace.check(
        facts.earlier_claim is None,
        N_("No other application claims this period of the loan."),
        N_("This period of the loan is already claimed in application %(ref)s."),
        ref=facts.earlier_claim or "",
    )
    # The borrower: a person of an eligible group, unless an enterprise borrowed.
    if enterprise:
        trace.info(
            N_("The borrower is an enterprise: no eligible group is required; the reviewers check the enterprise.")
        )
    else:
        groups = borrower_groups(facts, params, trace)
        trace.check(
            bool(groups),
            N_("%(name)s counts as “%(group)s”."),
            N_("%(name)s is not in an eligible group."),
            name=facts.borrower_name,
            group=Label("eligible_group", groups[0]) if groups else "",
        )
    # The balance the subsidy is computed on.
    trace.info(
        N_("Balance at the start of the period by the schedule: %(scheduled)s; actually outstanding: %(actual)s."),
        scheduled=Money(period.opening_balance),
        actual=Money(facts.outstanding),
    )
    balance = max(ZERO, min(period.opening_balance, facts.outstanding))
    trace.info(N_("Balance at the start of the period: %(balance)s (the lesser of the two)."), balance=Money(balance))
    cap = principal_cap(facts, params, trace)
    if facts.principal > cap:
        balance = fen(balance * cap / facts.principal)
        trace.info(
            N_("The principal %(principal)s is above the cap: only %(share)s of the balance counts, %(balance)s."),
            principal=Money(facts.principal),
            share=Rate(fen(cap * HUNDRED / facts.principal)),
            balance=Money(balance),
        )
    rate = subsidised_rate(facts, params, trace)
    amount = fen(balance * rate / HUNDRED / DAYS_IN_YEAR * period.days)
    trace.info(
        N_("Subsidy: %(balance)s × %(rate)s ÷ 360 × %(days)s days = %(amount)s."),
        balance=Money(balance),
        rate=Rate(rate),
        days=period.days,
        amount=Money(amount),
    )
    if balance <= 0:
        trace.fail(N_("Nothing to subsidise: no principal was outstanding at the start of the period."))
    elif rate <= 0:
        trace.fail(N_("Nothing to subsidise: the subsidised rate is zero."))
    elif amount <= 0:
        trace.fail(N_("Nothing to subsidise: the subsidy for this period is less than one fen."))
    # Never more than the interest actually paid for the period.
    trace.info(
        N_("Repayments paid from %(first)s to %(last)s count for this period (due on %(due)s)."),
        first=facts.paid_from,
        last=facts.paid_to,
        due=period.due_on,
    )
    if facts.interest_paid <= 0:
        trace.fail(N_("The interest for this period is not recorded as paid."))
    else:
        trace.info(N_("Interest paid for this period: %(paid)s."), paid=Money(facts.interest_paid))
        if amount > facts.interest_paid:
            amount = facts.interest_paid
            trace.info(N_("The subsidy is limited to the interest actually paid: %(amount)s."), amount=Money(amount))
    return trace.decide(amount, (f"loan:{facts.loan_id}:{facts.period_no}",))
