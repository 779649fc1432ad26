"""The job roster: employments found by ID number, no overlaps, corrections, endings, rules."""

from __future__ import annotations

import datetime as dt

import pytest

from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import today
from incubator.identifiers import compose_id_number
from incubator.models import AuditEvent, Region
from tenants.forms.jobs import parse_counting_rule, parse_employment, parse_leaving, parse_terms
from tenants.models import CountingRule, Employment, Person
from tenants.services import roster
from tests.personas import World, id_number_of, principal_of

NUMBER = compose_id_number("540123", dt.date(1999, 9, 9), 57)


def employment_form(**change: str) -> dict[str, str]:
    form = {
        "id_number": NUMBER,
        "name": "尼玛次仁",
        "hired_on": "2025-03-01",
        "contract_kind": "fixed_term",
        "insured_from": "2025-03-01",
        "monthly_wage": "4500.00",
        "is_graduate": "1",
        "school": "西藏民族大学",
        "graduation_year": "2024",
    }
    return {**form, **change}


async def _admitted(world: World, key: str = "dsj"):
    startup = world.startups[key]
    startup.admitted_on = dt.date(2024, 1, 1)
    await startup.save()
    return startup


async def test_it_adds_an_employment_with_categories_as_they_were_at_hiring(world: World):
    startup = await _admitted(world)
    founder = await principal_of(world, "founder_dsj")
    employment = await roster.add_employment(founder, startup, parse_employment(employment_form(), today=today()))
    assert (employment.base_id, employment.region_code, employment.verification) == (
        world.bases["dsj"].id,
        "540102",
        "declared",
    )
    assert (employment.is_graduate, employment.graduation_year, employment.is_tibetan) == (True, 2024, True)
    assert employment.insured_from_month == 2025 * 12 + 2 and employment.monthly_wage == 4500
    assert not employment.is_founder
    event = await AuditEvent.get(action="employment.added")
    assert NUMBER not in str(event.after) and event.after["id_masked"].startswith("540123")
    person = await Person.get(id=employment.person_id)
    person.is_graduate = False
    await person.save()
    await employment.refresh_from_db()
    assert employment.is_graduate  # the snapshot does not follow later corrections


async def test_it_marks_founders_on_the_roster(world: World):
    startup = await _admitted(world)
    operator = await principal_of(world, "operator_dsj")
    form = employment_form(id_number=id_number_of("dsj"), name=world.persons["dsj"].name, hired_on="2024-03-01")
    employment = await roster.add_employment(operator, startup, parse_employment(form, today=today()))
    assert employment.is_founder and employment.person_id == world.persons["dsj"].id


async def test_it_refuses_overlapping_employments_at_one_startup(world: World):
    startup = await _admitted(world)
    operator = await principal_of(world, "operator_dsj")
    first = await roster.add_employment(
        operator, startup, parse_employment(employment_form(left_on="2025-06-30"), today=today())
    )
    before = (await Employment.all().count(), await AuditEvent.all().count())
    for change in ({"hired_on": "2025-06-30"}, {"hired_on": "2025-01-01", "left_on": "2025-03-01"}):
        with pytest.raises(ValidationFailed) as caught:
            await roster.add_employment(operator, startup, parse_employment(employment_form(**change), today=today()))
        assert "hired_on" in caught.value.fields
    assert (await Employment.all().count(), await AuditEvent.all().count()) == before
    later = await roster.add_employment(
        operator, startup, parse_employment(employment_form(hired_on="2025-07-01"), today=today())
    )
    assert later.person_id == first.person_id
    other = await _admitted(world, "dsj_sibling")
    elsewhere = await roster.add_employment(operator, other, parse_employment(employment_form(), today=today()))
    assert elsewhere.person_id == first.person_id  # two startups at once is allowed (counted once per base)


async def test_it_rejects_bad_employments(world: World):
    startup = await _admitted(world)
    for change, field in [
        ({"left_on": "2025-02-01"}, "left_on"),
        ({"id_number": NUMBER[:-1] + ("1" if NUMBER[-1] != "1" else "2")}, "id_number"),
        ({"contract_kind": "slavery"}, "contract_kind"),
        ({"insured_from": "", "insured_until": "2025-05-01"}, "insured_from"),
        ({"monthly_wage": "-1"}, "monthly_wage"),
        ({"hired_on": (today() + dt.timedelta(days=1)).isoformat()}, "hired_on"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            parse_employment(employment_form(**change), today=today())
        assert field in caught.value.fields, change
    applicant = world.startups["chamdo_sibling"]
    with pytest.raises(ValidationFailed):
        await roster.add_employment(
            await principal_of(world, "operator_chamdo"), applicant, parse_employment(employment_form(), today=today())
        )
    with pytest.raises(Forbidden):
        await roster.add_employment(
            await principal_of(world, "bureau_lhasa"), startup, parse_employment(employment_form(), today=today())
        )


async def test_it_corrects_and_ends_an_employment(world: World):
    startup = await _admitted(world)
    operator = await principal_of(world, "operator_dsj")
    employment = await roster.add_employment(operator, startup, parse_employment(employment_form(), today=today()))
    employment.verification = "verified"
    await employment.save()
    terms = parse_terms({"hired_on": "2025-02-01", "contract_kind": "open_ended"}, today=today())
    await roster.correct_employment(operator, employment, terms)
    assert (employment.hired_on, employment.contract_kind, employment.verification) == (
        dt.date(2025, 2, 1),
        "open_ended",
        "declared",
    )
    with pytest.raises(ValidationFailed):
        await roster.end_employment(
            operator, employment, parse_leaving({"left_on": "2025-01-01", "left_reason": "x"}, today=today())
        )
    await roster.end_employment(
        operator, employment, parse_leaving({"left_on": "2025-08-31", "left_reason": "辞职"}, today=today())
    )
    assert (employment.left_on, employment.left_reason) == (dt.date(2025, 8, 31), "辞职")
    with pytest.raises(ValidationFailed):
        await roster.end_employment(
            operator, employment, parse_leaving({"left_on": "2025-09-30", "left_reason": "x"}, today=today())
        )
    actions = [e.action for e in await AuditEvent.filter(object_type="Employment").order_by("seq")]
    assert actions == ["employment.added", "employment.corrected", "employment.ended"]


async def test_it_records_counting_rules_in_the_bureaus_own_region(world: World):
    bureau = await principal_of(world, "bureau_lhasa")
    form = {
        "effective_from": "2025-01-01",
        "include_founders": "1",
        "min_insured_months": "6",
        "contract_kinds": ["fixed_term", "open_ended"],
        "source": "拉萨市人社局〔2025〕1号",
    }
    lhasa = await Region.get(code="540100")
    rule = await roster.add_counting_rule(bureau, lhasa, parse_counting_rule(form, region_code="540100"))
    assert (rule.min_insured_months, rule.contract_kinds, rule.include_founders) == (
        6,
        ["fixed_term", "open_ended"],
        True,
    )
    with pytest.raises(ValidationFailed):
        await roster.add_counting_rule(bureau, lhasa, parse_counting_rule(form, region_code="540100"))
    with pytest.raises(Forbidden):
        chamdo = await Region.get(code="540300")
        await roster.add_counting_rule(bureau, chamdo, parse_counting_rule(form, region_code="540300"))
    with pytest.raises(ValidationFailed) as caught:
        parse_counting_rule({**form, "contract_kinds": [], "min_insured_months": "99"}, region_code="540100")
    assert set(caught.value.fields) == {"contract_kinds", "min_insured_months"}
    assert await CountingRule.all().count() == 1
