"""Import and export: templates, uploads of startups with founders and of spaces (all or nothing,
every problem with its row and column), exports in scope with masked ID numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook

from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.models import AuditEvent
from incubator.pii import mask_id_number
from tenants.models import BasePerson, Founder, Lease, Person, Space, SpaceKind, Startup, StartupEvent, StartupStatus
from tests.clients import Browser
from tests.personas import World, id_number_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USCC_A = compose_uscc("91540102MA6T8K3A1")
USCC_B = compose_uscc("92540102MA6T8K4B2")
NEW_FOUNDER = compose_id_number("540102", dt.date(2000, 5, 1), 11)
SHARED_FOUNDER = compose_id_number("540121", dt.date(1997, 9, 12), 24)
STARTUP_HEADER = [
    "名称",
    "组织形式",
    "统一社会信用代码",
    "注册日期",
    "所属行业",
    "联系人",
    "联系电话",
    "申请日期",
    "入孵日期",
]
FOUNDER_HEADER = [
    "企业名称",
    "姓名",
    "身份证号码",
    "手机号码",
    "角色",
    "加入日期",
    "高校毕业生",
    "毕业院校",
    "毕业年份",
]


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(browser: Browser, url: str, data: bytes, filename: str = "导入.xlsx") -> httpx.Response:
    return await browser.post(url, files={"file": (filename, data, XLSX)})


async def counts() -> dict[str, int]:
    models = {
        "startups": Startup,
        "events": StartupEvent,
        "founders": Founder,
        "people": Person,
        "registrations": BasePerson,
        "spaces": Space,
        "audit": AuditEvent,
    }
    return {name: await model.all().count() for name, model in models.items()}


def problems(html: str) -> list[tuple[str, str, str, str]]:
    """(row, column, header, message) of each line of the problems table."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r'<td data-label="[^"]*">(.*?)</td>', row, flags=re.S)
        if len(cells) == 5:
            found.append((cells[1], cells[2], cells[3], cells[4]))
    return found


def sheet_rows(content: bytes, title: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content))[title].iter_rows(values_only=True))


