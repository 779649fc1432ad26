"""Reading the rows of an uploaded spreadsheet into startups, founders and spaces.

Columns are found by their header in Chinese or English; enumeration cells may hold a code or a
label in either language; dates may be typed 2024/3/1 or 2024年3月1日. Each row then goes through
the same parser as the form, and the rows are checked against each other. Checks against the
database are the import service's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.i18n import LOCALES, N_, get_locale, gettext, using_locale
from incubator.labels import LABELS, choices
from incubator.spreadsheets import ColumnSpec, Layout, SheetError, SheetRow, squeeze
from tenants.forms.spaces import SpaceInput, parse_space
from tenants.forms.startups import (
    FounderInput,
    StartupInput,
    TransitionInput,
    parse_founder,
    parse_startup,
    parse_transition,
)
from tenants.models import FounderRole

STARTUPS_SHEET = N_("Startups")
FOUNDERS_SHEET = N_("Founders")
SPACES_SHEET = N_("Spaces")
INSTRUCTIONS_SHEET = N_("Instructions")

STARTUP_COLUMNS = (
    ColumnSpec(
        "name",
        N_("Name"),
        ("企业名称", "团队名称", "Startup name"),
        required=True,
        hint=N_("Up to 100 characters; each name once per base."),
    ),
    ColumnSpec("legal_form", N_("Legal form"), ("企业类型",), required=True),
    ColumnSpec(
        "uscc",
        N_("Unified social credit code"),
        ("统一信用代码", "信用代码", "USCC", "Credit code"),
        hint=N_("18 characters; required for a registered business, empty for an unregistered team."),
    ),
    ColumnSpec(
        "registered_on",
        N_("Registered on"),
        ("注册时间", "成立日期"),
        hint=N_("A date such as 2024-03-01; required for a registered business."),
    ),
    ColumnSpec("industry", N_("Industry"), ("行业",), required=True),
    ColumnSpec("contact_name", N_("Contact person"), ("Contact", "Contact name"), hint=N_("Optional.")),
    ColumnSpec(
        "contact_phone", N_("Contact phone"), hint=N_("Optional: a mobile number or a landline with area code.")
    ),
    ColumnSpec("contact_email", N_("Contact e-mail"), ("Contact email", "邮箱", "电子邮箱"), hint=N_("Optional.")),
    ColumnSpec("description", N_("Description"), hint=N_("Optional, up to 2,000 characters.")),
    ColumnSpec("applied_on", N_("Applied on"), hint=N_("A date; today when empty.")),
    ColumnSpec(
        "admitted_on",
        N_("Admitted on"),
        hint=N_("Optional date: when filled in, the startup is admitted on that day."),
    ),
    ColumnSpec(
        "incubation_ends_on",
        N_("Incubation ends on"),
        hint=N_("Optional date after the admission date; three years after admission when empty."),
    ),
)
FOUNDER_COLUMNS = (
    ColumnSpec(
        "startup",
        N_("Startup name"),
        ("企业名称", "团队名称", "Startup"),
        required=True,
        hint=N_("The name of the startup exactly as in the startups sheet."),
    ),
    ColumnSpec("name", N_("Full name"), ("Name", "姓名"), required=True, hint=N_("As on the ID card.")),
    ColumnSpec(
        "id_number",
        N_("ID number"),
        ("身份证号", "公民身份号码", "身份证"),
        required=True,
        hint=N_("18 characters; a person already registered is linked, not added twice."),
    ),
    ColumnSpec("phone", N_("Mobile phone"), ("手机", "手机号", "Mobile", "Phone"), hint=N_("Optional: 11 digits.")),
    ColumnSpec(
        "role",
        N_("Role"),
        ("Founder role",),
        required=True,
        hint=N_("At most one legal representative per startup."),
    ),
    ColumnSpec("joined_on", N_("Joined on"), ("加入时间",), required=True, hint=N_("A date such as 2024-03-01.")),
    ColumnSpec(
        "is_graduate",
        N_("College graduate"),
        ("是否高校毕业生", "Graduate"),
        hint=N_("Yes or no; empty means no."),
    ),
    ColumnSpec("school", N_("School"), ("学校",), hint=N_("Required for a college graduate.")),
    ColumnSpec(
        "graduation_year",
        N_("Graduation year"),
        ("毕业时间",),
        hint=N_("Required for a college graduate, e.g. 2023."),
    ),
)
SPACE_COLUMNS = (
    ColumnSpec(
        "code",
        N_("Space code"),
        ("Code", "编号", "代码", "场地编号", "工位编号"),
        required=True,
        hint=N_("Up to 32 characters; each code once per base."),
    ),
    ColumnSpec("kind", N_("Kind"), ("Type", "类型", "场地类型"), required=True),
    ColumnSpec("floor", N_("Floor"), ("楼层",), hint=N_("Optional, e.g. 3F.")),
    ColumnSpec(
        "area_m2",
        N_("Area (m²)"),
        ("Area", "面积", "Area m2", "面积(平方米)"),
        required=True,
        hint=N_("Square metres, more than zero, e.g. 20.5."),
    ),
    ColumnSpec(
        "list_rent",
        N_("List rent per month"),
        ("List rent", "月租金", "Monthly rent", "租金"),
        required=True,
        hint=N_("Yuan per month, e.g. 1200.00."),
    ),
    ColumnSpec("note", N_("Note"), ("备注", "Notes"), hint=N_("Optional, up to 200 characters.")),
)
# How the cells of each field are read, across every import (the job roster's as well).
# The enumeration behind each column whose cells may hold a code or a label.
ENUM_COLUMNS = {
    "legal_form": "legal_form",
    "industry": "industry",
    "role": "founder_role",
    "kind": "space_kind",
    "contract_kind": "contract_kind",
}
DATE_COLUMNS = {
    "registered_on",
    "applied_on",
    "admitted_on",
    "incubation_ends_on",
    "joined_on",
    "hired_on",
    "left_on",
    "insured_from",
    "insured_until",
}
CODE_COLUMNS = {"uscc", "id_number", "phone", "contact_phone", "hukou_region_code"}
NUMBER_COLUMNS = {"area_m2", "list_rent", "graduation_year", "monthly_wage"}
# Yes/no columns: a person's categories.
FLAG_COLUMNS = {
    "is_graduate",
    "is_farmer_herder",
    "is_veteran",
    "is_poverty_alleviated",
    "is_disabled",
    "has_employment_difficulty",
}
YES = {"是", "yes", "y", "true", "1", "√", "✓"}
NO = {"否", "no", "n", "false", "0", "×", "✗", ""}
LOOSE_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class AllowedValues:
    """The labels of an enumeration, listed in the locale in force when the message is shown."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __str__(self) -> str:
        separator = "；" if get_locale() == "zh_CN" else "; "
        return separator.join(text for _value, text in choices(self.kind))


