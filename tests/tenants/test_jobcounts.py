"""Job counts: distinct persons, period edges, counting rules, declared vs verified."""

from __future__ import annotations

import datetime as dt

from incubator.identifiers import compose_id_number
from tenants.models import ContractKind, CountingRule, Employment, Person, Startup, month_index
from tenants.services.jobcounts import DEFAULT_RULE, Target, job_counts, monthly_series, rule_for
from tests.personas import World, create_person

D = dt.date


async def _person(n: int, *, tibetan: bool = True) -> Person:
    region = "540102" if tibetan else "510104"
    return await create_person(f"员工{n}", compose_id_number(region, D(1995, 1, 1 + n), n))


async def employ(
    startup: Startup,
    person: Person,
    hired: dt.date,
    left: dt.date | None = None,
    *,
    kind: ContractKind = ContractKind.FIXED_TERM,
    insured: tuple[dt.date, dt.date | None] | None = None,
    founder: bool = False,
    graduate: int | None = None,
    verified: str = "declared",
) -> Employment:
    base = await startup.base
    return await Employment.create(
        startup=startup,
        person=person,
        base_id=startup.base_id,
        region_code=base.region_id,
        hired_on=hired,
        left_on=left,
        contract_kind=kind,
        insured_from=insured[0] if insured else None,
        insured_until=insured[1] if insured else None,
        insured_from_month=month_index(insured[0].year, insured[0].month) if insured else None,
        insured_until_month=month_index(insured[1].year, insured[1].month) if insured and insured[1] else None,
        is_founder=founder,
        is_graduate=graduate is not None,
        graduation_year=graduate,
        is_tibetan=person.is_tibetan_hukou,
        verification=verified,
    )


async def test_it_counts_each_person_once_per_base_and_region(world: World):
    shared = await _person(1)
    dsj, sibling = world.startups["dsj"], world.startups["dsj_sibling"]
    chamdo = world.startups["chamdo"]
    await employ(dsj, shared, D(2025, 1, 1), graduate=2023)
    await employ(sibling, shared, D(2025, 3, 1), graduate=2023)
    await employ(chamdo, shared, D(2025, 2, 1), graduate=2023)
    other = await _person(2, tibetan=False)
    await employ(sibling, other, D(2025, 2, 1))
    day = D(2025, 6, 30)
    args = {"as_of": day, "period_start": D(2025, 1, 1), "period_end": day}
    base = await job_counts(Target(base_id=world.bases["dsj"].id), "540102", **args)
    assert base.headcount.declared["total"] == 2
    assert (base.headcount.declared["graduate"], base.headcount.declared["tibetan"]) == (1, 1)
    region = await job_counts(Target(region_code="540000"), "540000", **args)
    assert region.headcount.total == 2 and region.created.total == 2
    startup = await job_counts(Target(startup_id=sibling.id), "540102", **args)
    assert startup.headcount.total == 2
    assert base.graduates_by_year == {2023: 1}


async def test_it_respects_the_edges_of_days_and_periods(world: World):
    startup = world.startups["dsj"]
    p1, p2, p3 = await _person(1), await _person(2), await _person(3)
    await employ(startup, p1, D(2025, 1, 1), D(2025, 3, 31))
    await employ(startup, p2, D(2025, 3, 31))
    await employ(startup, p3, D(2025, 4, 1))
    target = Target(startup_id=startup.id)
    on_31 = await job_counts(
        target, "540102", as_of=D(2025, 3, 31), period_start=D(2025, 3, 1), period_end=D(2025, 3, 31)
    )
    assert on_31.headcount.total == 2  # p1 still employed on its last day, p2 on its first
    assert on_31.created.total == 1  # only p2 was hired in March
    on_1 = await job_counts(
        target, "540102", as_of=D(2025, 4, 1), period_start=D(2025, 4, 1), period_end=D(2025, 4, 30)
    )
    assert on_1.headcount.total == 2 and on_1.created.total == 1


