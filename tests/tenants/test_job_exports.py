""".xlsx exports of the job pages: the figures as counted, and the people behind them with
masked ID numbers unless full ones are asked for and allowed (audited)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from incubator.identifiers import compose_id_number
from incubator.models import AuditEvent
from tenants.models import CountingRule, Employment, Person
from tenants.services.jobcounts import CATEGORIES, JobCounts, Target, by_base, job_counts, monthly_series
from tests.clients import Browser
from tests.personas import World, create_person
from tests.tenants.test_jobcounts import _person, employ
from tests.tenants.test_roster import _admitted

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
D = dt.date
AS_OF, START, END = D(2025, 6, 30), D(2025, 1, 1), D(2025, 6, 30)
PERIOD = f"as_of={AS_OF.isoformat()}&from={START.isoformat()}&to={END.isoformat()}"
KEYS = ("total", *CATEGORIES)


def sheet(content: bytes, title: str) -> Worksheet:
    return load_workbook(io.BytesIO(content))[title]


def rows_of(content: bytes, title: str) -> list[tuple[Any, ...]]:
    return list(sheet(content, title).iter_rows(values_only=True))


def figure_rows(rows: list[tuple[Any, ...]], label: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The declared and verified rows of one figure (numbers only)."""
    declared, verified = [row[2:] for row in rows if row[0] == label]
    return declared, verified


