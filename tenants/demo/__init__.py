"""The demo startups, founders, spaces and leases of the two demo bases.

Planned first as plain values from a fixed seed and today's date (so the same demo comes out
every time, and it looks current whenever it is built), then written with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from incubator.formatting import today as china_today
from incubator.identifiers import USCC_CHARSET, compose_uscc
from incubator.models import Base
from incubator.pii import seal_id_number
from tenants.demo.catalogue import AQIONG_STARTUP, AQIONG_USCC, CDCK, DSJ, Profile
from tenants.demo.floorplan import FREE_DESK_BASES, Floorplan, LeasePlan, SpacePlan, inventory, leases
from tenants.demo.jobs import plan_roster, write_roster
from tenants.demo.lifecycle import Lifecycle, lifecycle
from tenants.demo.people import PersonPlan, Registry, founders
from tenants.models import (
    BasePerson,
    Founder,
    Lease,
    LeaseSpace,
    LegalForm,
    Person,
    RentConcession,
    Space,
    Startup,
    StartupEvent,
)

SEED = 3650  # 3,650 m a.s.l., Lhasa
REGION_OF_BASE = {"DSJ": "540102", "CDCK": "540302"}
OPERATOR_OF_BASE = {"DSJ": "operator.dsj", "CDCK": "operator.chamdo"}
# GB 32100 registration-authority and entity-kind codes: 91 enterprise, 92 individual business, 93 cooperative.
ENTITY_PREFIX = {LegalForm.SOLE_PROPRIETOR: "92", LegalForm.FARMER_COOPERATIVE: "93"}


@dataclass
class StartupPlan:
    profile: Profile
    life: Lifecycle
    uscc: str | None
    founders: list[PersonPlan]


@dataclass
class BasePlan:
    code: str
    startups: list[StartupPlan]
    spaces: list[SpacePlan]
    leases: list[LeasePlan]


def _uscc(profile: Profile, region: str, rng: random.Random, taken: set[str]) -> str | None:
    if profile.form is LegalForm.UNREGISTERED_TEAM:
        return None
    if profile.name == AQIONG_STARTUP:
        return AQIONG_USCC
    prefix = ENTITY_PREFIX.get(profile.form, "91") + region + "MA6"
    while True:
        code = compose_uscc(prefix + "".join(rng.choices(USCC_CHARSET, k=6)))
        if code not in taken:
            taken.add(code)
            return code


def plan_base(code: str, profiles: list[Profile], today: dt.date, registry: Registry) -> BasePlan:
    """Every startup, founder, space and lease of one demo base, as plain values."""
    # One random stream per startup, so that changing one profile leaves the others as they were.
    rngs = [random.Random(f"{SEED}/{code}/{profile.name}") for profile in profiles]
    lives = [lifecycle(profile, code, rng, today) for profile, rng in zip(profiles, rngs, strict=True)]
    spaces = inventory(code, random.Random(f"{SEED}/{code}"))
    named = {part[1:] for p in profiles for part in p.need.split("+") if part.startswith("=")}
    floorplan = Floorplan(spaces, reserved=named)
    # Named spaces first, then by move-in date: placing intervals in start order never runs out early.
    order = sorted(range(len(profiles)), key=lambda i: ("=" not in profiles[i].need, lives[i].admitted_on or today))
    free = code in FREE_DESK_BASES
    planned = [
        lease for i in order for lease in leases(profiles[i], lives[i], floorplan, rngs[i], today, free_desks=free)
    ]
    usccs: set[str] = set()
    startups = [
        StartupPlan(
            profile,
            life,
            _uscc(profile, REGION_OF_BASE[code], rng, usccs),
            founders(profile, life, code, rng, registry, today),
        )
        for profile, life, rng in zip(profiles, lives, rngs, strict=True)
    ]
    return BasePlan(code, startups, spaces, planned)


def plan(today: dt.date) -> list[BasePlan]:
    """Both demo bases, planned from the fixed seed."""
    registry = Registry()
    return [plan_base("DSJ", DSJ, today, registry), plan_base("CDCK", CDCK, today, registry)]


async def _write_startups(base: Base, base_plan: BasePlan) -> dict[str, int]:
    await Startup.bulk_create(
        [
            Startup(
                base_id=base.id,
                name=s.profile.name,
                legal_form=s.profile.form,
                uscc=s.uscc,
                registered_on=s.life.registered_on,
                industry=s.profile.industry,
                contact_name=s.founders[0].name,
                contact_phone=s.founders[0].phone,
                description=s.profile.description,
                status=s.profile.status,
                applied_on=s.life.applied_on,
                admitted_on=s.life.admitted_on,
                incubation_ends_on=s.life.ends_on,
                left_on=s.life.left_on,
                exit_reason=s.profile.exit_reason,
            )
            for s in base_plan.startups
        ]
    )
    ids = {name: pk for name, pk in await Startup.filter(base_id=base.id).values_list("name", "id")}
    actor = OPERATOR_OF_BASE[base_plan.code]
    await StartupEvent.bulk_create(
        [
            StartupEvent(
                startup_id=ids[s.profile.name],
                from_status=e.from_status,
                to_status=e.to_status,
                on=e.on,
                reason=e.reason,
                note=e.note,
                actor=actor,
            )
            for s in base_plan.startups
            for e in s.life.events
        ]
    )
    return ids


async def _write_founders(base: Base, base_plan: BasePlan, startup_ids: dict[str, int]) -> None:
    people = [(s, p, seal_id_number(p.id_number)) for s in base_plan.startups for p in s.founders]
    await Person.bulk_create(
        [
            Person(
                id_index=sealed.index,
                id_cipher=sealed.cipher,
                id_masked=sealed.masked,
                name=p.name,
                birth_date=p.birth_date,
                sex=p.sex,
                phone=p.phone,
                hukou_region_code=p.hukou_region_code,
                is_graduate=bool(p.school),
                school=p.school,
                graduation_year=p.graduation_year,
                is_farmer_herder=p.is_farmer_herder,
                is_veteran=p.is_veteran,
                is_poverty_alleviated=p.is_poverty_alleviated,
                is_disabled=p.is_disabled,
            )
            for _s, p, sealed in people
        ]
    )
    indexes = [sealed.index for _s, _p, sealed in people]
    ids = {index: pk for index, pk in await Person.filter(id_index__in=indexes).values_list("id_index", "id")}
    await Founder.bulk_create(
        [
            Founder(
                startup_id=startup_ids[s.profile.name], person_id=ids[sealed.index], role=p.role, joined_on=p.joined_on
            )
            for s, p, sealed in people
        ]
    )
    await BasePerson.bulk_create([BasePerson(base_id=base.id, person_id=pk) for pk in dict.fromkeys(ids.values())])


async def _write_leases(base: Base, base_plan: BasePlan, startup_ids: dict[str, int]) -> None:
    await Space.bulk_create(
        [
            Space(
                base_id=base.id,
                code=s.code,
                kind=s.kind,
                floor=s.floor,
                area_m2=s.area_m2,
                list_rent=s.list_rent,
                status=s.status,
                note=s.note,
            )
            for s in base_plan.spaces
        ]
    )
    space_ids = {code: pk for code, pk in await Space.filter(base_id=base.id).values_list("code", "id")}
    lease_ids: dict[int, int] = {}  # id() of a plan -> its row
    # Predecessors first, so that each renewal or move can point at its previous lease.
    for generation in (
        [p for p in base_plan.leases if p.previous is None],
        [p for p in base_plan.leases if p.previous],
    ):
        await Lease.bulk_create([_lease_row(base, p, startup_ids, lease_ids) for p in generation])
        rows = await Lease.filter(base_id=base.id).values_list("startup_id", "start_on", "id")
        by_start = {(startup, start): pk for startup, start, pk in rows}
        lease_ids.update({id(p): by_start[startup_ids[p.startup], p.start_on] for p in generation})
    await LeaseSpace.bulk_create(
        [
            LeaseSpace(lease_id=lease_ids[id(p)], space_id=space_ids[s.code], list_rent=s.list_rent)
            for p in base_plan.leases
            for s in p.spaces
        ]
    )
    await RentConcession.bulk_create(
        [
            RentConcession(
                lease_id=lease_ids[id(p)],
                start_on=c.start_on,
                end_on=c.end_on,
                monthly_rent=c.monthly_rent,
                note=c.note,
            )
            for p in base_plan.leases
            for c in p.concessions
        ]
    )


def _lease_row(base: Base, p: LeasePlan, startup_ids: dict[str, int], lease_ids: dict[int, int]) -> Lease:
    return Lease(
        base_id=base.id,
        startup_id=startup_ids[p.startup],
        start_on=p.start_on,
        end_on=p.end_on,
        occupied_until=p.occupied_until,
        ended_on=p.ended_on,
        end_reason=p.end_reason,
        list_rent=p.list_rent,
        monthly_rent=p.monthly_rent,
        deposit=p.monthly_rent,
        billing_cycle=p.billing_cycle,
        origin=p.origin,
        previous_id=lease_ids[id(p.previous)] if p.previous is not None else None,
        note=p.note,
    )


async def load_tenants(bases: dict[str, Base]) -> dict[str, int]:
    """Create the demo startups, people, spaces, leases and job roster; returns the startup id of each demo founder."""
    founder_startups: dict[str, int] = {}
    today = china_today()
    plans = plan(today)
    for base_plan in plans:
        base = bases[base_plan.code]
        startup_ids = await _write_startups(base, base_plan)
        await _write_founders(base, base_plan, startup_ids)
        await _write_leases(base, base_plan, startup_ids)
        if AQIONG_STARTUP in startup_ids:
            founder_startups["founder.aqiong"] = startup_ids[AQIONG_STARTUP]
    # The roster needs every startup and founder of both bases: one person moved from Lhasa to Chamdo.
    await write_roster(bases, plan_roster(plans, SEED, today))
    return founder_startups
