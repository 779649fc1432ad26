"""Public notices (公示): the period in working days, masked names, stale applications, objections,
the public page and its PDF, roles, the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.forms.notices import NoticeInput, ObjectionInput
from grants.models import (
    Application,
    ApplicationEvent,
    AppState,
    NoticeState,
    Objection,
    Policy,
    PolicyKind,
    PolicyVersion,
    PublicNotice,
    RegionHoliday,
)
from grants.services import notices as service
from incubator import formatting
from incubator.errors import Conflict, ValidationFailed
from incubator.identifiers import compose_id_number
from incubator.models import AuditEvent, Notification
from tenants.models import Founder, FounderRole
from tests.personas import World, create_person, principal_of

FRIDAY = dt.date(2026, 9, 25)  # 中秋节, the last working week before National Day
COUNTY = {"dsj": "540102", "chamdo": "540302", "qinghai": "630102"}
BUREAU_OF = {"dsj": "bureau_lhasa", "chamdo": "bureau_chamdo"}


def on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Make `day` today for the services, forms and pages."""
    monkeypatch.setattr(formatting, "today", lambda: day)


async def grant_version(region: str) -> PolicyVersion:
    policy = await Policy.get_or_none(region_id=region, kind=PolicyKind.STARTUP_GRANT)
    if policy is None:
        policy = await Policy.create(
            kind=PolicyKind.STARTUP_GRANT, region_id=region, name="一次性创业补贴", issuing_body="人社局"
        )
    version = await PolicyVersion.filter(policy_id=policy.id).first()
    return version or await PolicyVersion.create(policy=policy, valid_from=dt.date(2019, 1, 1), params={}, sources={})


async def approved(
    world: World,
    key: str = "chamdo",
    amount: str = "180000.00",
    *,
    approved_on: dt.date = dt.date(2026, 9, 20),
    kind: PolicyKind = PolicyKind.STARTUP_GRANT,
) -> Application:
    """An approved application of the startup `key`, as the review leaves it."""
    startup = world.startups[key]
    base_key = key.removesuffix("_sibling")
    version = await grant_version(COUNTY[base_key])
    return await Application.create(
        policy_id=version.policy_id,
        version=version,
        kind=kind,
        startup=startup,
        base_id=startup.base_id,
        region_code=COUNTY[base_key],
        state=AppState.APPROVED,
        computed_amount=Decimal(amount),
        approved_amount=Decimal(amount),
        payee_name=startup.name,
        payee_bank="中国农业银行昌都分行",
        payee_account="6228481234567890123",
        created_by_id=world.users["operator_chamdo"].id,
        state_changed_at=dt.datetime.combine(approved_on, dt.time(2, 0), tzinfo=dt.UTC),
    )


async def three_graduates(world: World) -> None:
    """The Chamdo company of three graduates: 阿琼 (legal representative), 洛桑多吉 and 扎西."""
    startup = world.startups["chamdo"]
    for name, sequence in (("洛桑多吉", 51), ("扎西", 53)):
        person = await create_person(name, compose_id_number("540302", dt.date(2000, 5, 1), sequence))
        await Founder.create(startup=startup, person=person, role=FounderRole.PARTNER, joined_on=dt.date(2023, 1, 1))


async def published(
    world: World, apps: list[Application], *, day: dt.date = FRIDAY, days: int = 5, officer: str = "bureau_chamdo"
) -> PublicNotice:
    principal = await principal_of(world, officer)
    data = NoticeInput(tuple(a.id for a in apps), "", day, days, "昌都市人社局就业科 0895-4821234")
    return await service.publish(principal, data)


# -- the period ----------------------------------------------------------------------------


