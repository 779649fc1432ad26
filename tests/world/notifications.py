"""Test world: the notifications part (see tests/world/__init__.py).

Notifications belong to a user, not to a base: each startup key names one of the admin's
messages, which no other persona may open (the walk skips the admin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incubator.models import Notification

if TYPE_CHECKING:
    from tests.personas import World


async def add(world: World) -> None:
    """One message to the admin per startup key, as `notification_id`."""
    ids = world.more.setdefault("notification_id", {})
    for key, startup in world.startups.items():
        note = await Notification.create(
            user=world.users["admin"],
            msgid="Application %(ref)s of %(startup)s is waiting for the bureau's review.",
            params={"ref": f"BT2025{startup.id:06d}", "startup": startup.name},
            link="/admin",
        )
        ids[key] = note.id
