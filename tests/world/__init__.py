"""The subsidy side of the test world, one module per part, each filling `world.more`.

`world.more[param][key]` is the id of an object named by the path parameter `param`
(`application_id`, `notice_id` …), keyed by the startup key or the base key it belongs to;
`object_values` picks the startup's entry, else the base's, so the isolation walk can name
a foreign object of every kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.personas import World


async def build_grants_world(world: World) -> None:
    from tests.world import applications, loans, notices, notifications, policies

    await policies.add(world)
    await loans.add(world)
    await applications.add(world)
    await notices.add(world)
    await notifications.add(world)
