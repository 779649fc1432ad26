"""A guaranteed loan's repayment schedule (还款计划), period by period: pure, Decimal, to the fen.

Period k runs from `add_months(start_on, (k-1)·p)` through the day before
`add_months(start_on, k·p)` (p = period_months), both counted from `start_on` so a loan started
on the 31st keeps falling on month ends. A term that is not a multiple of p ends with a shorter
period, through the day before `add_months(start_on, term_months)`. The instalment is due on
the day after the period's last day (`Instalment.due_on`, the monthly anniversary of the start),
the way banks collect: interest accrues over the period's days on the balance left after the
previous instalment.

Interest of a period = opening balance × annual rate / 100 / 360 × the period's actual days,
rounded to the fen half up (daily rate = annual rate / 360). Principal by method:

- equal principal (等额本金): principal / n each period rounded to the fen (never more than is
  left), the last period takes the rest;
- interest only (按期付息、到期还本): nothing until the last period, which repays everything;
- equal instalments (等额本息): the principal part of the annuity payment
  P·r / (1 − (1+r)^−n) with the periodic rate r = annual / 100 × p / 12, i.e. that payment less
  r × the opening balance, rounded to the fen; the last period clears the rest. The interest
  shown (and charged) is still the daily-rate interest above, so the payments of equal
  instalments differ by a few fen or yuan with the length of the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from grants.models.loans import RepaymentMethod
from grants.rules.core import add_months, fen

ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)
DAYS_IN_YEAR = 360  # the daily rate is the annual rate / 360 (the banks' convention)
PERIODS = (1, 3, 6, 12)  # months between instalments: monthly, quarterly, half-yearly, yearly
# A repayment paid this many days after an instalment's due date still counts for it.
GRACE_DAYS = 30


@dataclass(frozen=True)
class Instalment:
    """One repayment period: its days, the balance it opens with, what falls due at its end."""

    no: int
    start: dt.date
    end: dt.date
    days: int
    opening_balance: Decimal
    principal: Decimal
    interest: Decimal
    payment: Decimal
    closing_balance: Decimal

    @property
    def due_on(self) -> dt.date:
        """The day the instalment is paid: the day after the period's last day."""
        return self.end + ONE_DAY


def period_count(term_months: int, period_months: int) -> int:
    """How many periods a term has (the last one shorter when the term is not a multiple)."""
    return -(-term_months // period_months)


def daily_interest(balance: Decimal, annual_rate_percent: Decimal, days: int) -> Decimal:
    """balance × rate / 100 / 360 × days, to the fen half up."""
    return fen(balance * annual_rate_percent / 100 / DAYS_IN_YEAR * days)


def annuity_payment(principal: Decimal, periodic_rate: Decimal, periods: int) -> Decimal:
    """P·r / (1 − (1+r)^−n), unrounded; P/n when the rate is zero."""
    if periodic_rate == 0:
        return principal / periods
    return principal * periodic_rate / (1 - (1 + periodic_rate) ** -periods)


def schedule(
    principal: Decimal,
    annual_rate_percent: Decimal,
    start_on: dt.date,
    term_months: int,
    period_months: int,
    method: RepaymentMethod | str,
) -> list[Instalment]:
    """The loan's instalments in order (see the module's docstring for the rules)."""
    method = RepaymentMethod(method)
    if principal <= 0 or term_months < 1 or period_months < 1 or annual_rate_percent < 0:
        raise ValueError("a schedule needs a positive principal and term, a period and a rate of 0 or more")
    count = period_count(term_months, period_months)
    last_day = add_months(start_on, term_months) - ONE_DAY
    periodic_rate = annual_rate_percent / 100 * period_months / 12
    annuity = annuity_payment(principal, periodic_rate, count)
    regular = fen(principal / count)
    instalments: list[Instalment] = []
    balance = fen(principal)
    for no in range(1, count + 1):
        start = add_months(start_on, (no - 1) * period_months)
        end = last_day if no == count else add_months(start_on, no * period_months) - ONE_DAY
        days = (end - start).days + 1
        interest = daily_interest(balance, annual_rate_percent, days)
        if no == count:
            repaid = balance
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            repaid = min(regular, balance)
        elif method is RepaymentMethod.INTEREST_ONLY:
            repaid = ZERO
        else:
            repaid = min(max(fen(annuity - balance * periodic_rate), ZERO), balance)
        instalments.append(
            Instalment(
                no=no,
                start=start,
                end=end,
                days=days,
                opening_balance=balance,
                principal=repaid,
                interest=interest,
                payment=repaid + interest,
                closing_balance=balance - repaid,
            )
        )
        balance -= repaid
    return instalments


def payment_window(instalments: list[Instalment], no: int) -> tuple[dt.date, dt.date]:
    """The days a repayment must fall on to count for instalment `no` (first and last, inclusive).

    Each repayment counts for exactly one instalment: the one whose due date is nearest to the
    day it was paid (the earlier one on a tie), and no more than GRACE_DAYS after that due date;
    the first instalment's window opens on the loan's start.
    """
    index = no - 1
    if not 0 <= index < len(instalments):
        raise LookupError(f"no instalment {no}")
    due = instalments[index].due_on
    if index == 0:
        first = instalments[0].start
    else:
        previous = instalments[index - 1].due_on
        first = previous + dt.timedelta(days=(due - previous).days // 2 + 1)
    last = due + dt.timedelta(days=GRACE_DAYS)
    if index + 1 < len(instalments):
        following = instalments[index + 1].due_on
        last = min(last, due + dt.timedelta(days=(following - due).days // 2))
    return first, last
