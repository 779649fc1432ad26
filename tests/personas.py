"""The test world: two bases in two prefectures, their bureaus, a startup in each,
and one persona per role (admin; bureau officers of Tibet, Lhasa, Chamdo; operators;
founders). Personas get logged-in browsers and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import httpx
import pytest
from starlette.applications import Starlette

from grants.models import AuditFinding, AuditState, FindingKind, JobAudit, Outcome
from incubator import auth
from incubator.access import MEMBERSHIP_RELATED, Principal, principal_for
from incubator.audit import GENESIS_HASH
from incubator.demo import load_regions
from incubator.identifiers import birth_date_of, compose_id_number, sex_of
from incubator.models import (
    AuditEvent,
    AuditHead,
    Base,
    BaseKind,
    BaseLevel,
    Bureau,
    Membership,
    Region,
    RegionLevel,
    Role,
    Task,
    TaskState,
    User,
)
from incubator.passwords import hash_password
from incubator.pii import seal_id_number
from tenants.forms.billing import parse_bill, parse_charge, parse_credit_note, parse_payment
from tenants.models import (
    BasePerson,
    Bill,
    ContractKind,
    CreditNote,
    Employment,
    Founder,
    FounderRole,
    Lease,
    LeaseSpace,
    LegalForm,
    Payment,
    Person,
    ServiceCharge,
    Sex,
    Space,
    SpaceKind,
    Startup,
    StartupStatus,
)
from tests.clients import Browser, http_client

PASSWORD = "demo1234"


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    bases: dict[str, Base] = field(default_factory=dict)
    bureaus: dict[str, Bureau] = field(default_factory=dict)
    startups: dict[str, Startup] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    # Keyed by startup key: the founding person, their founder row and the startup's lease.
    persons: dict[str, Person] = field(default_factory=dict)
    founders: dict[str, Founder] = field(default_factory=dict)
    leases: dict[str, Lease] = field(default_factory=dict)
    employments: dict[str, Employment] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    audits: dict[str, JobAudit] = field(default_factory=dict)
    findings: dict[str, AuditFinding] = field(default_factory=dict)
    # Keyed by startup key: January 2025's bill, a payment on it, a credit note, a pending charge.
    bills: dict[str, Bill] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    credit_notes: dict[str, CreditNote] = field(default_factory=dict)
    charges: dict[str, ServiceCharge] = field(default_factory=dict)
    # Keyed by base key: one space each (spaces of leases are found through the lease).
    spaces: dict[str, Space] = field(default_factory=dict)
    # Subsidy objects by path parameter, then by startup or base key (tests/world).
    more: dict[str, dict[str, int]] = field(default_factory=dict)


# startup key -> (founder's name, region code of the ID number, birth date, sequence)
FOUNDING_PEOPLE: dict[str, tuple[str, str, dt.date, int]] = {
    "dsj": ("次仁卓玛", "540102", dt.date(1998, 3, 14), 22),
    "chamdo": ("阿琼", "540302", dt.date(1999, 8, 2), 46),
    "dsj_sibling": ("王建国", "510104", dt.date(1995, 11, 30), 13),
    "chamdo_sibling": ("扎西平措", "540321", dt.date(1990, 1, 9), 35),
    "qinghai": ("马晓燕", "630102", dt.date(1996, 6, 21), 28),
}
SPACE_CODES = {"dsj": "A-203", "chamdo": "工位-17", "qinghai": "Q-101"}


def id_number_of(startup_key: str) -> str:
    """The (valid) ID number of a startup's founding person in the test world."""
    _name, region, birth, sequence = FOUNDING_PEOPLE[startup_key]
    return compose_id_number(region, birth, sequence)


async def create_person(name: str, number: str, *, base: Base | None = None, **extra: object) -> Person:
    sealed = seal_id_number(number)
    person = await Person.create(
        id_index=sealed.index,
        id_cipher=sealed.cipher,
        id_masked=sealed.masked,
        name=name,
        birth_date=birth_date_of(number),
        sex=Sex(sex_of(number)),
        hukou_region_code=number[:6],
        **extra,
    )
    if base is not None:
        await BasePerson.create(base=base, person=person)
    return person


