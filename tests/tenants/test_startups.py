"""Startups: admission applications, details, lifecycle steps, the founder's portal."""

from __future__ import annotations

import datetime as dt

from incubator.formatting import today
from incubator.identifiers import compose_uscc
from incubator.models import AuditEvent
from tenants.models import Lease, Startup, StartupEvent, StartupStatus
from tests.personas import World

USCC = compose_uscc("91540102MA6T8K2P0")
FORM = {
    "name": "拉萨雪域唐卡文化传播有限公司",
    "legal_form": "limited_company",
    "uscc": USCC,
    "registered_on": "2024-05-20",
    "industry": "R",
    "contact_name": "索朗",
    "contact_phone": "13908901234",
    "contact_email": "tangka@example.com",
    "description": "唐卡绘制与文创产品。",
    "applied_on": "2025-01-10",
}


async def _counts() -> tuple[int, int, int]:
    return await Startup.all().count(), await StartupEvent.all().count(), await AuditEvent.all().count()


async def test_it_records_an_application_and_lists_it(login, world: World):
    operator = await login("operator_dsj")
    response = await operator.post("/startups/new", FORM)
    assert response.status_code == 303
    startup = await Startup.get(name=FORM["name"])
    assert (startup.base_id, startup.status, startup.uscc) == (world.bases["dsj"].id, StartupStatus.APPLIED, USCC)
    assert startup.applied_on == dt.date(2025, 1, 10) and startup.industry == "R"
    event = await StartupEvent.get(startup_id=startup.id)
    assert (event.from_status, event.to_status, event.on) == (None, StartupStatus.APPLIED, dt.date(2025, 1, 10))
    audit = await AuditEvent.get(action="startup.created")
    assert audit.base_id == world.bases["dsj"].id and audit.region_code == "540102"
    assert audit.after["uscc"] == USCC
    listing = await operator.get("/startups?status=applied")
    assert FORM["name"] in listing.text and "申请入驻" in listing.text
    assert world.startups["chamdo"].name not in (await operator.get("/startups")).text


async def test_it_rejects_bad_startups_and_stores_nothing(login, world: World):
    operator = await login("operator_dsj")
    before = await _counts()
    future = (today() + dt.timedelta(days=3)).isoformat()
    cases = [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "uscc", "校验位"),
        ({"uscc": ""}, "uscc", "统一社会信用代码"),
        ({"legal_form": "unregistered_team"}, "uscc", "未注册团队"),
        ({"registered_on": future}, "registered_on", "不能晚于今天"),
        ({"registered_on": ""}, "registered_on", "注册日期"),
        ({"name": world.startups["dsj"].name}, "name", "同名"),
        ({"contact_phone": "12345"}, "contact_phone", "手机"),
        ({"industry": "Z"}, "industry", "请从列出的选项中选择"),
    ]
    for change, field, text in cases:
        response = await operator.post("/startups/new", {**FORM, **change})
        assert response.status_code == 422, change
        assert 'id="e-' + field + '"' in response.text, change
        assert text in response.text, (change, text)
        assert FORM["contact_name"] in response.text  # what was typed is kept
    assert await _counts() == before


async def test_it_takes_an_unregistered_team_without_a_credit_code(login, world: World):
    operator = await login("operator_dsj")
    form = {**FORM, "legal_form": "unregistered_team", "uscc": "", "registered_on": "", "name": "藏式木碗创业团队"}
    assert (await operator.post("/startups/new", form)).status_code == 303
    team = await Startup.get(name="藏式木碗创业团队")
    assert team.uscc is None and team.registered_on is None


async def test_it_refuses_a_credit_code_already_resident_anywhere(login, world: World):
    world.startups["chamdo"].uscc = USCC
    await world.startups["chamdo"].save()
    operator = await login("operator_dsj")
    response = await operator.post("/startups/new", FORM)
    assert response.status_code == 422 and "已有使用该统一社会信用代码的在册企业" in response.text
    assert world.startups["chamdo"].name not in response.text  # the other base is not revealed


async def _applicant(world: World) -> Startup:
    startup = await Startup.create(
        base=world.bases["dsj"], name="申请中的企业", legal_form="unregistered_team", applied_on=dt.date(2025, 3, 1)
    )
    await StartupEvent.create(startup=startup, to_status=StartupStatus.APPLIED, on=dt.date(2025, 3, 1))
    return startup


async def test_it_admits_graduates_and_keeps_the_timeline(login, world: World):
    startup = await _applicant(world)
    operator = await login("operator_dsj")
    response = await operator.post(f"/startups/{startup.id}/transitions", {"to": "incubating", "on": "2025-04-01"})
    assert response.status_code == 303
    await startup.refresh_from_db()
    assert startup.status is StartupStatus.INCUBATING
    assert (startup.admitted_on, startup.incubation_ends_on) == (dt.date(2025, 4, 1), dt.date(2028, 3, 31))
    response = await operator.post(f"/startups/{startup.id}/transitions", {"to": "graduated", "on": "2025-10-08"})
    assert response.status_code == 303
    await startup.refresh_from_db()
    assert (startup.status, startup.left_on) == (StartupStatus.GRADUATED, dt.date(2025, 10, 8))
    events = await StartupEvent.filter(startup_id=startup.id).order_by("on")
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "applied"),
        ("applied", "incubating"),
        ("incubating", "graduated"),
    ]
    assert [e.action for e in await AuditEvent.filter(object_type="Startup").order_by("seq")] == [
        "startup.admitted",
        "startup.graduated",
    ]
    page = await operator.get(f"/startups/{startup.id}")
    assert "历程" in page.text and "毕业" in page.text and "2025年10月8日" in page.text


