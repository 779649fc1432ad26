"""Leases: letting spaces to a startup, rent concessions, and ending, renewing or moving a lease.

A lease holds its spaces on [start_on, occupied_until]; two leases never hold one space on
the same day. Renewals and moves never rewrite a lease: they start a new one pointing at
`previous`, so the history stays readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, get_visible, require, visible
from incubator.audit import snapshot
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.files import store_upload
from incubator.formatting import date as format_date
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.models import Base
from tenants.forms.spaces import ConcessionInput, EndInput, LeaseInput, MoveInput, RenewInput
from tenants.models import (
    BillingCycle,
    Lease,
    LeaseOrigin,
    LeaseSpace,
    RentConcession,
    Space,
    SpaceStatus,
    Startup,
    StartupStatus,
)
from tenants.services.spaces import holding

LEASE_FIELDS = (
    "startup_id",
    "start_on",
    "end_on",
    "occupied_until",
    "ended_on",
    "end_reason",
    "list_rent",
    "monthly_rent",
    "deposit",
    "billing_cycle",
    "origin",
    "previous_id",
    "agreement_id",
    "note",
)
CONCESSION_FIELDS = ("lease_id", "start_on", "end_on", "monthly_rent", "note")
RENTING = (StartupStatus.APPLIED, StartupStatus.INCUBATING)
ONE_DAY = dt.timedelta(days=1)


def _operator_of(principal: Principal, lease: Lease) -> None:
    require(principal, "lease.manage", lease)
    if principal.base_id != lease.base_id:
        raise Forbidden()


async def _record(principal: Principal, action: str, lease: Lease, **changes: Any) -> None:
    base = await Base.get(id=lease.base_id)
    await audit.record(principal, action, lease, base_id=base.id, region_code=base.region_id, **changes)


def _lease_snapshot(lease: Lease, spaces: Sequence[Space]) -> dict[str, Any]:
    return {**snapshot(lease, LEASE_FIELDS), "spaces": [s.code for s in spaces]}


async def _spaces(principal: Principal, base_id: int, ids: Sequence[int], field: str) -> list[Space]:
    """The visible spaces with these ids (NotFound if one is not), all in the base and in service."""
    spaces = await visible(principal, Space).filter(id__in=list(ids)).order_by("code")
    if len(spaces) != len(set(ids)):
        raise NotFound()
    if any(s.base_id != base_id for s in spaces):
        raise ValidationFailed({field: N_("Every space must belong to the startup's base.")})
    if out := [s.code for s in spaces if s.status is not SpaceStatus.IN_SERVICE]:
        raise ValidationFailed(
            {field: N_("Space %(code)s is out of service.")}, field_params={field: {"code": ", ".join(out)}}
        )
    return spaces


async def _lock_free(spaces: Sequence[Space], start: dt.date, end: dt.date, field: str, *, ignore: int = 0) -> None:
    """Inside the transaction: lock the spaces' rows, then refuse if another lease holds one in [start, end]."""
    ids = [s.id for s in spaces]
    # Locked in id order so that two concurrent leases cannot deadlock (a no-op on SQLite).
    await Space.filter(id__in=ids).select_for_update().order_by("id")
    clash = (
        await holding(LeaseSpace.filter(space_id__in=ids), start, end)
        .exclude(lease_id=ignore)
        .select_related("lease", "space")
        .order_by("lease__start_on", "id")
        .first()
    )
    if clash is not None:
        raise ValidationFailed(
            {field: N_("Space %(code)s is let under another lease from %(start)s to %(end)s.")},
            field_params={
                field: {
                    "code": clash.space.code,
                    "start": format_date(clash.lease.start_on),
                    "end": format_date(clash.lease.occupied_until),
                }
            },
        )


async def _let(
    startup: Startup,
    spaces: Sequence[Space],
    start: dt.date,
    end: dt.date,
    *,
    monthly_rent: Decimal,
    deposit: Decimal,
    billing_cycle: BillingCycle,
    note: str = "",
    origin: LeaseOrigin = LeaseOrigin.NEW,
    previous: Lease | None = None,
) -> Lease:
    """Create the lease and its space links, snapshotting each space's list rent."""
    lease = await Lease.create(
        base_id=startup.base_id,
        startup_id=startup.id,
        start_on=start,
        end_on=end,
        occupied_until=end,
        list_rent=sum((s.list_rent for s in spaces), Decimal("0.00")),
        monthly_rent=monthly_rent,
        deposit=deposit,
        billing_cycle=billing_cycle,
        origin=origin,
        previous_id=previous.id if previous is not None else None,
        note=note,
    )
    await LeaseSpace.bulk_create([LeaseSpace(lease_id=lease.id, space_id=s.id, list_rent=s.list_rent) for s in spaces])
    return lease


async def spaces_of(lease: Lease) -> list[Space]:
    """The spaces a lease holds, by code."""
    return await Space.filter(lease_links__lease_id=lease.id).order_by("code")