async def test_it_applies_the_most_specific_counting_rule_in_force(world: World):
    startup = world.startups["dsj"]
    founder, insured_long, insured_short, service = [await _person(n) for n in range(1, 5)]
    await employ(startup, founder, D(2024, 1, 1), founder=True, kind=ContractKind.FLEXIBLE)
    await employ(startup, insured_long, D(2024, 1, 1), insured=(D(2024, 1, 1), None))
    await employ(startup, insured_short, D(2025, 4, 1), insured=(D(2025, 4, 1), None))
    await employ(startup, service, D(2024, 1, 1), kind=ContractKind.SERVICE)
    target = Target(startup_id=startup.id)
    args = {"as_of": D(2025, 6, 30), "period_start": D(2025, 1, 1), "period_end": D(2025, 6, 30)}
    assert (await job_counts(target, "540102", **args)).headcount.total == 4
    assert (await rule_for("540102", D(2025, 6, 30))) == DEFAULT_RULE
    await CountingRule.create(
        region_id="540000",
        effective_from=D(2025, 1, 1),
        include_founders=False,
        min_insured_months=6,
        contract_kinds=["fixed_term", "open_ended"],
        source="自治区口径",
    )
    counts = await job_counts(target, "540102", **args)
    assert counts.headcount.total == 1 and counts.rule.source == "自治区口径"  # only insured_long
    await CountingRule.create(
        region_id="540100",
        effective_from=D(2025, 1, 1),
        include_founders=True,
        min_insured_months=3,
        contract_kinds=["fixed_term"],
        source="拉萨市口径",
    )
    counts = await job_counts(target, "540102", **args)
    assert counts.rule.source == "拉萨市口径"
    assert counts.headcount.total == 3  # founder, insured_long, insured_short (Apr–Jun = 3 months)
    earlier = await job_counts(
        target, "540102", as_of=D(2024, 12, 31), period_start=D(2024, 1, 1), period_end=D(2024, 12, 31)
    )
    assert earlier.rule == DEFAULT_RULE and earlier.headcount.total == 3


async def test_it_splits_declared_and_verified_and_ignores_rejected(world: World):
    startup = world.startups["chamdo"]
    for n, state in enumerate(("declared", "verified", "verified", "rejected"), start=1):
        await employ(startup, await _person(n), D(2025, 1, 1), verified=state, graduate=2022)
    counts = await job_counts(
        Target(base_id=world.bases["chamdo"].id),
        "540302",
        as_of=D(2025, 2, 1),
        period_start=D(2025, 1, 1),
        period_end=D(2025, 1, 31),
    )
    assert counts.headcount.declared["total"] == 3 and counts.headcount.verified["total"] == 2
    assert counts.headcount.verified["graduate"] == 2


async def test_it_counts_cumulative_persons_since_admission(world: World):
    startup = world.startups["dsj"]
    startup.admitted_on = D(2024, 6, 1)
    await startup.save()
    before, during = await _person(1), await _person(2)
    await employ(startup, before, D(2023, 1, 1), D(2024, 5, 31))  # left before admission
    await employ(startup, during, D(2024, 7, 1), D(2024, 12, 31))
    counts = await job_counts(
        Target(startup_id=startup.id),
        "540102",
        as_of=D(2025, 6, 30),
        period_start=D(2025, 1, 1),
        period_end=D(2025, 6, 30),
    )
    assert (counts.cumulative.total, counts.headcount.total) == (1, 0)


async def test_it_builds_monthly_series_in_sql(world: World):
    startup = world.startups["dsj"]
    a, b = await _person(1), await _person(2, tibetan=False)
    await employ(startup, a, D(2025, 1, 15), D(2025, 3, 10), graduate=2024)
    await employ(startup, b, D(2025, 2, 1))
    series = await monthly_series(Target(startup_id=startup.id), DEFAULT_RULE, D(2025, 4, 20), count=5)
    assert [p.month for p in series] == [D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1)]
    assert [p.headcount for p in series] == [0, 1, 2, 1, 1]
    assert [p.created["total"] for p in series] == [0, 1, 1, 0, 0]
    assert [p.created["graduate"] for p in series] == [0, 1, 0, 0, 0]
    assert [p.created["tibetan"] for p in series] == [0, 1, 0, 0, 0]
