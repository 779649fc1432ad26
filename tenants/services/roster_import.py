"""Importing a job roster (实名制用工名单) from a spreadsheet, in the background, all or nothing.

Every row is checked first, with the single-add form's parser (tenants/forms/roster_sheet.py),
then against the other rows (one person at one startup on overlapping dates) and against the
database in bulk (the startup named by each row, employments already on the roster). Only a
file without a single problem is saved, in one transaction: people are found by the blind
index of their ID number or created exactly as `people.new_person` makes them, linked to the
base, and their employments inserted with the categories they had when hired. The audit log
gets one event per chunk of people and employments, plus one for the import with the file's
SHA-256; they are written last, so the lock on the audit chain is held only briefly.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require, visible
from incubator.audit import snapshot
from incubator.errors import NotFound
from incubator.formatting import today
from incubator.i18n import N_
from incubator.models import Base
from incubator.pii import id_index
from incubator.spreadsheets import (
    Layout,
    Sheetbook,
    SheetError,
    SheetRejected,
    Translated,
    locate,
    read_rows,
    squeeze,
)
from incubator.spreadsheets.reading import ROW_COST
from incubator.tasks import Progress
from tenants.forms.jobs import EmploymentInput
from tenants.forms.roster_sheet import ROSTER_COLUMNS, ROSTER_SHEET, RosterReader, RosterRow, unknown_columns
from tenants.forms.transfer import INSTRUCTIONS_SHEET
from tenants.models import BasePerson, Employment, Founder, Person, Startup
from tenants.services.imports import RACE, data_sheet
from tenants.services.people import PERSON_FIELDS, new_person, same_name
from tenants.services.roster import categories_at_hiring, term_values

T = TypeVar("T")

# A roster may list tens of thousands of people; the other imports stop at 5,000 rows.
ROSTER_MAX_ROWS = 50_000
ROSTER_BUDGET = ROSTER_MAX_ROWS * (ROW_COST + 2 * len(ROSTER_COLUMNS))
ROSTER_MAX_UNPACKED = 128 * 1024 * 1024
# Rows per query (IN lists), per INSERT batch and per audit event.
CHUNK = 500
# Rows imported from which the planner's statistics are refreshed afterwards.
ANALYZE_AFTER = 2000


def read_roster_file(data: bytes, filename: str) -> Sheetbook:
    """An uploaded roster read into sheets, with room for tens of thousands of rows (blocking: run in a thread)."""
    return read_rows(data, filename, max_rows=ROSTER_MAX_ROWS, max_unpacked=ROSTER_MAX_UNPACKED, budget=ROSTER_BUDGET)


@dataclass(frozen=True)
class _Plan:
    """A valid row, with its startup and the blind index of its ID number."""

    row: int
    data: EmploymentInput
    startup: Startup
    index: str

    @property
    def hired_on(self) -> dt.date:
        return self.data.terms.hired_on

    @property
    def left_on(self) -> dt.date | None:
        return self.data.terms.left_on


@dataclass
class _Known:
    """What the database already holds about the people of the file."""

    people: dict[str, Person] = field(default_factory=dict)  # by blind index
    employments: dict[tuple[int, int], list[tuple[int, dt.date, dt.date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (startup, person) -> [(id, hired on, left on)]
    founders: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    registrations: dict[int, BasePerson] = field(default_factory=dict)  # by person id


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    return (values[start : start + size] for start in range(0, len(values), size))


def _overlap(a: tuple[dt.date, dt.date | None], b: tuple[dt.date, dt.date | None]) -> bool:
    return (a[1] is None or a[1] >= b[0]) and (b[1] is None or b[1] >= a[0])


def _rejected(errors: Sequence[SheetError]) -> SheetRejected:
    return SheetRejected(sorted(errors, key=lambda e: (e.row or 0, len(e.column), e.column)))


async def import_roster(
    principal: Principal, base: Base, book: Sheetbook, *, startup: Startup | None = None, progress: Progress
) -> dict[str, Any]:
    """Import the roster of a file into the base: a startup's own roster, or the base's (each row naming its startup).

    Every row must be valid and name an admitted startup of the base that the principal sees;
    nothing is saved otherwise, and SheetRejected lists every problem with its row and column.
    Returns the summary shown on the task page.
    """
    require(principal, "roster.manage")
    if startup is not None and startup.base_id != base.id:
        raise NotFound()
    layout = _layout(book, base_level=startup is None)
    progress.phase(N_("Checking rows"), len(layout.sheet.records))
    reader = RosterReader(layout, today=today())
    rows: list[RosterRow] = []
    for record in layout.sheet.records:
        if (found := reader.read(record)) is not None:
            rows.append(found)
        await progress.tick()
    errors = list(reader.errors)
    plans = await _resolve(principal, base, startup, layout, rows, errors)
    errors += _overlaps_in_file(layout, plans)
    known = await _known(base, plans)
    errors += _overlaps_on_roster(layout, plans, known)
    if errors:
        raise _rejected(errors)
    return await _save(principal, base, book, startup, layout, plans, known, progress)


def _layout(book: Sheetbook, *, base_level: bool) -> Layout:
    sheet = data_sheet(book, ROSTER_SHEET, INSTRUCTIONS_SHEET)
    layout, errors = locate(sheet, ROSTER_COLUMNS)
    if sheet.header is not None:
        errors += unknown_columns(layout)
        if base_level and "startup" not in layout.positions:
            message = N_("The column %(column)s is missing: a base's roster names the startup of each row.")
            errors.append(
                SheetError(sheet.title, None, "", N_("Startup"), message, {"column": Translated(N_("Startup"))})
            )
    if not errors and not sheet.records:
        errors.append(
            SheetError(
                sheet.title, None, "", "", N_("The sheet %(sheet)s has no rows to import."), {"sheet": sheet.title}
            )
        )
    if errors:
        raise _rejected(errors)
    return layout


def _credit_code(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


async def _resolve(
    principal: Principal,
    base: Base,
    startup: Startup | None,
    layout: Layout,
    rows: list[RosterRow],
    errors: list[SheetError],
) -> list[_Plan]:
    """Each row with the startup it names: an admitted startup of the base, visible to the principal."""
    query = visible(principal, Startup).filter(base_id=base.id)
    if startup is not None:
        query = query.filter(id=startup.id)
    startups = await query
    by_name = {squeeze(s.name): s for s in startups}
    by_code = {s.uscc.upper(): s for s in startups if s.uscc}
    for found in startups:
        require(principal, "roster.manage", found)
    plans = []
    for row in rows:
        named = (by_code.get(_credit_code(row.startup)) or by_name.get(squeeze(row.startup))) if row.startup else None
        if startup is not None:
            if row.startup and named is None:
                message = N_("This is the roster of %(name)s; leave this empty or enter its name or credit code.")
                errors.append(layout.error(row.row, "startup", message, name=startup.name))
                continue
            named = startup
        elif not row.startup:
            errors.append(layout.error(row.row, "startup", N_("This field is required.")))
            continue
        elif named is None:
            message = N_("There is no startup %(name)s in this base; enter its name or credit code as registered.")
            errors.append(layout.error(row.row, "startup", message, name=row.startup))
            continue
        if named.admitted_on is None:
            errors.append(layout.error(row.row, "startup", N_("Admit the startup before keeping its roster.")))
            continue
        plans.append(_Plan(row.row, row.data, named, id_index(row.data.person.id_number)))
    return plans


def _overlaps_in_file(layout: Layout, plans: list[_Plan]) -> list[SheetError]:
    """Rows listing one person at one startup for overlapping dates (a row given twice included)."""
    groups: dict[tuple[int, str], list[_Plan]] = defaultdict(list)
    for plan in plans:
        groups[plan.startup.id, plan.index].append(plan)
    errors = []
    message = N_("Row %(row)s already lists this person at this startup for overlapping dates.")
    for group in groups.values():
        group.sort(key=lambda p: (p.hired_on, p.row))
        latest = group[0]  # the row ending last among those seen
        for plan in group[1:]:
            if latest.left_on is None or latest.left_on >= plan.hired_on:
                errors.append(layout.error(plan.row, "hired_on", message, row=latest.row))
            if latest.left_on is not None and (plan.left_on is None or plan.left_on > latest.left_on):
                latest = plan
    return errors


async def _known(base: Base, plans: list[_Plan]) -> _Known:
    """The people of the file already registered, with their employments and founder roles at these startups."""
    known = _Known()
    indexes = sorted({plan.index for plan in plans})
    for index_chunk in _chunks(indexes):
        for person in await Person.filter(id_index__in=index_chunk):
            known.people[person.id_index] = person
    person_ids = sorted(person.id for person in known.people.values())
    startup_ids = sorted({plan.startup.id for plan in plans})
    for chunk in _chunks(person_ids):
        employments = await Employment.filter(person_id__in=chunk, startup_id__in=startup_ids).values_list(
            "id", "startup_id", "person_id", "hired_on", "left_on"
        )
        for pk, startup_id, person_id, hired_on, left_on in employments:
            known.employments[startup_id, person_id].append((pk, hired_on, left_on))
        founders = await Founder.filter(person_id__in=chunk, startup_id__in=startup_ids).values_list(
            "startup_id", "person_id", "joined_on", "left_on"
        )
        for startup_id, person_id, joined_on, left_on in founders:
            known.founders[startup_id, person_id].append((joined_on, left_on))
        for registration in await BasePerson.filter(base_id=base.id, person_id__in=chunk):
            known.registrations[registration.person_id] = registration
    return known


def _overlaps_on_roster(layout: Layout, plans: list[_Plan], known: _Known) -> list[SheetError]:
    """Rows overlapping an employment already on the roster (the same rule as the form's)."""
    errors = []
    message = N_("This person is already employed by this startup from %(start)s to %(end)s.")
    for plan in plans:
        person = known.people.get(plan.index)
        if person is None:
            continue
        for _pk, hired_on, left_on in known.employments.get((plan.startup.id, person.id), ()):
            if _overlap((hired_on, left_on), (plan.hired_on, plan.left_on)):
                errors.append(layout.error(plan.row, "hired_on", message, start=hired_on, end=left_on or "—"))
                break
    return errors


def _is_founder(known: _Known, startup_id: int, person_id: int | None, hired_on: dt.date) -> bool:
    if person_id is None:
        return False
    return any(
        joined_on <= hired_on and (left_on is None or left_on >= hired_on)
        for joined_on, left_on in known.founders.get((startup_id, person_id), ())
    )


async def _save(
    principal: Principal,
    base: Base,
    book: Sheetbook,
    startup: Startup | None,
    layout: Layout,
    plans: list[_Plan],
    known: _Known,
    progress: Progress,
) -> dict[str, Any]:
    first_rows: dict[str, EmploymentInput] = {}
    for plan in plans:
        first_rows.setdefault(plan.index, plan.data)
    new_indexes = [index for index in first_rows if index not in known.people]
    known_people = [known.people[index] for index in first_rows if index in known.people]
    typed_names = {index: row.person.name for index, row in first_rows.items()}
    linked = [person for person in known_people if person.id not in known.registrations]
    flagged = [person for person in known_people if not same_name(person.name, typed_names[person.id_index])]
    progress.phase(N_("Saving"), len(new_indexes) + 2 * len(plans))
    # Every row is prepared before the transaction (sealing ID numbers and building the rows take
    # most of the time), so the transaction, which on SQLite holds the only connection, stays short.
    fresh: dict[str, Person] = {}
    for index in new_indexes:
        fresh[index] = new_person(first_rows[index].person)
        await progress.tick()
    people = {**known.people, **fresh}
    employments = []
    for plan in plans:
        employments.append(_employment(base, plan, people[plan.index], known))
        await progress.tick()
    links = _links(base, fresh, linked, flagged, typed_names)
    try:
        async with in_transaction():
            for people_chunk in _chunks(list(fresh.values())):
                await Person.bulk_create(people_chunk)
            for index_chunk in _chunks(new_indexes):
                for pk, index in await Person.filter(id_index__in=index_chunk).values_list("id", "id_index"):
                    fresh[index].id = pk
            # The new people's ids are known only now.
            for link, person in links:
                link.person_id = person.id
            for employment, plan in zip(employments, plans, strict=True):
                employment.person_id = people[plan.index].id
            for link_chunk in _chunks([link for link, _person in links]):
                await BasePerson.bulk_create(link_chunk)
            await _flag_names(flagged, typed_names, known)
            for chunk in _chunks(employments):
                await Employment.bulk_create(chunk)
                progress.advance(len(chunk))
            ids = await _new_employment_ids(layout, plans, people, known)
            summary = _summary(startup, plans, fresh, known_people, flagged)
            events = _Events(plans, people, ids, fresh, linked, flagged, typed_names)
            await _record(principal, base, book, startup, events, summary)
    except IntegrityError as exc:
        # Someone registered one of these people meanwhile: nothing is saved, the user tries again.
        raise _rejected([SheetError(layout.sheet.title, None, "", "", RACE)]) from exc
    if len(plans) >= ANALYZE_AFTER:
        await _refresh_statistics()
    return summary


async def _refresh_statistics() -> None:
    """Let PostgreSQL's planner know the tables grew (as after any bulk load).

    Until autovacuum catches up, lookups of many ID numbers at once (the next import) would
    otherwise scan the whole person table once per chunk.
    """
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script("ANALYZE person, base_person, employment")


def _employment(base: Base, plan: _Plan, person: Person, known: _Known) -> Employment:
    """The employment of a row, with the categories its person had when hired (its person id set later)."""
    # A person new to the platform cannot be a founder: founders are registered people.
    registered = plan.index in known.people
    is_founder = registered and _is_founder(known, plan.startup.id, person.id, plan.hired_on)
    return Employment(
        startup_id=plan.startup.id,
        base_id=base.id,
        region_code=base.region_id,
        **term_values(plan.data.terms),
        **categories_at_hiring(person, is_founder=is_founder),
    )


def _links(
    base: Base, fresh: dict[str, Person], linked: list[Person], flagged: list[Person], typed_names: dict[str, str]
) -> list[tuple[BasePerson, Person]]:
    """The people's registrations with the base (their person ids set later); a name other than the
    registered one is kept and flagged, as link_person does."""
    differs = {person.id for person in flagged}
    links = [(BasePerson(base_id=base.id), person) for person in fresh.values()]
    for person in linked:
        typed = typed_names[person.id_index] if person.id in differs else ""
        links.append((BasePerson(base_id=base.id, entered_name=typed, name_flagged=bool(typed)), person))
    return links


async def _flag_names(flagged: list[Person], typed_names: dict[str, str], known: _Known) -> None:
    """Flag the other names typed for people already registered with the base."""
    for person in flagged:
        registration = known.registrations.get(person.id)
        typed = typed_names[person.id_index]
        if registration is not None and registration.entered_name != typed:
            await BasePerson.filter(id=registration.id).update(entered_name=typed, name_flagged=True)


async def _new_employment_ids(
    layout: Layout, plans: list[_Plan], people: dict[str, Person], known: _Known
) -> list[int]:
    """The ids of the inserted employments, in the order of the plans.

    Bulk inserts do not return ids, so they are read back by (startup, person, day of hiring),
    which no two rows share. An employment that is neither one of these nor on the roster before
    was added by someone else meanwhile: if it overlaps a row, nothing is saved.
    """
    wanted = {(plan.startup.id, people[plan.index].id, plan.hired_on): n for n, plan in enumerate(plans)}
    before = {pk for entries in known.employments.values() for pk, _hired_on, _left_on in entries}
    ids: list[int | None] = [None] * len(plans)
    by_person: dict[tuple[int, int], list[_Plan]] = defaultdict(list)
    for plan in plans:
        by_person[plan.startup.id, people[plan.index].id].append(plan)
    startup_ids = sorted({plan.startup.id for plan in plans})
    person_ids = sorted({person.id for person in people.values()})
    for chunk in _chunks(person_ids):
        found = await Employment.filter(person_id__in=chunk, startup_id__in=startup_ids).values_list(
            "id", "startup_id", "person_id", "hired_on", "left_on"
        )
        for pk, startup_id, person_id, hired_on, left_on in found:
            if pk in before:
                continue
            n = wanted.get((startup_id, person_id, hired_on))
            if n is not None and ids[n] is None:
                ids[n] = pk
            elif any(_overlap((hired_on, left_on), (p.hired_on, p.left_on)) for p in by_person[startup_id, person_id]):
                raise _rejected([SheetError(layout.sheet.title, None, "", "", RACE)])
    assert all(pk is not None for pk in ids)
    return [pk for pk in ids if pk is not None]


def _summary(
    startup: Startup | None, plans: list[_Plan], fresh: dict[str, Person], known: list[Person], flagged: list[Person]
) -> dict[str, Any]:
    startups = len({plan.startup.id for plan in plans})
    lines = [{"msgid": N_("Roster entries imported: %(count)d."), "params": {"count": len(plans)}}]
    if startup is None:
        lines.append({"msgid": N_("Startups concerned: %(count)d."), "params": {"count": startups}})
    lines.append(
        {
            "msgid": N_("People new to the platform: %(count)d; already registered: %(known)d."),
            "params": {"count": len(fresh), "known": len(known)},
        }
    )
    if flagged:
        message = N_("Names that differ from the registered name, flagged for checking: %(count)d.")
        lines.append({"msgid": message, "params": {"count": len(flagged)}})
    return {
        "lines": lines,
        "employments": len(plans),
        "people_new": len(fresh),
        "people_known": len(known),
        "startups": startups,
        "names_flagged": len(flagged),
    }


@dataclass(frozen=True)
class _Events:
    """What the audit events of an import list."""

    plans: list[_Plan]
    people: dict[str, Person]
    ids: list[int]
    fresh: dict[str, Person]
    linked: list[Person]
    flagged: list[Person]
    typed_names: dict[str, str]


async def _record(
    principal: Principal, base: Base, book: Sheetbook, startup: Startup | None, events: _Events, summary: dict[str, Any]
) -> None:
    """One event per chunk of people created, linked or flagged and of employments, then the import's."""
    where: dict[str, Any] = {"base_id": base.id, "region_code": base.region_id}
    for chunk in _chunks(list(events.fresh.values())):
        people = [{"id": person.id, **snapshot(person, PERSON_FIELDS)} for person in chunk]
        await audit.record(principal, "person.imported", object_type="Person", **where, after={"people": people})
    for chunk in _chunks(events.linked):
        people = [{"id": person.id, "id_masked": person.id_masked} for person in chunk]
        after = {"base_id": base.id, "people": people}
        await audit.record(principal, "person.linked", object_type="Person", **where, after=after)
    for chunk in _chunks(events.flagged):
        people = [
            {"id": p.id, "id_masked": p.id_masked, "name": p.name, "entered_name": events.typed_names[p.id_index]}
            for p in chunk
        ]
        await audit.record(principal, "person.names_flagged", object_type="Person", **where, after={"people": people})
    entries = [
        {
            "id": pk,
            "startup_id": plan.startup.id,
            "id_masked": events.people[plan.index].id_masked,
            "hired_on": plan.hired_on,
            "left_on": plan.left_on,
            "contract_kind": plan.data.terms.contract_kind,
        }
        for pk, plan in zip(events.ids, events.plans, strict=True)
    ]
    for entry_chunk in _chunks(entries):
        after = {"employments": list(entry_chunk)}
        await audit.record(principal, "employment.imported", object_type="Employment", **where, after=after)
    counts = {key: summary[key] for key in ("employments", "people_new", "people_known", "startups", "names_flagged")}
    after = {
        "filename": book.filename,
        "sha256": book.sha256,
        "startup_id": startup.id if startup is not None else None,
        **counts,
    }
    await audit.record(principal, "import.roster", base, **where, after=after)
