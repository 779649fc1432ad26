"""Gathering the facts a rule decides on, and running it: the only place rules meet the database.

`evaluate` finds the policy in force for the startup's region on the day, gathers the facts
of its kind (founders and their groups, registration, months rented and rent paid, the loan
and its repayments, earlier claims anywhere in the installation) and returns the Decision
with the facts it was made on, ready to show before submitting and to freeze.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q

from grants.models import Application, AppState, Claim, Loan, Policy, PolicyKind, PolicyVersion
from grants.rules import loan_interest, rent_subsidy, startup_grant
from grants.rules.core import Decision, Label, Step, Trace
from grants.rules.core import Outcome as StepOutcome
from grants.rules.params import RECORDED_GROUPS, GrantParams, InterestParams, RentParams
from grants.services.policies import in_force
from incubator.audit import jsonable
from incubator.i18n import N_
from tenants.models import Founder, Lease, RentConcession, Startup
from tenants.services.accounts import rent_paid
from tenants.services.rents import rent_schedule

RENT_MONTHS_FACT = "months_counted"


@dataclass(frozen=True)
class Period:
    """What an application claims for: nothing (the one-time grant), a year of rent, a loan's period."""

    kind: PolicyKind
    year: int | None = None
    loan_id: int | None = None
    period_no: int | None = None

    @property
    def start(self) -> dt.date | None:
        return dt.date(self.year, 1, 1) if self.year else None

    @property
    def end(self) -> dt.date | None:
        return dt.date(self.year, 12, 31) if self.year else None


@dataclass
class Evaluation:
    policy: Policy | None
    version: PolicyVersion | None
    decision: Decision
    facts: dict[str, Any] = field(default_factory=dict)
    # For a loan period: its dates, which the application keeps.
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def frozen(self) -> dict[str, Any]:
        from grants.rules.core import encode

        data = encode(self.decision, self.facts)
        if self.version is not None:
            data["version"] = {"id": self.version.id, "valid_from": self.version.valid_from.isoformat()}
        return data


def _refusal(msgid: str, **params: Any) -> Decision:
    return Decision(False, Decimal("0.00"), (Step(msgid, params, StepOutcome.FAIL),))


async def _claimed(kind: PolicyKind, subjects: list[str], exclude: int | None) -> dict[str, str]:
    """Subjects already held by another application, with that application's reference."""
    if not subjects:
        return {}
    query = Claim.filter(kind=kind, subject__in=subjects).select_related("application")
    if exclude is not None:
        query = query.exclude(application_id=exclude)
    return {claim.subject: claim.application.reference for claim in await query}


def _groups_of(person: Any) -> frozenset[str]:
    return frozenset(group for group, flag in RECORDED_GROUPS.items() if getattr(person, flag))


