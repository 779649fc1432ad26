"""The real-name job roster: add, correct and end employments; counting rules of a region."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.audit import snapshot
from incubator.errors import Forbidden, ValidationFailed
from incubator.i18n import N_
from incubator.models import Base, Region, Role
from incubator.regions import in_subtree
from tenants.forms.jobs import CountingRuleInput, EmploymentInput, EmploymentTerms, LeavingInput
from tenants.models import CountingRule, Employment, Founder, Person, Startup, Verification, month_index
from tenants.services.people import link_person

EMPLOYMENT_FIELDS = (
    "startup_id",
    "person_id",
    "hired_on",
    "left_on",
    "left_reason",
    "contract_kind",
    "insured_from",
    "insured_until",
    "monthly_wage",
    "is_founder",
    "verification",
)


def employed_between(start: dt.date, end: dt.date) -> Q:
    """Employments that hold on at least one day of [start, end]."""
    return Q(hired_on__lte=end) & (Q(left_on=None) | Q(left_on__gte=start))


async def _check_overlap(startup_id: int, person_id: int, terms: EmploymentTerms, exclude: int | None) -> None:
    """One person may not hold two employments at one startup on the same day."""
    query = Employment.filter(startup_id=startup_id, person_id=person_id)
    if exclude is not None:
        query = query.exclude(id=exclude)
    if terms.left_on is not None:
        query = query.filter(hired_on__lte=terms.left_on)
    for other in await query:
        if other.left_on is None or other.left_on >= terms.hired_on:
            raise ValidationFailed(
                {"hired_on": N_("This person is already employed by this startup from %(start)s to %(end)s.")},
                field_params={"hired_on": {"start": other.hired_on, "end": other.left_on or "—"}},
            )


def term_values(terms: EmploymentTerms) -> dict[str, Any]:
    """The columns of an employment that its terms fill in."""
    start, until = terms.insured_from, terms.insured_until
    return {
        "hired_on": terms.hired_on,
        "left_on": terms.left_on,
        "left_reason": terms.left_reason if terms.left_on else "",
        "contract_kind": terms.contract_kind,
        "insured_from": start,
        "insured_until": until,
        "insured_from_month": month_index(start.year, start.month) if start else None,
        "insured_until_month": month_index(until.year, until.month) if until else None,
        "monthly_wage": terms.monthly_wage,
    }


async def _categories_at_hiring(person: Person, startup_id: int, hired_on: dt.date) -> dict[str, Any]:
    founder = await Founder.filter(startup_id=startup_id, person_id=person.id, joined_on__lte=hired_on).first()
    return categories_at_hiring(
        person, is_founder=founder is not None and (founder.left_on is None or founder.left_on >= hired_on)
    )


def categories_at_hiring(person: Person, *, is_founder: bool) -> dict[str, Any]:
    """The person's categories as copied onto an employment when it starts."""
    return {
        "is_founder": is_founder,
        "is_graduate": person.is_graduate,
        "graduation_year": person.graduation_year if person.is_graduate else None,
        "is_tibetan": person.is_tibetan_hukou,
        "is_farmer_herder": person.is_farmer_herder,
        "is_veteran": person.is_veteran,
        "is_poverty_alleviated": person.is_poverty_alleviated,
        "is_disabled": person.is_disabled,
    }


async def add_employment(principal: Principal, startup: Startup, data: EmploymentInput) -> Employment:
    """Declare that a person works for the startup; the person is found by ID number."""
    require(principal, "roster.manage", startup)
    base = await Base.get(id=startup.base_id)
    if startup.admitted_on is None:
        raise ValidationFailed({"hired_on": N_("Admit the startup before keeping its roster.")})
    async with in_transaction():
        link = await link_person(principal, base, data.person)
        await _check_overlap(startup.id, link.person.id, data.terms, None)
        employment = await Employment.create(
            startup_id=startup.id,
            person_id=link.person.id,
            base_id=base.id,
            region_code=base.region_id,
            **term_values(data.terms),
            **await _categories_at_hiring(link.person, startup.id, data.terms.hired_on),
        )
        await audit.record(
            principal,
            "employment.added",
            employment,
            base_id=base.id,
            region_code=base.region_id,
            after={**snapshot(employment, EMPLOYMENT_FIELDS), "id_masked": link.person.id_masked},
        )
    employment.person = link.person
    return employment


async def correct_employment(principal: Principal, employment: Employment, terms: EmploymentTerms) -> Employment:
    """Correct the dates, contract, insurance or wage of a roster entry.

    A corrected entry is declared again: a verification applies to what was checked.
    """
    require(principal, "roster.manage", employment)
    values = term_values(terms)
    if all(getattr(employment, name) == value for name, value in values.items()):
        # Nothing corrected (an empty PATCH): no audit event, and a verified entry stays verified.
        return employment
    await _check_overlap(employment.startup_id, employment.person_id, terms, employment.id)
    before = snapshot(employment, EMPLOYMENT_FIELDS)
    async with in_transaction():
        employment.update_from_dict(values)
        employment.verification = Verification.DECLARED
        await employment.save()
        await audit.record(
            principal,
            "employment.corrected",
            employment,
            base_id=employment.base_id,
            region_code=employment.region_code,
            before=before,
            after=snapshot(employment, EMPLOYMENT_FIELDS),
        )
    return employment


async def end_employment(principal: Principal, employment: Employment, data: LeavingInput) -> Employment:
    """Record the day a person left, with the reason."""
    require(principal, "roster.manage", employment)
    if employment.left_on is not None:
        raise ValidationFailed({"left_on": N_("This employment has already ended.")})
    if data.left_on < employment.hired_on:
        raise ValidationFailed({"left_on": N_("The day of leaving cannot be before the day of hiring.")})
    before = snapshot(employment, EMPLOYMENT_FIELDS)
    async with in_transaction():
        employment.left_on, employment.left_reason = data.left_on, data.reason
        await employment.save(update_fields=["left_on", "left_reason", "updated_at"])
        await audit.record(
            principal,
            "employment.ended",
            employment,
            base_id=employment.base_id,
            region_code=employment.region_code,
            before=before,
            after=snapshot(employment, EMPLOYMENT_FIELDS),
        )
    return employment


async def add_counting_rule(principal: Principal, region: Region, data: CountingRuleInput) -> CountingRule:
    """Record a region's counting rule from a date on (earlier figures keep the earlier rule)."""
    require(principal, "counting_rule.manage", region)
    if principal.role is Role.BUREAU and not (principal.region_code and in_subtree(region.code, principal.region_code)):
        raise Forbidden()
    if await CountingRule.exists(region_id=region.code, effective_from=data.effective_from):
        raise ValidationFailed({"effective_from": N_("This region already has a rule from this date.")})
    async with in_transaction():
        rule = await CountingRule.create(
            region_id=region.code,
            effective_from=data.effective_from,
            include_founders=data.include_founders,
            min_insured_months=data.min_insured_months,
            contract_kinds=[k.value for k in data.contract_kinds],
            source=data.source,
            created_by=principal.username,
        )
        await audit.record(
            principal,
            "counting_rule.created",
            rule,
            region_code=region.code,
            after=snapshot(
                rule,
                ("region_id", "effective_from", "include_founders", "min_insured_months", "contract_kinds", "source"),
            ),
        )
    return rule