async def test_it_counts_five_working_days_over_mid_autumn_and_national_day(world: World, monkeypatch):
    on(monkeypatch, FRIDAY)
    await three_graduates(world)
    app = await approved(world)
    notice = await published(world, [app])
    # 9-25…27 中秋节; 9-28, 9-29, 9-30; 10-1…7 国庆节; 10-8, 10-9: the fifth working day.
    assert notice.ends_on == dt.date(2026, 10, 9)
    assert (notice.published_on, notice.working_days, notice.calendar_note) == (FRIDAY, 5, "")
    assert notice.title == "昌都市2026年第1批创业补贴公示"
    assert notice.region_code == "540300" and notice.bureau_id == world.bureaus["chamdo"].id
    [entry] = notice.entries
    assert entry == {
        "position": 1,
        "application_id": app.id,
        "reference": app.reference,
        "startup": "昌都童心课后托管服务有限公司",
        "founders": "阿*、洛***、扎*",
        "policy": "一次性创业补贴",
        "kind": "startup_grant",
        "base": "昌都市大学生创客社区",
        "amount": "180000.00",
    }
    app = await Application.get(id=app.id)
    assert (app.state, app.notice_id, app.row_version) == (AppState.IN_NOTICE, notice.id, 2)
    event = await ApplicationEvent.get(application_id=app.id)
    assert (event.from_state, event.to_state) == (AppState.APPROVED, AppState.IN_NOTICE)
    actions = await AuditEvent.all().order_by("seq").values_list("action", flat=True)
    assert actions == ["application.in_notice", "notice.published"]
    news = await Notification.filter(msgid__contains="public notice").values_list("params", flat=True)
    assert news and all(p["until"] == "2026-10-09" for p in news)  # type: ignore[index]
    second = await published(world, [await approved(world, "chamdo_sibling", "60000.00")])
    assert second.title == "昌都市2026年第2批创业补贴公示"


async def test_a_regional_holiday_of_the_region_or_above_extends_the_period(world: World, monkeypatch):
    on(monkeypatch, FRIDAY)
    await RegionHoliday.create(
        region_id="540000", name="雪顿节", starts_on=dt.date(2026, 10, 8), ends_on=dt.date(2026, 10, 9)
    )
    await RegionHoliday.create(
        region_id="630000", name="青海的节日", starts_on=dt.date(2026, 9, 28), ends_on=dt.date(2026, 9, 30)
    )
    notice = await published(world, [await approved(world)])
    # 9-28, 9-29, 9-30; 10-8 and 10-9 are Tibet's days off; Saturday 10-10 is a make-up working day; 10-12.
    assert notice.ends_on == dt.date(2026, 10, 12)


async def test_it_says_when_the_calendar_of_a_year_is_not_known_yet(world: World, monkeypatch):
    day = dt.date(2026, 12, 28)
    on(monkeypatch, day)
    notice = await published(world, [await approved(world)], day=day)
    # 12-28…31, then Friday 2027-01-01 counted as a weekday: 2027's holidays are not published yet.
    assert (notice.ends_on, notice.calendar_note) == (dt.date(2027, 1, 1), "2027")
    assert (await service.public_notice(notice.id)).calendar_note == "2027"


def test_it_masks_names_keeping_the_first_character():
    assert service.mask_name("阿琼") == "阿*"
    assert service.mask_name("洛桑多吉") == "洛***"
    assert service.mask_name("扎西·次仁") == "扎*·**"
    assert service.mask_name(" 王 ") == "王"
    assert service.mask_name("") == ""


# -- refusals ------------------------------------------------------------------------------


async def test_a_stale_application_fails_the_whole_publication(world: World, login, monkeypatch):
    on(monkeypatch, FRIDAY)
    first, second = await approved(world), await approved(world, "chamdo_sibling", "60000.00")
    # Someone returned the second one meanwhile.
    await Application.filter(id=second.id).update(state=AppState.RETURNED, row_version=2)
    officer = await login("bureau_chamdo")
    before = (await AuditEvent.all().count(), await Notification.all().count())
    with pytest.raises(Conflict):
        await published(world, [first, second])
    form = {
        "selection": "chosen",
        "application_ids": [str(first.id), str(second.id)],
        "published_on": FRIDAY.isoformat(),
        "working_days": "5",
        "contact": "就业科",
    }
    response = await officer.post("/notices", form)
    assert response.status_code == 409
    assert second.reference in response.text and "已退回申请人" in response.text
    assert not await PublicNotice.filter(published_on=FRIDAY).exists()
    assert (await Application.get(id=first.id)).state == AppState.APPROVED
    assert (await Application.get(id=first.id)).notice_id is None
    assert (await AuditEvent.all().count(), await Notification.all().count()) == before
    assert not await ApplicationEvent.filter(application_id__in=[first.id, second.id]).exists()


