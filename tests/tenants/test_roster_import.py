"""Roster imports: a template, every row checked first (with the form's rules, against the other
rows and the roster), all or nothing, in the background with a summary on the task page."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Mapping
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from incubator import tasks
from incubator.access import Principal
from incubator.i18n import using_locale
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.models import AuditEvent, Base, Task, TaskState
from incubator.spreadsheets import read_rows
from tenants.models import BasePerson, Employment, Person, Startup
from tenants.services.roster_import import import_roster
from tests.clients import Browser
from tests.personas import World, id_number_of, principal_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USCC = compose_uscc("91540102MA6T8K9C3")
HEADER = [
    "身份证号",
    "姓名",
    "手机号",
    "企业",
    "用工形式",
    "入职日期",
    "离职日期",
    "参保日期",
    "月工资",
    "是否高校毕业生",
    "毕业院校",
    "毕业年份",
]
NEW = [compose_id_number("540102", dt.date(2000, 1, 1) + dt.timedelta(days=n), 11 + 2 * n) for n in range(6)]
BAD_CHECK = NEW[5][:17] + ("0" if NEW[5][17] != "0" else "1")
batches = itertools.count(1)


def row(number: str, name: str, startup: str = "", **cells: str) -> list[str]:
    values = {"用工形式": "劳动合同（固定期限）", "入职日期": "2025-03-01", **cells}
    return [number, name, "", startup, *(values.get(h, "") for h in HEADER[4:])]


def workbook(rows: list[list[Any]], header: list[str] = HEADER, title: str = "用工花名册") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "gbk") -> bytes:
    lines = [",".join(header), *(",".join(values) for values in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


async def counts() -> dict[str, int]:
    models = {"employments": Employment, "people": Person, "registrations": BasePerson, "audit": AuditEvent}
    return {name: await model.all().count() for name, model in models.items()}


async def admitted(world: World, *keys: str) -> None:
    for key in keys:
        world.startups[key].admitted_on = dt.date(2024, 1, 1)
        await world.startups[key].save()


async def upload(browser: Browser, url: str, data: bytes, filename: str = "名单.xlsx") -> httpx.Response:
    kind = XLSX if filename.endswith(".xlsx") else "text/csv"
    return await browser.post(url, files={"file": (filename, data, kind)})


async def finished(response: httpx.Response) -> Task:
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert location.startswith("/tasks/")
    return await tasks.wait(int(location.removeprefix("/tasks/")))


async def run_import(principal: Principal, base: Base, data: bytes, filename: str, startup: Startup | None = None):
    book = read_rows(data, filename, max_rows=50_000, budget=10_000_000)

    async def work(progress: tasks.Progress) -> Mapping[str, Any]:
        return await import_roster(principal, base, book, startup=startup, progress=progress)

    task = await tasks.start(principal, "roster_import", "test", work, base_id=base.id, startup_id=None)
    return await tasks.wait(task.id)


def problems_at(task: Task) -> set[tuple[int | None, str]]:
    return {(p["row"], p["column"]) for p in task.problems}


async def test_it_offers_a_template_with_drop_downs_and_instructions(login, world: World):
    operator = await login("operator_dsj")
    response = await operator.get("/roster/template.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["用工花名册", "填写说明"]
    header = [cell.value for cell in book["用工花名册"][1]]
    assert header[:2] == ["身份证号码", "姓名"] and "用工形式" in header and "入职日期" in header
    lists = " ".join(str(v.formula1) for v in book["用工花名册"].data_validations.dataValidation)
    assert lists, "the contract kind and yes/no columns have drop-down lists"
    guide = "\n".join(" ".join(str(c) for c in r if c) for r in book["填写说明"].iter_rows(values_only=True))
    assert "劳动合同（固定期限）" in guide and "统一社会信用代码" in guide
    founder = await login("founder_dsj")
    assert (await founder.get("/roster/template.xlsx")).status_code == 200
    bureau = await login("bureau_lhasa")
    assert (await bureau.get("/roster/template.xlsx")).status_code == 403


async def test_it_imports_a_base_roster_linking_known_people_in_the_background(login, world: World):
    await admitted(world, "dsj", "dsj_sibling")
    sibling = world.startups["dsj_sibling"]
    sibling.uscc = USCC
    await sibling.save()
    operator = await login("operator_dsj")
    before = await counts()
    known_elsewhere = world.persons["chamdo"]  # registered in Chamdo only; typed under another name
    rows = [
        row(NEW[0], "尼玛次仁", world.startups["dsj"].name, 是否高校毕业生="是", 毕业院校="西藏大学", 毕业年份="2023"),
        row(NEW[1], "达瓦", world.startups["dsj"].name, 入职日期="2024/5/1", 离职日期="2024年12月31日"),
        row(NEW[1], "达瓦", world.startups["dsj"].name, 入职日期="2025-02-01", 月工资="5200"),
        row(NEW[2], "白玛", USCC, 用工形式="service", 参保日期="2025-03-01"),
        row(id_number_of("dsj"), world.persons["dsj"].name, world.startups["dsj"].name, 入职日期="2024-06-01"),
        row(id_number_of("chamdo"), "阿琼 卓嘎", sibling.name),
    ]
    task = await finished(await upload(operator, f"/bases/{world.bases['dsj'].id}/roster/import", workbook(rows)))
    assert task.state is TaskState.SUCCEEDED, task.problems or task.message
    assert (task.done, task.total) == (3 + 2 * 6, 3 + 2 * 6) and task.link == f"/bases/{world.bases['dsj'].id}/jobs"
    after = await counts()
    assert after["employments"] - before["employments"] == 6
    assert after["people"] - before["people"] == 3
    assert after["registrations"] - before["registrations"] == 4  # 3 new people, and the one from Chamdo
    assert after["audit"] - before["audit"] == 5
    assert task.result["employments"] == 6 and (task.result["people_new"], task.result["people_known"]) == (3, 2)
    assert task.result["startups"] == 2

    new = await Employment.filter(id__gt=max(e.id for e in world.employments.values())).order_by("id")
    nyima = await Person.get(name="尼玛次仁")
    graduate = next(e for e in new if e.person_id == nyima.id)
    assert graduate.is_graduate and graduate.graduation_year == 2023 and graduate.is_tibetan
    assert graduate.base_id == world.bases["dsj"].id and graduate.region_code == "540102"
    founder_row = next(e for e in new if e.person_id == world.persons["dsj"].id)
    assert founder_row.is_founder and founder_row.hired_on == dt.date(2024, 6, 1)
    assert {e.startup_id for e in new if e.person_id == known_elsewhere.id} == {sibling.id}
    dawa = [e for e in new if e.monthly_wage is not None or e.left_on is not None]
    assert sorted((e.hired_on, e.left_on) for e in dawa) == [
        (dt.date(2024, 5, 1), dt.date(2024, 12, 31)),
        (dt.date(2025, 2, 1), None),
    ]
    registration = await BasePerson.get(base_id=world.bases["dsj"].id, person_id=known_elsewhere.id)
    assert registration.name_flagged and registration.entered_name == "阿琼 卓嘎"
    assert (await Person.get(id=known_elsewhere.id)).name == "阿琼"  # the registered name is kept

    imported = await AuditEvent.get(action="employment.imported")
    listed = imported.after["employments"]
    assert sorted(entry["id"] for entry in listed) == sorted(e.id for e in new)
    assert all(entry["id_masked"].count("*") == 10 for entry in listed)
    assert not any(number in str(imported.after) for number in NEW[:3])
    event = await AuditEvent.get(action="import.roster")
    assert event.after["employments"] == 6 and len(event.after["sha256"]) == 64
    assert {e.action for e in await AuditEvent.filter(seq__gt=0).order_by("-seq").limit(5)} == {
        "person.imported",
        "person.linked",
        "person.names_flagged",
        "employment.imported",
        "import.roster",
    }

    chinese = await operator.get(f"/tasks/{task.id}", headers={"accept-language": "zh-CN"})
    assert "已导入用工记录：6 条" in chinese.text.replace("\u200b", "")
    await operator.post("/language", {"locale": "en"})
    english = await operator.get(f"/tasks/{task.id}")
    text = english.text.replace("\u200b", "")
    assert "Roster entries imported: 6." in text and "People new to the platform: 3; already registered: 2." in text


async def test_it_imports_a_gbk_csv_into_a_startups_own_roster(login, world: World):
    await admitted(world, "dsj")
    founder = await login("founder_dsj")
    before = await counts()
    rows = [
        row(NEW[0], "尼玛次仁"),
        row(NEW[1], "达瓦", world.startups["dsj"].name, 用工形式="灵活就业"),
    ]
    response = await upload(
        founder, f"/startups/{world.startups['dsj'].id}/roster/import", csv_bytes(rows), filename="名单.csv"
    )
    task = await finished(response)
    assert task.state is TaskState.SUCCEEDED, task.problems or task.message
    assert task.startup_id == world.startups["dsj"].id and task.link == f"/startups/{world.startups['dsj'].id}/roster"
    after = await counts()
    assert {k: after[k] - before[k] for k in after} == {"employments": 2, "people": 2, "registrations": 2, "audit": 3}
    kinds = set(await Employment.filter(person__name__in=["尼玛次仁", "达瓦"]).values_list("contract_kind", flat=True))
    assert kinds == {"fixed_term", "flexible"}
    # The founder follows the task on its page, as the founder of the startup.
    assert (await founder.get(f"/tasks/{task.id}")).status_code == 200


async def test_it_lists_every_problem_of_a_file_and_saves_nothing(login, world: World):
    await admitted(world, "dsj")
    dsj = world.startups["dsj"].name
    rows = [
        row(BAD_CHECK, "坏号码", dsj),  # 2: the ID number's check character
        row(NEW[0], "尼玛", dsj, 入职日期="2025-03-01", 离职日期="2025-01-31"),  # 3: left before hired
        row(NEW[1], "达瓦", "没有这家企业"),  # 4: unknown startup
        row(id_number_of("dsj"), world.persons["dsj"].name, dsj, 入职日期="2020-06-01"),  # 5: on the roster in 2020
        row(NEW[2], "白玛", dsj),  # 6
        row(NEW[2], "白玛", dsj),  # 7: the same row again
        row(NEW[3], "拉姆", dsj, 用工形式="临时工"),  # 8: no such contract kind
        row(NEW[4], "格桑", dsj),  # 9: a good row
        row(NEW[4], "格桑 次仁", dsj, 入职日期="2024-01-01", 离职日期="2024-02-01"),  # 10: another name
    ]
    operator = await login("operator_dsj")
    before = await counts()
    task = await finished(await upload(operator, f"/bases/{world.bases['dsj'].id}/roster/import", workbook(rows)))
    assert task.state is TaskState.FAILED
    assert problems_at(task) == {(2, "A"), (3, "G"), (4, "D"), (5, "F"), (7, "F"), (8, "E"), (10, "B")}
    assert await counts() == before
    with using_locale("en"):
        messages = {p["row"]: tasks.problem_text(p) for p in task.problems}
    assert "check character" in messages[2] and "Row 6 " in messages[7] and "2020-01-01" in messages[5]
    assert "Row 9 " in messages[10] and "no startup 没有这家企业" in messages[4]
    page = await operator.get(f"/tasks/{task.id}", headers={"accept-language": "zh-CN"})
    assert page.status_code == 200 and "没有这家企业" in page.text and "7 处问题" in page.text


async def test_it_refuses_unknown_and_missing_columns(world: World):
    await admitted(world, "dsj")
    operator = await principal_of(world, "operator_dsj")
    base = world.bases["dsj"]
    header = ["姓名", "工号", "序号", "企业", "用工形式", "入职日期"]
    data = workbook([["尼玛", "007", "1", world.startups["dsj"].name, "劳务", "2025-03-01"]], header=header)
    before = await counts()
    task = await run_import(operator, base, data, "名单.xlsx")
    assert task.state is TaskState.FAILED
    with using_locale("en"):
        texts = sorted(tasks.problem_text(p) for p in task.problems)
    assert problems_at(task) == {(None, ""), (1, "B")}  # 序号 only numbers the rows
    assert any("工号" in text for text in texts) and any("ID number" in text or "身份证" in text for text in texts)
    # A base's roster must name the startup of every row; a startup's own need not.
    no_startup = workbook([row(NEW[0], "尼玛")[:3] + row(NEW[0], "尼玛")[4:]], header=HEADER[:3] + HEADER[4:])
    task = await run_import(operator, base, no_startup, "名单.xlsx")
    assert task.state is TaskState.FAILED and [p["header"] for p in task.problems] == ["Startup"]
    task = await run_import(operator, base, no_startup, "名单.xlsx", startup=world.startups["dsj"])
    assert task.state is TaskState.SUCCEEDED
    assert (await counts())["employments"] == before["employments"] + 1
    only_header = await run_import(operator, base, workbook([]), "名单.xlsx")
    with using_locale("en"):
        assert only_header.state is TaskState.FAILED and "no rows" in tasks.problem_text(only_header.problems[0])


async def test_it_refuses_unreadable_files_on_the_page_without_starting_anything(login, world: World):
    await admitted(world, "dsj")
    founder = await login("founder_dsj")
    url = f"/startups/{world.startups['dsj'].id}/roster/import"
    started = await Task.all().count()
    empty = await upload(founder, url, b"", filename="名单.csv")
    assert empty.status_code == 422 and "文件为空。" in empty.text
    assert 'id="roster-import" open' in empty.text
    utf16 = await upload(founder, url, csv_bytes([row(NEW[0], "尼玛")], encoding="utf-16"), filename="名单.csv")
    assert utf16.status_code == 422 and "GBK" in utf16.text
    not_a_sheet = await upload(founder, url, b"%PDF-1.4 ...", filename="名单.pdf")
    assert not_a_sheet.status_code == 422
    operator = await login("operator_dsj")
    base_page = await upload(operator, f"/bases/{world.bases['dsj'].id}/roster/import", b"", filename="名单.xlsx")
    assert base_page.status_code == 422 and 'id="roster-import" open' in base_page.text
    assert await Task.all().count() == started


async def test_it_keeps_imports_within_the_importers_reach(login, world: World):
    await admitted(world, "dsj", "dsj_sibling")
    data = workbook([row(NEW[0], "尼玛")])
    founder = await login("founder_dsj")
    started = await Task.all().count()
    response = await upload(founder, f"/startups/{world.startups['dsj_sibling'].id}/roster/import", data)
    assert response.status_code == 404
    assert (await upload(founder, f"/bases/{world.bases['dsj'].id}/roster/import", data)).status_code == 403
    bureau = await login("bureau_lhasa")
    assert (await upload(bureau, f"/startups/{world.startups['dsj'].id}/roster/import", data)).status_code == 403
    other = await login("operator_chamdo")
    assert (await upload(other, f"/bases/{world.bases['dsj'].id}/roster/import", data)).status_code == 404
    assert await Task.all().count() == started
    # A base's roster cannot reach into another base's startups, even by credit code.
    world.startups["chamdo"].uscc = USCC
    world.startups["chamdo"].admitted_on = dt.date(2024, 1, 1)
    await world.startups["chamdo"].save()
    operator = await principal_of(world, "operator_dsj")
    task = await run_import(operator, world.bases["dsj"], workbook([row(NEW[0], "尼玛", USCC)]), "名单.xlsx")
    assert task.state is TaskState.FAILED and problems_at(task) == {(2, "D")}
    # A startup not yet admitted keeps no roster.
    world.startups["dsj_sibling"].admitted_on = None
    await world.startups["dsj_sibling"].save()
    name = world.startups["dsj_sibling"].name
    task = await run_import(operator, world.bases["dsj"], workbook([row(NEW[0], "尼玛", name)]), "名单.xlsx")
    with using_locale("en"):
        assert task.state is TaskState.FAILED and "Admit the startup" in tasks.problem_text(task.problems[0])


async def test_it_imports_thousands_of_rows_in_chunks_each_employment_audited_once(world: World):
    await admitted(world, "dsj", "dsj_sibling")
    operator = await principal_of(world, "operator_dsj")
    names = [world.startups["dsj"].name, world.startups["dsj_sibling"].name]
    rows = [
        row(
            compose_id_number("540102", dt.date(1985, 1, 1) + dt.timedelta(days=n // 400), 100 + n % 400),
            f"人{n}",
            names[n % 2],
        )
        for n in range(2100)
    ]
    before = await counts()
    task = await run_import(operator, world.bases["dsj"], workbook(rows), "big.xlsx")
    assert task.state is TaskState.SUCCEEDED, task.problems or task.message
    after = await counts()
    assert (after["employments"] - before["employments"], after["people"] - before["people"]) == (2100, 2100)
    chunks = await AuditEvent.filter(action="employment.imported").order_by("seq")
    assert [len(e.after["employments"]) for e in chunks] == [500, 500, 500, 500, 100]
    audited = [entry["id"] for e in chunks for entry in e.after["employments"]]
    new = await Employment.filter(base_id=world.bases["dsj"].id, hired_on=dt.date(2025, 3, 1)).values_list(
        "id", flat=True
    )
    assert sorted(audited) == sorted(new) and len(set(audited)) == 2100
    assert await AuditEvent.filter(action="person.imported").count() == 5
    assert after["audit"] - before["audit"] == 5 + 5 + 1


async def test_it_shows_problems_with_numbers_on_the_task_page(login, world: World):
    await admitted(world, "dsj")
    operator = await login("operator_dsj")
    rows = [row(NEW[0], "长" * 60, world.startups["dsj"].name)]
    task = await finished(await upload(operator, f"/bases/{world.bases['dsj'].id}/roster/import", workbook(rows)))
    assert task.state is TaskState.FAILED and problems_at(task) == {(2, "B")}
    page = await operator.get(f"/tasks/{task.id}")
    assert page.status_code == 200 and "50" in page.text


rosters = st.lists(
    st.tuples(
        st.integers(0, 3),  # the person
        st.sampled_from(["dsj", "dsj_sibling"]),
        st.integers(0, 2000),  # days after 2015-01-01 of hiring
        st.one_of(st.none(), st.integers(0, 400)),  # days employed, or still employed
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=rosters)
async def test_it_imports_a_file_once_and_refuses_it_again_changing_nothing(world: World, entries):
    """Any file is imported entirely or not at all; a file imported once overlaps itself a second time."""
    if world.startups["dsj"].admitted_on is None:
        await admitted(world, "dsj", "dsj_sibling")
    batch = next(batches)
    operator = await principal_of(world, "operator_dsj")
    rows = []
    for person, key, start, days in entries:
        number = compose_id_number("540102", dt.date(1970, 1, 1) + dt.timedelta(days=batch), 100 + person)
        hired = dt.date(2015, 1, 1) + dt.timedelta(days=start)
        left = (hired + dt.timedelta(days=days)).isoformat() if days is not None else ""
        rows.append(row(number, f"人{person}", world.startups[key].name, 入职日期=hired.isoformat(), 离职日期=left))
    data = workbook(rows)
    before = await counts()
    first = await run_import(operator, world.bases["dsj"], data, f"roster-{batch}.xlsx")
    after = await counts()
    event("imported" if first.state is TaskState.SUCCEEDED else "overlapping rows")
    if first.state is TaskState.FAILED:
        assert after == before and all(p["column"] == "F" for p in first.problems)  # overlaps within the file
        return
    assert after["employments"] == before["employments"] + len(rows)
    again = await run_import(operator, world.bases["dsj"], data, f"roster-{batch}.xlsx")
    assert again.state is TaskState.FAILED
    assert {p["row"] for p in again.problems} == set(range(2, len(rows) + 2))
    assert await counts() == after
