"""Test world: the policies part (see tests/world/__init__.py).

Each base's prefecture (Qinghai: its province) has its own rent subsidy policy with one
version, a regional holiday, and there is one LPR row per base key (the LPR table is global;
only its admin-only edit routes take an id). Everything is dated 2099, so no other part's
dates meet these rows: the autonomous region's policies and Tibet's holidays stay in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.defaults import DEFAULT_POLICIES
from grants.models import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday

if TYPE_CHECKING:
    from tests.personas import World

REGION = {"dsj": "540100", "chamdo": "540300", "qinghai": "630000"}
NAME = {"dsj": "拉萨市创业场地房租补贴", "chamdo": "昌都市创业场地房租补贴", "qinghai": "青海省创业场地房租补贴"}
BUREAU = {"dsj": "lhasa", "chamdo": "chamdo", "qinghai": "qinghai"}
FROM = dt.date(2099, 1, 1)


async def add(world: World) -> None:
    """world.more["policy_id"], ["version_id"], ["holiday_id"], ["lpr_id"] by base key."""
    rent = DEFAULT_POLICIES[PolicyKind.RENT_SUBSIDY]
    policies = world.more.setdefault("policy_id", {})
    versions = world.more.setdefault("version_id", {})
    holidays = world.more.setdefault("holiday_id", {})
    rates = world.more.setdefault("lpr_id", {})
    for number, (key, region) in enumerate(REGION.items(), start=1):
        policy = await Policy.create(
            kind=PolicyKind.RENT_SUBSIDY,
            region_id=region,
            name=NAME[key],
            issuing_body=world.bureaus[BUREAU[key]].name,
            document_number=f"测试〔2099〕{number}号",
        )
        version = await PolicyVersion.create(
            policy=policy, valid_from=FROM, params=rent["params"], sources=rent["sources"]
        )
        holiday = await RegionHoliday.create(
            region_id=region,
            name=f"测试假日{number}",
            starts_on=dt.date(2099, 6, number * 5),
            ends_on=dt.date(2099, 6, number * 5 + 1),
        )
        rate = await LprRate.create(
            effective_on=dt.date(2099, number, 20), one_year=Decimal("2.50"), five_year=Decimal("3.00"), source="测试"
        )
        policies[key], versions[key], holidays[key], rates[key] = policy.id, version.id, holiday.id, rate.id
