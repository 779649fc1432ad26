"""Base figures beside the recognition standards: exact counts and rates, the region's bases
side by side, the standards page and the admin's dated versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from tortoise import connections

from incubator.access import Principal
from incubator.errors import Forbidden
from incubator.models import AuditEvent, Base, BaseLevel, Role
from tenants.forms.figures import parse_period
from tenants.models import (
    ExitReason,
    Lease,
    LeaseSpace,
    LegalForm,
    RecognitionStandard,
    Space,
    SpaceKind,
    SpaceStatus,
    StandardMeasure,
    Startup,
    StartupEvent,
    StartupStatus,
)
from tenants.services import figures
from tests.clients import Browser
from tests.personas import World

DAY = dt.date(2026, 6, 30)
YEAR = 2026
D = dt.date


def principal(role: Role, **scope: Any) -> Principal:
    return Principal(user_id=1, username=role.value, display_name=role.value, role=role, membership_id=1, **scope)


ADMIN = principal(Role.ADMIN)


def parts(check: figures.Check) -> tuple[Decimal, Decimal]:
    """The part and the whole of a rate."""
    assert check.rate is not None
    return check.rate.part, check.rate.whole


async def _startup(
    base: Base,
    name: str,
    status: StartupStatus,
    *,
    admitted: dt.date | None = None,
    ends: dt.date | None = None,
    left: dt.date | None = None,
    reason: ExitReason | None = None,
    left_event_reason: ExitReason | None = None,
) -> Startup:
    """A startup with the lifecycle events its dates imply."""
    startup = await Startup.create(
        base=base,
        name=name,
        legal_form=LegalForm.LIMITED_COMPANY,
        status=status,
        admitted_on=admitted,
        incubation_ends_on=ends,
        left_on=left,
        exit_reason=reason,
    )
    if admitted is not None:
        await StartupEvent.create(
            startup=startup, from_status=StartupStatus.APPLIED, to_status=StartupStatus.INCUBATING, on=admitted
        )
    if left is not None:
        await StartupEvent.create(
            startup=startup, from_status=StartupStatus.INCUBATING, to_status=status, on=left, reason=left_event_reason
        )
    return startup


async def _space(base: Base, code: str, area: str, *, status: SpaceStatus = SpaceStatus.IN_SERVICE) -> Space:
    return await Space.create(
        base=base, code=code, kind=SpaceKind.OFFICE, area_m2=Decimal(area), list_rent=Decimal("1000.00"), status=status
    )


async def _lease(base: Base, startup: Startup, space: Space, start: dt.date, until: dt.date) -> Lease:
    lease = await Lease.create(
        base=base,
        startup=startup,
        start_on=start,
        end_on=until,
        occupied_until=until,
        list_rent=Decimal("1000.00"),
        monthly_rent=Decimal("1000.00"),
    )
    await LeaseSpace.create(lease=lease, space=space, list_rent=Decimal("1000.00"))
    return lease


async def build_dsj(world: World) -> None:
    """The Lhasa base on 30 June 2026: twelve startups and five spaces in service (see each line)."""
    base = world.bases["dsj"]
    base.opened_on = D(2022, 7, 1)  # 3 whole years on 30 June 2026, 4 the next day
    await base.save()
    s = StartupStatus
    # Cohort of 30 June 2026 = admitted on or before 30 June 2025: A, B, C, E, F, G, I (7); successful A, C, F, G.
    a = await _startup(base, "A 已毕业", s.GRADUATED, admitted=D(2024, 3, 1), ends=D(2026, 3, 1), left=D(2026, 2, 15))
    await _startup(
        base,
        "B 期满退出",
        s.EXITED,
        admitted=D(2025, 1, 10),
        ends=D(2026, 1, 10),
        left=D(2026, 4, 1),
        reason=ExitReason.EXPIRED,
        left_event_reason=ExitReason.EXPIRED,
    )
    await _startup(base, "C 期满仍在孵", s.INCUBATING, admitted=D(2025, 5, 1), ends=D(2026, 5, 1))
    await _startup(base, "D 今年入孵", s.INCUBATING, admitted=D(2026, 3, 1), ends=D(2028, 3, 1))
    await _startup(
        base,
        "E 经营异常退出",
        s.EXITED,
        admitted=D(2025, 6, 30),
        ends=D(2027, 6, 30),
        left=D(2026, 5, 20),
        reason=ExitReason.ABNORMAL,
        left_event_reason=ExitReason.ABNORMAL,
    )
    await _startup(base, "F 年底期满", s.INCUBATING, admitted=D(2025, 2, 1), ends=D(2026, 9, 30))
    await _startup(base, "G 去年毕业", s.GRADUATED, admitted=D(2023, 1, 1), ends=D(2025, 12, 31), left=D(2025, 11, 30))
    await _startup(base, "H 申请中", s.APPLIED)
    await _startup(base, "I 退出未记原因", s.EXITED, admitted=D(2024, 1, 1), ends=D(2026, 12, 31), left=D(2026, 1, 31))
    await _startup(base, "J 去年七月入孵", s.INCUBATING, admitted=D(2025, 7, 1))
    # Spaces: the world's two 20 m² offices (leased through 2027) plus these.
    s3 = await _space(base, "S3", "30.00")  # held, by two overlapping leases (a move): counted once
    await _lease(base, a, s3, D(2026, 1, 1), D(2026, 6, 30))
    await _lease(base, a, s3, D(2026, 6, 1), D(2026, 12, 31))
    s4 = await _space(base, "S4", "10.00")  # lease ended on 31 May
    await _lease(base, a, s4, D(2026, 1, 1), D(2026, 5, 31))
    s5 = await _space(base, "S5", "20.00")  # lease starts tomorrow
    await _lease(base, a, s5, D(2026, 7, 1), D(2027, 6, 30))
    s6 = await _space(base, "S6", "50.00", status=SpaceStatus.OUT_OF_SERVICE)  # not counted at all
    await _lease(base, a, s6, D(2026, 1, 1), D(2026, 12, 31))


async def build_chamdo(world: World) -> None:
    """The Chamdo base: two startups admitted in 2024, both successful, no term ended in 2026."""
    base = world.bases["chamdo"]
    await _startup(base, "K 昌都毕业", StartupStatus.GRADUATED, admitted=D(2024, 4, 1), left=D(2025, 10, 1))
    await _startup(base, "L 昌都在孵", StartupStatus.INCUBATING, admitted=D(2024, 5, 1), ends=D(2027, 5, 1))


async def test_it_counts_a_bases_startups_and_spaces_exactly(world: World):
    await build_dsj(world)
    result = await figures.base_figures(ADMIN, world.bases["dsj"], year=YEAR, day=DAY)
    assert result.by_status == {
        StartupStatus.APPLIED: 1,
        StartupStatus.INCUBATING: 6,  # the world's two, C, D, F, J
        StartupStatus.GRADUATED: 2,
        StartupStatus.EXITED: 3,
    }
    assert result.startups == 12
    assert (result.admitted, result.graduated, result.exited) == (1, 1, 3)
    assert result.exited_by_reason[ExitReason.EXPIRED] == 1
    assert result.exited_by_reason[ExitReason.ABNORMAL] == 1
    assert result.exited_by_reason[ExitReason.OTHER] == 0
    assert result.exits_without_reason == 1

    area = result.check("occupancy_area")
    assert parts(area) == (Decimal("70.00"), Decimal("100.00"))
    assert area.value == Decimal("70.00") and area.met is False
    units = result.check("occupancy_units")
    assert parts(units) == (3, 5) and units.value == Decimal("60.00")
    incubated = result.check("startups_incubated")
    assert incubated.value == 8 and incubated.met is False  # A B C D E F I J; standard 30
    success = result.check("success_rate")
    assert parts(success) == (4, 7)
    assert success.value == Decimal("57.14") and success.met is False
    on_time = result.check("on_time_exit_rate")
    assert parts(on_time) == (1, 3)  # A on time; B late; C still in
    assert on_time.value == Decimal("33.33") and on_time.met is False
    years = result.check("years_operating")
    assert years.value == 3 and years.met is True
    jobs = result.check("jobs_absorbed")
    assert jobs.value == 0 and jobs.met is False  # nobody on the roster yet
    assert jobs.standard is not None and jobs.standard.minimum == Decimal("300.00")


async def test_it_sets_each_figure_beside_the_national_standard_in_force(world: World):
    await build_dsj(world)
    result = await figures.base_figures(ADMIN, world.bases["dsj"], year=YEAR, day=DAY)
    minimums = {c.key: c.standard.minimum for c in result.checks if c.standard}
    assert minimums == {
        "occupancy_area": Decimal("90.00"),
        "occupancy_units": Decimal("90.00"),
        "startups_incubated": Decimal("30.00"),
        "jobs_absorbed": Decimal("300.00"),
        "success_rate": Decimal("60.00"),
        "on_time_exit_rate": Decimal("95.00"),
        "years_operating": Decimal("3.00"),
    }
    assert all(
        c.standard and not c.standard.confirmed and "人力资源社会保障部" in c.standard.source for c in result.checks
    )
    # A newer version applies from its date on: 50 % from 1 July 2026.
    await RecognitionStandard.create(
        level=BaseLevel.NATIONAL,
        measure=StandardMeasure.SUCCESS_RATE,
        minimum=Decimal("50"),
        effective_from=D(2026, 7, 1),
        source="测试文件",
        confirmed=True,
    )
    assert (await figures.standards_in_force(BaseLevel.NATIONAL, DAY))[StandardMeasure.SUCCESS_RATE].minimum == 60
    later = await figures.base_figures(ADMIN, world.bases["dsj"], year=YEAR, day=D(2026, 7, 15))
    success = later.check("success_rate")
    # Cutoff 15 July 2025 takes J in: 5 of 8 = 62.5 %, which meets 50 % (and would also meet 60 %).
    assert success.standard is not None and success.standard.minimum == 50
    assert (success.value, success.met) == (Decimal("62.50"), True)
    assert later.check("years_operating").value == 4
    assert await figures.standards_in_force(BaseLevel.COUNTY, DAY) == {}


async def test_it_gives_no_figure_with_its_reason_when_nothing_is_counted(world: World):
    base = world.bases["qinghai"]
    await Space.filter(base_id=base.id).update(status=SpaceStatus.OUT_OF_SERVICE)
    result = await figures.base_figures(ADMIN, base, year=YEAR, day=DAY)
    missing = {c.key: c.missing for c in result.checks if c.value is None}
    assert missing == {
        "occupancy_area": "The base has no space in service.",
        "occupancy_units": "The base has no space in service.",
        "success_rate": "No startup was admitted 12 months or more before the reference day.",
        "on_time_exit_rate": "No incubation term ended in the year up to the reference day.",
        "years_operating": "The base's opening date is not recorded.",
    }
    assert all(c.met is None for c in result.checks if c.value is None)
    assert result.check("startups_incubated").value == 0


async def test_it_counts_a_past_year_as_of_31_december(world: World):
    await build_dsj(world)
    period = parse_period({"year": "2025"}, today=DAY)
    assert (period.year, period.day) == (2025, D(2025, 12, 31))
    result = await figures.base_figures(ADMIN, world.bases["dsj"], year=period.year, day=period.day)
    # 2025: admitted B C E F J; G graduated; in incubation A B C E F G I J; cohort (≤ 31 Dec 2024) A G I,
    # all successful on 31 December 2025 (I left only in January 2026).
    assert (result.admitted, result.graduated, result.exited) == (5, 1, 0)
    assert result.check("startups_incubated").value == 8
    success = result.check("success_rate")
    assert parts(success) == (3, 3)
    assert success.value == Decimal("100.00") and success.met is True
    # Terms ending in 2025: G (31 Dec, left 30 Nov): on time.
    assert result.check("on_time_exit_rate").value == Decimal("100.00")
    assert result.check("on_time_exit_rate").met is True


async def test_it_compares_several_bases_with_a_fixed_number_of_queries(world: World, monkeypatch: pytest.MonkeyPatch):
    await build_dsj(world)
    await build_chamdo(world)
    bases = [world.bases["dsj"], world.bases["chamdo"], world.bases["qinghai"]]
    conn = connections.get("default")
    counted: list[str] = []
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(conn, name)

        def counting(sql: str, values: Any = None, *, _original: Any = original) -> Any:
            counted.append(sql)
            return _original(sql, values)

        monkeypatch.setattr(conn, name, counting)
    rows = await figures.region_figures(ADMIN, bases, year=YEAR, day=DAY)
    three = len(counted)
    counted.clear()
    await figures.region_figures(ADMIN, bases[:1], year=YEAR, day=DAY)
    assert three == len(counted) <= 7, counted
    assert [r.base.id for r in rows] == [b.id for b in bases]
    dsj, chamdo, qinghai = rows
    assert dsj.check("success_rate").value == Decimal("57.14")
    assert chamdo.check("success_rate").value == Decimal("100.00") and chamdo.check("success_rate").met is True
    assert chamdo.check("occupancy_units").value == Decimal("100.00") and chamdo.check("occupancy_area").met is True
    assert chamdo.check("startups_incubated").value == 1  # K left in 2025
    assert chamdo.check("on_time_exit_rate").value is None
    assert chamdo.by_status[StartupStatus.APPLIED] == 1 and chamdo.by_status[StartupStatus.INCUBATING] == 2
    assert qinghai.startups == 1 and qinghai.check("occupancy_units").value == Decimal("100.00")


async def test_it_compares_only_the_bases_a_bureau_sees(world: World):
    lhasa = principal(Role.BUREAU, region_code="540100")
    rows = await figures.region_figures(lhasa, list(world.bases.values()), year=YEAR, day=DAY)
    assert [r.base.id for r in rows] == [world.bases["dsj"].id]
    with pytest.raises(Forbidden):
        await figures.region_figures(principal(Role.OPERATOR, base_id=world.bases["dsj"].id), [], year=YEAR, day=DAY)
    with pytest.raises(Forbidden):
        await figures.base_figures(
            principal(Role.FOUNDER, startup_id=world.startups["dsj"].id), world.bases["dsj"], year=YEAR, day=DAY
        )


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("tenants.views.figures", "tenants.api.figures"):
        monkeypatch.setattr(f"{module}.today", lambda: DAY)


async def test_it_shows_the_figures_page_with_rules_standards_and_bars(
    login: Callable[[str], Awaitable[Browser]], world: World, fixed_today: None
):
    await build_dsj(world)
    operator = await login("operator_dsj")
    page = await operator.get(f"/bases/{world.bases['dsj'].id}/figures")
    assert page.status_code == 200
    html = page.text
    assert "2026年度，统计基准日2026年6月30日" in html
    assert "57.14%" in html and "(4 / 7)" in html  # success
    assert "33.33%" in html and "70%" in html and "60%" in html
    assert "70 m² / 100 m²" in html
    assert "≥ 60%" in html and "≥ 30" in html and "≥ 3 年" in html
    assert "未达标" in html and "达标" in html
    assert "待与正式文本核对" in html and "人力资源社会保障部" in html
    assert "实名制就业花名册" in html  # the jobs rule
    assert "统计范围：在基准日前至少 12 个月入孵的企业" in html  # the success rule
    assert '<meter class="bar"' in html and 'low="60.00"' in html
    assert 'id="flow-exited-unrecorded"' in html
    assert 'data-label="数值"' in html
    detail = await operator.get(f"/bases/{world.bases['dsj'].id}")
    assert f'href="/bases/{world.bases["dsj"].id}/figures"' in detail.text


async def test_it_lets_bureaus_and_the_admin_see_a_base_and_refuses_founders(
    login: Callable[[str], Awaitable[Browser]], world: World, fixed_today: None
):
    dsj = world.bases["dsj"].id
    for persona, status in [
        ("admin", 200),
        ("bureau_lhasa", 200),
        ("bureau_tibet", 200),
        ("bureau_chamdo", 404),
        ("operator_chamdo", 404),
        ("founder_dsj", 403),
        ("founder_chamdo", 404),
    ]:
        browser = await login(persona)
        assert (await browser.get(f"/bases/{dsj}/figures")).status_code == status, persona
    founder = await login("founder_dsj")
    assert "/figures" not in (await founder.get(f"/bases/{dsj}")).text
    bad = await (await login("operator_dsj")).get(f"/bases/{dsj}/figures?year=1999")
    assert bad.status_code == 422 and "请选择2000年至今年之间的年度" in bad.text


async def test_it_shows_a_bureau_its_regions_bases_side_by_side(
    login: Callable[[str], Awaitable[Browser]], world: World, fixed_today: None
):
    await build_dsj(world)
    await build_chamdo(world)
    names = {key: base.name for key, base in world.bases.items()}
    lhasa = await (await login("bureau_lhasa")).get("/region/figures")
    assert lhasa.status_code == 200
    assert names["dsj"] in lhasa.text and names["chamdo"] not in lhasa.text and names["qinghai"] not in lhasa.text
    tibet = await login("bureau_tibet")
    both = await tibet.get("/region/figures?year=2026")
    assert names["dsj"] in both.text and names["chamdo"] in both.text and names["qinghai"] not in both.text
    assert "57.14%" in both.text and "100%" in both.text and "✓ 达标" in both.text and "✗ 未达标" in both.text
    assert "孵化成功率" in both.text and "≥ 60%" in both.text
    first = await tibet.get("/region/figures?year=2026&limit=1")
    second = await tibet.get("/region/figures?year=2026&limit=1&offset=1")
    assert names["dsj"] in first.text and names["chamdo"] not in first.text
    assert names["chamdo"] in second.text and names["dsj"] not in second.text
    admin = await (await login("admin")).get("/region/figures")
    assert all(name in admin.text for name in names.values())
    for persona in ("operator_dsj", "founder_dsj"):
        assert (await (await login(persona)).get("/region/figures")).status_code == 403


async def test_it_serves_the_figures_as_json(token_for, world: World, fixed_today: None):
    await build_dsj(world)
    client = await token_for("operator_dsj")
    response = await client.get(f"/api/v1/bases/{world.bases['dsj'].id}/figures?year=2026")
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["day"], body["standard_level"]) == (2026, "2026-06-30", "national")
    assert body["startups_by_status"] == {"applied": 1, "incubating": 6, "graduated": 2, "exited": 3}
    assert body["admitted"] == 1
    assert body["left"]["exited_by_reason"]["abnormal"] == 1 and body["left"]["exits_without_reason"] == 1
    by_key = {f["key"]: f for f in body["figures"]}
    success = by_key["success_rate"]
    assert (success["value"], success["part"], success["whole"], success["met"]) == ("57.14", "4", "7", False)
    assert success["standard"]["minimum"] == "60.00" and success["standard"]["confirmed"] is False
    assert by_key["jobs_absorbed"]["value"] == "0" and by_key["jobs_absorbed"]["met"] is False
    assert by_key["years_operating"]["met"] is True
    assert set(body["rules"]) >= {"by_status", "admitted", "left", "success_rate", "on_time_exit_rate"}
    founder = await token_for("founder_dsj")
    assert (await founder.get(f"/api/v1/bases/{world.bases['dsj'].id}/figures")).status_code == 403
    other = await client.get(f"/api/v1/bases/{world.bases['chamdo'].id}/figures")
    assert other.status_code == 404
    bad = await client.get(f"/api/v1/bases/{world.bases['dsj'].id}/figures?year=abc")
    assert bad.status_code == 422 and "year" in bad.json()["error"]["fields"]
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert "BaseFigures" in spec["components"]["schemas"]
    assert "/api/v1/bases/{base_id}/figures" in spec["paths"]


STANDARD_FORM = {
    "level": "national",
    "measure": "success_rate",
    "minimum": "65",
    "effective_from": "2027-01-01",
    "source": "人社部 国家级创业孵化示范基地认定办法（2027年修订）",
    "confirmed": "1",
}


async def _standard_counts() -> tuple[int, int]:
    return await RecognitionStandard.all().count(), await AuditEvent.all().count()


async def test_it_lets_the_admin_add_a_dated_standard_version(login: Callable[[str], Awaitable[Browser]], world: World):
    admin = await login("admin")
    response = await admin.post("/admin/standards", STANDARD_FORM)
    assert response.status_code == 303 and response.headers["location"] == "/standards"
    row = await RecognitionStandard.get(measure="success_rate", effective_from=D(2027, 1, 1))
    assert (row.level, row.minimum, row.source, row.confirmed) == (
        BaseLevel.NATIONAL,
        Decimal("65.00"),
        STANDARD_FORM["source"],
        True,
    )
    event = await AuditEvent.get(action="standard.created")
    assert event.after["minimum"] == "65.00" and event.after["effective_from"] == "2027-01-01"
    assert event.object_id == str(row.id)
    page = await admin.get("/standards")
    assert "自2027年1月1日施行的标准版本已保存" in page.text
    assert "尚未施行" in page.text and "施行中" in page.text and STANDARD_FORM["source"] in page.text
    # Still 60 % today, 65 % from 2027 on.
    in_2027 = await figures.standards_in_force(BaseLevel.NATIONAL, D(2027, 1, 1))
    assert in_2027[StandardMeasure.SUCCESS_RATE].minimum == Decimal("65.00")


async def test_it_rejects_duplicate_and_bad_standard_versions_and_stores_nothing(
    login: Callable[[str], Awaitable[Browser]], world: World
):
    admin = await login("admin")
    operator = await login("operator_dsj")
    before = await _standard_counts()
    cases = [
        ({"effective_from": "2017-01-01"}, "effective_from", "该级别和指标在此日期已有一个版本"),
        ({"minimum": "abc"}, "minimum", "请输入数字"),
        ({"minimum": "-1"}, "minimum", ""),
        ({"minimum": "120"}, "minimum", "百分比不能超过 100"),
        ({"measure": "startups_incubated", "minimum": "30.5"}, "minimum", "该指标须为整数"),
        ({"level": "none"}, "level", "请选择认定级别"),
        ({"measure": "profit"}, "measure", "请从列出的选项中选择"),
        ({"source": ""}, "source", "必填"),
        ({"source": "文" * 301}, "source", "300"),
        ({"effective_from": "2027-13-01"}, "effective_from", "YYYY-MM-DD"),
    ]
    for change, field, text in cases:
        response = await admin.post("/admin/standards", {**STANDARD_FORM, **change})
        assert response.status_code == 422, change
        assert f'id="e-{field}"' in response.text, change
        assert text in response.text, (change, text)
        assert 'value="' + change.get("minimum", STANDARD_FORM["minimum"]) + '"' in response.text  # typed kept
    assert await _standard_counts() == before
    assert (await operator.post("/admin/standards", STANDARD_FORM)).status_code == 403
    assert await _standard_counts() == before


async def test_it_shows_every_role_the_standards_with_sources_and_history(
    login: Callable[[str], Awaitable[Browser]], world: World
):
    await RecognitionStandard.create(
        level=BaseLevel.NATIONAL,
        measure=StandardMeasure.UTILISATION,
        minimum=Decimal("85"),
        effective_from=D(2016, 1, 1),
        source="旧版认定条件",
        confirmed=True,
    )
    for persona in ("admin", "bureau_chamdo", "operator_dsj", "founder_chamdo"):
        page = await (await login(persona)).get("/standards")
        assert page.status_code == 200, persona
        assert "认定标准" in page.text and "人力资源社会保障部" in page.text and "待与正式文本核对" in page.text
        assert "旧版认定条件" in page.text and "已被取代" in page.text and "≥ 85%" in page.text
        assert ('action="/admin/standards"' in page.text) is (persona == "admin"), persona


async def test_it_counts_jobs_absorbed_from_the_roster_once_per_person(world: World):
    from tests.tenants.test_jobcounts import _person, employ

    shared, other, rejected = await _person(1), await _person(2), await _person(3)
    await employ(world.startups["dsj"], shared, dt.date(2025, 3, 1))
    await employ(world.startups["dsj_sibling"], shared, dt.date(2025, 5, 1))
    await employ(world.startups["dsj"], other, dt.date(2024, 1, 1), dt.date(2025, 1, 1))  # left on 1 January
    await employ(world.startups["dsj"], rejected, dt.date(2025, 3, 1), verified="rejected")
    await employ(world.startups["dsj"], await _person(4), dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    result = await figures.base_figures(ADMIN, world.bases["dsj"], year=2025, day=dt.date(2025, 12, 31))
    assert result.check("jobs_absorbed").value == 2
