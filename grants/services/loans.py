"""Guaranteed business-start loans (创业担保贷款): the registry, repayments and the interest facts.

A base's operators record the loans of their startups (who borrowed, from which bank under
which guarantee, on what terms) and the repayments actually made; bureaus, the admin and the
startup's founders read them. The schedule is computed from the terms (grants.rules.schedule);
`interest_facts` gathers what the interest subsidy rule decides on for one period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from grants.forms.loans import LoanInput, RepaymentInput
from grants.models import LIVE_STATES, Application, BorrowerKind, Claim, Loan, LoanRepayment, PolicyKind
from grants.rules.loan_interest import LoanFacts
from grants.rules.params import RECORDED_GROUPS
from grants.rules.schedule import Instalment, payment_window, schedule
from grants.services import policies
from incubator import audit
from incubator.access import Principal, require, visible
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import money, to_fen
from incubator.i18n import N_
from incubator.models import Base
from tenants.models import Founder, Person, Startup

ZERO = Decimal("0.00")
LOAN_FIELDS = (
    "startup_id",
    "borrower_kind",
    "person_id",
    "partners",
    "borrower_name",
    "bank",
    "guarantee_agency",
    "contract_number",
    "principal",
    "annual_rate",
    "lpr",
    "contract_on",
    "start_on",
    "term_months",
    "period_months",
    "method",
    "note",
)


def _sum(value: Any) -> Decimal:
    """A sum from the database (NULL when nothing matched) to the fen; SQLite sums decimals as floats."""
    return to_fen(Decimal(str(value))) if value is not None else ZERO


def require_operator(principal: Principal, base_id: int) -> None:
    """Forbidden unless the principal is an operator of this base: a base keeps its own loans."""
    require(principal, "loan.manage")
    if principal.base_id != base_id:
        raise Forbidden()


async def startup_for_loan(principal: Principal, startup_id: int) -> Startup:
    """A startup of the operator's base to record a loan for, else a field error."""
    require(principal, "loan.manage")
    startup = await visible(principal, Startup).filter(id=startup_id, base_id=principal.base_id or 0).first()
    if startup is None:
        raise ValidationFailed({"startup_id": N_("Choose a startup of your base.")})
    return startup


async def lpr_on(day: dt.date) -> Decimal | None:
    """The one-year LPR in force on the day (the latest published on or before it)."""
    row = await policies.lpr_on(day)
    return row.one_year if row is not None else None


async def _borrower(startup: Startup, data: LoanInput) -> tuple[Person | None, int, str]:
    """The borrower person (a founder of the startup), the partners and the borrower's name."""
    if data.borrower_kind is BorrowerKind.ENTERPRISE:
        return None, 1, data.borrower_name or startup.name
    founder = (
        # A founder who had not left by the contract date.
        await Founder.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=data.contract_on),
            startup_id=startup.id,
            person_id=data.person_id or 0,
        )
        .select_related("person")
        .first()
    )
    if founder is None:
        raise ValidationFailed({"person_id": N_("Choose a founder of this startup.")})
    return founder.person, data.partners, data.borrower_name or founder.person.name


async def _lpr(data: LoanInput) -> Decimal:
    if data.lpr is not None:
        return data.lpr
    found = await lpr_on(data.contract_on)
    if found is None:
        raise ValidationFailed({"lpr": N_("No LPR is recorded for the contract date: enter the LPR.")})
    return found


async def _refuse_duplicate(data: LoanInput, *, loan_id: int = 0) -> None:
    taken = Loan.filter(bank=data.bank, contract_number=data.contract_number).exclude(id=loan_id)
    if await taken.exists():
        raise _duplicate(data)


def _duplicate(data: LoanInput) -> ValidationFailed:
    return ValidationFailed(
        {"contract_number": N_("A loan under contract %(number)s of %(bank)s is already recorded.")},
        field_params={"contract_number": {"number": data.contract_number, "bank": data.bank}},
    )


def _terms(data: LoanInput, person: Person | None, partners: int, name: str, lpr: Decimal) -> dict[str, Any]:
    return {
        "borrower_kind": data.borrower_kind,
        "person_id": person.id if person is not None else None,
        "partners": partners,
        "borrower_name": name,
        "bank": data.bank,
        "guarantee_agency": data.guarantee_agency,
        "contract_number": data.contract_number,
        "principal": data.principal,
        "annual_rate": data.annual_rate,
        "lpr": lpr,
        "contract_on": data.contract_on,
        "start_on": data.start_on,
        "term_months": data.term_months,
        "period_months": data.period_months,
        "method": data.method,
        "note": data.note,
    }