def object_values(world: World, base_key: str, startup_key: str) -> dict[str, str]:
    """Path values naming the objects of one base and one startup of the world."""
    return {
        "base_id": str(world.bases[base_key].id),
        "startup_id": str(world.startups[startup_key].id),
        "person_id": str(world.persons[startup_key].id),
        "founder_id": str(world.founders[startup_key].id),
        "lease_id": str(world.leases[startup_key].id),
        "space_id": str(world.spaces[base_key].id),
        "employment_id": str(world.employments[startup_key].id),
        "task_id": str(world.tasks[startup_key].id),
        "audit_id": str(world.audits[startup_key].id),
        "finding_id": str(world.findings[startup_key].id),
        "bill_id": str(world.bills[startup_key].id),
        "payment_id": str(world.payments[startup_key].id),
        "credit_note_id": str(world.credit_notes[startup_key].id),
        "charge_id": str(world.charges[startup_key].id),
        **{
            param: str(ids[startup_key] if startup_key in ids else ids[base_key])
            for param, ids in world.more.items()
            if startup_key in ids or base_key in ids
        },
    }


# persona name -> (role, where)
PERSONAS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ADMIN, None),
    "bureau_tibet": (Role.BUREAU, "tibet"),
    "bureau_lhasa": (Role.BUREAU, "lhasa"),
    "bureau_chamdo": (Role.BUREAU, "chamdo"),
    "operator_dsj": (Role.OPERATOR, "dsj"),
    "operator_chamdo": (Role.OPERATOR, "chamdo"),
    "founder_dsj": (Role.FOUNDER, "dsj"),
    "founder_chamdo": (Role.FOUNDER, "chamdo"),
}


