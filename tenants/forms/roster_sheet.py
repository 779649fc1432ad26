"""Reading the rows of an uploaded job roster (实名制用工名单) into employments.

Every row goes through the parser of the single-add form (tenants.forms.jobs.parse_employment),
so a row is accepted exactly when the form would accept it; cells are cleaned as in the other
imports (tenants/forms/transfer.py). Rows are checked against each other and against the
database by the import service (tenants/services/roster_import.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from incubator.errors import ValidationFailed
from incubator.i18n import N_
from incubator.spreadsheets import ColumnSpec, Layout, SheetError, SheetRow, squeeze
from tenants.forms.jobs import EmploymentInput, parse_employment
from tenants.forms.transfer import Cleaner

ROSTER_SHEET = N_("Job roster")
ROSTER_COLUMNS = (
    ColumnSpec(
        "id_number",
        N_("ID number"),
        ("身份证号", "身份证", "身份证号码", "公民身份号码", "证件号码", "ID card number"),
        required=True,
        hint=N_("18 characters; a person already registered is linked, not added twice."),
    ),
    ColumnSpec("name", N_("Full name"), ("姓名", "Name"), required=True, hint=N_("As on the ID card.")),
    ColumnSpec("phone", N_("Mobile phone"), ("手机", "手机号", "Mobile", "Phone"), hint=N_("Optional: 11 digits.")),
    ColumnSpec(
        "startup",
        N_("Startup"),
        ("企业名称", "用人单位", "单位名称", "团队名称", "Startup name", "Employer"),
        hint=N_(
            "The startup's name or unified social credit code; required when a base imports the roster of "
            "several startups, optional in a startup's own roster."
        ),
    ),
    ColumnSpec(
        "contract_kind",
        N_("Contract"),
        ("用工形式", "用工类型", "合同类型", "劳动合同类型", "Contract kind"),
        required=True,
    ),
    ColumnSpec(
        "hired_on",
        N_("Hired on"),
        ("入职时间", "入职日期", "聘用日期", "Hire date"),
        required=True,
        hint=N_("A date such as 2024-03-01, not in the future."),
    ),
    ColumnSpec(
        "left_on",
        N_("Left on"),
        ("离职日期", "离职时间", "Leaving date"),
        hint=N_("Optional date; empty while the person still works there."),
    ),
    ColumnSpec("left_reason", N_("Reason for leaving"), ("离职原因", "Reason"), hint=N_("Optional.")),
    ColumnSpec(
        "insured_from",
        N_("Social insurance from"),
        ("参保日期", "参保时间", "社保起始日期", "Insured from"),
        hint=N_("Optional date."),
    ),
    ColumnSpec(
        "insured_until",
        N_("Social insurance until"),
        ("停保日期", "社保截止日期", "Insured until"),
        hint=N_("Optional date, not before the start of social insurance."),
    ),
    ColumnSpec(
        "monthly_wage", N_("Monthly wage"), ("工资", "月薪", "Wage"), hint=N_("Optional: yuan per month, e.g. 4500.")
    ),
    ColumnSpec(
        "hukou_region_code",
        N_("Household registration (region code)"),
        ("户籍", "户籍地", "户籍地代码", "户籍行政区划代码", "Hukou"),
        hint=N_("Optional: six digits; the first six digits of the ID number when empty."),
    ),
    ColumnSpec(
        "is_graduate", N_("College graduate"), ("是否高校毕业生", "Graduate"), hint=N_("Yes or no; empty means no.")
    ),
    ColumnSpec("school", N_("School"), ("学校", "毕业学校"), hint=N_("Required for a college graduate.")),
    ColumnSpec(
        "graduation_year",
        N_("Graduation year"),
        ("毕业时间",),
        hint=N_("Required for a college graduate, e.g. 2023."),
    ),
    ColumnSpec("is_farmer_herder", N_("Farmer or herder"), ("是否农牧民",), hint=N_("Yes or no; empty means no.")),
    ColumnSpec("is_veteran", N_("Veteran"), ("是否退役军人",), hint=N_("Yes or no; empty means no.")),
    ColumnSpec(
        "is_poverty_alleviated",
        N_("Lifted out of poverty"),
        ("是否脱贫人口",),
        hint=N_("Yes or no; empty means no."),
    ),
    ColumnSpec("is_disabled", N_("Person with a disability"), ("是否残疾人",), hint=N_("Yes or no; empty means no.")),
    ColumnSpec(
        "has_employment_difficulty",
        N_("Person with employment difficulties"),
        ("是否就业困难人员",),
        hint=N_("Yes or no; empty means no."),
    ),
)
# Columns that only number the rows; any other column the roster does not read is refused,
# so that nothing typed into the file is silently left out.
IGNORED_HEADERS = frozenset(squeeze(text) for text in ("序号", "No.", "No", "#"))


def unknown_columns(layout: Layout) -> list[SheetError]:
    """A problem for each header the roster does not read (a misspelt header would lose its column)."""
    header = layout.sheet.header
    if header is None:
        return []
    read = set(layout.positions.values())
    message = N_("The roster has no column %(column)s; rename it as in the template, or delete it.")
    return [
        SheetError(layout.sheet.title, header.number, get_column_letter(index + 1), "", message, {"column": text})
        for index, text in enumerate(header.cells)
        if text and index not in read and squeeze(text) not in IGNORED_HEADERS
    ]


@dataclass(frozen=True)
class RosterRow:
    """A row the form's parser accepted, with the startup it names as typed ("" when none)."""

    row: int
    startup: str
    data: EmploymentInput


class RosterReader:
    """Parses roster rows one at a time (so the caller can report progress), collecting problems.

    An ID number must come with one name throughout the file.
    """

    def __init__(self, layout: Layout, *, today: dt.date) -> None:
        self.layout = layout
        self.cleaner = Cleaner(layout)
        self.today = today
        self.errors: list[SheetError] = []
        self._names: dict[str, tuple[str, int]] = {}

    def read(self, row: SheetRow) -> RosterRow | None:
        """The row's employment, or None when it has a problem (kept in `errors`)."""
        values, problems = self.cleaner.clean(row)
        self.errors.extend(problems.values())
        startup = values.pop("startup", "").strip()
        try:
            data = parse_employment(values, today=self.today)
        except ValidationFailed as exc:
            self.errors.extend(self.cleaner.parse_errors(exc, row.number, problems))
            return None
        if problems:
            return None
        number = data.person.id_number
        first_name, first_row = self._names.setdefault(number, (data.person.name, row.number))
        if "".join(first_name.split()) != "".join(data.person.name.split()):
            # %(row)s, not %(row)d: a background task keeps message parameters as text.
            message = N_("Row %(row)s gives this ID number with another name.")
            self.errors.append(self.layout.error(row.number, "name", message, row=first_row))
            return None
        return RosterRow(row.number, startup, data)
