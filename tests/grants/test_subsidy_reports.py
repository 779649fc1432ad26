"""The subsidy dashboard and ledger: exact sums by policy, base and month, Beijing-time months,
the last approval counting, role scoping, the charts and tables on the page, the .xlsx files and the API."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from grants.forms.subsidy_reports import LedgerQuery
from grants.models import (
    Application,
    ApplicationEvent,
    AppState,
    Claim,
    Evidence,
    Objection,
    Policy,
    PolicyKind,
    PolicyVersion,
)
from grants.services import subsidy_reports as service
from incubator.errors import Forbidden
from incubator.formatting import CHINA, today
from incubator.models import AuditEvent
from tests.personas import World, principal_of

GRANT, RENT, LOAN = PolicyKind.STARTUP_GRANT, PolicyKind.RENT_SUBSIDY, PolicyKind.LOAN_INTEREST
# A county no other part of the test world gives a policy.
COUNTY = "540103"


def beijing(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment given in Beijing time, stored as UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA).astimezone(dt.UTC)


async def _version(kind: PolicyKind) -> PolicyVersion:
    policy = await Policy.get_or_none(region_id=COUNTY, kind=kind)
    if policy is None:
        policy = await Policy.create(kind=kind, region_id=COUNTY, name=f"test {kind.value}", issuing_body="人社局")
    version = await PolicyVersion.filter(policy_id=policy.id).first()
    if version is None:
        version = await PolicyVersion.create(policy=policy, valid_from=dt.date(2020, 1, 1), params={}, sources={})
    return version


async def _app(
    world: World,
    startup_key: str,
    kind: PolicyKind,
    state: AppState,
    computed: str,
    *,
    approved: str | None = None,
    submitted: dt.datetime | None = None,
    approvals: tuple[dt.datetime, ...] = (),
    paid_on: dt.date | None = None,
    waiting_since: dt.datetime | None = None,
) -> Application:
    version = await _version(kind)
    startup = world.startups[startup_key]
    base = world.bases[startup_key.removesuffix("_sibling")]
    app = await Application.create(
        policy_id=version.policy_id,
        version=version,
        kind=kind,
        startup=startup,
        base_id=base.id,
        region_code=base.region_id,
        state=state,
        computed_amount=Decimal(computed),
        approved_amount=Decimal(approved) if approved else None,
        submitted_at=submitted,
        state_changed_at=waiting_since or (approvals[-1] if approvals else submitted),
        paid_on=paid_on,
        period_start=dt.date(2024, 1, 1) if kind is RENT else None,
        period_end=dt.date(2024, 12, 31) if kind is RENT else None,
    )
    for moment in approvals:
        await ApplicationEvent.create(
            application=app,
            from_state=AppState.FORWARDED,
            to_state=AppState.APPROVED,
            amount=app.approved_amount,
            at=moment,
        )
    return app


@pytest.fixture
async def ledger(world: World) -> dict[str, Application]:
    """Applications in every state over 2024 and 2025, in the three bases.

    The world's own applications are removed first, so that every sum below is exact.
    """
    for model in (Objection, Evidence, Claim, ApplicationEvent):
        await model.all().delete()
    await Application.all().delete()
    apps = {
        "a1": await _app(
            world, "dsj", GRANT, AppState.PAID, "120000.00", approved="120000.00",
            submitted=beijing(2025, 1, 10), approvals=(beijing(2025, 2, 20),), paid_on=dt.date(2025, 3, 15),
        ),
        # Approved 00:30 on 1 April in Beijing, still 31 March in UTC: an April approval.
        "a2": await _app(
            world, "dsj_sibling", RENT, AppState.IN_NOTICE, "20000.00", approved="18000.00",
            submitted=beijing(2025, 2, 5), approvals=(beijing(2025, 4, 1, 0, 30),),
        ),
        "a3": await _app(
            world, "dsj", RENT, AppState.FORWARDED, "15000.50",
            submitted=beijing(2025, 3, 2), waiting_since=beijing(2025, 3, 5),
        ),
        # Submitted 07:00 on 1 February in Beijing, still 31 January in UTC: a February application.
        "a4": await _app(
            world, "chamdo", GRANT, AppState.PAID, "180000.00", approved="180000.00",
            submitted=beijing(2025, 2, 1, 7), approvals=(beijing(2025, 3, 10),), paid_on=dt.date(2025, 4, 2),
        ),
        # Approved in April, sent back by an objection, approved again in May: May counts.
        "a5": await _app(
            world, "chamdo_sibling", RENT, AppState.APPROVED, "20000.00", approved="20000.00",
            submitted=beijing(2025, 3, 20), approvals=(beijing(2025, 4, 10), beijing(2025, 5, 6)),
        ),
        "a6": await _app(
            world, "chamdo", LOAN, AppState.SUBMITTED, "3456.78",
            submitted=beijing(2025, 5, 1), waiting_since=beijing(2025, 5, 1),
        ),
        "a7": await _app(world, "dsj", GRANT, AppState.DRAFT, "60000.00"),
        "a8": await _app(
            world, "chamdo_sibling", GRANT, AppState.WITHDRAWN, "60000.00", submitted=beijing(2025, 2, 10),
        ),
        "a9": await _app(world, "dsj_sibling", GRANT, AppState.REJECTED, "60000.00", submitted=beijing(2025, 6, 1)),
        "a10": await _app(
            world, "qinghai", RENT, AppState.PAID, "10000.00", approved="10000.00",
            submitted=beijing(2025, 1, 5), approvals=(beijing(2025, 1, 20),), paid_on=dt.date(2025, 2, 1),
        ),
        "a11": await _app(
            world, "dsj", RENT, AppState.PAID, "15000.00", approved="15000.00",
            submitted=beijing(2024, 3, 1), approvals=(beijing(2024, 4, 1),), paid_on=dt.date(2024, 12, 31),
        ),
        # Applied and approved in 2024, paid in 2025.
        "a12": await _app(
            world, "dsj", RENT, AppState.PAID, "12000.00", approved="12000.00",
            submitted=beijing(2024, 11, 1), approvals=(beijing(2024, 12, 20),), paid_on=dt.date(2025, 1, 8),
        ),
    }  # fmt: skip
    return apps


def amounts(row: service.FigureRow) -> tuple[Any, ...]:
    return tuple((row.of(m).count, row.of(m).amount) for m in service.MEASURES)


def D(text: str) -> Decimal:
    return Decimal(text)


# --- the figures ------------------------------------------------------------------------------


async def test_it_sums_money_by_policy_for_the_admin(world: World, ledger):
    admin = await principal_of(world, "admin")
    rows = {r.key: amounts(r) for r in await service.figures(admin, 2025, "policy")}
    assert rows == {
        "startup_grant": ((3, D("360000.00")), (2, D("300000.00")), (2, D("300000.00"))),
        "rent_subsidy": ((4, D("65000.50")), (3, D("48000.00")), (2, D("22000.00"))),
        "loan_interest": ((1, D("3456.78")), (0, D("0.00")), (0, D("0.00"))),
    }
    board = await service.dashboard(admin, 2025)
    assert amounts(board.total) == ((8, D("428457.28")), (5, D("348000.00")), (4, D("322000.00")))


async def test_it_sums_money_by_base(world: World, ledger):
    admin = await principal_of(world, "admin")
    rows = {r.label: amounts(r) for r in await service.figures(admin, 2025, "base")}
    assert rows == {
        "拉萨市第三极众创空间": ((4, D("215000.50")), (2, D("138000.00")), (2, D("132000.00"))),
        "昌都市大学生创客社区": ((3, D("203456.78")), (2, D("200000.00")), (1, D("180000.00"))),
        "西宁青创空间": ((1, D("10000.00")), (1, D("10000.00")), (1, D("10000.00"))),
    }


async def test_it_sums_money_by_beijing_month(world: World, ledger):
    admin = await principal_of(world, "admin")
    rows = await service.figures(admin, 2025, "month")
    assert [r.key for r in rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    by_month = {r.key[-2:]: amounts(r) for r in rows if any(r.of(m).count for m in service.MEASURES)}
    none = (0, D("0.00"))
    assert by_month == {
        "01": ((2, D("130000.00")), (1, D("10000.00")), (1, D("12000.00"))),
        "02": ((2, D("200000.00")), (1, D("120000.00")), (1, D("10000.00"))),
        "03": ((2, D("35000.50")), (1, D("180000.00")), (1, D("120000.00"))),
        "04": (none, (1, D("18000.00")), (1, D("180000.00"))),
        "05": ((1, D("3456.78")), (1, D("20000.00")), none),
        "06": ((1, D("60000.00")), none, none),
    }


async def test_it_counts_another_year_apart(world: World, ledger):
    admin = await principal_of(world, "admin")
    board = await service.dashboard(admin, 2024)
    assert amounts(board.total) == ((2, D("27000.00")), (2, D("27000.00")), (1, D("15000.00")))
    assert amounts(board.by_month[11]) == ((0, D("0.00")), (1, D("12000.00")), (1, D("15000.00")))


async def test_it_scopes_figures_to_the_bureaus_region(world: World, ledger):
    lhasa = await principal_of(world, "bureau_lhasa")
    board = await service.dashboard(lhasa, 2025)
    assert [r.label for r in board.by_base] == ["拉萨市第三极众创空间"]
    assert amounts(board.total) == ((4, D("215000.50")), (2, D("138000.00")), (2, D("132000.00")))
    tibet = await principal_of(world, "bureau_tibet")
    board = await service.dashboard(tibet, 2025)
    assert [r.label for r in board.by_base] == ["拉萨市第三极众创空间", "昌都市大学生创客社区"]
    assert board.total.paid.amount == D("312000.00")


async def test_it_scopes_figures_to_the_operators_base(world: World, ledger):
    operator = await principal_of(world, "operator_chamdo")
    board = await service.dashboard(operator, 2025)
    assert [r.label for r in board.by_base] == ["昌都市大学生创客社区"]
    assert amounts(board.total) == ((3, D("203456.78")), (2, D("200000.00")), (1, D("180000.00")))
    assert [(q.state, q.count) for q in board.queue] == [(AppState.SUBMITTED, 1), (AppState.FORWARDED, 0)]


async def test_it_refuses_the_figures_to_founders(world: World, ledger):
    founder = await principal_of(world, "founder_dsj")
    with pytest.raises(Forbidden):
        await service.dashboard(founder, 2025)


async def test_it_ages_the_review_queues(world: World, ledger):
    admin = await principal_of(world, "admin")
    queue = {q.state: q for q in await service.review_queue(admin)}
    assert queue[AppState.SUBMITTED].count == 1
    assert queue[AppState.SUBMITTED].oldest_days == (today() - dt.date(2025, 5, 1)).days
    assert queue[AppState.FORWARDED].count == 1
    assert queue[AppState.FORWARDED].oldest_days == (today() - dt.date(2025, 3, 5)).days
    lhasa = await principal_of(world, "bureau_lhasa")
    queue = {q.state: q for q in await service.review_queue(lhasa)}
    assert queue[AppState.SUBMITTED].count == 0 and queue[AppState.SUBMITTED].oldest_days is None
    assert queue[AppState.FORWARDED].count == 1


# --- the dashboard page -----------------------------------------------------------------------


def _cell(html: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, flags=re.S)
    assert found, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


async def test_it_shows_charts_and_tables_on_the_dashboard(world: World, ledger, login):
    browser = await login("bureau_tibet")
    page = await browser.get("/subsidies/dashboard?year=2025")
    assert page.status_code == 200
    html = page.text
    assert _cell(html, "table-policy-startup_grant") == (
        "一次性创业补贴 ¥360,000.00 3项申请 ¥300,000.00 2项申请 ¥300,000.00 2项申请"
    )
    assert _cell(html, "table-month-2025-04") == "2025年4月 ¥0.00 0项申请 ¥18,000.00 1项申请 ¥180,000.00 1项申请"
    assert "西宁青创空间" not in html and "¥10,000.00" not in html
    # Three server-drawn charts, each titled, with words on every bar.
    assert html.count('role="img"') == 3
    assert '<title id="chart-month-title">按月份</title>' in html
    assert "<title>一次性创业补贴 · 已拨付：¥300,000.00（2项）</title>" in html
    assert '<rect x="190" y="8" width="320" height="10" fill="#8b95a3">' in html
    assert "<script" not in html.split("<main", 1)[1]
    assert re.search(r'id="queue-forwarded">\s*1项申请 · 最早的已等待\d+天', html)
    await browser.post("/language", {"locale": "en"})
    english = (await browser.get("/subsidies/dashboard?year=2025")).text
    assert _cell(english, "table-base-1").startswith("拉萨市第三极众创空间 CN¥215,000.50 4 applications")
    assert "<title>One-time start-up grant · Paid: CN¥300,000.00 (2)</title>" in english


async def test_it_scopes_the_dashboard_page(world: World, ledger, login):
    lhasa = await login("bureau_lhasa")
    html = (await lhasa.get("/subsidies/dashboard?year=2025")).text
    assert "昌都市大学生创客社区" not in html and "¥203,456.78" not in html and "¥3,456.78" not in html
    assert _cell(html, "table-policy-total").startswith("合计 ¥215,000.50 4项申请")
    operator = await login("operator_dsj")
    html = (await operator.get("/subsidies/dashboard?year=2025")).text
    assert "昌都市大学生创客社区" not in html and "¥3,456.78" not in html
    founder = await login("founder_dsj")
    assert (await founder.get("/subsidies/dashboard")).status_code == 403
    assert (await founder.get("/subsidies/dashboard.xlsx")).status_code == 403


@pytest.mark.parametrize("year", ["1999", "abc", "3000"])
async def test_it_refuses_a_wrong_year(world: World, ledger, login, year: str):
    browser = await login("admin")
    before = await AuditEvent.all().count()
    response = await browser.get(f"/subsidies/dashboard?year={year}")
    assert response.status_code == 422
    assert "请修正标出的错误项。" in response.text and "请输入" in response.text
    assert await AuditEvent.all().count() == before


async def test_it_exports_the_dashboard(world: World, ledger, login):
    browser = await login("admin")
    response = await browser.get("/subsidies/dashboard.xlsx?year=2025")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按政策 2025", "按基地 2025", "按月份 2025", "审核队列"]
    rows = list(book["按政策 2025"].iter_rows(values_only=True))
    assert rows[0][:3] == ("政策", "申报数", "申报金额")
    assert rows[1] == ("一次性创业补贴", 3, 360000, 2, 300000, 2, 300000)
    assert rows[2] == ("房租补贴", 4, 65000.5, 3, 48000, 2, 22000)
    assert rows[4] == ("合计", 8, 428457.28, 5, 348000, 4, 322000)
    months = list(book["按月份 2025"].iter_rows(values_only=True))
    assert months[2] == ("2025年2月", 2, 200000, 1, 120000, 1, 10000)
    bases = list(book["按基地 2025"].iter_rows(values_only=True))
    assert [r[0] for r in bases[1:]] == ["拉萨市第三极众创空间", "昌都市大学生创客社区", "西宁青创空间", "合计"]
    queue = list(book["审核队列"].iter_rows(values_only=True))
    assert queue[1][:2] == ("待基地初审", 1) and queue[2][:2] == ("待人社局审核", 1)


async def test_it_exports_only_the_operators_base(world: World, ledger, login):
    browser = await login("operator_dsj")
    response = await browser.get("/subsidies/dashboard.xlsx?year=2025")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    bases = list(book["按基地 2025"].iter_rows(values_only=True))
    assert bases[1:] == [
        ("拉萨市第三极众创空间", 4, 215000.5, 2, 138000, 2, 132000),
        ("合计", 4, 215000.5, 2, 138000, 2, 132000),
    ]


# --- the ledger -------------------------------------------------------------------------------


async def test_it_lists_paid_and_approved_subsidies_in_the_ledger(world: World, ledger):
    admin = await principal_of(world, "admin")
    rows = await service.ledger_rows(admin, LedgerQuery())
    assert [a.id for a in rows] == [ledger[k].id for k in ("a12", "a11", "a10", "a5", "a4", "a2", "a1")]
    total = await service.ledger_total(admin, LedgerQuery())
    assert (total.count, total.paid, total.unpaid) == (7, D("337000.00"), D("38000.00"))


async def test_it_files_a_subsidy_under_its_payment_year_or_approval_year(world: World, ledger):
    admin = await principal_of(world, "admin")
    in_2025 = await service.ledger_rows(admin, LedgerQuery(year=2025))
    assert {a.id for a in in_2025} == {ledger[k].id for k in ("a1", "a2", "a4", "a5", "a10", "a12")}
    total = await service.ledger_total(admin, LedgerQuery(year=2025))
    assert (total.count, total.paid, total.unpaid) == (6, D("322000.00"), D("38000.00"))
    in_2024 = await service.ledger_rows(admin, LedgerQuery(year=2024))
    assert [a.id for a in in_2024] == [ledger["a11"].id]


async def test_it_totals_the_ledger_per_startup_base_and_region(world: World, ledger):
    admin = await principal_of(world, "admin")
    query = LedgerQuery(year=2025)
    by_startup = {t.label: (t.count, t.paid, t.unpaid) for t in await service.ledger_totals(admin, query, "startup")}
    assert by_startup == {
        "拉萨雪域青稞文创有限公司": (2, D("132000.00"), D("0.00")),
        "拉萨格桑花电商创业团队": (1, D("0.00"), D("18000.00")),
        "昌都童心课后托管服务有限公司": (1, D("180000.00"), D("0.00")),
        "卡若区藏香制作合作社": (1, D("0.00"), D("20000.00")),
        "西宁牦牛绒创业有限公司": (1, D("10000.00"), D("0.00")),
    }
    by_base = {t.label: t.amount for t in await service.ledger_totals(admin, query, "base")}
    assert by_base == {
        "拉萨市第三极众创空间": D("150000.00"),
        "昌都市大学生创客社区": D("200000.00"),
        "西宁青创空间": D("10000.00"),
    }
    by_region = {t.key: (t.label, t.paid, t.unpaid) for t in await service.ledger_totals(admin, query, "region")}
    assert by_region == {
        "540102": ("城关区", D("132000.00"), D("18000.00")),
        "540302": ("卡若区", D("180000.00"), D("20000.00")),
        "630102": ("城东区", D("10000.00"), D("0.00")),
    }
    assert await service.ledger_groups(admin, query, "startup") == 5


async def test_it_filters_the_ledger(world: World, ledger):
    admin = await principal_of(world, "admin")
    chamdo = await service.ledger_rows(admin, LedgerQuery(region_code="540300"))
    assert {a.id for a in chamdo} == {ledger["a4"].id, ledger["a5"].id}
    grants = await service.ledger_rows(admin, LedgerQuery(kind=GRANT))
    assert {a.id for a in grants} == {ledger["a1"].id, ledger["a4"].id}
    sibling = await service.ledger_rows(admin, LedgerQuery(startup_id=world.startups["dsj_sibling"].id))
    assert [a.id for a in sibling] == [ledger["a2"].id]
    base = await service.ledger_total(admin, LedgerQuery(base_id=world.bases["qinghai"].id))
    assert (base.count, base.paid) == (1, D("10000.00"))


async def test_it_scopes_the_ledger_by_role(world: World, ledger):
    lhasa = await principal_of(world, "bureau_lhasa")
    total = await service.ledger_total(lhasa, LedgerQuery())
    assert (total.count, total.paid, total.unpaid) == (4, D("147000.00"), D("18000.00"))
    # Asking for Chamdo's region or a Chamdo startup shows nothing, not an error.
    assert await service.ledger_rows(lhasa, LedgerQuery(region_code="540300")) == []
    assert await service.ledger_rows(lhasa, LedgerQuery(startup_id=world.startups["chamdo"].id)) == []
    founder = await principal_of(world, "founder_dsj")
    mine = await service.ledger_rows(founder, LedgerQuery())
    assert [a.id for a in mine] == [ledger[k].id for k in ("a12", "a11", "a1")]
    operator = await principal_of(world, "operator_chamdo")
    assert {t.label for t in await service.ledger_totals(operator, LedgerQuery(), "startup")} == {
        "昌都童心课后托管服务有限公司",
        "卡若区藏香制作合作社",
    }


async def test_it_shows_the_ledger_page(world: World, ledger, login):
    browser = await login("bureau_tibet")
    page = await browser.get("/subsidies/ledger?year=2025")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'id="total-paid">¥312,000.00<', html)
    assert re.search(r'id="total-unpaid">¥38,000.00<', html)
    row = _cell(html, f"ledger-{ledger['a2'].id}")
    assert "拉萨格桑花电商创业团队" in row and "¥18,000.00" in row and "已批准，尚未拨付" in row
    assert "已拨付 2025年3月15日" in _cell(html, f"ledger-{ledger['a1'].id}")
    assert _cell(html, "totals-region-540302") == "卡若区 2 ¥180,000.00 ¥20,000.00 ¥200,000.00"
    assert "西宁" not in html
    assert 'href="/subsidies/ledger.xlsx?year=2025"' in html
    founder = await login("founder_chamdo")
    mine = await founder.get("/subsidies/ledger")
    assert mine.status_code == 200
    assert "昌都童心课后托管服务有限公司" in mine.text and "卡若区藏香制作合作社" not in mine.text
    assert 'id="f-base"' not in mine.text and 'id="f-startup"' not in mine.text


async def test_it_pages_the_ledger(world: World, ledger, login):
    browser = await login("admin")
    first = await browser.get("/subsidies/ledger?limit=3")
    assert first.text.count('<tr id="ledger-') == 3
    assert "?offset=3&amp;limit=3" in first.text or "offset=3&limit=3" in first.text
    rest = await browser.get("/subsidies/ledger?limit=3&offset=6")
    assert rest.text.count('<tr id="ledger-') == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=1800", "year"), ("kind=lottery", "kind"), ("region=54", "region"), ("startup=x", "startup")],
)
async def test_it_refuses_wrong_ledger_filters(world: World, ledger, login, token_for, query: str, field: str):
    browser = await login("admin")
    response = await browser.get(f"/subsidies/ledger?{query}")
    assert response.status_code == 422
    assert 'id="ledger"' not in response.text
    client = await token_for("admin")
    api = await client.get(f"/api/v1/subsidy-ledger?{query}")
    assert api.status_code == 422
    assert field in api.json()["error"]["fields"]


async def test_it_exports_the_ledger(world: World, ledger, login):
    browser = await login("bureau_lhasa")
    response = await browser.get("/subsidies/ledger.xlsx?year=2025")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["补贴台账", "按企业", "按基地", "按地区"]
    rows = list(book["补贴台账"].iter_rows(values_only=True))
    assert rows[0][0] == "申请编号"
    assert [r[1] for r in rows[1:]] == [
        "拉萨雪域青稞文创有限公司",
        "拉萨格桑花电商创业团队",
        "拉萨雪域青稞文创有限公司",
    ]
    assert rows[2][3:5] == ("540102", "房租补贴") and rows[2][7] == 18000 and rows[2][8] == "已批准，尚未拨付"
    assert rows[3][9] == dt.datetime(2025, 3, 15)
    regions = list(book["按地区"].iter_rows(values_only=True))
    assert regions[1:] == [("城关区", 3, 132000, 18000, 150000), ("合计", 3, 132000, 18000, 150000)]


# --- the API ----------------------------------------------------------------------------------


async def test_it_answers_figures_through_the_api(world: World, ledger, token_for):
    client = await token_for("bureau_tibet")
    response = await client.get("/api/v1/subsidy-figures?year=2025&by=month", headers={"accept-language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2025 and body["by"] == "month" and body["total"] == 12
    march = body["items"][2]
    assert march == {
        "key": "2025-03",
        "label": "Mar 2025",
        "applied": {"count": 2, "amount": "35000.50"},
        "approved": {"count": 1, "amount": "180000.00"},
        "paid": {"count": 1, "amount": "120000.00"},
    }
    assert body["totals"]["paid"] == {"count": 3, "amount": "312000.00"}
    assert {q["state"]: q["count"] for q in body["queue"]} == {"submitted": 1, "forwarded": 1}
    assert "last approval" in body["definitions"]["approved"]
    by_policy = (await client.get("/api/v1/subsidy-figures?year=2025&limit=1&offset=1")).json()
    assert by_policy["total"] == 3 and [r["key"] for r in by_policy["items"]] == ["rent_subsidy"]
    assert (await client.get("/api/v1/subsidy-figures?by=week")).status_code == 422
    founder = await token_for("founder_dsj")
    assert (await founder.get("/api/v1/subsidy-figures")).status_code == 403


async def test_it_answers_the_ledger_through_the_api(world: World, ledger, token_for):
    client = await token_for("operator_chamdo")
    body = (await client.get("/api/v1/subsidy-ledger?year=2025")).json()
    assert body["total"] == 2 and body["totals"] == {"count": 2, "paid": "180000.00", "unpaid": "20000.00"}
    first = body["items"][0]
    assert first["application_id"] == ledger["a5"].id and first["paid"] is False and first["amount"] == "20000.00"
    assert first["kind"] == "rent_subsidy" and first["period_start"] == "2024-01-01"
    founder = await token_for("founder_dsj")
    mine = (await founder.get("/api/v1/subsidy-ledger?limit=1")).json()
    assert mine["total"] == 3 and len(mine["items"]) == 1 and mine["totals"]["paid"] == "147000.00"


async def test_it_documents_the_api(app, api):
    document = (await api.get("/api/v1/openapi.json")).json()
    figures = document["paths"]["/api/v1/subsidy-figures"]["get"]
    assert {p["name"] for p in figures["parameters"]} >= {"year", "by", "limit", "offset"}
    ledger_doc = document["paths"]["/api/v1/subsidy-ledger"]["get"]
    assert {p["name"] for p in ledger_doc["parameters"]} >= {"year", "kind", "base", "startup", "region"}
    assert "SubsidyLedgerEntry" in document["components"]["schemas"]
