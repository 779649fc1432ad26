"""In-app notifications: a message to each person concerned, with an unread count in the header.

`notify` is called inside the service's transaction, so a refused change notifies nobody.
The message is a message id with plain parameters, translated when the reader opens it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from incubator.models import Notification


async def notify(
    user_ids: Iterable[int], msgid: str, *, params: Mapping[str, str | int] | None = None, link: str = ""
) -> int:
    """Leave the message for each user (once each); returns how many were written."""
    users = sorted({uid for uid in user_ids if uid})
    if not users:
        return 0
    await Notification.bulk_create(
        [Notification(user_id=uid, msgid=msgid, params=dict(params or {}), link=link) for uid in users]
    )
    return len(users)