def enum_index(kind: str) -> dict[str, str]:
    """Every way of writing a value (its code, its label in each language, the label without the code)."""
    index: dict[str, str] = {}
    for value, message in LABELS[kind].items():
        index[squeeze(value)] = value
        for locale in LOCALES:
            with using_locale(locale):
                text = gettext(message)
            index[squeeze(text)] = value
            if text.startswith(f"{value} "):  # "I 信息传输…" may be written without its letter
                index[squeeze(text[len(value) + 1 :])] = value
    return index


def iso_date(raw: str) -> str:
    """2024/3/1, 2024.3.1, 2024年3月1日 and 20240301 as 2024-03-01; anything else unchanged."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = LOOSE_DATE.match(text) or COMPACT_DATE.match(text)
    if match is None:
        return text
    year, month, day = (int(part) for part in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass
class Cleaner:
    """Turns a row's cells into the values the form parsers expect, noting cells it cannot read."""

    layout: Layout
    indexes: dict[str, dict[str, str]] = field(default_factory=dict)

    def clean(self, row: SheetRow) -> tuple[dict[str, str], dict[str, SheetError]]:
        values = self.layout.record(row)
        problems: dict[str, SheetError] = {}
        for name, raw in values.items():
            text = raw
            if name in ENUM_COLUMNS and raw:
                kind = ENUM_COLUMNS[name]
                if kind not in self.indexes:
                    self.indexes[kind] = enum_index(kind)
                index = self.indexes[kind]
                if (code := index.get(squeeze(raw))) is None:
                    problems[name] = self.layout.error(
                        row.number, name, N_("Not one of the allowed values: %(values)s."), values=AllowedValues(kind)
                    )
                text = code or raw
            elif name in DATE_COLUMNS:
                text = iso_date(raw)
            elif name in CODE_COLUMNS:
                text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
            elif name in NUMBER_COLUMNS:
                text = unicodedata.normalize("NFKC", raw).replace(" ", "").lstrip("¥").removesuffix("元")
            elif name in FLAG_COLUMNS:
                answer = squeeze(raw)
                if answer not in YES | NO:
                    problems[name] = self.layout.error(row.number, name, N_("Enter yes or no."))
                text = "yes" if answer in YES else ""
            values[name] = text
        return values, problems

    def parse_errors(
        self, exc: ValidationFailed, row: int, known: Mapping[str, SheetError], renamed: Mapping[str, str] | None = None
    ) -> list[SheetError]:
        """The parser's errors on this row, except where the cell could not be read in the first place."""
        renamed = renamed or {}
        placed = self.layout.errors_of(exc, row, renamed)
        return [e for e, name in zip(placed, exc.fields, strict=True) if renamed.get(name, name) not in known]


