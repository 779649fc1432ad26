"""People: find-or-register by ID number, correct details, reveal the full number."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.audit import snapshot
from incubator.identifiers import birth_date_of, sex_of
from incubator.models import Base
from incubator.pii import id_index, open_id_number, seal_id_number
from tenants.forms.startups import PersonInput
from tenants.models import BasePerson, Person, Sex

PERSON_FIELDS = (
    "id_masked",
    "name",
    "birth_date",
    "sex",
    "phone",
    "hukou_region_code",
    "is_graduate",
    "school",
    "graduation_year",
    "is_farmer_herder",
    "is_veteran",
    "is_poverty_alleviated",
    "is_disabled",
    "has_employment_difficulty",
)


@dataclass(frozen=True)
class PersonLink:
    """The outcome of entering an ID number: the person, and whether it was new or flagged."""

    person: Person
    created: bool
    name_flagged: bool


def same_name(a: str, b: str) -> bool:
    """Whether two spellings of a name are the same but for spaces."""
    return "".join(a.split()) == "".join(b.split())


async def register_person(principal: Principal, base: Base, data: PersonInput) -> PersonLink:
    """Link the person with this ID number to the base, creating the person if new.

    A known number is never duplicated and its registered details are not overwritten; a
    different name is kept on the base's registration and flagged for the operator to check.
    Call inside the caller's transaction when it is part of a larger change.
    """
    require(principal, "person.register")
    return await link_person(principal, base, data)


async def link_person(principal: Principal, base: Base, data: PersonInput) -> PersonLink:
    """register_person without its permission check, for services that checked their own
    (a founder adding an employee to the roster)."""
    async with in_transaction():
        person = await Person.filter(id_index=id_index(data.id_number)).first()
        created = person is None
        if person is None:
            person = await _create_person(principal, base, data)
        registration = await BasePerson.filter(base_id=base.id, person_id=person.id).first()
        if registration is None:
            registration = await BasePerson.create(base_id=base.id, person_id=person.id)
            if not created:
                await audit.record(
                    principal,
                    "person.registered",
                    person,
                    base_id=base.id,
                    region_code=base.region_id,
                    after={"id_masked": person.id_masked, "base_id": base.id},
                )
        flagged = not same_name(person.name, data.name)
        if flagged and registration.entered_name != data.name:
            registration.entered_name, registration.name_flagged = data.name, True
            await registration.save(update_fields=["entered_name", "name_flagged"])
            await audit.record(
                principal,
                "person.name_flagged",
                person,
                base_id=base.id,
                region_code=base.region_id,
                before={"name": person.name},
                after={"entered_name": data.name},
            )
    return PersonLink(person, created, flagged)


def new_person(data: PersonInput) -> Person:
    """An unsaved person with this ID number (encrypted, indexed, masked) and these details."""
    sealed = seal_id_number(data.id_number)
    return Person(
        id_index=sealed.index,
        id_cipher=sealed.cipher,
        id_masked=sealed.masked,
        birth_date=birth_date_of(data.id_number),
        sex=Sex(sex_of(data.id_number)),
        hukou_region_code=data.hukou_region_code or data.id_number[:6],
        **data.details(),
    )


async def _create_person(principal: Principal, base: Base, data: PersonInput) -> Person:
    person = new_person(data)
    try:
        async with in_transaction():
            await person.save(force_create=True)
    except IntegrityError:
        # Someone registered the same number a moment ago: link theirs instead of failing.
        return await Person.get(id_index=person.id_index)
    await audit.record(
        principal,
        "person.created",
        person,
        base_id=base.id,
        region_code=base.region_id,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


async def update_person(principal: Principal, person: Person, data: PersonInput, *, base_id: int | None) -> Person:
    """Correct a person's name, phone, household registration and categories.

    Correcting the name settles this base's name flag.
    """
    require(principal, "person.edit", person)
    before = snapshot(person, PERSON_FIELDS)
    values = data.details()
    values["hukou_region_code"] = data.hukou_region_code or person.hukou_region_code
    async with in_transaction():
        person.update_from_dict(values)
        await person.save()
        if base_id is not None:
            await BasePerson.filter(base_id=base_id, person_id=person.id).update(name_flagged=False, entered_name="")
        await audit.record(
            principal,
            "person.updated",
            person,
            base_id=base_id,
            region_code=principal.region_code,
            before=before,
            after=snapshot(person, PERSON_FIELDS),
        )
    return person


async def keep_registered_name(principal: Principal, person: Person, base_id: int) -> None:
    """Settle a name flag by confirming the registered name is right."""
    require(principal, "person.edit", person)
    async with in_transaction():
        registration = await BasePerson.filter(base_id=base_id, person_id=person.id, name_flagged=True).first()
        if registration is None:
            return
        entered = registration.entered_name
        registration.entered_name, registration.name_flagged = "", False
        await registration.save(update_fields=["entered_name", "name_flagged"])
        await audit.record(
            principal,
            "person.name_confirmed",
            person,
            base_id=base_id,
            region_code=principal.region_code,
            before={"entered_name": entered},
            after={"name": person.name},
        )


async def reveal_id_number(principal: Principal, person: Person) -> str:
    """The full ID number of a visible person, for those allowed; every reveal is audited."""
    require(principal, "person.reveal", person)
    await audit.record(
        principal,
        "person.id_revealed",
        person,
        base_id=principal.base_id,
        region_code=principal.region_code,
        after={"id_masked": person.id_masked},
    )
    return open_id_number(person.id_cipher)