async def test_it_refuses_bad_notices_and_changes_nothing(world: World, login, monkeypatch):
    on(monkeypatch, FRIDAY)
    officer = await login("bureau_chamdo")
    logged = await AuditEvent.all().count()
    nothing = await officer.post("/notices", {"contact": "就业科"})
    assert nothing.status_code == 422 and "没有已批准、等待公示的申请" in nothing.text
    app = await approved(world)
    lhasa_app = await approved(world, "dsj")
    base = {"selection": "chosen", "application_ids": [str(app.id)], "published_on": "2026-09-25", "contact": "就业科"}
    cases = {
        "published_on": ({"published_on": "2026-09-24"}, "公示日期不能早于今天"),
        "working_days": ({"working_days": "31"}, "请输入 1 至 30 之间的数字"),
        "contact": ({"contact": ""}, "此项为必填项"),
        "application_ids": ({"application_ids": []}, "请至少选择一个申请"),
    }
    for name, (change, text) in cases.items():
        response = await officer.post("/notices", {**base, **change})
        assert response.status_code == 422, name
        assert text in response.text, (name, response.text[-3000:])
    foreign = await officer.post("/notices", {**base, "application_ids": [str(lhasa_app.id)]})
    assert foreign.status_code == 422 and "请从列出的申请中选择" in foreign.text
    # Approved on 9-20 in Beijing time: a notice cannot start before that.
    late = await approved(world, "chamdo_sibling", approved_on=dt.date(2026, 9, 28))
    early = await officer.post("/notices", {**base, "application_ids": [str(app.id), str(late.id)]})
    assert early.status_code == 422 and late.reference in early.text
    assert not await PublicNotice.filter(published_on__gte=FRIDAY).exists()
    assert await AuditEvent.all().count() == logged
    assert (await Application.get(id=app.id)).state == AppState.APPROVED


async def test_operators_and_founders_cannot_publish_and_other_bureaus_see_nothing(world: World, login, token_for):
    app = await approved(world)
    form = {"selection": "chosen", "application_ids": [str(app.id)], "contact": "x"}
    for persona in ("operator_chamdo", "founder_chamdo"):
        browser = await login(persona)
        assert (await browser.post("/notices", form)).status_code == 403, persona
        assert (await browser.get("/notices")).status_code == 403, persona
        client = await token_for(persona)
        assert (await client.post("/api/v1/notices", json={"contact": "x"})).status_code == 403, persona
    notice_id = world.more["notice_id"]["chamdo"]
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.get(f"/notices/{notice_id}")).status_code == 404
    objection = {"application_id": str(app.id), "objector": "x", "content": "y"}
    assert (await lhasa.post(f"/notices/{notice_id}/objections", objection)).status_code == 404
    # The Lhasa officer does not see Chamdo's approved application: nothing of theirs is waiting.
    refused = await lhasa.post("/notices", form)
    assert refused.status_code == 422
    assert (await Application.get(id=app.id)).state == AppState.APPROVED
    tibet = await login("bureau_tibet")
    assert (await tibet.get(f"/notices/{notice_id}")).status_code == 200
    admin = await login("admin")
    assert (await admin.get(f"/notices/{notice_id}")).status_code == 200
    assert (await admin.post("/notices", form)).status_code == 403


# -- objections ----------------------------------------------------------------------------