# -- startups and founders ----------------------------------------------------------------


@dataclass
class FounderRow:
    row: int
    data: FounderInput


@dataclass
class StartupRow:
    row: int
    data: StartupInput
    admission: TransitionInput | None
    founders: list[FounderRow] = field(default_factory=list)


@dataclass
class StartupRows:
    """The valid startups by name key, every name the sheet lists, and the problems found."""

    startups: dict[str, StartupRow] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    errors: list[SheetError] = field(default_factory=list)


def read_startups(layout: Layout) -> StartupRows:
    """Parse every startup row; names and credit codes must not repeat within the sheet."""
    cleaner, day, found = Cleaner(layout), today(), StartupRows()
    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for row in layout.sheet.records:
        values, problems = cleaner.clean(row)
        found.errors.extend(problems.values())
        if values.get("name"):
            found.listed.add(squeeze(values["name"]))
        if not values.get("applied_on") and LOOSE_DATE.match(values.get("admitted_on", "")):
            values["applied_on"] = values["admitted_on"]  # admitted straight away
        data: StartupInput | None = None
        try:
            data = parse_startup(values, today=day)
        except ValidationFailed as exc:
            found.errors.extend(cleaner.parse_errors(exc, row.number, problems))
        admission = _admission(cleaner, row, values, problems, found.errors)
        if data is None:
            continue
        if admission is not None and admission.on < data.applied_on:
            message = N_("The admission date cannot be before the application date.")
            found.errors.append(layout.error(row.number, "admitted_on", message))
        key = squeeze(data.name)
        if key in seen_names:
            message = N_("This name already appears in row %(row)d.")
            found.errors.append(layout.error(row.number, "name", message, row=seen_names[key]))
            continue
        seen_names[key] = row.number
        if data.uscc and data.uscc in seen_codes:
            message = N_("This credit code already appears in row %(row)d.")
            found.errors.append(layout.error(row.number, "uscc", message, row=seen_codes[data.uscc]))
        elif data.uscc:
            seen_codes[data.uscc] = row.number
        found.startups[key] = StartupRow(row.number, data, admission)
    return found


