"""Startups: admission applications, details, the lifecycle, and founders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.audit import snapshot
from incubator.errors import ValidationFailed
from incubator.i18n import N_
from incubator.labels import LabelOf
from incubator.models import Base
from tenants.forms.startups import ContactInput, FounderInput, StartupInput, TransitionInput
from tenants.models import Founder, FounderRole, Lease, LegalForm, Startup, StartupEvent, StartupStatus
from tenants.services.people import register_person

STARTUP_FIELDS = (
    "base_id",
    "name",
    "legal_form",
    "uscc",
    "registered_on",
    "industry",
    "contact_name",
    "contact_phone",
    "contact_email",
    "description",
    "status",
    "applied_on",
    "admitted_on",
    "incubation_ends_on",
    "left_on",
    "exit_reason",
)
FOUNDER_FIELDS = ("startup_id", "person_id", "role", "joined_on", "left_on")

# The lifecycle: 申请入驻 → 在孵 → 毕业 | 退出 (an applicant may also withdraw).
TRANSITIONS: dict[StartupStatus, frozenset[StartupStatus]] = {
    StartupStatus.APPLIED: frozenset({StartupStatus.INCUBATING, StartupStatus.EXITED}),
    StartupStatus.INCUBATING: frozenset({StartupStatus.GRADUATED, StartupStatus.EXITED}),
    StartupStatus.GRADUATED: frozenset(),
    StartupStatus.EXITED: frozenset(),
}
ACTIONS = {
    StartupStatus.INCUBATING: "startup.admitted",
    StartupStatus.GRADUATED: "startup.graduated",
    StartupStatus.EXITED: "startup.exited",
}


async def _check_unique(base_id: int, data: StartupInput, exclude_id: int | None = None) -> None:
    errors: dict[str, str] = {}
    query = Startup.all() if exclude_id is None else Startup.exclude(id=exclude_id)
    if await query.filter(base_id=base_id, name=data.name).exists():
        errors["name"] = N_("A startup with this name is already in this base.")
    if data.uscc and await query.filter(uscc=data.uscc, left_on__isnull=True).exists():
        errors["uscc"] = N_("A resident startup with this credit code is already registered.")
    if errors:
        raise ValidationFailed(errors)


def _values(data: StartupInput) -> dict[str, Any]:
    return {
        "name": data.name,
        "legal_form": data.legal_form,
        "uscc": data.uscc,
        "registered_on": data.registered_on,
        "industry": data.industry,
        "contact_name": data.contact.contact_name,
        "contact_phone": data.contact.contact_phone,
        "contact_email": data.contact.contact_email,
        "description": data.description,
    }


async def create_startup(principal: Principal, base: Base, data: StartupInput) -> Startup:
    """Record a startup's application to join the base (申请入驻)."""
    require(principal, "startup.manage")
    await _check_unique(base.id, data)
    async with in_transaction():
        startup = await Startup.create(
            base_id=base.id, status=StartupStatus.APPLIED, applied_on=data.applied_on, **_values(data)
        )
        await StartupEvent.create(
            startup=startup, to_status=StartupStatus.APPLIED, on=data.applied_on, actor=principal.username
        )
        await audit.record(
            principal,
            "startup.created",
            startup,
            base_id=base.id,
            region_code=base.region_id,
            after=snapshot(startup, STARTUP_FIELDS),
        )
    return startup


async def update_startup(principal: Principal, startup: Startup, data: StartupInput) -> Startup:
    """Correct a startup's registration, industry, contact and description."""
    require(principal, "startup.manage", startup)
    await _check_unique(startup.base_id, data, exclude_id=startup.id)
    return await _save(principal, startup, _values(data), "startup.updated")


async def update_contact(principal: Principal, startup: Startup, data: ContactInput) -> Startup:
    """Change the contact details (a founder may do this for their own startup)."""
    require(principal, "startup.contact", startup)
    values = {
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "contact_email": data.contact_email,
    }
    return await _save(principal, startup, values, "startup.contact_updated")


async def _save(principal: Principal, startup: Startup, values: dict[str, Any], action: str) -> Startup:
    base = await Base.get(id=startup.base_id)
    before = snapshot(startup, STARTUP_FIELDS)
    async with in_transaction():
        startup.update_from_dict(values)
        await startup.save()
        await audit.record(
            principal,
            action,
            startup,
            base_id=base.id,
            region_code=base.region_id,
            before=before,
            after=snapshot(startup, STARTUP_FIELDS),
        )
    return startup


