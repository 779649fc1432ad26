"""Test world: the notices part (see tests/world/__init__.py).

Each base's startup has a one-time grant application (under a policy of the base's county) in
a public notice of its bureau whose period is over, and in a draft payment batch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.models import (
    Application,
    AppState,
    Disbursement,
    Policy,
    PolicyKind,
    PolicyVersion,
    PublicNotice,
)
from grants.services.notices import mask_name

if TYPE_CHECKING:
    from tests.personas import World

COUNTY = {"dsj": "540102", "chamdo": "540302", "qinghai": "630102"}
BUREAU = {"dsj": "lhasa", "chamdo": "chamdo", "qinghai": "qinghai"}
AMOUNT = Decimal("180000.00")


async def add(world: World) -> None:
    world.more["notice_id"] = {}
    world.more["disbursement_id"] = {}
    for base_key, region in COUNTY.items():
        startup = world.startups[base_key]
        bureau = world.bureaus[BUREAU[base_key]]
        policy = await Policy.get_or_none(region_id=region, kind=PolicyKind.STARTUP_GRANT)
        if policy is None:
            policy = await Policy.create(
                kind=PolicyKind.STARTUP_GRANT,
                region_id=region,
                name="一次性创业补贴",
                issuing_body="人社局",
            )
        # Dated far ahead, so that the shipped Tibet policies stay the ones in force in tests.
        version = await PolicyVersion.create(policy=policy, valid_from=dt.date(2099, 1, 1), params={}, sources={})
        notice = await PublicNotice.create(
            bureau=bureau,
            region_code=bureau.region_id,
            title=f"{bureau.name}2025年第1批创业补贴公示",
            published_on=dt.date(2025, 4, 1),
            working_days=5,
            ends_on=dt.date(2025, 4, 8),
            contact="就业科 0891-0000000",
            entries=[],
        )
        batch = await Disbursement.create(
            bureau=bureau,
            region_code=bureau.region_id,
            number=f"BF-{bureau.region_id}-2025-0001",
            pay_on=dt.date(2025, 4, 20),
            total=AMOUNT,
            count=1,
        )
        app = await Application.create(
            policy=policy,
            version=version,
            kind=PolicyKind.STARTUP_GRANT,
            startup=startup,
            base_id=startup.base_id,
            region_code=region,
            state=AppState.IN_NOTICE,
            computed_amount=AMOUNT,
            approved_amount=AMOUNT,
            payee_name=startup.name,
            payee_bank="中国农业银行",
            payee_account="6228480000000000001",
            notice=notice,
            disbursement=batch,
            state_changed_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        )
        notice.entries = [
            {
                "position": 1,
                "application_id": app.id,
                "reference": app.reference,
                "startup": startup.name,
                "founders": mask_name(world.persons[base_key].name),
                "policy": policy.name,
                "kind": PolicyKind.STARTUP_GRANT.value,
                "base": world.bases[base_key].name,
                "amount": str(AMOUNT),
            }
        ]
        await notice.save()
        world.more["notice_id"][base_key] = notice.id
        world.more["disbursement_id"][base_key] = batch.id