def _admission(
    cleaner: Cleaner,
    row: SheetRow,
    values: dict[str, str],
    problems: Mapping[str, SheetError],
    errors: list[SheetError],
) -> TransitionInput | None:
    """The admission a row asks for with its admission date (and optional end of incubation)."""
    if not values.get("admitted_on"):
        if values.get("incubation_ends_on"):
            message = N_("Fill in the admission date as well, or leave this empty.")
            errors.append(cleaner.layout.error(row.number, "incubation_ends_on", message))
        return None
    step = {"to": "incubating", "on": values["admitted_on"], "incubation_ends_on": values.get("incubation_ends_on", "")}
    try:
        return parse_transition(step, today=today())
    except ValidationFailed as exc:
        errors.extend(cleaner.parse_errors(exc, row.number, problems, {"on": "admitted_on"}))
        return None


def read_founders(layout: Layout, found: StartupRows, startups_sheet: str) -> list[SheetError]:
    """Parse every founder row and attach it to its startup.

    A founder names a startup of the startups sheet; a person appears once per startup and with
    one name; a startup has at most one legal representative.
    """
    cleaner, day, errors = Cleaner(layout), today(), list[SheetError]()
    seen: dict[tuple[str, str], int] = {}
    names: dict[str, tuple[str, int]] = {}
    representatives: dict[str, int] = {}
    for row in layout.sheet.records:
        values, problems = cleaner.clean(row)
        errors.extend(problems.values())
        key = squeeze(values.get("startup", ""))
        if not key:
            errors.append(layout.error(row.number, "startup", N_("This field is required.")))
        elif key not in found.listed:
            message = N_("There is no startup named %(name)s in the sheet %(sheet)s.")
            errors.append(layout.error(row.number, "startup", message, name=values["startup"], sheet=startups_sheet))
        try:
            founder = parse_founder(values, today=day)
        except ValidationFailed as exc:
            errors.extend(cleaner.parse_errors(exc, row.number, problems))
            continue
        number = founder.person.id_number
        if (key, number) in seen:
            message = N_("This person is already listed for this startup in row %(row)d.")
            errors.append(layout.error(row.number, "id_number", message, row=seen[key, number]))
            continue
        seen[key, number] = row.number
        first_name, first_row = names.setdefault(number, (founder.person.name, row.number))
        if "".join(first_name.split()) != "".join(founder.person.name.split()):
            message = N_("Row %(row)d gives another name for this ID number.")
            errors.append(layout.error(row.number, "name", message, row=first_row))
        if founder.role is FounderRole.LEGAL_REPRESENTATIVE:
            first = representatives.setdefault(key, row.number)
            if first != row.number:
                message = N_("Row %(row)d already names the legal representative of this startup.")
                errors.append(layout.error(row.number, "role", message, row=first))
        if key in found.startups:
            found.startups[key].founders.append(FounderRow(row.number, founder))
    return errors


# -- spaces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceRow:
    row: int
    data: SpaceInput


def read_spaces(layout: Layout) -> tuple[list[SpaceRow], list[SheetError]]:
    """Parse every space row; codes must not repeat within the sheet."""
    cleaner, spaces, errors = Cleaner(layout), list[SpaceRow](), list[SheetError]()
    seen: dict[str, int] = {}
    for row in layout.sheet.records:
        values, problems = cleaner.clean(row)
        errors.extend(problems.values())
        try:
            data = parse_space(values)
        except ValidationFailed as exc:
            errors.extend(cleaner.parse_errors(exc, row.number, problems))
            continue
        key = squeeze(data.code)
        if key in seen:
            errors.append(
                layout.error(row.number, "code", N_("This code already appears in row %(row)d."), row=seen[key])
            )
            continue
        seen[key] = row.number
        spaces.append(SpaceRow(row.number, data))
    return spaces, errors
