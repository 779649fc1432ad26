"""Importing startups (with their founders) and spaces from a spreadsheet into a base.

Every row is checked first (tenants/forms/transfer.py), then against the base; only a file
without a single problem is imported, in one transaction, through the usual services, so each
record is audited as if it had been typed in, plus one event for the import itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.errors import ValidationFailed
from incubator.i18n import N_, gettext
from incubator.labels import choices
from incubator.models import Base
from incubator.spreadsheets import (
    ColumnSpec,
    Heading,
    Layout,
    Sheet,
    Sheetbook,
    SheetError,
    SheetRejected,
    WorkbookWriter,
    locate,
)
from tenants.forms.roster_sheet import ROSTER_COLUMNS, ROSTER_SHEET
from tenants.forms.transfer import (
    CODE_COLUMNS,
    DATE_COLUMNS,
    ENUM_COLUMNS,
    FLAG_COLUMNS,
    FOUNDER_COLUMNS,
    FOUNDERS_SHEET,
    INSTRUCTIONS_SHEET,
    SPACE_COLUMNS,
    SPACES_SHEET,
    STARTUP_COLUMNS,
    STARTUPS_SHEET,
    AllowedValues,
    SpaceRow,
    StartupRow,
    read_founders,
    read_spaces,
    read_startups,
)
from tenants.models import Space, Startup
from tenants.services.spaces import create_space
from tenants.services.startups import add_founder, create_startup, transition

TEMPLATES: dict[str, tuple[tuple[str, tuple[ColumnSpec, ...]], ...]] = {
    "startups": ((STARTUPS_SHEET, STARTUP_COLUMNS), (FOUNDERS_SHEET, FOUNDER_COLUMNS)),
    "spaces": ((SPACES_SHEET, SPACE_COLUMNS),),
    "roster": ((ROSTER_SHEET, ROSTER_COLUMNS),),
}
RACE = N_("Someone saved a record with the same details meanwhile; nothing was imported. Please try again.")


@dataclass(frozen=True)
class ImportSummary:
    """What an import created."""

    startups: int = 0
    admitted: int = 0
    founders: int = 0
    spaces: int = 0


async def import_startups(principal: Principal, base: Base, book: Sheetbook) -> ImportSummary:
    """Import the startups of a file (sheet 入驻企业) and their founders (sheet 创业者) into the base.

    Startups with an admission date are admitted on it. Nothing is stored unless every row is
    valid; every problem is raised at once as SheetRejected (sheet, row, column, message).
    """
    require(principal, "records.import")
    startups, layouts = await _check_startups(base, book)
    where: tuple[Layout, int] = (layouts[0], 0)
    try:
        async with in_transaction():
            for plan in startups:
                where = (layouts[0], plan.row)
                startup = await create_startup(principal, base, plan.data)
                if plan.admission is not None:
                    startup = await transition(principal, startup, plan.admission)
                for founder in plan.founders:
                    where = (layouts[1], founder.row)
                    await add_founder(principal, startup, founder.data)
            summary = ImportSummary(
                startups=len(startups),
                admitted=sum(1 for p in startups if p.admission is not None),
                founders=sum(len(p.founders) for p in startups),
            )
            counts = {"startups": summary.startups, "admitted": summary.admitted, "founders": summary.founders}
            await _record(principal, base, book, "import.startups", counts)
    except ValidationFailed as exc:
        # Another user saved the same name or credit code between the check and the import.
        raise _rejected(where[0].errors_of(exc, where[1], {"on": "admitted_on"}), book) from exc
    except IntegrityError as exc:
        raise _rejected([where[0].error(where[1], "", RACE)], book) from exc
    return summary


async def import_spaces(principal: Principal, base: Base, book: Sheetbook) -> ImportSummary:
    """Import the spaces of a file (sheet 场地) into the base; all of them, or none."""
    require(principal, "records.import")
    layout, spaces = await _check_spaces(base, book)
    row = 0
    try:
        async with in_transaction():
            for space in spaces:
                row = space.row
                await create_space(principal, base, space.data)
            summary = ImportSummary(spaces=len(spaces))
            await _record(principal, base, book, "import.spaces", {"spaces": summary.spaces})
    except ValidationFailed as exc:
        raise _rejected(layout.errors_of(exc, row), book) from exc
    except IntegrityError as exc:
        raise _rejected([layout.error(row, "", RACE)], book) from exc
    return summary


async def _record(principal: Principal, base: Base, book: Sheetbook, action: str, counts: dict[str, int]) -> None:
    await audit.record(
        principal,
        action,
        base,
        base_id=base.id,
        region_code=base.region_id,
        after={"filename": book.filename, "sha256": book.sha256, **counts},
    )


def _rejected(errors: Sequence[SheetError], book: Sheetbook) -> SheetRejected:
    order = {sheet.title: position for position, sheet in enumerate(book.sheets)}
    return SheetRejected(sorted(errors, key=lambda e: (order.get(e.sheet, -1), e.row or 0, len(e.column), e.column)))


def data_sheet(book: Sheetbook, title: str, *others: str) -> Sheet:
    """The sheet with this title (in any language), else the first sheet that is none of the others."""
    found = book.sheet_named(title)
    if found is not None:
        return found
    skipped = {id(sheet) for t in others if (sheet := book.sheet_named(t)) is not None}
    for sheet in book.sheets:
        if id(sheet) not in skipped and sheet.title != "lists":
            return sheet
    raise _rejected([SheetError("", None, "", "", N_("The file has no sheet to import."))], book)


def _nothing_to_import(sheet: Sheet) -> SheetError:
    return SheetError(
        sheet.title, None, "", "", N_("The sheet %(sheet)s has no rows to import."), {"sheet": sheet.title}
    )


async def _check_startups(base: Base, book: Sheetbook) -> tuple[list[StartupRow], tuple[Layout, Layout]]:
    sheet = data_sheet(book, STARTUPS_SHEET, FOUNDERS_SHEET, INSTRUCTIONS_SHEET)
    founders_sheet = book.sheet_named(FOUNDERS_SHEET)
    layout, errors = locate(sheet, STARTUP_COLUMNS)
    founders_layout = Layout(sheet, {}, {})
    if founders_sheet is not None and founders_sheet is not sheet:
        founders_layout, founder_errors = locate(founders_sheet, FOUNDER_COLUMNS)
        errors += founder_errors
    if not errors and not sheet.records:
        errors.append(_nothing_to_import(sheet))
    if errors:
        raise _rejected(errors, book)
    found = read_startups(layout)
    if founders_layout.specs:
        found.errors += read_founders(founders_layout, found, sheet.title)
    found.errors += await _startups_in_base(layout, base, found.startups)
    if found.errors:
        raise _rejected(found.errors, book)
    return list(found.startups.values()), (layout, founders_layout)


async def _startups_in_base(layout: Layout, base: Base, startups: Mapping[str, StartupRow]) -> list[SheetError]:
    """Names already used in the base, and credit codes of startups resident in any base."""
    names = [plan.data.name for plan in startups.values()]
    codes = [plan.data.uscc for plan in startups.values() if plan.data.uscc]
    taken_names: set[str] = set()
    taken_codes: set[str] = set()
    for chunk in _chunks(names):
        taken_names.update(
            str(n) for n in await Startup.filter(base_id=base.id, name__in=chunk).values_list("name", flat=True)
        )
    for chunk in _chunks(codes):
        found = await Startup.filter(uscc__in=chunk, left_on__isnull=True).values_list("uscc", flat=True)
        taken_codes.update(str(code) for code in found)
    errors = []
    for plan in startups.values():
        if plan.data.name in taken_names:
            errors.append(layout.error(plan.row, "name", N_("A startup with this name is already in this base.")))
        if plan.data.uscc in taken_codes:
            message = N_("A resident startup with this credit code is already registered.")
            errors.append(layout.error(plan.row, "uscc", message))
    return errors


async def _check_spaces(base: Base, book: Sheetbook) -> tuple[Layout, list[SpaceRow]]:
    sheet = data_sheet(book, SPACES_SHEET, INSTRUCTIONS_SHEET)
    layout, errors = locate(sheet, SPACE_COLUMNS)
    if not errors and not sheet.records:
        errors.append(_nothing_to_import(sheet))
    if errors:
        raise _rejected(errors, book)
    spaces, errors = read_spaces(layout)
    taken: set[str] = set()
    for chunk in _chunks([space.data.code for space in spaces]):
        taken.update(
            str(code) for code in await Space.filter(base_id=base.id, code__in=chunk).values_list("code", flat=True)
        )
    message = N_("A space with this code is already in this base.")
    errors += [layout.error(space.row, "code", message) for space in spaces if space.data.code in taken]
    if errors:
        raise _rejected(errors, book)
    return layout, spaces


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


# -- templates ----------------------------------------------------------------------------


def import_template(kind: str) -> bytes:
    """The blank workbook an import reads ("startups", "spaces" or "roster"), in the user's language.

    Each data sheet has its header row and drop-down lists on the enumeration columns; the
    instructions sheet says, column by column, whether it is required and what it takes.
    """
    book = WorkbookWriter()
    guide: list[list[str | None]] = []
    for title, specs in TEMPLATES[kind]:
        book.sheet(gettext(title), [_template_heading(spec) for spec in specs])
        for spec in specs:
            required = gettext("Yes") if spec.required else gettext("No")
            guide.append([gettext(title), gettext(spec.header), required, _hint(spec)])
    headings = [Heading(gettext(text)) for text in (N_("Sheet"), N_("Column"), N_("Required"))]
    sheet = book.sheet(gettext(INSTRUCTIONS_SHEET), [*headings, Heading(gettext("How to fill it in"), width=100)])
    for row in guide:
        sheet.append(row)
    sheet.append([])
    notes = (
        N_("Fill in one row per record below the header, and keep the headers as they are."),
        N_("Nothing is imported unless every row is valid; the page lists every problem with its row and column."),
    )
    for note in notes:
        sheet.append([None, None, None, gettext(note)])
    return book.save()


def _template_heading(spec: ColumnSpec) -> Heading:
    kind = "date" if spec.field in DATE_COLUMNS else "code" if spec.field in CODE_COLUMNS else "text"
    allowed: tuple[str, ...] = ()
    if spec.field in ENUM_COLUMNS:
        allowed = tuple(text for _value, text in choices(ENUM_COLUMNS[spec.field]))
    elif spec.field in FLAG_COLUMNS:
        allowed = (gettext("Yes"), gettext("No"))
    return Heading(gettext(spec.header), kind, allowed)


def _hint(spec: ColumnSpec) -> str:
    parts = [gettext(spec.hint)] if spec.hint else []
    if spec.field in ENUM_COLUMNS:
        parts.insert(0, gettext("One of: %(values)s.", values=AllowedValues(ENUM_COLUMNS[spec.field])))
    return " ".join(parts)