async def create_lease(principal: Principal, data: LeaseInput) -> Lease:
    """Let one or more in-service spaces of the operator's base to an applicant or incubating startup."""
    require(principal, "lease.manage")
    startup = await get_visible(principal, Startup, data.startup_id)
    if startup.base_id != principal.base_id:
        raise Forbidden()
    if startup.status not in RENTING:
        raise ValidationFailed({"startup_id": N_("Only an applicant or an incubating startup can rent space.")})
    spaces = await _spaces(principal, startup.base_id, data.space_ids, "space_ids")
    async with in_transaction():
        await _lock_free(spaces, data.start_on, data.end_on, "space_ids")
        lease = await _let(
            startup,
            spaces,
            data.start_on,
            data.end_on,
            monthly_rent=data.monthly_rent,
            deposit=data.deposit,
            billing_cycle=data.billing_cycle,
            note=data.note,
        )
        await _record(principal, "lease.created", lease, after=_lease_snapshot(lease, spaces))
    return lease


async def add_concession(principal: Principal, lease: Lease, data: ConcessionInput) -> RentConcession:
    """Keep a free-rent or discount period within the lease, overlapping none of its other concessions."""
    _operator_of(principal, lease)
    errors: dict[str, str] = {}
    params: dict[str, dict[str, object]] = {}
    if data.start_on < lease.start_on:
        errors["start_on"] = N_("The period must start on or after the lease's start (%(date)s).")
        params["start_on"] = {"date": format_date(lease.start_on)}
    if data.end_on > lease.occupied_until:
        errors["end_on"] = N_("The period must end by the lease's last day (%(date)s).")
        params["end_on"] = {"date": format_date(lease.occupied_until)}
    if data.monthly_rent > lease.monthly_rent:
        errors["monthly_rent"] = N_("The rent charged must be between 0 and the agreed monthly rent (%(rent)s).")
        params["monthly_rent"] = {"rent": str(lease.monthly_rent)}
    other = await RentConcession.filter(lease_id=lease.id, start_on__lte=data.end_on, end_on__gte=data.start_on).first()
    if other is not None and "start_on" not in errors:
        errors["start_on"] = N_("The period overlaps the concession from %(start)s to %(end)s.")
        params["start_on"] = {"start": format_date(other.start_on), "end": format_date(other.end_on)}
    if errors:
        raise ValidationFailed(errors, field_params=params)
    async with in_transaction():
        concession = await RentConcession.create(
            lease_id=lease.id,
            start_on=data.start_on,
            end_on=data.end_on,
            monthly_rent=data.monthly_rent,
            note=data.note,
        )
        await _record(
            principal,
            "lease.concession_added",
            lease,
            after={**snapshot(concession, CONCESSION_FIELDS), "kind": data.kind.value},
        )
    return concession


async def _refuse_if_superseded(lease: Lease, field: str) -> None:
    if await Lease.exists(previous_id=lease.id):
        raise ValidationFailed({field: N_("This lease was renewed or moved: change the latest lease instead.")})


async def end_lease(principal: Principal, lease: Lease, data: EndInput) -> Lease:
    """End a lease on a day within its term, once, with a reason; its spaces are free from the next day."""
    _operator_of(principal, lease)
    if lease.ended_on is not None:
        raise ValidationFailed({"ended_on": N_("This lease has ended already.")})
    await _refuse_if_superseded(lease, "ended_on")
    if not lease.start_on <= data.ended_on <= lease.end_on:
        raise ValidationFailed(
            {"ended_on": N_("Choose a day from %(start)s to %(end)s.")},
            field_params={"ended_on": {"start": format_date(lease.start_on), "end": format_date(lease.end_on)}},
        )
    before = snapshot(lease, LEASE_FIELDS)
    async with in_transaction():
        lease.ended_on = lease.occupied_until = data.ended_on
        lease.end_reason = data.reason
        await lease.save(update_fields=["ended_on", "occupied_until", "end_reason", "updated_at"])
        await _record(principal, "lease.ended", lease, before=before, after=snapshot(lease, LEASE_FIELDS))
    return lease


async def renew_lease(principal: Principal, lease: Lease, data: RenewInput) -> Lease:
    """A new lease of the same spaces from the day after the old end date; the old one is kept as it was."""
    _operator_of(principal, lease)
    if lease.ended_on is not None:
        raise ValidationFailed({"end_on": N_("A lease ended early cannot be renewed.")})
    await _refuse_if_superseded(lease, "end_on")
    if data.end_on <= lease.end_on:
        raise ValidationFailed(
            {"end_on": N_("The renewal must end after %(date)s.")},
            field_params={"end_on": {"date": format_date(lease.end_on)}},
        )
    startup = await Startup.get(id=lease.startup_id)
    spaces = await _spaces(principal, lease.base_id, [s.id for s in await spaces_of(lease)], "end_on")
    start = lease.end_on + ONE_DAY
    async with in_transaction():
        await _lock_free(spaces, start, data.end_on, "end_on", ignore=lease.id)
        renewal = await _let(
            startup,
            spaces,
            start,
            data.end_on,
            monthly_rent=data.monthly_rent if data.monthly_rent is not None else lease.monthly_rent,
            deposit=lease.deposit,
            billing_cycle=lease.billing_cycle,
            origin=LeaseOrigin.RENEWAL,
            previous=lease,
        )
        await _record(principal, "lease.renewed", lease, after={"renewal_id": renewal.id, "end_on": data.end_on})
        await _record(principal, "lease.created", renewal, after=_lease_snapshot(renewal, spaces))
    return renewal


