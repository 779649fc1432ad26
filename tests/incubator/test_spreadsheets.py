"""Spreadsheets: reading .xlsx and .csv uploads safely, finding columns, writing safe .xlsx files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from incubator.errors import ValidationFailed
from incubator.i18n import gettext, using_locale
from incubator.spreadsheets import (
    MAX_ROWS,
    ColumnSpec,
    Heading,
    SheetData,
    cell_text,
    locate,
    read_rows,
    write_workbook,
)


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refusal(data: bytes, filename: str, **limits: int) -> str:
    with pytest.raises(ValidationFailed) as caught:
        read_rows(data, filename, **limits)
    exc = caught.value
    assert set(exc.fields) == {"file"}
    with using_locale("zh_CN"):
        return gettext(exc.fields["file"], **exc.field_params.get("file", {}))


def test_it_reads_xlsx_cells_as_excel_shows_them():
    data = xlsx(
        (
            "入驻企业",
            [
                ["名称", " 面积 ", "日期", None, "数量"],
                ["  雪域青稞  ", 20.0, dt.date(2024, 3, 1), None, 3],
                [],
                ["唐卡", 0.1 + 0.2, dt.datetime(2024, 3, 1, 8, 30), None, True, None, None],
                ["整数", Decimal("1200.50"), dt.datetime(2024, 5, 20), None, 1e16],
            ],
        ),
        ("创业者", [["姓名"], ["次仁"]]),
    )
    book = read_rows(data, "企业.xlsx")
    startups, founders = book.sheets
    assert startups.title == "入驻企业" and founders.title == "创业者"
    assert [row.number for row in startups.rows] == [1, 2, 4, 5]  # the blank row keeps its number
    assert startups.header is not None and startups.header.cells == ("名称", "面积", "日期", "", "数量")
    assert startups.records[0].cells == ("雪域青稞", "20", "2024-03-01", "", "3")
    assert startups.records[1].cells == ("唐卡", "0.3", "2024-03-01 08:30:00", "", "true")
    assert startups.records[2].cells == ("整数", "1200.5", "2024-05-20", "", "10000000000000000")
    assert founders.records[0].cells == ("次仁",)
    assert book.sheet_named("Founders") is founders  # a title in any language of the catalog
    assert len(book.sha256) == 64


def test_it_turns_numbers_into_text_without_float_noise():
    assert cell_text(1200.5) == "1200.5"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(2023.0) == "2023"
    assert cell_text(540102199803140022) == "540102199803140022"
    assert cell_text(Decimal("9999999.99")) == "9999999.99"
    assert cell_text(float("nan")) == ""
    assert cell_text(None) == ""


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_it_reads_csv_in_utf8_with_or_without_bom_and_in_gb18030(encoding: str, prefix: bytes):
    text = '名称,所属行业,简介\r\n雪域青稞文创,R,"唐卡绘制，\n文创产品"\r\n\r\n卡若藏香, C ,\r\n'
    book = read_rows(prefix + text.encode(encoding), "企业.csv")
    (sheet,) = book.sheets
    assert sheet.title == "企业"
    assert sheet.header is not None and sheet.header.cells == ("名称", "所属行业", "简介")
    assert [(row.number, row.cells) for row in sheet.records] == [
        (2, ("雪域青稞文创", "R", "唐卡绘制，\n文创产品")),
        (4, ("卡若藏香", "C")),
    ]


def test_it_finds_the_delimiter_of_a_csv_file():
    book = read_rows("编号;类型\nA-1;工位\n".encode(), "spaces.csv")
    assert book.sheets[0].records[0].cells == ("A-1", "工位")


def test_it_refuses_csv_in_another_encoding():
    assert "UTF-8" in refusal("名称\n雪域\n".encode("utf-16"), "a.csv")
    assert "UTF-8" in refusal(b"name\ncaf\xe9\n", "a.csv")


def test_it_refuses_files_that_are_not_workbooks():
    assert ".xlsx" in refusal(b"%PDF-1.7 not a workbook", "startups.xlsx")
    assert ".xlsx" in refusal(b"name,kind\n", "startups.pdf")
    assert ".xls" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old.xlsx")
    assert "为空" in refusal(b"", "empty.xlsx")


def test_it_refuses_a_corrupt_zip():
    good = xlsx(("Sheet", [["名称"], ["雪域"]]))
    assert "损坏" in refusal(b"PK\x03\x04" + b"\x00garbage" * 50, "broken.xlsx")
    assert "损坏" in refusal(good[: len(good) // 2], "truncated.xlsx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert "损坏" in refusal(archive.getvalue(), "other.xlsx")


def test_it_refuses_an_oversize_file():
    data = xlsx(("Sheet", [["名称"], ["x" * 5000]]))
    assert "MB" in refusal(data, "big.xlsx", max_bytes=len(data) - 1)
    assert read_rows(data, "big.xlsx", max_bytes=len(data)).sheets[0].records


def test_it_refuses_a_zip_bomb_before_unpacking_it():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(70):
                member.write(b"0" * (1024 * 1024))
    data = archive.getvalue()
    assert len(data) < 1024 * 1024  # small on the wire, 70 MB unpacked
    assert "32 MB" in refusal(data, "bomb.xlsx")


def test_it_stops_parsing_when_blank_rows_and_cells_cost_too_much():
    rows: list[list[object]] = [["名称"], *([None] * 30 + ["x"] for _ in range(200))]
    data = xlsx(("Sheet", rows))
    assert "太多" in refusal(data, "wide.xlsx", budget=5000)
    assert len(read_rows(data, "wide.xlsx", budget=10_000).sheets[0].records) == 200


def test_it_limits_the_rows_of_a_sheet():
    rows: list[list[object]] = [["名称"], *([f"企业{i}"] for i in range(MAX_ROWS))]
    assert len(read_rows(xlsx(("入驻企业", rows)), "full.xlsx").sheets[0].records) == MAX_ROWS
    message = refusal(xlsx(("入驻企业", [*rows, ["one too many"]])), "over.xlsx")
    assert "入驻企业" in message and "5000" in message
    csv_text = "名称\n" + "\n".join(f"企业{i}" for i in range(4))
    assert "3" in refusal(csv_text.encode(), "over.csv", max_rows=3)


def test_it_finds_columns_by_header_in_either_language():
    data = xlsx(("Sheet", [["Full name", "  身份证号码 * ", "备注", "姓名"], ["次仁", "540102", "", ""]]))
    sheet = read_rows(data, "a.xlsx").sheets[0]
    specs = [
        ColumnSpec("name", "Full name", required=True),
        ColumnSpec("id_number", "ID number", ("身份证号",), required=True),
        ColumnSpec("role", "Role", required=True),
        ColumnSpec("phone", "Mobile phone"),
    ]
    layout, errors = locate(sheet, specs)
    assert dict(layout.positions) == {"name": 0, "id_number": 1}
    assert layout.record(sheet.records[0]) == {"name": "次仁", "id_number": "540102"}
    with using_locale("zh_CN"):
        found = [(e.row, e.column, e.text) for e in errors]
    assert found == [(1, "D", "“姓名”列出现了两次。"), (None, "", "缺少“角色”列。")]


def test_it_neutralises_formulas_when_writing():
    texts = ["=1+1", "+86 13908901234", "-5", "@SUM(A1:A2)", "\t=1", "\r=1", '=HYPERLINK("http://x")', "安全"]
    data = write_workbook(
        [
            SheetData(
                "导出",
                [Heading("文本"), Heading("金额", "money"), Heading("日期", "date")],
                [[text, Decimal("-1200.50"), dt.date(2024, 3, 1)] for text in texts],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(data))["导出"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "文本" and sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= 8
    values = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(texts))]
    assert all(cell.data_type == "s" for cell in values)
    assert [cell.value for cell in values] == [
        "'=1+1",
        "'+86 13908901234",
        "'-5",
        "'@SUM(A1:A2)",
        "'\t=1",
        "'\n=1",
        '\'=HYPERLINK("http://x")',
        "安全",
    ]
    money, day = sheet["B2"], sheet["C2"]
    assert money.data_type == "n" and money.value == -1200.5 and money.number_format == "#,##0.00"
    assert day.is_date and day.value == dt.datetime(2024, 3, 1)


def test_it_writes_drop_down_lists_for_choices():
    data = write_workbook([SheetData("场地", [Heading("类型", choices=("工位", "独立办公室"))], [])])
    book = load_workbook(io.BytesIO(data))
    (validation,) = book["场地"].data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == "lists!$A$1:$A$2"
    assert str(validation.sqref) == f"A2:A{MAX_ROWS + 1}"
    assert book["lists"].sheet_state == "hidden" and book["lists"]["B1"].value is None
    assert [book["lists"]["A1"].value, book["lists"]["A2"].value] == ["工位", "独立办公室"]


CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("=+-@\t\n 　"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(CELL_TEXT)
def test_it_round_trips_any_text_except_the_neutralising_prefix(text: str):
    data = write_workbook([SheetData("Sheet", [Heading("text")], [[text]])])
    records = read_rows(data, "round.xlsx").sheets[0].records
    expected = ("'" + text if text.startswith(("=", "+", "-", "@", "\t")) else text).strip()
    if expected:
        assert [row.cells for row in records] == [(expected,)]
    else:
        assert records == ()
