"""Test world: the applications part (see tests/world/__init__.py).

Each startup has a submitted interest-subsidy application (under a policy of its base's county,
so it clashes with no other part's policies) with one piece of evidence.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.defaults import DEFAULT_POLICIES
from grants.models import Application, ApplicationEvent, AppState, Evidence, Policy, PolicyKind, PolicyVersion
from incubator.models import StoredFile

if TYPE_CHECKING:
    from tests.personas import World

COUNTY = {"dsj": "540102", "chamdo": "540302", "qinghai": "630102"}


async def add(world: World) -> None:
    versions: dict[str, PolicyVersion] = {}
    for base_key, region in COUNTY.items():
        policy = await Policy.create(
            kind=PolicyKind.LOAN_INTEREST, region_id=region, name=f"贴息 {base_key}", issuing_body="人社局"
        )
        versions[base_key] = await PolicyVersion.create(
            policy=policy,
            valid_from=dt.date(2099, 1, 1),  # never in force: the shipped policies apply in tests
            params=DEFAULT_POLICIES[PolicyKind.LOAN_INTEREST]["params"],
            sources=DEFAULT_POLICIES[PolicyKind.LOAN_INTEREST]["sources"],
        )
    world.more["application_id"] = {}
    world.more["evidence_id"] = {}
    for key, startup in world.startups.items():
        base_key = key.removesuffix("_sibling")
        version = versions[base_key]
        app = await Application.create(
            policy_id=version.policy_id,
            version=version,
            kind=PolicyKind.LOAN_INTEREST,
            startup=startup,
            base_id=startup.base_id,
            region_code=COUNTY[base_key],
            state=AppState.SUBMITTED,
            computed_amount=Decimal("1234.56"),
            payee_name=startup.name,
            submitted_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            state_changed_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        )
        await ApplicationEvent.create(
            application=app, from_state=AppState.DRAFT, to_state=AppState.SUBMITTED, at=app.state_changed_at
        )
        stored = await StoredFile.create(
            sha256="0" * 64, size=10, content_type="application/pdf", filename=f"{key}.pdf", base_id=startup.base_id
        )
        evidence = await Evidence.create(application=app, file=stored, label="营业执照")
        world.more["application_id"][key] = app.id
        world.more["evidence_id"][key] = evidence.id