async def test_it_guards_every_transition_and_changes_nothing_when_refused(login, world: World):
    startup = await _applicant(world)
    operator = await login("operator_dsj")
    future = (today() + dt.timedelta(days=1)).isoformat()
    cases = [
        ({"to": "graduated", "on": "2025-04-01"}, "不能变更为“毕业”"),
        ({"to": "incubating", "on": "2025-02-01"}, "不能早于上一步骤"),
        ({"to": "incubating", "on": future}, "不能晚于今天"),
        ({"to": "exited", "on": "2025-04-01"}, "必填项"),
        ({"to": "exited", "on": "2025-04-01", "reason": "other"}, "必填项"),
        ({"to": "applied", "on": "2025-04-01"}, "请从列出的选项中选择"),
        ({"to": "incubating", "on": "2025-04-01", "incubation_ends_on": "2025-03-01"}, "须晚于入孵日期"),
    ]
    before = await _counts()
    for form, text in cases:
        response = await operator.post(f"/startups/{startup.id}/transitions", form)
        assert response.status_code == 422, form
        assert text in response.text, (form, text)
    assert await _counts() == before
    await startup.refresh_from_db()
    assert startup.status is StartupStatus.APPLIED


async def test_it_refuses_to_let_a_startup_leave_while_its_lease_runs(login, world: World):
    operator = await login("operator_dsj")
    startup = world.startups["dsj"]
    await StartupEvent.create(startup=startup, to_status=StartupStatus.INCUBATING, on=dt.date(2025, 1, 1))
    form = {"to": "exited", "on": "2025-06-30", "reason": "moved_out"}
    response = await operator.post(f"/startups/{startup.id}/transitions", form)
    assert response.status_code == 422 and "请先终止其入驻协议" in response.text
    lease = world.leases["dsj"]
    lease.occupied_until = lease.ended_on = dt.date(2025, 6, 30)
    await lease.save()
    response = await operator.post(f"/startups/{startup.id}/transitions", form)
    assert response.status_code == 303
    await startup.refresh_from_db()
    assert (startup.status, startup.exit_reason, startup.left_on) == ("exited", "moved_out", dt.date(2025, 6, 30))
    assert await Lease.filter(startup_id=startup.id).count() == 1


async def test_it_requires_a_note_for_another_reason(login, world: World):
    startup = await _applicant(world)
    operator = await login("operator_dsj")
    form = {"to": "exited", "on": "2025-05-01", "reason": "other", "note": "团队解散"}
    assert (await operator.post(f"/startups/{startup.id}/transitions", form)).status_code == 303
    event = await StartupEvent.get(startup_id=startup.id, to_status="exited")
    assert (event.reason, event.note) == ("other", "团队解散")
    assert "团队解散" in (await operator.get(f"/startups/{startup.id}")).text


async def test_it_lets_a_founder_see_and_edit_only_their_contact_details(login, world: World):
    founder = await login("founder_dsj")
    own = world.startups["dsj"]
    assert (await founder.get("/startups")).headers["location"] == f"/startups/{own.id}"
    page = await founder.get(f"/startups/{own.id}")
    assert page.status_code == 200 and own.name in page.text and "修改联系方式" in page.text
    assert world.persons["dsj"].id_masked in page.text
    assert "变更状态" not in page.text and "添加创业者" not in page.text
    form = {"contact_name": "次仁", "contact_phone": "0891-6331234", "contact_email": "", "name": "改名"}
    assert (await founder.post(f"/startups/{own.id}/edit", form)).status_code == 303
    await own.refresh_from_db()
    assert (own.contact_name, own.contact_phone, own.name) == ("次仁", "0891-6331234", "拉萨雪域青稞文创有限公司")
    assert (await AuditEvent.get(action="startup.contact_updated")).after["contact_phone"] == "0891-6331234"
    bad = await founder.post(f"/startups/{own.id}/edit", {"contact_phone": "abc"})
    assert bad.status_code == 422 and "手机" in bad.text
    sibling = world.startups["dsj_sibling"]
    assert (await founder.get(f"/startups/{sibling.id}")).status_code == 404
    refused = await founder.post(f"/startups/{own.id}/transitions", {"to": "exited", "on": "2025-01-01"})
    assert refused.status_code == 403


async def test_it_lets_bureaus_read_but_not_change_startups(login, world: World):
    bureau = await login("bureau_lhasa")
    listing = await bureau.get("/startups")
    assert world.startups["dsj"].name in listing.text and world.startups["chamdo"].name not in listing.text
    assert (await bureau.get("/startups/new")).status_code == 403
    assert (await bureau.post("/startups/new", FORM)).status_code == 403
    refused = await bureau.post(f"/startups/{world.startups['dsj'].id}/transitions", {"to": "exited"})
    assert refused.status_code == 403
    assert not await Startup.filter(name=FORM["name"]).exists()