async def build_world() -> World:
    world = World()
    await load_regions()
    world.bases["dsj"] = await Base.create(
        name="拉萨市第三极众创空间",
        code="DSJ",
        kind=BaseKind.MAKER_SPACE,
        level=BaseLevel.AUTONOMOUS_REGION,
        region_id="540102",
        area_m2=Decimal("3500"),
    )
    world.bases["chamdo"] = await Base.create(
        name="昌都市大学生创客社区",
        code="CDCK",
        kind=BaseKind.STUDENT_MAKER_COMMUNITY,
        level=BaseLevel.PREFECTURE,
        region_id="540302",
    )
    # A base outside Tibet, so that even the autonomous region's officers have a foreign base.
    await Region.create(code="630000", name="青海省", level=RegionLevel.PROVINCE)
    await Region.create(code="630100", name="西宁市", level=RegionLevel.PREFECTURE, parent_id="630000")
    await Region.create(code="630102", name="城东区", level=RegionLevel.COUNTY, parent_id="630100")
    world.bases["qinghai"] = await Base.create(
        name="西宁青创空间", code="XNQC", kind=BaseKind.MAKER_SPACE, level=BaseLevel.PREFECTURE, region_id="630102"
    )
    world.bureaus["qinghai"] = await Bureau.create(name="青海省人力资源和社会保障厅", region_id="630000")
    world.bureaus["tibet"] = await Bureau.create(name="西藏自治区人力资源和社会保障厅", region_id="540000")
    world.bureaus["lhasa"] = await Bureau.create(name="拉萨市人力资源和社会保障局", region_id="540100")
    world.bureaus["chamdo"] = await Bureau.create(name="昌都市人力资源和社会保障局", region_id="540300")
    world.startups["dsj"] = await Startup.create(
        base=world.bases["dsj"],
        name="拉萨雪域青稞文创有限公司",
        legal_form=LegalForm.LIMITED_COMPANY,
        status=StartupStatus.INCUBATING,
    )
    world.startups["chamdo"] = await Startup.create(
        base=world.bases["chamdo"],
        name="昌都童心课后托管服务有限公司",
        legal_form=LegalForm.LIMITED_COMPANY,
        status=StartupStatus.INCUBATING,
    )
    world.startups["dsj_sibling"] = await Startup.create(
        base=world.bases["dsj"],
        name="拉萨格桑花电商创业团队",
        legal_form=LegalForm.UNREGISTERED_TEAM,
        status=StartupStatus.INCUBATING,
    )
    world.startups["chamdo_sibling"] = await Startup.create(
        base=world.bases["chamdo"],
        name="卡若区藏香制作合作社",
        legal_form=LegalForm.FARMER_COOPERATIVE,
        status=StartupStatus.APPLIED,
    )
    world.startups["qinghai"] = await Startup.create(
        base=world.bases["qinghai"],
        name="西宁牦牛绒创业有限公司",
        legal_form=LegalForm.LIMITED_COMPANY,
        status=StartupStatus.INCUBATING,
    )
    for key, startup in world.startups.items():
        base_key = key.removesuffix("_sibling")
        name, _region, _birth, _seq = FOUNDING_PEOPLE[key]
        person = await create_person(name, id_number_of(key), base=world.bases[base_key], is_graduate=True)
        world.persons[key] = person
        world.founders[key] = await Founder.create(
            startup=startup, person=person, role=FounderRole.LEGAL_REPRESENTATIVE, joined_on=dt.date(2024, 3, 1)
        )
        space = await Space.create(
            base=world.bases[base_key],
            code=SPACE_CODES[base_key] if key == base_key else f"{SPACE_CODES[base_key]}-2",
            kind=SpaceKind.OFFICE,
            area_m2=Decimal("20.00"),
            list_rent=Decimal("1200.00"),
        )
        if key == base_key:
            world.spaces[base_key] = space
        lease = await Lease.create(
            base=world.bases[base_key],
            startup=startup,
            start_on=dt.date(2025, 1, 1),
            end_on=dt.date(2027, 12, 31),
            occupied_until=dt.date(2027, 12, 31),
            list_rent=Decimal("1200.00"),
            monthly_rent=Decimal("1000.00"),
        )
        await LeaseSpace.create(lease=lease, space=space, list_rent=Decimal("1200.00"))
        world.leases[key] = lease
        # A past roster entry (2020), so that current figures in tests start from zero.
        world.employments[key] = await Employment.create(
            startup=startup,
            person=person,
            base_id=startup.base_id,
            region_code=world.bases[base_key].region_id,
            hired_on=dt.date(2020, 1, 1),
            left_on=dt.date(2020, 12, 31),
            contract_kind=ContractKind.FIXED_TERM,
            is_graduate=True,
            graduation_year=2019,
        )
        # A finished background task of the startup's base (an import), for the isolation walk.
        world.tasks[key] = await Task.create(
            kind="roster_import",
            title=f"Import for {key}",
            state=TaskState.SUCCEEDED,
            user_id=0,
            username="someone",
            base_id=startup.base_id,
            region_code=world.bases[base_key].region_id,
            startup_id=startup.id,
            result={"lines": []},
        )
        # A signed job audit of the startup with one finding, for the isolation walk.
        world.audits[key] = await JobAudit.create(
            base_id=startup.base_id,
            startup_id=startup.id,
            region_code=world.bases[base_key].region_id,
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
            state=AuditState.SIGNED_OFF,
            opened_by="someone",
            counts={"verified": 1},
        )
        world.findings[key] = await AuditFinding.create(
            audit=world.audits[key],
            employment=world.employments[key],
            startup=startup,
            kind=FindingKind.VERIFIED,
            proposed=Outcome.VERIFIED,
            outcome=Outcome.VERIFIED,
            declared_name=name,
            insured_name=name,
            id_masked=person.id_masked,
        )
    for name, (role, where) in PERSONAS.items():
        user = await User.create(
            username=name.replace("_", "."), display_name=f"Persona {name}", password_hash=password_hash()
        )
        world.users[name] = user
        kwargs: dict[str, object] = {}
        if role is Role.BUREAU:
            kwargs["bureau"] = world.bureaus[str(where)]
        elif role is Role.OPERATOR:
            kwargs["base"] = world.bases[str(where)]
        elif role is Role.FOUNDER:
            kwargs["startup"] = world.startups[str(where)]
        world.memberships[name] = await Membership.create(user=user, role=role, **kwargs)
    await bill_the_world(world)
    from tests.world import build_grants_world

    await build_grants_world(world)
    await AuditEvent.all().delete()
    await AuditHead.filter(id=1).update(seq=0, last_hash=GENESIS_HASH)
    return world