async def founders_on(startup_id: int, day: dt.date) -> list[Founder]:
    """The startup's founders on the day (joined by then, not left before), with their persons."""
    return (
        await Founder.filter(startup_id=startup_id, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("person")
        .order_by("joined_on", "id")
    )


async def grant_facts(
    startup: Startup, applied_on: dt.date, declared: dict[int, frozenset[str]], exclude: int | None
) -> startup_grant.GrantFacts:
    founders = await founders_on(startup.id, applied_on)
    people = {f.person_id: f for f in founders}
    subjects = [f"person:{pid}" for pid in people]
    if startup.uscc:
        subjects.append(f"enterprise:{startup.uscc}")
    claimed = await _claimed(PolicyKind.STARTUP_GRANT, subjects, exclude)
    return startup_grant.GrantFacts(
        startup_name=startup.name,
        uscc=startup.uscc or None,
        registered_on=startup.registered_on if startup.uscc else None,
        applied_on=applied_on,
        founders=tuple(
            startup_grant.FounderFacts(
                person_id=f.person_id,
                name=f.person.name,
                joined_on=f.joined_on,
                recorded=_groups_of(f.person),
                graduation_year=f.person.graduation_year if f.person.is_graduate else None,
                declared=declared.get(f.person_id, frozenset()),
                earlier_claim=claimed.get(f"person:{f.person_id}"),
            )
            for f in people.values()
        ),
        enterprise_claim=claimed.get(f"enterprise:{startup.uscc}") if startup.uscc else None,
    )


async def months_subsidised_before(startup_id: int, year: int, exclude: int | None) -> int:
    """Months of rent subsidy held by the startup's other live applications (other years)."""
    query = Application.filter(startup_id=startup_id, kind=PolicyKind.RENT_SUBSIDY).exclude(
        state__in=[AppState.DRAFT, AppState.REJECTED, AppState.WITHDRAWN]
    )
    if exclude is not None:
        query = query.exclude(id=exclude)
    total = 0
    for row in await query.values("period_start", "submitted_decision", "approved_decision"):
        if row["period_start"] is not None and row["period_start"].year == year:
            continue
        frozen = row["approved_decision"] or row["submitted_decision"] or {}
        total += int(frozen.get("facts", {}).get(RENT_MONTHS_FACT, 0))
    return total


async def rent_facts(startup: Startup, year: int, applied_on: dt.date, exclude: int | None) -> rent_subsidy.RentFacts:
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    leases = await Lease.filter(startup_id=startup.id, start_on__lte=dec31, occupied_until__gte=jan1)
    concessions: dict[int, list[RentConcession]] = {}
    for concession in await RentConcession.filter(lease_id__in=[lease.id for lease in leases]):
        concessions.setdefault(concession.lease_id, []).append(concession)
    charged: dict[int, Decimal] = {}
    held: set[int] = set()
    for lease in leases:
        for row in rent_schedule(lease, concessions.get(lease.id, ())).rows:
            if row.start.year == year:
                held.add(row.start.month)
                charged[row.start.month] = charged.get(row.start.month, Decimal(0)) + row.charged
    rented = {month for month in held if charged.get(month, 0) > 0}
    paid = await rent_paid(startup, year)
    claimed = await _claimed(PolicyKind.RENT_SUBSIDY, [f"rent:{startup.id}:{year}"], exclude)
    return rent_subsidy.RentFacts(
        startup_id=startup.id,
        startup_name=startup.name,
        year=year,
        applied_on=applied_on,
        rented_months=len(rented),
        free_months=len(held - rented),
        rent_charged=paid.charged,
        rent_paid=paid.paid,
        bills=len(paid.bills),
        months_before=await months_subsidised_before(startup.id, year, exclude),
        earlier_claim=claimed.get(f"rent:{startup.id}:{year}"),
    )


async def evaluate(
    startup: Startup,
    period: Period,
    *,
    applied_on: dt.date,
    declared: dict[int, frozenset[str]] | None = None,
    exclude: int | None = None,
) -> Evaluation:
    """The decision on `startup`'s claim for `period` if it applied on `applied_on`.

    The caller fetched the startup (and the loan) through access control. `exclude` is the
    application being evaluated, whose own claims do not count against it.
    """
    await startup.fetch_related("base")
    region = startup.base.region_id
    found = await in_force(period.kind, region, applied_on)
    if found is None:
        decision = _refusal(
            N_("No “%(policy)s” policy is in force for this startup's region on %(day)s."),
            policy=Label("policy_kind", period.kind.value),
            day=applied_on,
        )
        return Evaluation(None, None, decision)
    policy, version = found
    if period.kind is PolicyKind.STARTUP_GRANT:
        grant = await grant_facts(startup, applied_on, declared or {}, exclude)
        decision = startup_grant.decide(grant, GrantParams.of(version.params))
        return Evaluation(policy, version, decision, jsonable(asdict(grant)))
    if period.kind is PolicyKind.RENT_SUBSIDY:
        if period.year is None:
            return Evaluation(policy, version, _refusal(N_("Choose the year the rent was paid for.")))
        rent = await rent_facts(startup, period.year, applied_on, exclude)
        params = RentParams.of(version.params)
        decision = rent_subsidy.decide(rent, params)
        facts = jsonable(asdict(rent))
        facts[RENT_MONTHS_FACT] = rent_subsidy.counted_months(rent, params) if decision.eligible else 0
        return Evaluation(policy, version, decision, facts, period.start, period.end)
    # The loan interest subsidy, for one repayment period of one of the startup's loans.
    loan = await Loan.filter(id=period.loan_id or 0, startup_id=startup.id).first()
    if loan is None or period.period_no is None:
        return Evaluation(policy, version, _refusal(N_("Choose one of the startup's loans and a repayment period.")))
    from grants.services.loans import interest_facts

    try:
        borrower_groups = (declared or {}).get(loan.person_id, frozenset()) if loan.person_id else frozenset()
        facts = await interest_facts(loan, period.period_no, applied_on, exclude=exclude, declared=borrower_groups)
    except LookupError:
        trace = Trace()
        trace.fail(N_("The loan has no repayment period %(no)s."), no=period.period_no)
        return Evaluation(policy, version, trace.decide(Decimal(0)))
    decision = loan_interest.decide(facts, InterestParams.of(version.params))
    return Evaluation(policy, version, decision, jsonable(asdict(facts)), facts.instalment.start, facts.instalment.end)