async def test_an_objection_sends_the_application_back_and_the_public_page_keeps_the_row(
    world: World, login, anonymous, monkeypatch
):
    on(monkeypatch, FRIDAY)
    await three_graduates(world)
    app, other = await approved(world), await approved(world, "chamdo_sibling", "60000.00")
    notice = await published(world, [app, other])
    on(monkeypatch, dt.date(2026, 9, 29))
    officer = await login("bureau_chamdo")
    response = await officer.post(
        f"/notices/{notice.id}/objections",
        {
            "application_id": str(app.id),
            "received_on": "2026-09-28",
            "objector": "李先生 13800000000",
            "content": "该企业实际经营地不在昌都。",
        },
    )
    assert response.status_code == 303
    app = await Application.get(id=app.id)
    assert (app.state, app.notice_id) == (AppState.FORWARDED, None)
    objection = await Objection.get(application_id=app.id)
    assert (objection.notice_id, objection.received_on, objection.objector) == (
        notice.id,
        dt.date(2026, 9, 28),
        "李先生 13800000000",
    )
    event = await ApplicationEvent.filter(application_id=app.id).order_by("-id").first()
    assert event is not None and event.to_state == AppState.FORWARDED
    assert event.comment == "该企业实际经营地不在昌都。"
    actions = set(await AuditEvent.all().values_list("action", flat=True))
    assert {"application.objection", "notice.objection"} <= actions
    assert (await PublicNotice.get(id=notice.id)).state == NoticeState.OPEN  # the other one is still in notice
    page = await anonymous.get(f"/public/notices/{notice.id}")
    assert page.status_code == 200 and "昌都童心课后托管服务有限公司" in page.text and "阿*、洛***、扎*" in page.text
    detail = await officer.get(f"/notices/{notice.id}")
    assert "已收到异议" in detail.text and "该企业实际经营地不在昌都。" in detail.text
    # The second objection closes the notice: nothing of it is in notice any more.
    principal = await principal_of(world, "bureau_chamdo")
    await service.record_objection(
        principal, notice, ObjectionInput(other.id, dt.date(2026, 9, 29), "王女士", "股东不符合条件。")
    )
    assert (await PublicNotice.get(id=notice.id)).state == NoticeState.CLOSED
    # Sent back, the application can be approved and published again in a new notice.
    with pytest.raises(Conflict):
        await service.record_objection(principal, notice, ObjectionInput(app.id, dt.date(2026, 9, 29), "x", "again"))


async def test_an_objection_outside_the_period_or_for_another_application_is_refused(
    world: World, login, token_for, monkeypatch
):
    on(monkeypatch, FRIDAY)
    app = await approved(world)
    notice = await published(world, [app])
    on(monkeypatch, dt.date(2026, 10, 20))
    officer = await login("bureau_chamdo")
    base = {"application_id": str(app.id), "objector": "李先生", "content": "不符合条件"}
    cases = {
        "2026-09-24": "仅在公示期内",  # before the notice
        "2026-10-10": "仅在公示期内",  # after its last working day
        "2026-10-21": "日期不能晚于今天",  # in the future
    }
    for received_on, text in cases.items():
        response = await officer.post(f"/notices/{notice.id}/objections", {**base, "received_on": received_on})
        assert response.status_code == 422 and text in response.text, received_on
    missing = await officer.post(
        f"/notices/{notice.id}/objections", {**base, "content": "", "received_on": "2026-10-09"}
    )
    assert missing.status_code == 422
    stranger = await approved(world, "chamdo_sibling")
    other = await officer.post(
        f"/notices/{notice.id}/objections", {**base, "application_id": str(stranger.id), "received_on": "2026-10-09"}
    )
    assert other.status_code == 422 and "请选择本次公示中的申请" in other.text
    assert (await Application.get(id=app.id)).state == AppState.IN_NOTICE
    assert not await Objection.all().exists()
    # Received on the last day, recorded later: still within the period.
    client = await token_for("bureau_chamdo")
    late = await client.post(
        f"/api/v1/notices/{notice.id}/objections", json={**base, "application_id": app.id, "received_on": "2026-10-09"}
    )
    assert late.status_code == 201 and late.json()["application_id"] == app.id
    assert (await Application.get(id=app.id)).state == AppState.FORWARDED


# -- pages ---------------------------------------------------------------------------------


