"""The audit log: every change is an event chained by hash to the one before it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from incubator.access import Principal
from incubator.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """A JSON value that reads back identical, so hashes verify after a round trip."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(obj: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a model as JSON-safe values, for before/after."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def _canonical(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "at": jsonable(event.at),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "base_id": event.base_id,
        "region_code": event.region_code,
        "before": event.before,
        "after": event.after,
        "address": event.address,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode("utf-8")).hexdigest()


async def record(
    principal: Principal | None,
    action: str,
    obj: Model | None = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    base_id: int | None = None,
    region_code: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Append one event to the chain; call inside the service's transaction."""
    async with in_transaction():
        # The head row is locked until commit, so appends are serialised across processes.
        head = await AuditHead.select_for_update().get(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=dt.datetime.now(dt.UTC),
            actor_id=principal.user_id if principal else None,
            actor=actor or (principal.username if principal else "system"),
            role=principal.role.value if principal else "",
            action=action,
            object_type=object_type or (type(obj).__name__ if obj is not None else ""),
            object_id=str(object_id if object_id is not None else (obj.pk if obj else "")),
            base_id=base_id,
            region_code=region_code,
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            address=principal.address if principal else "",
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(head.last_hash, event)
        await event.save()
        head.seq = event.seq
        head.last_hash = event.hash
        await head.save(update_fields=["seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"ok ({self.checked} events)"
        return f"broken at event {self.broken_seq}: {self.reason}"


async def verify_chain(batch: int = 1000) -> ChainReport:
    """Walk the chain in order; report the first event whose link or content is wrong."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        events = await AuditEvent.filter(seq__gt=last_seq).order_by("seq").limit(batch)
        if not events:
            break
        for event in events:
            if event.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, "event missing")
            if event.prev_hash != prev:
                return ChainReport(False, checked, event.seq, "link to previous event broken")
            if event_hash(prev, event) != event.hash:
                return ChainReport(False, checked, event.seq, "content altered")
            prev = event.hash
            expected_seq += 1
            checked += 1
        last_seq = events[-1].seq
    head = await AuditHead.get_or_none(id=1)
    if head is not None and (head.seq != checked or head.last_hash != prev):
        return ChainReport(False, checked, checked + 1, "latest events removed")
    return ChainReport(True, checked)