def expected(figure: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(figure.declared[k] for k in KEYS), tuple(figure.verified[k] for k in KEYS)


async def _roster(world: World) -> dict[str, Employment]:
    """People at the Lhasa base and one at Chamdo, under the autonomous region's counting rule."""
    await _admitted(world, "dsj")
    await _admitted(world, "chamdo")
    people = {n: await _person(n) for n in range(1, 6)}
    insured = (D(2024, 12, 1), None)
    dsj, sibling, chamdo = world.startups["dsj"], world.startups["dsj_sibling"], world.startups["chamdo"]
    made = {
        "graduate": await employ(dsj, people[1], D(2025, 2, 1), graduate=2023, insured=insured, verified="verified"),
        "shared": await employ(sibling, people[1], D(2025, 3, 1), graduate=2023, insured=insured),
        "older": await employ(dsj, people[2], D(2024, 5, 1), insured=(D(2024, 5, 1), None)),
        "left": await employ(dsj, people[3], D(2024, 1, 1), D(2024, 12, 31), insured=(D(2024, 1, 1), None)),
        "leaving": await employ(sibling, people[4], D(2025, 1, 15), D(2025, 4, 30), graduate=2024, insured=insured),
        "chamdo": await employ(chamdo, people[5], D(2025, 3, 1), insured=insured),
    }
    made["graduate"].monthly_wage = Decimal("4500.50")
    made["graduate"].verification_note = "社保记录一致"
    await made["graduate"].save()
    await CountingRule.create(
        region_id="540000",
        effective_from=D(2024, 1, 1),
        include_founders=False,
        min_insured_months=3,
        contract_kinds=["fixed_term", "open_ended"],
        source="藏人社发〔2024〕测试号",
    )
    return made


async def _counts(target: Target, region: str) -> JobCounts:
    return await job_counts(target, region, as_of=AS_OF, period_start=START, period_end=END)


async def test_it_exports_a_base_s_figures_as_counted_with_their_rule(login, world: World):
    await _roster(world)
    base = world.bases["dsj"]
    operator = await login("operator_dsj")
    response = await operator.get(f"/bases/{base.id}/jobs.xlsx?{PERIOD}")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert response.headers["cache-control"] == "private, no-store"
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition and disposition.endswith("-2025-06-30.xlsx")
    assert "%E5%B0%B1%E4%B8%9A%E7%BB%9F%E8%AE%A1-" in disposition  # 就业统计-
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["就业统计", "按月"]

    rows = rows_of(response.content, "就业统计")
    assert rows[0] == (
        "指标",
        "申报或核实",
        "全部",
        "高校毕业生",
        "西藏户籍",
        "农牧民",
        "退役军人",
        "脱贫人口",
        "残疾人",
    )
    facts = {row[0]: row[1:] for row in rows[1:7]}
    assert facts["基地"][0] == base.name
    assert facts["统计日"][0] == dt.datetime(2025, 6, 30)
    assert facts["期间"][:2] == (dt.datetime(2025, 1, 1), dt.datetime(2025, 6, 30))
    assert facts["统计口径"][0].startswith("按 540000 自 2024年1月1日 起施行的口径统计：不计入创业者本人；连续参保")
    assert "连续参保至少 3 个月" in facts["统计口径"][0]
    assert facts["来源"][0] == "藏人社发〔2024〕测试号"
    assert facts["施行日期"][0] == dt.datetime(2024, 1, 1)

    counts = await _counts(Target(base_id=base.id), base.region_id)
    assert counts.headcount.total == 2 and counts.created.total == 2  # person 1 counted once
    assert figure_rows(rows, "2025年6月30日 在岗人数") == expected(counts.headcount)
    assert figure_rows(rows, "2025年1月1日 至 2025年6月30日 新增就业") == expected(counts.created)
    assert figure_rows(rows, "入孵以来累计") == expected(counts.cumulative)
    assert figure_rows(rows, "2025年6月30日 在岗人数")[1][0] == 1  # one verified
    assert (2023, "已申报", 1) in {(int(r[0]), r[1], r[2]) for r in rows if r[0] in ("2023", "2024")}

    monthly = rows_of(response.content, "按月")
    assert monthly[0][:4] == ("月份", "在岗人数", "已核实", "新增：全部")
    series = await monthly_series(Target(base_id=base.id), counts.rule, AS_OF)
    assert len(monthly) == 25 and monthly[-1][0] == "2025-06"
    assert [row[1] for row in monthly[1:]] == [point.headcount for point in series]
    assert [row[3:] for row in monthly[1:]] == [tuple(point.created[k] for k in KEYS) for point in series]


async def test_it_compares_the_bases_of_a_region_in_the_region_s_export(login, world: World):
    await _roster(world)
    bureau = await login("bureau_tibet")
    response = await bureau.get(f"/region/jobs.xlsx?{PERIOD}")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["就业统计", "按月", "各基地对比"]
    rows = rows_of(response.content, "就业统计")
    counts = await _counts(Target(region_code="540000"), "540000")
    assert rows[1][:2] == ("行政区划", "西藏自治区")
    assert figure_rows(rows, "2025年6月30日 在岗人数") == expected(counts.headcount)
    bases = rows_of(response.content, "各基地对比")
    assert bases[0][:4] == ("基地", "行政区划", "2025年6月30日 在岗人数", "在岗（已核实）")
    assert "新增：高校毕业生" in bases[0]
    comparison = await by_base("540000", counts.rule, as_of=AS_OF, start=START, end=END)
    by_name = {row[0]: row for row in bases[1:]}
    assert set(by_name) == {world.bases["dsj"].name, world.bases["chamdo"].name}
    dsj = comparison[world.bases["dsj"].id]
    assert by_name[world.bases["dsj"].name][1:4] == ("540102", dsj.headcount.total, dsj.headcount.verified["total"])
    assert by_name[world.bases["chamdo"].name][2] == comparison[world.bases["chamdo"].id].headcount.total == 1

    lhasa = await login("bureau_lhasa")
    assert (await lhasa.get("/region/jobs.xlsx?region=540300")).status_code == 404
    assert (await lhasa.get("/region/job-people.xlsx?region=540300")).status_code == 404
    own = rows_of((await lhasa.get(f"/region/jobs.xlsx?{PERIOD}")).content, "各基地对比")
    assert [row[0] for row in own[1:]] == [world.bases["dsj"].name]
    operator = await login("operator_dsj")
    assert (await operator.get("/region/jobs.xlsx")).status_code == 403


async def test_it_exports_the_people_of_the_period_with_masked_id_numbers(login, world: World):
    made = await _roster(world)
    operator = await login("operator_dsj")
    response = await operator.get(f"/bases/{world.bases['dsj'].id}/job-people.xlsx?{PERIOD}")
    assert response.status_code == 200
    assert "%E5%B0%B1%E4%B8%9A%E4%BA%BA%E5%91%98-" in response.headers["content-disposition"]  # 就业人员-
    rows = rows_of(response.content, "用工花名册")
    assert rows[0] == (
        "基地",
        "企业",
        "姓名",
        "身份证号码",
        "性别",
        "出生日期",
        "入职日期",
        "离开日期",
        "退出原因",
        "用工形式",
        "参保起始日期",
        "参保截止日期",
        "月工资",
        "创业者",
        "入职时人员类别",
        "毕业年份",
        "核查",
        "核查说明",
    )
    # Employments overlapping the period, in id order: not the one that left in 2024, not Chamdo's,
    # not the world's entries of 2020.
    ids = ("graduate", "shared", "older", "leaving")
    persons = {p.id: p for p in await Person.filter(id__in=[made[k].person_id for k in ids])}
    assert [row[3] for row in rows[1:]] == [persons[made[k].person_id].id_masked for k in ids]
    first = rows[1]
    assert first[:3] == (world.bases["dsj"].name, world.startups["dsj"].name, "员工1")
    assert first[6] == dt.datetime(2025, 2, 1) and first[7] is None
    assert first[9] == "劳动合同（固定期限）" and first[12] == 4500.5
    assert first[13] == "否" and first[14] == "高校毕业生、西藏户籍" and first[15] == 2023
    assert first[16:] == ("已核实", "社保记录一致")
    leaving = rows[4]
    assert leaving[7] == dt.datetime(2025, 4, 30) and leaving[16] == "已申报"
    cells = sheet(response.content, "用工花名册")
    assert cells["M2"].number_format == "#,##0.00" and cells["G2"].is_date
    for number in (compose_id_number("540102", D(1995, 1, 1 + n), n) for n in range(1, 6)):
        assert number.encode() not in response.content
    assert not await AuditEvent.filter(action="export.job_people_full").exists()


async def test_it_gives_full_id_numbers_only_to_those_who_may_reveal_them(login, world: World):
    made = await _roster(world)
    startup = world.startups["dsj"]
    operator = await login("operator_dsj")
    response = await operator.get(f"/startups/{startup.id}/roster.xlsx?{PERIOD}&full=1")
    assert response.status_code == 200
    rows = rows_of(response.content, "用工花名册")
    numbers = [compose_id_number("540102", D(1995, 1, 1 + n), n) for n in (1, 2)]
    # Person 3 left before the period; the sibling startup's people are not this startup's.
    assert [(row[2], row[3]) for row in rows[1:]] == [("员工1", numbers[0]), ("员工2", numbers[1])]
    assert made["left"].startup_id == startup.id
    event = await AuditEvent.get(action="export.job_people_full")
    assert event.after is not None and event.after["count"] == 2 and event.after["startup_id"] == startup.id
    assert event.base_id == world.bases["dsj"].id and event.region_code == "540102"
    assert numbers[0] not in str(event.after)

    founder = await login("founder_dsj")
    assert (await founder.get(f"/startups/{startup.id}/roster.xlsx?full=1")).status_code == 403
    own = await founder.get(f"/startups/{startup.id}/roster.xlsx")  # their own roster, masked
    assert own.status_code == 200 and numbers[0] not in str(rows_of(own.content, "用工花名册"))
    assert (await founder.get(f"/bases/{world.bases['dsj'].id}/job-people.xlsx")).status_code == 403
    admin = await login("admin")
    assert (await admin.get(f"/startups/{startup.id}/roster.xlsx")).status_code == 200
    assert (await admin.get(f"/startups/{startup.id}/roster.xlsx?full=1")).status_code == 403
    assert await AuditEvent.filter(action="export.job_people_full").count() == 1


async def test_it_hides_other_bases_and_startups(login, world: World):
    await _roster(world)
    operator = await login("operator_dsj")
    chamdo = world.startups["chamdo"]
    for url in (
        f"/startups/{chamdo.id}/jobs.xlsx",
        f"/startups/{chamdo.id}/roster.xlsx",
        f"/bases/{world.bases['chamdo'].id}/jobs.xlsx",
        f"/bases/{world.bases['chamdo'].id}/job-people.xlsx",
    ):
        assert (await operator.get(url)).status_code == 404, url
    sibling = await login("founder_chamdo")
    assert (await sibling.get(f"/startups/{world.startups['dsj'].id}/jobs.xlsx")).status_code == 404
    lhasa = await login("bureau_lhasa")
    region = rows_of((await lhasa.get(f"/region/job-people.xlsx?{PERIOD}")).content, "用工花名册")
    assert {row[0] for row in region[1:]} == {world.bases["dsj"].name}


async def test_it_speaks_english_and_neutralises_formulas(login, world: World):
    await _admitted(world, "dsj")
    startup = world.startups["dsj"]
    person = await create_person('=HYPERLINK("http://evil")', compose_id_number("540102", D(1996, 2, 2), 7))
    await employ(startup, person, D(2025, 3, 1))
    operator: Browser = await login("operator_dsj")
    await operator.post("/language", {"locale": "en"})
    figures = await operator.get(f"/startups/{startup.id}/jobs.xlsx?{PERIOD}")
    assert "filename*=UTF-8''job-figures-" in figures.headers["content-disposition"]
    assert load_workbook(io.BytesIO(figures.content)).sheetnames == ["Job figures", "Monthly"]
    rows = rows_of(figures.content, "Job figures")
    assert rows[0][:4] == ("Figure", "Declared or verified", "All", "College graduates")
    assert rows[1][:2] == ("Startup", startup.name)
    assert rows[4][1].startswith("Counted by the platform's default rule:")
    assert figure_rows(rows, "Employed on Jun 30, 2025")[0][0] == 1
    people = await operator.get(f"/startups/{startup.id}/roster.xlsx?{PERIOD}")
    assert "filename*=UTF-8''job-people-" in people.headers["content-disposition"]
    rows = rows_of(people.content, "Job roster")
    assert rows[0][:4] == ("Base", "Startup", "Full name", "ID number")
    assert rows[1][2] == '\'=HYPERLINK("http://evil")' and rows[1][9] == "Labour contract, fixed term"


async def test_it_links_the_exports_from_the_job_pages(login, world: World):
    startup = world.startups["dsj"]
    operator = await login("operator_dsj")
    page = (await operator.get(f"/startups/{startup.id}/roster?as_of=2025-06-30")).text
    assert f"/startups/{startup.id}/jobs.xlsx?as_of=2025-06-30&amp;from=2025-01-01&amp;to=2025-06-30" in page
    assert f"/startups/{startup.id}/roster.xlsx?as_of=2025-06-30" in page and "&amp;full=1" in page
    base = (await operator.get(f"/bases/{world.bases['dsj'].id}/jobs")).text
    assert f"/bases/{world.bases['dsj'].id}/job-people.xlsx?" in base and "导出统计数据（.xlsx）" in base
    founder = await login("founder_dsj")
    founder_page = (await founder.get(f"/startups/{startup.id}/roster")).text
    assert f"/startups/{startup.id}/roster.xlsx?" in founder_page and "full=1" not in founder_page
    admin = await login("admin")
    region = (await admin.get("/region/jobs?region=540000")).text
    assert "/region/job-people.xlsx?as_of=" in region and "&amp;region=540000" in region
    assert "full=1" not in region  # the admin may not reveal ID numbers