async def test_the_public_page_shows_masked_names_to_anyone(world: World, anonymous, monkeypatch):
    on(monkeypatch, FRIDAY)
    await three_graduates(world)
    notice = await published(world, [await approved(world), await approved(world, "chamdo_sibling", "20000.00")])
    page = await anonymous.get(f"/public/notices/{notice.id}")
    assert page.status_code == 200
    text = page.text
    assert "昌都市2026年第1批创业补贴公示" in text and "昌都市人力资源和社会保障局" in text
    assert "阿*、洛***、扎*" in text and "扎*" in text
    for full in ("阿琼", "洛桑多吉", "扎西平措", world.persons["chamdo"].id_masked):
        assert full not in text, full
    assert "¥200,000.00" in text and "人民币贰拾万元整" in text
    assert "2026年9月25日" in text and "2026年10月9日" in text and "5 个工作日" in text
    assert "昌都市人社局就业科 0895-4821234" in text
    assert f"/public/notices/{notice.id}.pdf" in text
    assert (await anonymous.get("/public/notices/999999")).status_code == 404
    pdf = await anonymous.get(f"/public/notices/{notice.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_the_officer_publishes_in_the_pages_prints_and_downloads(world: World, login, monkeypatch):
    on(monkeypatch, FRIDAY)
    app = await approved(world)
    officer = await login("bureau_chamdo")
    form = await officer.get("/notices/new")
    assert form.status_code == 200 and app.reference in form.text and "¥180,000.00" in form.text
    assert f'value="{app.id}" id="a-{app.id}" checked' in form.text
    response = await officer.post(
        "/notices",
        {
            "selection": "chosen",
            "application_ids": [str(app.id)],
            "published_on": "2026-09-25",
            "working_days": "5",
            "contact": "就业科",
            "title": "",
        },
    )
    assert response.status_code == 303
    notice = await PublicNotice.get(bureau_id=world.bureaus["chamdo"].id, published_on=FRIDAY)
    assert response.headers["location"] == f"/notices/{notice.id}"
    detail = await officer.get(f"/notices/{notice.id}")
    assert detail.status_code == 200 and "公示中" in detail.text and "记录异议" in detail.text
    listing = await officer.get("/notices")
    assert listing.status_code == 200 and notice.title in listing.text and "¥180,000.00" in listing.text
    printed = await officer.get(f"/notices/{notice.id}/print")
    assert printed.status_code == 200 and "阿*" in printed.text and "阿琼" not in printed.text
    pdf = await officer.get(f"/notices/{notice.id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    operator = await login("operator_chamdo")
    assert (await operator.get(f"/notices/{notice.id}/print")).status_code == 404


async def test_the_api_lists_reads_publishes_and_records_objections(world: World, token_for, monkeypatch):
    on(monkeypatch, FRIDAY)
    app = await approved(world)
    client = await token_for("bureau_chamdo")
    bad = await client.post("/api/v1/notices", json={"contact": "x", "working_days": 0})
    assert bad.status_code == 422 and "working_days" in bad.json()["error"]["fields"]
    created = await client.post("/api/v1/notices", json={"contact": "就业科"})  # every approved one
    assert created.status_code == 201
    body = created.json()
    assert (body["ends_on"], body["count"], body["total"], body["state"]) == ("2026-10-09", 1, "180000.00", "open")
    assert body["entries"][0]["state"] == "in_notice" and body["entries"][0]["founders"] == "阿*"
    assert body["entries"][0]["application_id"] == app.id
    assert body["public_url"] == f"/public/notices/{body['id']}"
    listed = await client.get("/api/v1/notices", params={"limit": 1})
    assert listed.status_code == 200 and listed.json()["total"] == 2 and len(listed.json()["items"]) == 1
    assert (await client.get("/api/v1/notices", params={"state": "gone"})).status_code == 422
    one = await client.get(f"/api/v1/notices/{body['id']}")
    assert one.status_code == 200 and one.json()["period_over"] is False
    lhasa = await token_for("bureau_lhasa")
    assert (await lhasa.get(f"/api/v1/notices/{body['id']}")).status_code == 404
    assert body["id"] not in [n["id"] for n in (await lhasa.get("/api/v1/notices")).json()["items"]]


async def test_a_paid_application_cannot_be_sent_back_by_an_objection(world: World, monkeypatch):
    on(monkeypatch, FRIDAY)
    app = await approved(world)
    notice = await published(world, [app])
    await Application.filter(id=app.id).update(state=AppState.PAID)
    principal = await principal_of(world, "bureau_chamdo")
    with pytest.raises(Conflict):
        await service.record_objection(principal, notice, ObjectionInput(app.id, FRIDAY, "x", "y"))
    with pytest.raises(ValidationFailed):
        await service.publish(principal, NoticeInput(None, "", FRIDAY, 5, "x"))