async def bill_the_world(world: World) -> None:
    """For each startup: January 2025's rent billed, 600 paid, 100 credited, a meeting room not billed yet."""
    from tenants.services import bills, payments

    for key, startup in world.startups.items():
        base = world.bases[key.removesuffix("_sibling")]
        operator = Principal(
            user_id=0,
            username="billing.clerk",
            display_name="",
            role=Role.OPERATOR,
            membership_id=None,
            region_code=base.region_id,
            base_id=base.id,
        )
        day = dt.date(2025, 2, 1)
        world.bills[key] = bill = await bills.issue_bill(
            operator,
            parse_bill(
                {
                    "startup_id": str(startup.id),
                    "period_start": "2025-01-01",
                    "period_end": "2025-01-31",
                    "issued_on": day.isoformat(),
                    "include_rent": "1",
                },
                today=day,
            ),
        )
        world.payments[key] = await payments.record_payment(
            operator,
            parse_payment(
                {
                    "startup_id": str(startup.id),
                    "received_on": "2025-02-10",
                    "amount": "600.00",
                    "method": "bank_transfer",
                    "payer": startup.name,
                    "reference": f"TX{startup.id:06d}",
                },
                today=day + dt.timedelta(days=9),
            ),
        )
        world.credit_notes[key] = await payments.issue_credit_note(
            operator,
            bill,
            parse_credit_note(
                {
                    "reason": "空调维修停用两天",
                    "lines": [{"line_id": str(await first_line_id(bill)), "amount": "100.00"}],
                },
                today=dt.date(2025, 2, 12),
            ),
        )
        world.charges[key] = await bills.add_charge(
            operator,
            parse_charge(
                {
                    "startup_id": str(startup.id),
                    "kind": "meeting_room",
                    "description": "会议室 2小时",
                    "incurred_on": "2025-02-20",
                    "quantity": "2",
                    "unit_price": "50.00",
                },
                today=dt.date(2025, 2, 20),
            ),
        )

    # The world is a starting point, not history: like its other rows, it leaves no audit trail.
    await AuditEvent.all().delete()
    await AuditHead.filter(id=1).update(seq=0, last_hash=GENESIS_HASH)


async def first_line_id(bill: Bill) -> int:
    from tenants.models import BillLine

    line = await BillLine.filter(bill_id=bill.id).order_by("position").first()
    assert line is not None
    return line.id


@pytest.fixture
async def world(app: Starlette) -> World:
    return await build_world()


@pytest.fixture
async def login(app: Starlette, world: World) -> AsyncIterator[Callable[[str], Awaitable[Browser]]]:
    """login("operator_dsj") -> a Browser logged in as that persona."""
    clients: list[httpx.AsyncClient] = []

    async def as_persona(name: str) -> Browser:
        key = await auth.start_session(world.users[name], "127.0.0.1")
        client = http_client(app, cookies={auth.SESSION_COOKIE: auth.sign_key(key)})
        clients.append(client)
        return Browser(client, key)

    yield as_persona
    for client in clients:
        await client.aclose()


@pytest.fixture
async def token_for(app: Starlette, world: World) -> AsyncIterator[Callable[[str], Awaitable[httpx.AsyncClient]]]:
    """token_for("bureau_lhasa") -> an API client sending that persona's bearer token."""
    clients: list[httpx.AsyncClient] = []

    async def as_persona(name: str) -> httpx.AsyncClient:
        token = await auth.issue_token(world.users[name], name="test")
        client = http_client(app, headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    yield as_persona
    for client in clients:
        await client.aclose()


async def principal_of(world: World, name: str) -> Principal:
    """The principal of a persona, for calling services directly."""
    membership = await Membership.get(id=world.memberships[name].id).select_related(*MEMBERSHIP_RELATED)
    return principal_for(membership, address="127.0.0.1")