async def transition(principal: Principal, startup: Startup, data: TransitionInput) -> Startup:
    """Move a startup along its lifecycle, guarded by its current state, dates and leases."""
    require(principal, "startup.manage", startup)
    async with in_transaction():
        # Lock the row so two simultaneous transitions cannot both pass the guard.
        current = await Startup.filter(id=startup.id).select_for_update().get()
        await _guard(current, data)
        before = snapshot(current, STARTUP_FIELDS)
        previous = current.status
        current.status = data.to
        if data.to is StartupStatus.INCUBATING:
            current.admitted_on, current.incubation_ends_on = data.on, data.incubation_ends_on
        else:
            current.left_on = data.on
            if data.reason is not None:
                current.exit_reason = data.reason
        await current.save()
        await StartupEvent.create(
            startup=current,
            from_status=previous,
            to_status=data.to,
            on=data.on,
            reason=data.reason,
            note=data.note,
            actor=principal.username,
        )
        base = await Base.get(id=current.base_id)
        await audit.record(
            principal,
            ACTIONS[data.to],
            current,
            base_id=base.id,
            region_code=base.region_id,
            before=before,
            after={**snapshot(current, STARTUP_FIELDS), "note": data.note},
        )
    return current


async def _guard(startup: Startup, data: TransitionInput) -> None:
    if data.to not in TRANSITIONS[startup.status]:
        raise ValidationFailed(
            {"to": N_("A startup that is %(current)s cannot become %(target)s.")},
            field_params={
                "to": {
                    "current": LabelOf("startup_status", startup.status),
                    "target": LabelOf("startup_status", data.to),
                }
            },
        )
    last = await StartupEvent.filter(startup_id=startup.id).order_by("-on", "-id").first()
    if last is not None and data.on < last.on:
        raise ValidationFailed(
            {"on": N_("The date cannot be before the previous step (%(date)s).")},
            field_params={"on": {"date": last.on}},
        )
    if data.to is StartupStatus.INCUBATING:
        return
    holding = await Lease.filter(startup_id=startup.id, occupied_until__gt=data.on).order_by("occupied_until").first()
    if holding is not None:
        raise ValidationFailed(
            {"on": N_("End its lease first: lease %(lease)s holds spaces until %(date)s.")},
            field_params={"on": {"lease": holding.id, "date": holding.occupied_until}},
        )


async def add_founder(principal: Principal, startup: Startup, data: FounderInput) -> Founder:
    """Add a founder, finding the person by ID number (or registering them at the base)."""
    require(principal, "startup.manage", startup)
    base = await Base.get(id=startup.base_id)
    async with in_transaction():
        link = await register_person(principal, base, data.person)
        current = Founder.filter(startup_id=startup.id, left_on__isnull=True)
        if await current.filter(person_id=link.person.id).exists():
            raise ValidationFailed({"id_number": N_("This person is already a founder of this startup.")})
        if (
            data.role is FounderRole.LEGAL_REPRESENTATIVE
            and await current.filter(role=FounderRole.LEGAL_REPRESENTATIVE).exists()
        ):
            raise ValidationFailed({"role": N_("The startup already has a legal representative.")})
        founder = await Founder.create(
            startup_id=startup.id, person_id=link.person.id, role=data.role, joined_on=data.joined_on
        )
        await audit.record(
            principal,
            "founder.added",
            founder,
            base_id=base.id,
            region_code=base.region_id,
            after={**snapshot(founder, FOUNDER_FIELDS), "id_masked": link.person.id_masked},
        )
    founder.person = link.person
    return founder


async def end_founder(principal: Principal, founder: Founder, left_on: dt.date) -> Founder:
    """Record the day a founder left the startup."""
    require(principal, "startup.manage", founder)
    if founder.left_on is not None:
        raise ValidationFailed({"left_on": N_("This founder has already left.")})
    if left_on < founder.joined_on:
        raise ValidationFailed(
            {"left_on": N_("The date cannot be before %(date)s.")},
            field_params={"left_on": {"date": founder.joined_on}},
        )
    startup = await Startup.get(id=founder.startup_id).select_related("base")
    before = snapshot(founder, FOUNDER_FIELDS)
    async with in_transaction():
        founder.left_on = left_on
        await founder.save(update_fields=["left_on"])
        await audit.record(
            principal,
            "founder.left",
            founder,
            base_id=startup.base_id,
            region_code=startup.base.region_id,
            before=before,
            after=snapshot(founder, FOUNDER_FIELDS),
        )
    return founder


def allowed_transitions(startup: Startup) -> list[StartupStatus]:
    """The states this startup may move to next, in lifecycle order."""
    order = list(StartupStatus)
    return sorted(TRANSITIONS[startup.status], key=order.index)


def needs_uscc(legal_form: LegalForm) -> bool:
    return legal_form is not LegalForm.UNREGISTERED_TEAM
