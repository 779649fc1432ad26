"""The demo installation's startups, people, spaces and leases: valid identifiers, consistent
lifecycles, no space let twice on a day, and 阿琼's after-school care company as documented."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest

from grants.models import AuditFinding, AuditState, JobAudit
from incubator.formatting import today
from incubator.identifiers import birth_date_of, id_number_error, sex_of, uscc_error
from incubator.models import AuditEvent, Base, Membership
from incubator.pii import mask_id_number, open_id_number
from tenants.demo import SEED, plan
from tenants.demo.jobs import plan_roster
from tenants.models import (
    BasePerson,
    ContractKind,
    CountingRule,
    Employment,
    Founder,
    FounderRole,
    Lease,
    LeaseOrigin,
    LeaseSpace,
    LegalForm,
    Person,
    RentConcession,
    Space,
    SpaceKind,
    SpaceStatus,
    Startup,
    StartupEvent,
    StartupStatus,
    Verification,
    month_index,
)
from tenants.services.jobcounts import Target, job_counts

# These tests only read the demo: it is loaded once for the module.
pytestmark = [pytest.mark.shared_demo, pytest.mark.usefixtures("demo_installation")]

MOBILE = re.compile(r"^1[3-9]\d{9}$")
AQIONG_STARTUP = "昌都市卡若区童心课后托管服务有限公司"


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


async def test_it_gives_every_person_a_valid_distinct_id_number(app):
    persons = await Person.all()
    numbers = [open_id_number(person.id_cipher) for person in persons]
    assert len(set(numbers)) == len(persons) >= 100
    for person, number in zip(persons, numbers, strict=True):
        assert id_number_error(number) is None, person.name
        assert birth_date_of(number) == person.birth_date
        assert sex_of(number) == person.sex.value
        assert person.id_masked == mask_id_number(number)
        assert 21 <= _age(person.birth_date, today()) <= 40, person.name
        assert MOBILE.match(person.phone), person.phone
        if person.is_graduate:
            assert person.school and person.graduation_year is not None
            assert person.birth_date.year + 20 <= person.graduation_year <= today().year
        else:
            assert person.school == "" and person.graduation_year is None
    assert len({person.phone for person in persons}) == len(persons)
    graduates = sum(person.is_graduate for person in persons) / len(persons)
    tibetan = sum(person.is_tibetan_hukou for person in persons) / len(persons)
    moved = sum(person.hukou_region_code != number[:6] for person, number in zip(persons, numbers, strict=True))
    assert 0.85 <= graduates <= 0.95 and tibetan >= 0.75
    assert 0 < moved <= len(persons) // 10
    assert any(person.is_farmer_herder for person in persons)
    assert any(person.is_veteran for person in persons)
    assert any(person.is_poverty_alleviated for person in persons)


async def test_it_registers_every_founder_with_the_startups_base(app):
    registered = set(await BasePerson.all().values_list("base_id", "person_id"))
    founders = await Founder.all().select_related("startup")
    by_startup: dict[int, list[Founder]] = defaultdict(list)
    for founder in founders:
        by_startup[founder.startup_id].append(founder)
        assert (founder.startup.base_id, founder.person_id) in registered
        assert founder.joined_on <= today() and founder.left_on is None
    startups = await Startup.all()
    assert set(by_startup) == {startup.id for startup in startups}
    for startup in startups:
        roles = [founder.role for founder in by_startup[startup.id]]
        assert 1 <= len(roles) <= 3, startup.name
        if startup.legal_form is LegalForm.LIMITED_COMPANY:
            assert roles.count(FounderRole.LEGAL_REPRESENTATIVE) == 1, startup.name
        elif startup.legal_form is LegalForm.UNREGISTERED_TEAM:
            assert set(roles) == {FounderRole.MEMBER}, startup.name
        # The contact is one of the founders.
        contacts = {f.person_id for f in by_startup[startup.id]}
        assert await Person.filter(id__in=contacts, name=startup.contact_name, phone=startup.contact_phone).exists()
    # Everyone registered with a base founded or works for one of its startups.
    workers = set(await Employment.all().values_list("base_id", "person_id"))
    assert registered == {(founder.startup.base_id, founder.person_id) for founder in founders} | workers


async def test_it_gives_registered_startups_a_valid_credit_code(app):
    startups = await Startup.all().select_related("base")
    for startup in startups:
        if startup.legal_form is LegalForm.UNREGISTERED_TEAM:
            assert startup.uscc is None and startup.registered_on is None, startup.name
            continue
        assert startup.uscc is not None and uscc_error(startup.uscc) is None, startup.name
        assert startup.uscc[2:8] == startup.base.region_id
        assert startup.registered_on is not None and startup.applied_on is not None
        assert startup.registered_on < startup.applied_on
        assert MOBILE.match(startup.contact_phone) and startup.description and startup.industry is not None
    usccs = [startup.uscc for startup in startups if startup.uscc]
    assert len(set(usccs)) == len(usccs)
    forms = Counter(startup.legal_form for startup in startups)
    assert forms[LegalForm.LIMITED_COMPANY] > len(startups) / 2
    assert all(forms[form] > 0 for form in LegalForm)


async def test_it_records_events_that_match_each_startups_status(app):
    events: dict[int, list[StartupEvent]] = defaultdict(list)
    for event in await StartupEvent.all().order_by("on", "id"):
        events[event.startup_id].append(event)
    for startup in await Startup.all():
        steps = events[startup.id]
        assert steps[0].from_status is None and steps[0].to_status is StartupStatus.APPLIED
        assert steps[0].on == startup.applied_on
        for before, after in pairwise(steps):
            assert after.from_status is before.to_status and before.on <= after.on, startup.name
        assert steps[-1].to_status is startup.status
        assert all(step.on <= today() for step in steps)
        if startup.status is StartupStatus.APPLIED:
            assert len(steps) == 1 and startup.admitted_on is None and startup.left_on is None
            continue
        assert steps[1].to_status is StartupStatus.INCUBATING and steps[1].on == startup.admitted_on
        assert startup.admitted_on is not None and startup.incubation_ends_on is not None
        # Terms of two or three years; 昌都's first batch extended a year at a time since.
        term = (startup.incubation_ends_on - startup.admitted_on).days + 1
        assert 2 * 365 <= term and (term <= 3 * 366 or startup.incubation_ends_on <= today() + dt.timedelta(days=456))
        if startup.status is StartupStatus.INCUBATING:
            assert len(steps) == 2 and startup.left_on is None and startup.exit_reason is None
            assert startup.incubation_ends_on >= today()
            continue
        assert len(steps) == 3 and steps[2].on == startup.left_on
        assert steps[2].reason == startup.exit_reason
        if startup.status is StartupStatus.EXITED:
            assert startup.exit_reason is not None and steps[2].note
        else:
            assert startup.exit_reason is None
    other = await StartupEvent.filter(reason="other").all()
    assert len(other) == 1 and other[0].note


async def test_it_never_lets_a_space_to_two_leases_on_the_same_day(app):
    spaces = {space.id: space for space in await Space.all()}
    held: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    leases = {lease.id: lease for lease in await Lease.all().select_related("startup")}
    links = await LeaseSpace.all()
    rents: dict[int, Decimal] = defaultdict(Decimal)
    kinds: dict[int, set[SpaceKind]] = defaultdict(set)
    for link in links:
        lease, space = leases[link.lease_id], spaces[link.space_id]
        assert space.base_id == lease.base_id and link.list_rent == space.list_rent
        held[link.space_id].append((lease.start_on, lease.occupied_until))
        rents[lease.id] += link.list_rent
        kinds[lease.id].add(space.kind)
    dsj = await Base.get(code="DSJ")
    for space_id, ranges in held.items():
        ranges.sort()
        for (_start, until), (start, _until) in pairwise(ranges):
            assert until < start, spaces[space_id].code
    for lease in leases.values():
        assert lease.list_rent == rents[lease.id] and Decimal(0) <= lease.monthly_rent <= lease.list_rent
        # 第三极 lets its desks free of charge, and only its desks.
        free_desks = lease.base_id == dsj.id and kinds[lease.id] == {SpaceKind.DESK}
        assert (lease.monthly_rent == 0) == free_desks, lease.startup.name
        assert lease.deposit == lease.monthly_rent and lease.start_on <= lease.occupied_until <= lease.end_on
        assert (lease.ended_on is None) == (lease.occupied_until == lease.end_on)
        assert (lease.ended_on is None) == (lease.end_reason == "")
        if lease.startup.left_on is not None:
            assert lease.occupied_until <= lease.startup.left_on
        if lease.previous_id is not None:
            previous = leases[lease.previous_id]
            assert (
                previous.startup_id == lease.startup_id
                and previous.occupied_until + dt.timedelta(days=1) == lease.start_on
            )
            assert lease.origin in (LeaseOrigin.RENEWAL, LeaseOrigin.MOVE)
    origins = Counter(lease.origin for lease in leases.values())
    assert origins[LeaseOrigin.RENEWAL] >= 2 and origins[LeaseOrigin.MOVE] >= 1
    assert any(lease.ended_on is not None for lease in leases.values())
    for concession in await RentConcession.all():
        lease = leases[concession.lease_id]
        assert lease.start_on <= concession.start_on <= concession.end_on <= lease.end_on
        assert concession.monthly_rent < lease.monthly_rent


async def _occupancy(base: Base) -> Counter[str]:
    """Each in-service, lettable space of the base as occupied, reserved or free today."""
    day = today()
    states: Counter[str] = Counter()
    lettable = (SpaceKind.DESK, SpaceKind.OFFICE, SpaceKind.WORKSHOP, SpaceKind.STORAGE)
    for space in await Space.filter(base_id=base.id, status=SpaceStatus.IN_SERVICE, kind__in=lettable):
        leases = await Lease.filter(spaces__space_id=space.id)
        if any(lease.start_on <= day <= lease.occupied_until for lease in leases):
            states["occupied"] += 1
        elif any(lease.start_on > day for lease in leases):
            states["reserved"] += 1
        else:
            states["free"] += 1
    return states


async def test_it_fills_both_bases_with_free_occupied_and_reserved_spaces(app):
    dsj, chamdo = await Base.get(code="DSJ"), await Base.get(code="CDCK")
    assert await Startup.filter(base_id=dsj.id).count() >= 35
    assert await Startup.filter(base_id=chamdo.id).count() == 20
    for base in (dsj, chamdo):
        statuses = Counter(await Startup.filter(base_id=base.id).values_list("status", flat=True))
        assert statuses[StartupStatus.INCUBATING] > sum(statuses.values()) / 2
        assert statuses[StartupStatus.GRADUATED] and statuses[StartupStatus.EXITED]
    kinds = Counter(await Space.filter(base_id=dsj.id).values_list("kind", flat=True))
    assert kinds[SpaceKind.DESK] == 60 and kinds[SpaceKind.OFFICE] == 24 and kinds[SpaceKind.MEETING_ROOM] == 3
    assert await Space.filter(base_id=dsj.id, status=SpaceStatus.OUT_OF_SERVICE).count() == 1
    areas = await Space.filter(base_id=dsj.id).values_list("area_m2", flat=True)
    assert sum(areas) < dsj.area_m2
    board = await _occupancy(dsj)
    assert board["free"] and board["occupied"] and board["reserved"]
    for base in (dsj, chamdo):
        board = await _occupancy(base)
        assert 0.75 <= (board["occupied"] + board["reserved"]) / sum(board.values()) <= 0.9, base.code


async def test_it_gives_aqiong_her_after_school_care_company(app):
    startup = await Startup.get(name=AQIONG_STARTUP).select_related("base")
    membership = await Membership.get(user__username="founder.aqiong")
    assert membership.startup_id == startup.id and startup.base.code == "CDCK"
    assert startup.uscc == "91540302MA6T1X2Y3A" and uscc_error(startup.uscc) is None
    assert startup.legal_form is LegalForm.LIMITED_COMPANY and startup.industry == "P"
    assert startup.registered_on is not None and startup.registered_on.year == 2023
    assert startup.status is StartupStatus.INCUBATING and startup.admitted_on is not None
    assert startup.admitted_on.year == 2023 and "课后托管" in startup.description
    founders = await Founder.filter(startup_id=startup.id).select_related("person")
    assert len(founders) == 3
    assert all(f.person.is_graduate and f.person.is_tibetan_hukou for f in founders)
    (legal,) = [f for f in founders if f.role is FounderRole.LEGAL_REPRESENTATIVE]
    assert legal.person.name == "阿琼" and legal.person.sex.value == "female"
    leases = await Lease.filter(startup_id=startup.id).order_by("start_on")
    assert [lease.origin for lease in leases] == [LeaseOrigin.NEW, LeaseOrigin.RENEWAL]
    assert leases[0].start_on.year == 2023 and leases[1].previous_id == leases[0].id
    assert leases[1].start_on <= today() <= leases[1].occupied_until
    (link,) = await LeaseSpace.filter(lease_id=leases[1].id).select_related("space")
    assert link.space.kind is SpaceKind.OFFICE and Decimal(1600) <= link.list_rent <= Decimal(1800)
    assert Decimal(19000) <= leases[1].monthly_rent * 12 <= Decimal(21000)


def test_it_plans_the_same_demo_every_time():
    day = dt.date(2026, 11, 22)

    def fingerprint() -> list[object]:
        return [
            (
                [
                    (s.profile.name, s.uscc, s.life, [(p.name, p.id_number, p.phone) for p in s.founders])
                    for s in b.startups
                ],
                [
                    (lease.startup, [sp.code for sp in lease.spaces], lease.start_on, lease.monthly_rent)
                    for lease in b.leases
                ],
            )
            for b in plan(day)
        ]

    assert fingerprint() == fingerprint()


PERSONAL_REASONS = {"合同到期", "个人辞职", "考取公务员", "考取事业单位编制", "继续深造", "个人辞职，回家乡昌都工作"}


async def test_it_keeps_every_roster_entry_within_the_roster_rules(app):
    day = today()
    startups = {s.id: s for s in await Startup.all().select_related("base")}
    persons = {p.id: p for p in await Person.all()}
    founders: dict[tuple[int, int], list[Founder]] = defaultdict(list)
    for founder in await Founder.all():
        founders[founder.startup_id, founder.person_id].append(founder)
    registered = set(await BasePerson.all().values_list("base_id", "person_id"))
    by_pair: dict[tuple[int, int], list[Employment]] = defaultdict(list)
    employments = await Employment.all()
    for e in employments:
        startup, person = startups[e.startup_id], persons[e.person_id]
        by_pair[e.startup_id, e.person_id].append(e)
        assert e.base_id == startup.base_id and e.region_code == startup.base.region_id
        assert (e.base_id, e.person_id) in registered
        assert startup.admitted_on is not None and startup.admitted_on <= e.hired_on <= day, startup.name
        assert e.left_on is None or e.hired_on <= e.left_on <= day
        assert (e.left_on is None) == (e.left_reason == "")
        if startup.left_on is not None:
            assert e.left_on is not None and e.left_on <= startup.left_on, startup.name
        # is_founder exactly when the person is a founder of the startup on the day of hiring.
        founding = [
            f for f in founders.get((e.startup_id, e.person_id), [])
            if f.joined_on <= e.hired_on and (f.left_on is None or f.left_on >= e.hired_on)
        ]  # fmt: skip
        assert e.is_founder == bool(founding), person.name
        if e.is_founder:
            assert e.contract_kind in (ContractKind.FLEXIBLE, ContractKind.FIXED_TERM)
            assert e.hired_on == max(founding[0].joined_on, startup.admitted_on)
        # The categories are the person's, as they were at hiring.
        assert e.is_graduate == person.is_graduate and e.is_tibetan == person.is_tibetan_hukou
        assert e.graduation_year == (person.graduation_year if person.is_graduate else None)
        for flag in ("farmer_herder", "veteran", "poverty_alleviated", "disabled"):
            assert getattr(e, f"is_{flag}") == getattr(person, f"is_{flag}")
        if person.is_graduate and not e.is_founder:
            assert person.graduation_year is not None and person.graduation_year <= e.hired_on.year
        # Insured months follow the insured dates; insurance ends when the job does.
        start, until = e.insured_from, e.insured_until
        assert e.insured_from_month == (month_index(start.year, start.month) if start else None)
        assert e.insured_until_month == (month_index(until.year, until.month) if until else None)
        if start is not None:
            assert e.hired_on <= start <= (e.left_on or day)
            assert until == e.left_on
        else:
            assert until is None
        if e.monthly_wage is not None:
            assert Decimal(3000) <= e.monthly_wage <= Decimal(9000)
            assert e.monthly_wage == e.monthly_wage.quantize(Decimal("0.01"))
    # One person never holds two overlapping employments at one startup.
    for pair_entries in by_pair.values():
        pair_entries.sort(key=lambda e: e.hired_on)
        for before, after in pairwise(pair_entries):
            assert before.left_on is not None and before.left_on < after.hired_on
    # Every founder of an admitted startup is on its roster.
    admitted = {pair for pair in founders if startups[pair[0]].admitted_on is not None}
    assert {(e.startup_id, e.person_id) for e in employments if e.is_founder} == admitted
    staff = [e for e in employments if not e.is_founder]
    kinds = Counter(e.contract_kind for e in staff)
    assert kinds[ContractKind.FIXED_TERM] > len(staff) * 0.6 and all(kinds[kind] for kind in ContractKind)
    assert 0.8 <= sum(e.insured_from is not None for e in staff) / len(staff) < 0.98
    assert 0 < sum(e.monthly_wage is None for e in staff) < len(staff) * 0.2
    # Some turnover: people who resigned, whose contract ended or who passed the civil-service exam.
    turnover = sum(e.left_reason in PERSONAL_REASONS for e in staff) / len(staff)
    assert 0.12 <= turnover <= 0.3


async def test_it_gives_every_employee_a_new_valid_id_number_and_a_base(app):
    founding = set(await Founder.all().values_list("person_id", flat=True))
    employees = await Person.filter(id__not_in=list(founding))
    numbers = [open_id_number(person.id_cipher) for person in employees]
    assert all(id_number_error(number) is None for number in numbers)
    founder_numbers = {open_id_number(p.id_cipher) for p in await Person.filter(id__in=list(founding))}
    assert len(set(numbers)) == len(numbers) and not set(numbers) & founder_numbers
    dsj, chamdo = await Base.get(code="DSJ"), await Base.get(code="CDCK")
    people = {code: set(await Employment.filter(base_id=base.id).values_list("person_id", flat=True))
              for code, base in (("DSJ", dsj), ("CDCK", chamdo))}  # fmt: skip
    assert 250 <= len(people["DSJ"]) <= 350 and 80 <= len(people["CDCK"]) <= 120
    # One graduate left a Lhasa firm and now works in Chamdo: registered with both bases.
    (moved,) = people["DSJ"] & people["CDCK"]
    assert await BasePerson.filter(person_id=moved).count() == 2
    jobs = await Employment.filter(person_id=moved).select_related("base").order_by("hired_on")
    assert [job.base.code for job in jobs] == ["DSJ", "CDCK"] and jobs[0].left_on is not None
    assert jobs[0].left_on < jobs[1].hired_on
    assert 0.85 <= sum(p.is_tibetan_hukou for p in employees) / len(employees) <= 0.95
    assert 0.8 <= sum(p.is_graduate for p in employees) / len(employees) <= 0.92
    assert all(sum(getattr(p, f"is_{flag}") for p in employees) for flag in ("farmer_herder", "veteran"))
    assert sum(p.is_poverty_alleviated for p in employees) and 1 <= sum(p.is_disabled for p in employees) <= 2


async def test_chamdos_bureau_has_signed_off_a_job_audit_with_findings(app):
    dsj, chamdo = await Base.get(code="DSJ"), await Base.get(code="CDCK")
    assert set(await Employment.filter(base_id=dsj.id).values_list("verification", flat=True)) == {"declared"}
    job_audit = await JobAudit.get(base_id=chamdo.id)
    assert job_audit.state is AuditState.SIGNED_OFF and job_audit.signed_by == "bureau.chamdo"
    assert job_audit.roster_filename.endswith(".csv") and job_audit.roster_rows > 40
    kinds = Counter(await AuditFinding.filter(audit_id=job_audit.id).values_list("kind", flat=True))
    for kind in ("verified", "not_found", "other_employer", "fewer_months", "name_differs", "undeclared"):
        assert kinds[kind] >= 1, kind
    assert kinds["undeclared"] == 2
    overridden = await AuditFinding.filter(audit_id=job_audit.id, outcome="verified", proposed="rejected").count()
    assert overridden >= 1
    entries = await Employment.filter(base_id=chamdo.id)
    marks = Counter(e.verification for e in entries)
    assert 0.5 <= marks[Verification.VERIFIED] / len(entries) <= 0.9
    assert 3 <= marks[Verification.REJECTED] <= 15 and marks[Verification.DECLARED] >= 1
    for e in entries:
        assert (e.audit_id == job_audit.id) == (e.verification is not Verification.DECLARED)
        assert bool(e.verification_note) == (e.verification is Verification.REJECTED)
    assert await AuditEvent.filter(action="job_audit.signed_off").count() == 1


async def test_it_counts_lhasas_jobs_under_the_regions_rule(app):
    rule = await CountingRule.get(region_id="540000")
    assert rule.effective_from == dt.date(2020, 1, 1) and rule.include_founders and rule.min_insured_months == 3
    assert rule.contract_kinds == ["fixed_term", "open_ended", "public_welfare"] and "演示数据" in rule.source
    day = today()
    dsj = await Base.get(code="DSJ")

    async def headcount() -> tuple[int, dict[str, int]]:
        counts = await job_counts(Target(base_id=dsj.id), dsj.region_id, as_of=day, period_start=day, period_end=day)
        assert counts.rule.region_code == "540000"
        return counts.headcount.total, counts.headcount.declared

    total, declared = await headcount()
    assert 150 <= total <= 400
    assert 0.8 <= declared["tibetan"] / total <= 0.95 and 0.8 <= declared["graduate"] / total <= 0.95
    # Someone counted at two Lhasa startups today counts once for the base.
    latest = month_index(day.year, day.month) - rule.min_insured_months + 1
    counted: dict[int, list[Employment]] = defaultdict(list)
    for e in await Employment.filter(
        base_id=dsj.id,
        left_on=None,
        is_founder=False,
        contract_kind__in=rule.contract_kinds,
        insured_from_month__lte=latest,
    ):
        counted[e.person_id].append(e)  # fmt: skip
    (first, second), *_ = [jobs for jobs in counted.values() if len({e.startup_id for e in jobs}) == 2]
    await Employment.filter(id=first.id).update(verification=Verification.REJECTED)
    assert (await headcount())[0] == total
    await Employment.filter(id=second.id).update(verification=Verification.REJECTED)
    assert (await headcount())[0] == total - 1


def test_it_plans_the_same_roster_every_time():
    day = dt.date(2026, 11, 22)

    def fingerprint() -> list[object]:
        return [
            (e.startup, e.person.id_number, e.person.name, e.hired_on, e.left_on, e.contract_kind, e.monthly_wage)
            for e in plan_roster(plan(day), SEED, day)
        ]

    assert fingerprint() == fingerprint()
