"""Finding an import's columns by their headers, and placing each problem on its row and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from incubator.errors import ValidationFailed
from incubator.i18n import N_, gettext
from incubator.spreadsheets.reading import Sheet, SheetRow, spellings, squeeze


@dataclass(frozen=True)
class ColumnSpec:
    """A column an import reads: the field it fills, its header (a message id) and other names it goes by."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    hint: str = ""  # how to fill it in (a message id), for a template's instructions


class Translated:
    """A message id shown in the locale in force when it is formatted (for message parameters)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)


@dataclass(frozen=True)
class SheetError:
    """One problem in an uploaded file: where it is (as Excel shows it) and a message id with params."""

    sheet: str
    row: int | None
    column: str
    header: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return gettext(self.message, **self.params)


class SheetRejected(ValidationFailed):
    """The file has problems; nothing was stored. `errors` lists every one."""

    def __init__(self, errors: Sequence[SheetError]) -> None:
        super().__init__(
            {"file": N_("The file has %(count)d problems; nothing was imported.")},
            field_params={"file": {"count": len(errors)}},
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class Layout:
    """Where the expected columns are in one sheet."""

    sheet: Sheet
    specs: Mapping[str, ColumnSpec]
    positions: Mapping[str, int]

    def record(self, row: SheetRow) -> dict[str, str]:
        """The row's values by field name (fields without a column are left out)."""
        return {name: row.cell(index) for name, index in self.positions.items()}

    def error(self, row: int | None, name: str, message: str, /, **params: object) -> SheetError:
        """A problem in this sheet at a row (None: the whole sheet) and the column of a field."""
        index = self.positions.get(name)
        spec = self.specs.get(name)
        letter = get_column_letter(index + 1) if index is not None else ""
        return SheetError(self.sheet.title, row, letter, spec.header if spec else "", message, params)

    def errors_of(self, exc: ValidationFailed, row: int, renamed: Mapping[str, str] | None = None) -> list[SheetError]:
        """A parser's field errors placed on this row, under the column of each field."""
        renamed = renamed or {}
        return [
            self.error(row, renamed.get(name, name), message, **exc.field_params.get(name, {}))
            for name, message in exc.fields.items()
        ]


def locate(sheet: Sheet, specs: Sequence[ColumnSpec]) -> tuple[Layout, list[SheetError]]:
    """Match the header row to the expected columns; a missing required column is one error."""
    by_name = {spec.field: spec for spec in specs}
    layout = Layout(sheet, by_name, {})
    header = sheet.header
    if header is None:
        return layout, [
            SheetError(sheet.title, None, "", "", N_("The sheet %(sheet)s is empty."), {"sheet": sheet.title})
        ]
    names = {spec.field: spellings(spec.header) | {squeeze(a) for a in spec.aliases} for spec in specs}
    positions: dict[str, int] = {}
    errors: list[SheetError] = []
    for index, text in enumerate(header.cells):
        found = next((name for name, spelt in names.items() if squeeze(text) in spelt), None) if text else None
        if found is None:
            continue
        if found in positions:
            errors.append(
                SheetError(
                    sheet.title,
                    header.number,
                    get_column_letter(index + 1),
                    by_name[found].header,
                    N_("The column %(column)s appears twice."),
                    {"column": Translated(by_name[found].header)},
                )
            )
            continue
        positions[found] = index
    for spec in specs:
        if spec.required and spec.field not in positions:
            errors.append(
                SheetError(
                    sheet.title,
                    None,
                    "",
                    spec.header,
                    N_("The column %(column)s is missing."),
                    {"column": Translated(spec.header)},
                )
            )
    return Layout(sheet, by_name, positions), errors
