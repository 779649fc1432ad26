"""Writing .xlsx files a page of rows at a time: bold frozen headers, sized columns, drop-down
lists, dates as dates, amounts as numbers, and text no spreadsheet will take for a formula."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from incubator.spreadsheets.reading import MAX_ROWS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
# Characters XML 1.0 cannot carry (openpyxl refuses the C0 ones, the others break the file).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

CellValue = str | int | Decimal | dt.date | bool | None


@dataclass(frozen=True)
class Heading:
    """A column of a written sheet: its header text, how its cells are shown, an optional drop-down list."""

    text: str
    kind: str = "text"  # text, code (kept as text even when typed as digits), date, money, number
    choices: tuple[str, ...] = ()
    width: int | None = None


@dataclass(frozen=True)
class SheetData:
    title: str
    headings: Sequence[Heading]
    rows: Iterable[Sequence[CellValue]]


def neutralised(text: str) -> str:
    """Text a spreadsheet will not run: a leading apostrophe before = + - @ tab or carriage return."""
    text = UNWRITABLE.sub("", text)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_CELL_TEXT]


def _display_width(value: CellValue) -> int:
    text = value if isinstance(value, str) else str(value or "")
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest)


FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "number": "#,##0.##"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
SAMPLE_ROWS = 200


class SheetWriter:
    """Rows of one sheet; the first rows are held back to size the columns, then streamed."""

    def __init__(self, book: WorkbookWriter, title: str, headings: Sequence[Heading]) -> None:
        self._book = book
        # Excel refuses these characters (and controls) in a sheet name, and names longer than 31.
        title = re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", UNWRITABLE.sub("", title))
        self._sheet = book.workbook.create_sheet(title=title[:31] or "Sheet")
        self._headings = list(headings)
        self._pending: list[Sequence[CellValue]] | None = []
        self.count = 0

    def append(self, values: Sequence[CellValue]) -> None:
        self.count += 1
        if self._pending is not None:
            self._pending.append(values)
            if len(self._pending) >= SAMPLE_ROWS:
                self.flush()
            return
        self._write(values)

    def extend(self, rows: Iterable[Sequence[CellValue]]) -> None:
        for values in rows:
            self.append(values)

    def flush(self) -> None:
        """Size the columns from the header and the rows held back, then write them."""
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        sheet = self._sheet
        for index, heading in enumerate(self._headings):
            sample = [_display_width(heading.text), *(_display_width(r[index]) for r in pending if index < len(r))]
            if heading.kind == "date":
                sample.append(11)
            width = heading.width or min(max(sample) + 3, 60)
            dimension = sheet.column_dimensions[get_column_letter(index + 1)]
            dimension.width = width
            if heading.kind == "code":
                dimension.number_format = "@"  # 18-digit numbers would lose digits as numbers
            if heading.choices:
                self._book.add_choices(sheet, index, heading.choices)
        sheet.freeze_panes = "A2"
        header = []
        for heading in self._headings:
            cell = WriteOnlyCell(sheet, neutralised(heading.text))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header.append(cell)
        sheet.append(header)
        for values in pending:
            self._write(values)

    def _write(self, values: Sequence[CellValue]) -> None:
        cells: list[Any] = []
        for index, value in enumerate(values):
            kind = self._headings[index].kind if index < len(self._headings) else "text"
            if isinstance(value, str):
                cells.append(neutralised(value))
            elif isinstance(value, float):
                raise TypeError("write Decimal, not float")
            elif value is not None and kind in FORMATS:
                cell = WriteOnlyCell(self._sheet, value)  # type: ignore[arg-type] # openpyxl writes Decimal and date
                cell.number_format = FORMATS[kind]
                cells.append(cell)
            else:
                cells.append(value)
        self._sheet.append(cells)


class WorkbookWriter:
    """An .xlsx file written a page of rows at a time (openpyxl's write-only mode)."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self._sheets: list[SheetWriter] = []
        self._lists: list[tuple[str, ...]] = []

    def sheet(self, title: str, headings: Sequence[Heading]) -> SheetWriter:
        writer = SheetWriter(self, title, headings)
        self._sheets.append(writer)
        return writer

    def add_choices(self, sheet: Any, index: int, choices: tuple[str, ...]) -> None:
        """A drop-down list on a column's data rows, its values kept on a hidden sheet."""
        if choices not in self._lists:
            self._lists.append(choices)
        letter = get_column_letter(self._lists.index(choices) + 1)
        validation = DataValidation(
            type="list", formula1=f"lists!${letter}$1:${letter}${len(choices)}", allow_blank=True
        )
        column = get_column_letter(index + 1)
        validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
        sheet.data_validations.append(validation)

    def save(self) -> bytes:
        for writer in self._sheets:
            writer.flush()
        if self._lists:
            lists = self.workbook.create_sheet(title="lists")
            lists.sheet_state = "hidden"
            for position in range(max(len(values) for values in self._lists)):
                lists.append([neutralised(v[position]) if position < len(v) else None for v in self._lists])
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def write_workbook(sheets: Iterable[SheetData]) -> bytes:
    """An .xlsx file of these sheets: bold frozen headers, sized columns, formula-like text neutralised."""
    book = WorkbookWriter()
    for data in sheets:
        writer = book.sheet(data.title, data.headings)
        for values in data.rows:
            writer.append(values)
    return book.save()