async def test_it_imports_the_filled_in_template_with_founders(login, world: World):
    operator = await login("operator_dsj")
    page = await operator.get("/transfer")
    assert page.status_code == 200 and "导入导出" in page.text
    assert 'action="/transfer/startups"' in page.text and 'enctype="multipart/form-data"' in page.text
    template = await operator.get("/transfer/templates/startups.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    assert template.headers["content-disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["入驻企业", "创业者", "填写说明", "lists"]
    assert book["lists"].sheet_state == "hidden"
    startups, founders = book["入驻企业"], book["创业者"]
    assert [c.value for c in startups[1]][:5] == ["名称", "组织形式", "统一社会信用代码", "注册日期", "所属行业"]
    assert [c.value for c in founders[1]][:3] == ["企业名称", "姓名", "身份证号码"]
    lists = {str(v.sqref).split(":")[0] for v in startups.data_validations.dataValidation}
    assert {"B2", "E2"} <= lists  # legal form and industry drop-downs
    guide = [row for row in book["填写说明"].iter_rows(values_only=True) if row[1] == "组织形式"]
    assert "有限责任公司" in guide[0][3]

    startups.append(
        [
            "雪域唐卡文化传播有限公司",
            "有限责任公司",
            USCC_A,
            dt.datetime(2024, 5, 20),
            "R",
            "索朗",
            "13908901234",
            None,
            "唐卡绘制与文创产品。",
            "2025/1/10",
            "2025年3月1日",
        ]
    )
    startups.append(["  格桑花手作团队 ", "Unregistered team", None, None, "信息传输、软件和信息技术服务业"])
    startups.append(["牦牛绒制品合伙企业", "partnership", USCC_B, "2023-08-08", "c 制造业"])
    founders.append(["雪域唐卡文化传播有限公司", "次仁卓玛", id_number_of("dsj"), None, "法定代表人", "2025-01-10"])
    founders.append(
        [
            "雪域唐卡文化传播有限公司",
            "旦增",
            SHARED_FOUNDER,
            "13908907777",
            "合伙人",
            "2025-01-10",
            "是",
            "西藏大学",
            2019,
        ]
    )
    founders.append(["格桑花手作团队", "旦增", SHARED_FOUNDER.lower(), None, "Team member", "2025-02-01", "否"])
    founders.append(["格桑花手作团队", "拉姆", NEW_FOUNDER, None, "legal_representative", dt.datetime(2025, 2, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    before = await counts()

    response = await upload(operator, "/transfer/startups", buffer.getvalue(), "入驻企业.xlsx")
    assert response.status_code == 303, response.text
    assert "已导入 3 家企业和 4 名创业者。" in (await operator.get("/transfer")).text
    after = await counts()
    assert after["startups"] - before["startups"] == 3
    assert after["founders"] - before["founders"] == 4
    assert after["people"] - before["people"] == 2  # the known person is linked, the shared one created once
    dsj = world.bases["dsj"].id
    tangka = await Startup.get(name="雪域唐卡文化传播有限公司")
    assert (tangka.base_id, tangka.status, tangka.uscc) == (dsj, StartupStatus.INCUBATING, USCC_A)
    assert (tangka.applied_on, tangka.admitted_on) == (dt.date(2025, 1, 10), dt.date(2025, 3, 1))
    assert tangka.incubation_ends_on == dt.date(2028, 2, 29)
    steps = await StartupEvent.filter(startup_id=tangka.id).order_by("on").values_list("to_status", "on")
    assert steps == [(StartupStatus.APPLIED, dt.date(2025, 1, 10)), (StartupStatus.INCUBATING, dt.date(2025, 3, 1))]
    team = await Startup.get(name="格桑花手作团队")
    assert (team.status, team.uscc, team.industry, team.applied_on) == (StartupStatus.APPLIED, None, "I", today())
    assert (await Startup.get(name="牦牛绒制品合伙企业")).legal_form == "partnership"
    shared = await Person.get(id_masked=mask_id_number(SHARED_FOUNDER))
    assert (shared.is_graduate, shared.school, shared.graduation_year, shared.phone) == (
        True,
        "西藏大学",
        2019,
        "13908907777",
    )
    assert await Founder.filter(person_id=shared.id).count() == 2
    assert await Founder.filter(person_id=world.persons["dsj"].id, startup_id=tangka.id).exists()
    event = await AuditEvent.get(action="import.startups")
    assert event.base_id == dsj and event.region_code == "540102"
    assert event.after["sha256"] == hashlib.sha256(buffer.getvalue()).hexdigest()
    assert (event.after["startups"], event.after["admitted"], event.after["founders"]) == (3, 1, 4)
    assert await AuditEvent.filter(action="startup.created").count() == 3
    assert await AuditEvent.filter(action="startup.admitted").count() == 1
    assert await AuditEvent.filter(action="founder.added").count() == 4


async def test_it_imports_spaces_from_the_template_and_from_a_gbk_csv(login, world: World):
    operator = await login("operator_dsj")
    template = await operator.get("/transfer/templates/spaces.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["场地"]
    assert [c.value for c in sheet[1]] == ["编号", "类型", "楼层", "面积（m²）", "月租金", "备注"]
    sheet.append(["B-101", "工位", "1F", 6, 300])
    sheet.append(["B-102", "Private office", "1F", 25.5, "1,800.50", "朝南"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await upload(operator, "/transfer/spaces", buffer.getvalue())
    assert response.status_code == 303
    office = await Space.get(code="B-102")
    assert (office.base_id, office.kind, office.area_m2, office.list_rent) == (
        world.bases["dsj"].id,
        SpaceKind.OFFICE,
        Decimal("25.50"),
        Decimal("1800.50"),
    )
    assert (await AuditEvent.get(action="import.spaces")).after["spaces"] == 2
    csv = "编号,类型,楼层,面积,月租金\r\nC-1,会议室,2F,40,0\r\n".encode("gb18030")
    assert (await upload(operator, "/transfer/spaces", csv, "场地.csv")).status_code == 303
    assert (await Space.get(code="C-1")).kind == SpaceKind.MEETING_ROOM
    assert "已导入 1 个场地。" in (await operator.get("/transfer")).text


async def test_it_names_a_missing_column_and_stores_nothing(login, world: World):
    operator = await login("operator_dsj")
    before = await counts()
    data = workbook({"入驻企业": [["名称", "所属行业"], ["雪域唐卡", "R"]]})
    response = await upload(operator, "/transfer/startups", data)
    assert response.status_code == 422
    assert problems(response.text) == [("—", "—", "组织形式", "缺少“组织形式”列。")]
    assert "文件中有 1 处问题，未导入任何数据。" in response.text
    assert await counts() == before


async def test_it_lists_every_bad_row_in_chinese_and_stores_nothing(login, world: World):
    operator = await login("operator_dsj")
    bad_uscc = USCC_B[:-1] + ("0" if USCC_B[-1] != "0" else "1")
    bad_id = NEW_FOUNDER[:-1] + ("0" if NEW_FOUNDER[-1] != "0" else "1")
    data = workbook(
        {
            "入驻企业": [
                STARTUP_HEADER,
                ["雪域唐卡", "有限责任公司", USCC_A, "2024-05-20", "R"],
                ["卡若藏香", "有限责任公司", bad_uscc, "2024-05-20", "R"],
                ["雪域唐卡", "未注册团队", None, None, "R"],
                [world.startups["dsj"].name, "未注册团队", None, None, "R"],
                ["牦牛绒", "股份公司", None, None, "R"],
                ["青稞酒坊", "未注册团队", None, None, "H", None, None, "2025-03-01", "2025-02-01"],
            ],
            "创业者": [
                FOUNDER_HEADER,
                ["不存在的公司", "拉姆", NEW_FOUNDER, None, "团队成员", "2025-01-10"],
                ["雪域唐卡", "拉姆", bad_id, None, "团队成员", "2025-01-10"],
                ["雪域唐卡", "次仁", id_number_of("dsj"), None, "法定代表人", "2025-01-10"],
                ["雪域唐卡", "旦增", SHARED_FOUNDER, None, "法定代表人", "2025-01-10", "也许"],
            ],
        }
    )
    before = await counts()
    response = await upload(operator, "/transfer/startups", data)
    assert response.status_code == 422
    found = problems(response.text)
    assert ("第 3 行", "C", "统一社会信用代码", "统一社会信用代码校验位不正确，请逐位核对。") in found
    assert ("第 4 行", "A", "名称", "该名称已在第 2 行出现。") in found
    assert ("第 5 行", "A", "名称", "本基地已有同名企业。") in found
    assert any(
        p[:3] == ("第 6 行", "B", "组织形式") and "不是允许的值" in p[3] and "有限责任公司" in p[3] for p in found
    )
    assert ("第 7 行", "I", "入孵日期", "入孵日期不能早于申请日期。") in found
    assert ("第 2 行", "A", "企业名称", "工作表“入驻企业”中没有名为“不存在的公司”的企业。") in found
    assert ("第 3 行", "C", "身份证号码", "身份证号码校验位不正确，请逐位核对。") in found
    assert ("第 5 行", "E", "角色", "第 4 行已填写该企业的法定代表人。") in found
    assert ("第 5 行", "G", "高校毕业生", "请填写“是”或“否”。") in found
    assert len(found) == 9
    assert '<td data-label="工作表">创业者</td>' in response.text
    assert await counts() == before


async def test_it_rolls_back_everything_when_a_service_refuses_a_row(login, world: World, monkeypatch):
    from tenants.services import imports, startups

    calls = 0

    async def refusing(principal, startup, data):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:  # as if someone had added this founder a moment ago
            raise ValidationFailed({"id_number": "This person is already a founder of this startup."})
        return await startups.add_founder(principal, startup, data)

    monkeypatch.setattr(imports, "add_founder", refusing)
    operator = await login("operator_dsj")
    data = workbook(
        {
            "入驻企业": [STARTUP_HEADER, ["雪域唐卡", "未注册团队", None, None, "R"]],
            "创业者": [
                FOUNDER_HEADER,
                ["雪域唐卡", "拉姆", NEW_FOUNDER, None, "团队成员", "2025-01-10"],
                ["雪域唐卡", "旦增", SHARED_FOUNDER, None, "团队成员", "2025-01-10"],
            ],
        }
    )
    before = await counts()
    response = await upload(operator, "/transfer/startups", data)
    assert response.status_code == 422
    assert problems(response.text) == [("第 3 行", "C", "身份证号码", "此人已是该企业的创业者。")]
    assert await counts() == before


async def test_it_refuses_hostile_files_clearly(login, world: World):
    operator = await login("operator_dsj")
    before = await counts()
    cases = [
        (b"PK\x03\x04" + b"\x00broken" * 40, "a.xlsx", "该文件不是有效的 .xlsx 工作簿，可能已损坏。"),
        (b"%PDF-1.7", "a.xlsx", "该文件不是有效的 .xlsx 工作簿，可能已损坏。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls.xlsx", "另存为无密码的 .xlsx"),
        ("编号,类型\nA,工位\n".encode("utf-16"), "a.csv", "UTF-8"),
        (b"MZ\x90\x00", "a.exe", "请上传 Excel 工作簿（.xlsx）或 CSV 文件。"),
    ]
    for data, name, message in cases:
        response = await upload(operator, "/transfer/spaces", data, name)
        assert response.status_code == 422, name
        assert message in response.text, name
    empty = await operator.post("/transfer/spaces", {})
    assert empty.status_code == 422 and "请选择要上传的文件。" in empty.text
    # A formula is never run: its cached value is read, and openpyxl leaves none, so the cell is empty.
    formula = workbook({"场地": [["编号", "类型", "面积", "月租金"], ["=1+1", "工位", 6, "=SUM(1,2)"]]})
    response = await upload(operator, "/transfer/spaces", formula)
    assert response.status_code == 422
    assert problems(response.text) == [
        ("第 2 行", "A", "编号", "此项为必填项。"),
        ("第 2 行", "D", "月租金", "此项为必填项。"),
    ]
    assert await counts() == before


async def test_it_exports_startups_people_and_leases_in_scope(login, world: World):
    operator = await login("operator_dsj")
    await Startup.filter(id=world.startups["dsj"].id).update(contact_name='=HYPERLINK("http://evil")')
    response = await operator.get("/transfer/startups.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert response.headers["cache-control"] == "private, no-store"
    assert f"{today().isoformat()}.xlsx" in response.headers["content-disposition"]
    rows = sheet_rows(response.content, "入驻企业")
    assert rows[0][:3] == ("基地", "名称", "组织形式")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {world.startups["dsj"].name, world.startups["dsj_sibling"].name}
    assert by_name[world.startups["dsj"].name][2] == "有限责任公司"
    assert by_name[world.startups["dsj"].name][6] == "在孵"
    assert by_name[world.startups["dsj"].name][12] == '\'=HYPERLINK("http://evil")'
    assert by_name[world.startups["dsj"].name][15] == "次仁卓玛"

    leases = sheet_rows((await operator.get("/transfer/leases.xlsx")).content, "入驻协议")
    assert {row[1] for row in leases[1:]} == {world.startups["dsj"].name, world.startups["dsj_sibling"].name}
    sheet = load_workbook(io.BytesIO((await operator.get("/transfer/leases.xlsx")).content))["入驻协议"]
    assert sheet["H2"].value == 1200 and sheet["H2"].number_format == "#,##0.00" and sheet["I2"].value == 1000
    assert sheet["D2"].is_date and sheet["D2"].value == dt.datetime(2025, 1, 1)
    assert {sheet["C2"].value, sheet["C3"].value} == {"A-203", "A-203-2"}

    chamdo = await login("bureau_chamdo")
    names = {row[1] for row in sheet_rows((await chamdo.get("/transfer/startups.xlsx")).content, "入驻企业")[1:]}
    assert names == {world.startups["chamdo"].name, world.startups["chamdo_sibling"].name}
    tibet = await login("bureau_tibet")
    names = {row[1] for row in sheet_rows((await tibet.get("/transfer/startups.xlsx")).content, "入驻企业")[1:]}
    assert world.startups["qinghai"].name not in names and len(names) == 4
    admin = await login("admin")
    assert len(sheet_rows((await admin.get("/transfer/startups.xlsx")).content, "入驻企业")) == 6


async def test_it_masks_id_numbers_unless_full_ones_are_asked_for_and_allowed(login, world: World):
    operator = await login("operator_dsj")
    masked = await operator.get("/transfer/people.xlsx")
    rows = sheet_rows(masked.content, "人员")
    assert rows[0][:2] == ("姓名", "身份证号码")
    numbers = {row[0]: row[1] for row in rows[1:]}
    assert numbers == {
        world.persons["dsj"].name: world.persons["dsj"].id_masked,
        world.persons["dsj_sibling"].name: world.persons["dsj_sibling"].id_masked,
    }
    assert id_number_of("dsj").encode() not in masked.content
    assert not await AuditEvent.filter(action="person.ids_exported").exists()

    full = await operator.get("/transfer/people.xlsx?full=1")
    assert full.status_code == 200
    numbers = {row[0]: row[1] for row in sheet_rows(full.content, "人员")[1:]}
    assert numbers[world.persons["dsj"].name] == id_number_of("dsj")
    event = await AuditEvent.get(action="person.ids_exported")
    assert event.after == {"count": 2} and event.base_id == world.bases["dsj"].id
    assert id_number_of("dsj") not in str(event.after)

    admin = await login("admin")
    assert (await admin.get("/transfer/people.xlsx")).status_code == 200
    assert (await admin.get("/transfer/people.xlsx?full=1")).status_code == 403
    assert await AuditEvent.filter(action="person.ids_exported").count() == 1


async def test_it_gives_each_role_what_it_may_do(login, world: World):
    bureau = await login("bureau_lhasa")
    founders = [await login("founder_dsj"), await login("founder_chamdo")]
    page = await bureau.get("/transfer")
    assert page.status_code == 200 and "/transfer/startups.xlsx" in page.text
    assert 'action="/transfer/startups"' not in page.text
    assert (await bureau.get("/transfer/templates/startups.xlsx")).status_code == 403
    before = await counts()
    data = workbook({"入驻企业": [STARTUP_HEADER, ["雪域唐卡", "未注册团队", None, None, "R"]]})
    assert (await upload(bureau, "/transfer/startups", data)).status_code == 403
    pages = ["/transfer", "/transfer/startups.xlsx", "/transfer/people.xlsx", "/transfer/leases.xlsx"]
    for founder in founders:
        for url in [*pages, "/transfer/templates/spaces.xlsx"]:
            assert (await founder.get(url)).status_code == 403, url
        assert (await upload(founder, "/transfer/spaces", data)).status_code == 403
    assert await counts() == before


async def test_it_speaks_english_to_english_users(login, world: World):
    operator = await login("operator_dsj")
    await operator.post("/language", {"locale": "en"})
    rows = sheet_rows((await operator.get("/transfer/startups.xlsx")).content, "Startups")
    assert rows[0][:3] == ("Base", "Name", "Legal form")
    assert {row[2] for row in rows[1:]} == {"Limited liability company", "Unregistered team"}
    data = workbook({"Startups": [["Name", "Legal form", "Industry"], ["Tangka", "Ltd", "R"]]})
    response = await upload(operator, "/transfer/startups", data)
    assert response.status_code == 422
    ((row, column, header, message),) = problems(response.text)
    assert (row, column, header) == ("Row 2", "B", "Legal form")
    assert message.startswith("Not one of the allowed values: Limited liability company; ")
    assert await Lease.all().count() == len(world.leases)
