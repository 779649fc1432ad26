"""Spreadsheets in and out, for every import and export of the platform.

`read_rows` reads an uploaded .xlsx or .csv file into sheets of stripped text cells after
checking it (size, magic bytes, zip bombs, encodings, row limit); `locate` finds an import's
columns by their headers and places each problem on its row and column; `write_workbook` and
`WorkbookWriter` write .xlsx files whose formula-like text is neutralised.
"""

from incubator.spreadsheets.columns import (
    ColumnSpec,
    Layout,
    SheetError,
    SheetRejected,
    Translated,
    locate,
)
from incubator.spreadsheets.reading import (
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    Sheet,
    Sheetbook,
    SheetRow,
    cell_text,
    read_rows,
    spellings,
    squeeze,
)
from incubator.spreadsheets.writing import (
    XLSX_TYPE,
    CellValue,
    Heading,
    SheetData,
    SheetWriter,
    WorkbookWriter,
    neutralised,
    write_workbook,
)

__all__ = [
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "XLSX_TYPE",
    "CellValue",
    "ColumnSpec",
    "Heading",
    "Layout",
    "Sheet",
    "SheetData",
    "SheetError",
    "SheetRejected",
    "SheetRow",
    "SheetWriter",
    "Sheetbook",
    "Translated",
    "WorkbookWriter",
    "cell_text",
    "locate",
    "neutralised",
    "read_rows",
    "spellings",
    "squeeze",
    "write_workbook",
]