async def _record(principal: Principal, action: str, loan: Loan, **changes: Any) -> None:
    await audit.record(principal, action, loan, base_id=loan.base_id, region_code=loan.region_code, **changes)


async def create_loan(principal: Principal, startup: Startup, data: LoanInput) -> Loan:
    """Record a guaranteed loan of a startup of the operator's base; the LPR defaults to the contract date's."""
    require_operator(principal, startup.base_id)
    person, partners, name = await _borrower(startup, data)
    lpr = await _lpr(data)
    base = await Base.get(id=startup.base_id)
    try:
        async with in_transaction():
            await _refuse_duplicate(data)
            loan = await Loan.create(
                base_id=base.id,
                startup_id=startup.id,
                region_code=base.region_id,
                created_by_id=principal.user_id or None,
                **_terms(data, person, partners, name, lpr),
            )
            await _record(principal, "loan.created", loan, after=audit.snapshot(loan, LOAN_FIELDS))
    except IntegrityError:
        # Two operators recording the same contract at once: the unique constraint decides.
        raise _duplicate(data) from None
    return loan


async def update_loan(principal: Principal, loan: Loan, data: LoanInput) -> Loan:
    """Correct a loan's terms, only while no subsidy application refers to it."""
    require_operator(principal, loan.base_id)
    startup = await Startup.get(id=loan.startup_id)
    person, partners, name = await _borrower(startup, data)
    lpr = await _lpr(data)
    try:
        async with in_transaction():
            loan = await Loan.select_for_update().get(id=loan.id)
            if await Application.filter(loan_id=loan.id).exists():
                raise ValidationFailed(
                    {"__all__": N_("A subsidy application refers to this loan: its terms can no longer be changed.")}
                )
            await _refuse_duplicate(data, loan_id=loan.id)
            repaid = (await repaid_by_loan([loan.id])).get(loan.id, (ZERO, ZERO))[0]
            if data.principal < repaid:
                raise ValidationFailed(
                    {"principal": N_("%(repaid)s of principal is already repaid: the principal cannot be less.")},
                    field_params={"principal": {"repaid": money(repaid)}},
                )
            before = audit.snapshot(loan, LOAN_FIELDS)
            loan.update_from_dict(_terms(data, person, partners, name, lpr))
            await loan.save()
            after = audit.snapshot(loan, LOAN_FIELDS)
            changed = [key for key in LOAN_FIELDS if before[key] != after[key]]
            await _record(
                principal,
                "loan.updated",
                loan,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    except IntegrityError:
        raise _duplicate(data) from None
    return loan


async def record_repayment(principal: Principal, loan: Loan, data: RepaymentInput) -> LoanRepayment:
    """Record a repayment actually made; principal is never repaid beyond what is outstanding."""
    require_operator(principal, loan.base_id)
    if data.paid_on < loan.start_on:
        raise ValidationFailed({"paid_on": N_("A repayment cannot be dated before the loan starts.")})
    async with in_transaction():
        # The loan row is locked so two repayments recorded at once cannot both take the last of it.
        loan = await Loan.select_for_update().get(id=loan.id)
        repaid = (await repaid_by_loan([loan.id])).get(loan.id, (ZERO, ZERO))[0]
        outstanding = loan.principal - repaid
        if data.principal > outstanding:
            raise ValidationFailed(
                {"principal": N_("Only %(outstanding)s of principal is outstanding.")},
                field_params={"principal": {"outstanding": money(outstanding)}},
            )
        repayment = await LoanRepayment.create(
            loan_id=loan.id,
            base_id=loan.base_id,
            startup_id=loan.startup_id,
            region_code=loan.region_code,
            paid_on=data.paid_on,
            principal=data.principal,
            interest=data.interest,
            reference=data.reference,
            recorded_by_id=principal.user_id or None,
        )
        await _record(
            principal,
            "loan.repayment_recorded",
            loan,
            after={
                "repayment_id": repayment.id,
                "paid_on": data.paid_on,
                "principal": data.principal,
                "interest": data.interest,
                "reference": data.reference,
                "outstanding": outstanding - data.principal,
            },
        )
    return repayment


# -- reading -------------------------------------------------------------------------------


def visible_loans(principal: Principal) -> QuerySet[Loan]:
    """The loans the principal may read (bureaus: their region; operators: their base; founders: their startup)."""
    require(principal, "loan.view")
    return visible(principal, Loan)


def loan_schedule(loan: Loan) -> list[Instalment]:
    """The loan's repayment schedule, from its terms."""
    return schedule(loan.principal, loan.annual_rate, loan.start_on, loan.term_months, loan.period_months, loan.method)


async def repaid_by_loan(loan_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Principal and interest repaid so far on each loan, summed in SQL."""
    ids = list(loan_ids)
    if not ids:
        return {}
    rows = (
        await LoanRepayment.filter(loan_id__in=ids)
        .group_by("loan_id")
        .annotate(principal_sum=Sum("principal"), interest_sum=Sum("interest"))
        .values("loan_id", "principal_sum", "interest_sum")
    )
    return {row["loan_id"]: (_sum(row["principal_sum"]), _sum(row["interest_sum"])) for row in rows}


@dataclass(frozen=True)
class PeriodRow:
    """An instalment of the schedule beside what was actually repaid for it."""

    instalment: Instalment
    paid_from: dt.date
    paid_to: dt.date
    principal_paid: Decimal
    interest_paid: Decimal
    ended: bool

    @property
    def interest_recorded(self) -> bool:
        return self.interest_paid > 0

    @property
    def claimable(self) -> bool:
        """Over, with its interest recorded as paid: an interest subsidy may be applied for."""
        return self.ended and self.interest_recorded


async def period_rows(loan: Loan, today: dt.date) -> list[PeriodRow]:
    """Each period of the schedule with the principal and interest of the repayments that count for it."""
    instalments = loan_schedule(loan)
    # Sums per day in SQL; the days are then put into the periods' windows.
    daily = (
        await LoanRepayment.filter(loan_id=loan.id)
        .group_by("paid_on")
        .annotate(principal_sum=Sum("principal"), interest_sum=Sum("interest"))
        .values("paid_on", "principal_sum", "interest_sum")
    )
    rows = []
    for instalment in instalments:
        first, last = payment_window(instalments, instalment.no)
        inside = [row for row in daily if first <= _day(row["paid_on"]) <= last]
        rows.append(
            PeriodRow(
                instalment=instalment,
                paid_from=first,
                paid_to=last,
                principal_paid=sum((_sum(row["principal_sum"]) for row in inside), ZERO),
                interest_paid=sum((_sum(row["interest_sum"]) for row in inside), ZERO),
                ended=instalment.end < today,
            )
        )
    return rows


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def _earlier_claim(loan: Loan, period_no: int, exclude: int | None) -> str | None:
    query = Claim.filter(
        kind=PolicyKind.LOAN_INTEREST, subject=f"loan:{loan.id}:{period_no}", application__state__in=LIVE_STATES
    ).select_related("application")
    if exclude is not None:
        query = query.exclude(application_id=exclude)
    claim = await query.first()
    return claim.application.reference if claim is not None else None


async def interest_facts(
    loan: Loan,
    period_no: int,
    applied_on: dt.date,
    *,
    exclude: int | None = None,
    declared: Iterable[str] = (),
) -> LoanFacts:
    """What the interest subsidy rule needs for period `period_no` of the loan (LookupError if none).

    `exclude` is the application being evaluated: its own claim does not count against it.
    `declared` are eligible groups the application declares for the borrower, with evidence.
    """
    instalments = loan_schedule(loan)
    paid_from, paid_to = payment_window(instalments, period_no)
    instalment = instalments[period_no - 1]
    sums = (
        await LoanRepayment.filter(loan_id=loan.id)
        .annotate(
            # Principal repaid up to the period's first day (the previous instalment falls due on it).
            principal_before=Sum("principal", _filter=Q(paid_on__lte=instalment.start)),
            interest_paid=Sum("interest", _filter=Q(paid_on__gte=paid_from, paid_on__lte=paid_to)),
        )
        .values("principal_before", "interest_paid")
    )
    row = sums[0] if sums else {}
    recorded: frozenset[str] = frozenset()
    graduation_year = None
    if loan.person_id is not None and loan.borrower_kind is not BorrowerKind.ENTERPRISE:
        person = await Person.get(id=loan.person_id)
        recorded = frozenset(group for group, flag in RECORDED_GROUPS.items() if getattr(person, flag))
        graduation_year = person.graduation_year if person.is_graduate else None
    return LoanFacts(
        loan_id=loan.id,
        period_no=period_no,
        borrower_kind=BorrowerKind(loan.borrower_kind),
        borrower_name=loan.borrower_name,
        partners=loan.partners,
        recorded_groups=recorded,
        graduation_year=graduation_year,
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        lpr=loan.lpr,
        start_on=loan.start_on,
        term_months=loan.term_months,
        instalment=instalment,
        outstanding=loan.principal - _sum(row.get("principal_before")),
        interest_paid=_sum(row.get("interest_paid")),
        paid_from=paid_from,
        paid_to=paid_to,
        applied_on=applied_on,
        earlier_claim=await _earlier_claim(loan, period_no, exclude),
        declared_groups=frozenset(declared),
    )