async def move_lease(principal: Principal, lease: Lease, data: MoveInput) -> Lease:
    """Move a startup to other spaces from a day: the old lease ends the day before, a new one runs to the same end.

    Concessions still ahead are carried over to the new lease (at most at its rent).
    """
    _operator_of(principal, lease)
    if lease.ended_on is not None:
        raise ValidationFailed({"on": N_("A lease ended early cannot be moved.")})
    await _refuse_if_superseded(lease, "on")
    if not lease.start_on < data.on <= lease.occupied_until:
        raise ValidationFailed(
            {"on": N_("Choose a day after %(start)s and not after %(end)s.")},
            field_params={"on": {"start": format_date(lease.start_on), "end": format_date(lease.occupied_until)}},
        )
    old_spaces = await spaces_of(lease)
    spaces = await _spaces(principal, lease.base_id, data.space_ids, "space_ids")
    if {s.id for s in spaces} == {s.id for s in old_spaces}:
        raise ValidationFailed({"space_ids": N_("Choose spaces other than the ones the lease holds.")})
    startup = await Startup.get(id=lease.startup_id)
    rent = data.monthly_rent if data.monthly_rent is not None else lease.monthly_rent
    ahead = await RentConcession.filter(lease_id=lease.id, end_on__gte=data.on).order_by("start_on")
    before = snapshot(lease, LEASE_FIELDS)
    async with in_transaction():
        await _lock_free(spaces, data.on, lease.end_on, "space_ids", ignore=lease.id)
        lease.ended_on = lease.occupied_until = data.on - ONE_DAY
        lease.end_reason = gettext("Moved to %(spaces)s", spaces=", ".join(s.code for s in spaces))[:200]
        await lease.save(update_fields=["ended_on", "occupied_until", "end_reason", "updated_at"])
        moved = await _let(
            startup,
            spaces,
            data.on,
            lease.end_on,
            monthly_rent=rent,
            deposit=lease.deposit,
            billing_cycle=lease.billing_cycle,
            note=lease.note,
            origin=LeaseOrigin.MOVE,
            previous=lease,
        )
        carried = [
            RentConcession(
                lease_id=moved.id,
                start_on=max(c.start_on, data.on),
                end_on=c.end_on,
                monthly_rent=min(c.monthly_rent, rent),
                note=c.note,
            )
            for c in ahead
        ]
        if carried:
            await RentConcession.bulk_create(carried)
        after = {**snapshot(lease, LEASE_FIELDS), "moved_to": moved.id}
        await _record(principal, "lease.moved", lease, before=before, after=after)
        await _record(principal, "lease.created", moved, after=_lease_snapshot(moved, spaces))
    return moved


async def attach_agreement(principal: Principal, lease: Lease, upload: UploadFile | None) -> Lease:
    """Keep the signed agreement (PDF, JPEG or PNG) of a lease; a replaced file stays stored."""
    _operator_of(principal, lease)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed({"agreement": N_("Choose a file to upload.")})
    before = {"agreement_id": lease.agreement_id}
    async with in_transaction():
        stored = await store_upload(principal, upload, base_id=lease.base_id, field="agreement")
        lease.agreement_id = stored.id
        await lease.save(update_fields=["agreement_id", "updated_at"])
        after = {"agreement_id": stored.id, "sha256": stored.sha256, "filename": stored.filename, "size": stored.size}
        await _record(principal, "lease.agreement_attached", lease, before=before, after=after)
    return lease


async def leases_for_startup(principal: Principal, startup: Startup) -> list[Lease]:
    """A startup's leases, newest first, with their spaces loaded (for templates/tenants/_lease_rows.html)."""
    return list(
        await visible(principal, Lease)
        .filter(startup_id=startup.id)
        .select_related("startup")
        .prefetch_related("spaces__space")
        .limit(200)
    )


STATE_FILTERS: dict[str, Callable[[dt.date], dict[str, Any]]] = {
    "upcoming": lambda day: {"start_on__gt": day},
    "active": lambda day: {"start_on__lte": day, "occupied_until__gte": day},
    "ended": lambda day: {"occupied_until__lt": day, "ended_on__isnull": False},
    "expired": lambda day: {"occupied_until__lt": day, "ended_on__isnull": True},
}


def lease_state_filter(state: str, day: dt.date | None = None) -> dict[str, Any]:
    """Filters selecting the leases in a state (as Lease.state_on names it) on a day (default today)."""
    chosen = STATE_FILTERS.get(state)
    return chosen(day or today()) if chosen is not None else {}
