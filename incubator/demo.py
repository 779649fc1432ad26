"""The demo installation: two real Tibetan bases, their bureaus and one user per role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tortoise.transactions import in_transaction

from incubator import audit, packages
from incubator.models import (
    Base,
    BaseKind,
    BaseLevel,
    Bureau,
    InstallationSetting,
    Membership,
    Region,
    Role,
    User,
)
from incubator.passwords import hash_password
from incubator.regions import level_of, parent_code

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the documented demo password

# GB/T 2260 codes of Tibet: the region, its seven prefecture-level divisions, and districts.
REGIONS: list[tuple[str, str, str]] = [
    ("540000", "西藏自治区", "Tibet Autonomous Region"),
    ("540100", "拉萨市", "Lhasa"),
    ("540102", "城关区", "Chengguan District"),
    ("540103", "堆龙德庆区", "Doilungdêqên District"),
    ("540104", "达孜区", "Dagzê District"),
    ("540200", "日喀则市", "Shigatse"),
    ("540202", "桑珠孜区", "Samzhubzê District"),
    ("540300", "昌都市", "Chamdo"),
    ("540302", "卡若区", "Karuo District"),
    ("540400", "林芝市", "Nyingchi"),
    ("540402", "巴宜区", "Bayi District"),
    ("540500", "山南市", "Shannan"),
    ("540502", "乃东区", "Nêdong District"),
    ("540600", "那曲市", "Nagqu"),
    ("540602", "色尼区", "Seni District"),
    ("542500", "阿里地区", "Ngari Prefecture"),
    ("542525", "噶尔县", "Gar County"),
]

BUREAUS = [
    ("西藏自治区人力资源和社会保障厅", "540000"),
    ("拉萨市人力资源和社会保障局", "540100"),
    ("昌都市人力资源和社会保障局", "540300"),
]

USERS: list[tuple[str, str, Role, str | None]] = [
    ("admin", "平台管理员", Role.ADMIN, None),
    ("bureau.tibet", "自治区人社厅 卓玛", Role.BUREAU, "西藏自治区人力资源和社会保障厅"),
    ("bureau.lhasa", "拉萨市人社局 次仁", Role.BUREAU, "拉萨市人力资源和社会保障局"),
    ("bureau.chamdo", "昌都市人社局 王建国", Role.BUREAU, "昌都市人力资源和社会保障局"),
    ("operator.dsj", "第三极众创空间 格桑", Role.OPERATOR, "DSJ"),
    ("operator.chamdo", "大学生创客社区 李娜", Role.OPERATOR, "CDCK"),
    ("founder.aqiong", "阿琼", Role.FOUNDER, "CDCK"),
]


async def is_empty() -> bool:
    return not await User.exists()


async def load_regions() -> int:
    """Create the Tibetan regions that are missing (used by the demo and tests)."""
    created = 0
    for code, name, name_en in REGIONS:
        if not await Region.exists(code=code):
            await Region.create(
                code=code, name=name, name_en=name_en, level=level_of(code), parent_id=parent_code(code)
            )
            created += 1
    return created


async def load_demo() -> None:
    """Fill an empty database with the demo installation."""
    load_tenants = packages.tenant_demo_loader()
    load_billing = packages.tenants_billing_demo_loader()
    load_grants = packages.grants_demo_loader()
    async with in_transaction():
        await load_regions()
        dsj = await Base.create(
            name="拉萨市第三极众创空间",
            code="DSJ",
            kind=BaseKind.MAKER_SPACE,
            level=BaseLevel.AUTONOMOUS_REGION,
            region_id="540102",
            address="西藏自治区拉萨市城关区金珠西路",
            area_m2=Decimal("3500.00"),
            opened_on=dt.date(2015, 10, 1),
            contact_phone="0891-6330000",
        )
        chamdo = await Base.create(
            name="昌都市大学生创客社区",
            code="CDCK",
            kind=BaseKind.STUDENT_MAKER_COMMUNITY,
            level=BaseLevel.PREFECTURE,
            region_id="540302",
            address="西藏自治区昌都市卡若区茶马广场",
            area_m2=Decimal("1800.00"),
            opened_on=dt.date(2019, 6, 1),
            contact_phone="0895-4820000",
        )
        bureaus = {name: await Bureau.create(name=name, region_id=code) for name, code in BUREAUS}
        bases = {"DSJ": dsj, "CDCK": chamdo}
        founder_startups = await load_tenants(bases)
        password_hash = hash_password(DEMO_PASSWORD)
        for username, display_name, role, where in USERS:
            user = await User.create(
                username=username, display_name=display_name, password_hash=password_hash, is_demo=True
            )
            if role is Role.ADMIN:
                await Membership.create(user=user, role=role)
            elif role is Role.BUREAU:
                await Membership.create(user=user, role=role, bureau=bureaus[str(where)])
            elif role is Role.OPERATOR:
                await Membership.create(user=user, role=role, base=bases[str(where)])
            else:
                await Membership.create(user=user, role=role, startup_id=founder_startups[username])
        # Billing needs the operators: their services act as them.
        await load_billing(bases)
        await load_grants(bases)
        await InstallationSetting.create(key="demo", value=True)
        await audit.record(
            None,
            "installation.demo_loaded",
            object_type="Installation",
            after={"bases": [dsj.name, chamdo.name], "users": [u[0] for u in USERS]},
        )
