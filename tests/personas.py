"""The test world: two bases in two prefectures, their bureaus, a startup in each,
and one persona per role (admin; bureau officers of Tibet, Lhasa, Chamdo; operators;
founders). Personas get logged-in browsers and API tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import httpx
import pytest
from starlette.applications import Starlette

from incubator import auth
from incubator.demo import load_regions
from incubator.models import Base, BaseKind, BaseLevel, Bureau, Membership, Region, RegionLevel, Role, User
from incubator.passwords import hash_password
from tenants.models import LegalForm, Startup, StartupStatus
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
    return world


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
