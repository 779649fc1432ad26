"""Reading an uploaded .xlsx or .csv file into sheets of stripped text cells, safely.

The file is checked before it is parsed (extension, size, magic bytes, the unpacked size of the
zip), and every way it can fail becomes a ValidationFailed on the "file" field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from openpyxl import load_workbook

from incubator.errors import ValidationFailed
from incubator.i18n import LOCALES, N_, gettext, using_locale
from incubator.settings import get_settings

log = logging.getLogger("incubator.spreadsheets")

MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
# Work allowed per file, blank rows and cells included: a row costs as much as 8 cells to parse.
SCAN_BUDGET = 1_000_000
ROW_COST = 8
MAX_MEMBERS = 2000
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected workbooks


def _refused(message: str, **params: object) -> ValidationFailed:
    return ValidationFailed({"file": message}, field_params={"file": params} if params else None)


@dataclass(frozen=True)
class SheetRow:
    """A row that is not blank, with the row number Excel shows for it."""

    number: int
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        return self.cells[index] if 0 <= index < len(self.cells) else ""


@dataclass(frozen=True)
class Sheet:
    """One worksheet (or a whole CSV file): its non-blank rows, the first being the header."""

    title: str
    rows: tuple[SheetRow, ...]

    @property
    def header(self) -> SheetRow | None:
        return self.rows[0] if self.rows else None

    @property
    def records(self) -> tuple[SheetRow, ...]:
        return self.rows[1:]


@dataclass(frozen=True)
class Sheetbook:
    """An uploaded file read into sheets, with its name and SHA-256 for the audit log."""

    filename: str
    sha256: str
    sheets: tuple[Sheet, ...]

    def sheet_named(self, *titles: str) -> Sheet | None:
        """The first sheet whose title is one of these message ids, in any language, or an alias."""
        wanted = set().union(*(spellings(title) for title in titles)) if titles else set()
        return next((sheet for sheet in self.sheets if squeeze(sheet.title) in wanted), None)


def squeeze(text: str) -> str:
    """A header or title compared loosely: width-folded, case-folded, without spaces or required marks."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\(\s*(required|必填)\s*\)", "", text)
    return re.sub(r"[\s*]+", "", text)


def spellings(text: str) -> set[str]:
    """A message id in every language of the catalog, and the text itself, squeezed."""
    found = {squeeze(text)}
    for locale in LOCALES:
        with using_locale(locale):
            found.add(squeeze(gettext(text)))
    return found


def cell_text(value: Any) -> str:
    """A cell's value as Excel shows it: dates as yyyy-mm-dd, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return ""
            # Excel keeps 15 significant digits; more is binary noise (0.1 + 0.2).
            value = Decimal(format(value, ".15g"))
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _row(values: Iterable[Any]) -> tuple[str, ...]:
    cells = [cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


class _Scan:
    """The parsing work left for one file, so a sheet of a million blank rows cannot tie up a worker."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def spend(self, cells: int) -> None:
        self.left -= ROW_COST + cells
        if self.left < 0:
            raise _refused(N_("The file has too many rows or columns, blank ones included; delete the unused ones."))


def _collect(title: str, rows: Iterable[Sequence[Any]], max_rows: int, scan: _Scan) -> Sheet:
    """Keep the non-blank rows with their numbers; refuse a sheet with more than max_rows records."""
    kept: list[SheetRow] = []
    for number, values in enumerate(rows, start=1):
        scan.spend(len(values))
        cells = _row(values[:MAX_COLUMNS])
        if not cells:
            continue
        if len(kept) > max_rows:  # the header plus max_rows records are already kept
            raise _refused(
                N_("The sheet %(sheet)s has more than %(max)d rows; split it into several files."),
                sheet=title,
                max=max_rows,
            )
        kept.append(SheetRow(number, cells))
    return Sheet(title, tuple(kept))


def _check_zip(data: bytes, max_unpacked: int) -> None:
    """Refuse a damaged archive, or one whose members would unpack to more than the limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        log.info("refused a damaged workbook: %s", exc)
        raise _refused(N_("The file is not a valid .xlsx workbook; it may be damaged.")) from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > max_unpacked:
        raise _refused(N_("The workbook unpacks to more than %(size)d MB; it cannot be read."), size=max_unpacked >> 20)


def _read_xlsx(data: bytes, max_rows: int, scan: _Scan) -> tuple[Sheet, ...]:
    sheets: list[Sheet] = []
    try:
        with warnings.catch_warnings():
            # Excel features openpyxl does not keep (extensions, styles) only warn: they do not matter here.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    # No max_col: openpyxl would pad every row to it.
                    rows = sheet.iter_rows(values_only=True)
                    sheets.append(_collect(str(sheet.title), rows, max_rows, scan))
            finally:
                book.close()
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse an upload is the file's fault
        log.info("refused an unreadable workbook: %r", exc)
        raise _refused(N_("The file is not a valid .xlsx workbook; it may be damaged.")) from None
    return tuple(sheets)


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise _refused(N_("Save the CSV file as UTF-8 (or GBK) text; this file is in another encoding."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):  # Chinese Excel saves CSV in GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused(N_("Save the CSV file as UTF-8 (or GBK) text; this file is in another encoding."))


def _read_csv(data: bytes, title: str, max_rows: int, scan: _Scan) -> tuple[Sheet, ...]:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return (_collect(title, rows, max_rows, scan),)
    except csv.Error as exc:
        log.info("refused an unreadable CSV file: %s", exc)
        raise _refused(N_("The CSV file could not be read: %(reason)s"), reason=str(exc)) from None


def read_rows(
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    max_rows: int = MAX_ROWS,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    budget: int = SCAN_BUDGET,
) -> Sheetbook:
    """Read an uploaded .xlsx or .csv file into sheets of stripped text cells.

    Raises ValidationFailed on "file" for a file of another kind, a damaged or oversized file,
    a zip bomb, an unknown text encoding, a sheet with more than max_rows rows, or more blank
    rows and cells than are worth parsing.
    """
    limit = get_settings().max_upload_bytes if max_bytes is None else max_bytes
    name = PurePosixPath((filename or "").replace("\\", "/"))
    suffix, scan = name.suffix.lower(), _Scan(budget)
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise _refused(N_("Upload an Excel workbook (.xlsx) or a CSV file."))
    if not data:
        raise _refused(N_("The file is empty."))
    if len(data) > limit:
        raise _refused(N_("The file is larger than %(size)s MB."), size=f"{limit / (1024 * 1024):.3g}")
    if data.startswith(OLE_MAGIC):
        raise _refused(N_("This is an old .xls or a password-protected workbook; save it as .xlsx without a password."))
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, max_unpacked)
        sheets = _read_xlsx(data, max_rows, scan)
    elif suffix == ".csv":
        sheets = _read_csv(data, name.stem[:31] or "CSV", max_rows, scan)
    else:
        raise _refused(N_("The file is not a valid .xlsx workbook; it may be damaged."))
    return Sheetbook(filename=filename, sha256=hashlib.sha256(data).hexdigest(), sheets=sheets)
