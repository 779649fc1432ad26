"""Disbursement (拨付): batches after the notice period, numbering, the transfer list, paid and final."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from grants.forms.notices import DisbursementInput, PaidInput
from grants.models import (
    Application,
    ApplicationEvent,
    AppState,
    Disbursement,
    DisbursementState,
    NoticeState,
    PublicNotice,
)
from grants.services import disbursements as service
from grants.services import workflow
from incubator.errors import Conflict, ValidationFailed
from incubator.models import AuditEvent
from tests.grants.test_notices import FRIDAY, approved, on, published
from tests.personas import World, principal_of

ENDS = dt.date(2026, 10, 9)  # the last working day of a 5-day notice published on FRIDAY
AFTER = dt.date(2026, 10, 12)


async def noticed(world: World, monkeypatch: pytest.MonkeyPatch, *keys: str) -> list[Application]:
    """Approved applications of these startups, published on FRIDAY; today is then AFTER the period."""
    on(monkeypatch, FRIDAY)
    amounts = {"chamdo": "180000.00", "chamdo_sibling": "20000.00"}
    apps = [await approved(world, key, amounts[key]) for key in keys]
    await published(world, apps)
    on(monkeypatch, AFTER)
    return [await Application.get(id=app.id) for app in apps]


async def batch_of(world: World, apps: list[Application], pay_on: dt.date = AFTER) -> Disbursement:
    principal = await principal_of(world, "bureau_chamdo")
    batch = await service.create_batch(principal, DisbursementInput(pay_on, tuple(a.id for a in apps)))
    return await prepared_on_today(batch)


async def prepared_on_today(batch: Disbursement) -> Disbursement:
    """The batch as if prepared on the (patched) day AFTER, as the real clock would have it."""
    await Disbursement.filter(id=batch.id).update(created_at=dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC))
    return await Disbursement.get(id=batch.id)


async def test_it_refuses_to_pay_before_the_notice_period_is_over(world: World, login, monkeypatch):
    [app] = await noticed(world, monkeypatch, "chamdo")
    on(monkeypatch, ENDS)  # the last day of the notice: not over yet
    officer = await login("bureau_chamdo")
    response = await officer.post("/disbursements", {"pay_on": "2026-10-10", "application_ids": [str(app.id)]})
    assert response.status_code == 422
    assert f"申请 {app.reference} 的公示期至 2026年10月9日 结束" in response.text
    assert (await officer.get("/disbursements/new")).text.count(app.reference) == 0
    on(monkeypatch, AFTER)
    ok = await officer.post("/disbursements", {"pay_on": AFTER.isoformat(), "application_ids": [str(app.id)]})
    assert ok.status_code == 303
    batch = await Disbursement.get(number="BF-540300-2026-0001")
    assert (batch.count, batch.total, batch.state, batch.pay_on) == (1, Decimal("180000.00"), "draft", AFTER)
    app = await Application.get(id=app.id)
    assert (app.state, app.disbursement_id) == (AppState.IN_NOTICE, batch.id)  # not paid yet
    created = await AuditEvent.get(action="disbursement.created")
    assert created.after and created.after["applications"] == [app.reference]


async def test_it_numbers_batches_per_bureau_and_year(world: World, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    one = await batch_of(world, [first])
    two = await batch_of(world, [second], pay_on=dt.date(2027, 1, 5))
    assert (one.number, two.number) == ("BF-540300-2026-0001", "BF-540300-2027-0001")
    await service.delete_batch(await principal_of(world, "bureau_chamdo"), two)
    again = await batch_of(world, [second])
    assert again.number == "BF-540300-2026-0002"
    # The world's batch of 2025 has its own number; Lhasa's numbers are their own.
    assert await Disbursement.filter(number="BF-540300-2025-0001").exists()
    assert await Disbursement.filter(number="BF-540100-2025-0001").exists()


async def test_it_refuses_empty_foreign_and_doubled_batches(world: World, login, token_for, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    await batch_of(world, [first])
    officer = await login("bureau_chamdo")
    empty = await officer.post("/disbursements", {"pay_on": AFTER.isoformat()})
    assert empty.status_code == 422 and "请至少选择一个申请" in empty.text
    twice = await officer.post(
        "/disbursements", {"pay_on": AFTER.isoformat(), "application_ids": [str(second.id), str(first.id)]}
    )
    assert twice.status_code == 422 and f"申请 {first.reference} 已在拨付批次 BF-540300-2026-0001 中" in twice.text
    past = await officer.post("/disbursements", {"pay_on": "2026-10-11", "application_ids": [str(second.id)]})
    assert past.status_code == 422 and "拨付日期不能早于今天" in past.text
    lhasa = await token_for("bureau_lhasa")
    foreign = await lhasa.post(
        "/api/v1/disbursements", json={"pay_on": AFTER.isoformat(), "application_ids": [second.id]}
    )
    assert foreign.status_code == 422 and "application_ids" in foreign.json()["error"]["fields"]
    # A world application still in a batch of 2025 is refused as already batched, not paid twice.
    world_app = await Application.get(disbursement_id=world.more["disbursement_id"]["chamdo"])
    doubled = await officer.post(
        "/disbursements", {"pay_on": AFTER.isoformat(), "application_ids": [str(world_app.id)]}
    )
    assert doubled.status_code == 422
    assert await Disbursement.filter(region_code="540300").count() == 2  # the world's and the first
    assert (await Application.get(id=second.id)).disbursement_id is None


async def test_the_transfer_list_has_payees_amounts_in_words_and_a_total(world: World, login, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    batch = await batch_of(world, [first, second])
    officer = await login("bureau_chamdo")
    response = await officer.get(f"/disbursements/{batch.id}/transfer-list.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "序号",
        "申请编号",
        "收款单位/收款人",
        "开户银行",
        "银行账号",
        "金额",
        "大写金额",
        "补贴项目",
        "所属基地",
    ]
    assert rows[1] == [
        1,
        first.reference,
        "昌都童心课后托管服务有限公司",
        "中国农业银行昌都分行",
        "6228481234567890123",
        180000,
        "人民币壹拾捌万元整",
        "一次性创业补贴",
        "昌都市大学生创客社区",
    ]
    assert rows[2][2] == "卡若区藏香制作合作社" and rows[2][5] == 20000 and rows[2][6] == "人民币贰万元整"
    assert rows[3] == [None, "合计", None, None, None, 200000, "人民币贰拾万元整", None, None]
    assert len(rows) == 4
    page = await officer.get(f"/disbursements/{batch.id}")
    assert page.status_code == 200 and "¥200,000.00" in page.text and "人民币贰拾万元整" in page.text
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.get(f"/disbursements/{batch.id}/transfer-list.xlsx")).status_code == 404


async def test_recording_paid_moves_every_application_to_paid_once(world: World, login, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    batch = await batch_of(world, [first, second])
    officer = await login("bureau_chamdo")
    form = {"paid_on": AFTER.isoformat(), "bank_reference": "NYYH20261012001"}
    response = await officer.post(f"/disbursements/{batch.id}/paid", form)
    assert response.status_code == 303
    batch = await Disbursement.get(id=batch.id)
    assert (batch.state, batch.paid_on, batch.bank_reference, batch.count, batch.total) == (
        DisbursementState.PAID,
        AFTER,
        "NYYH20261012001",
        2,
        Decimal("200000.00"),
    )
    assert batch.paid_by_id == world.users["bureau_chamdo"].id
    for app in (first, second):
        app = await Application.get(id=app.id)
        assert (app.state, app.paid_on) == (AppState.PAID, AFTER)
    notice = await PublicNotice.get(id=first.notice_id)
    assert notice.state == NoticeState.CLOSED  # everything in it is paid
    actions = await AuditEvent.filter(action__in=["application.paid", "disbursement.paid", "notice.closed"]).count()
    assert actions == 4
    before = await AuditEvent.all().count()
    again = await officer.post(f"/disbursements/{batch.id}/paid", form)
    assert again.status_code == 409 and "已登记为已拨付" in again.text
    assert await AuditEvent.all().count() == before


async def test_a_paid_application_is_final(world: World, token_for, monkeypatch):
    [app] = await noticed(world, monkeypatch, "chamdo")
    batch = await batch_of(world, [app])
    principal = await principal_of(world, "bureau_chamdo")
    await service.record_paid(principal, batch, PaidInput(AFTER, "REF1"))
    app = await Application.get(id=app.id)
    # Every transition the workflow offers is refused by its guard: nothing leaves "paid".
    asks = [
        ("operator_chamdo", {"to": "submitted"}),
        ("operator_chamdo", {"to": "forwarded"}),
        ("operator_chamdo", {"to": "returned", "comment": "补材料"}),
        ("operator_chamdo", {"to": "withdrawn"}),
        ("bureau_chamdo", {"to": "approved", "amount": "1.00", "comment": "改"}),
        ("bureau_chamdo", {"to": "rejected", "comment": "不符合"}),
        ("bureau_chamdo", {"to": "returned", "comment": "补材料"}),
    ]
    for persona, body in asks:
        client = await token_for(persona)
        response = await client.post(f"/api/v1/applications/{app.id}/transitions", json=body)
        assert response.status_code == 409, (persona, body, response.text)
    with pytest.raises(Conflict):
        workflow.guard(app, {state for state in AppState if state is not AppState.PAID})
    with pytest.raises(Conflict):
        await service.remove_application(principal, batch, app.id)
    with pytest.raises(Conflict):
        await service.delete_batch(principal, batch)
    with pytest.raises(Conflict):
        await service.create_batch(principal, DisbursementInput(AFTER, (app.id,)))
    with pytest.raises(Conflict):
        await service.record_paid(principal, batch, PaidInput(AFTER, "REF2"))
    after = await Application.get(id=app.id)
    assert (after.state, after.row_version, after.disbursement_id, after.paid_on) == (
        AppState.PAID,
        app.row_version,
        batch.id,
        AFTER,
    )


async def test_paid_needs_a_reference_and_a_sensible_date(world: World, login, monkeypatch):
    [app] = await noticed(world, monkeypatch, "chamdo")
    batch = await batch_of(world, [app])
    officer = await login("bureau_chamdo")
    url = f"/disbursements/{batch.id}/paid"
    future = await officer.post(url, {"paid_on": "2026-10-13", "bank_reference": "X"})
    assert future.status_code == 422 and "日期不能晚于今天" in future.text
    missing = await officer.post(url, {"paid_on": AFTER.isoformat(), "bank_reference": ""})
    assert missing.status_code == 422
    early = await officer.post(url, {"paid_on": "2026-10-01", "bank_reference": "X"})
    assert early.status_code == 422 and "拨付日期不能早于批次生成日期" in early.text
    assert (await Disbursement.get(id=batch.id)).state == DisbursementState.DRAFT
    assert (await Application.get(id=app.id)).state == AppState.IN_NOTICE


async def test_a_draft_batch_can_lose_an_application_or_be_deleted(world: World, login, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    batch = await batch_of(world, [first, second])
    officer = await login("bureau_chamdo")
    removed = await officer.post(f"/disbursements/{batch.id}/remove", {"application_id": str(second.id)})
    assert removed.status_code == 303
    batch = await Disbursement.get(id=batch.id)
    assert (batch.count, batch.total) == (1, Decimal("180000.00"))
    assert (await Application.get(id=second.id)).disbursement_id is None
    stranger = await officer.post(f"/disbursements/{batch.id}/remove", {"application_id": str(second.id)})
    assert stranger.status_code == 422
    deleted = await officer.post(f"/disbursements/{batch.id}/delete", {})
    assert deleted.status_code == 303
    assert not await Disbursement.filter(id=batch.id).exists()
    first = await Application.get(id=first.id)
    assert (first.state, first.disbursement_id) == (AppState.IN_NOTICE, None)
    actions = set(await AuditEvent.all().values_list("action", flat=True))
    assert {"disbursement.application_removed", "disbursement.deleted"} <= actions
    listing = await officer.get("/disbursements/new")
    assert first.reference in listing.text and second.reference in listing.text


async def test_only_the_bureau_of_the_region_prepares_and_pays(world: World, login, token_for, monkeypatch):
    [app] = await noticed(world, monkeypatch, "chamdo")
    batch = await batch_of(world, [app])
    for persona in ("operator_chamdo", "founder_chamdo"):
        browser = await login(persona)
        refused = await browser.post("/disbursements", {"pay_on": AFTER.isoformat(), "application_ids": [str(app.id)]})
        assert refused.status_code == 403, persona
        assert (await browser.get(f"/disbursements/{batch.id}")).status_code == 404, persona
        client = await token_for(persona)
        assert (await client.get("/api/v1/disbursements")).status_code == 403, persona
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.get(f"/disbursements/{batch.id}")).status_code == 404
    paid = await lhasa.post(f"/disbursements/{batch.id}/paid", {"paid_on": AFTER.isoformat(), "bank_reference": "X"})
    assert paid.status_code == 404
    admin = await login("admin")
    assert (await admin.get(f"/disbursements/{batch.id}")).status_code == 200
    assert (await admin.post(f"/disbursements/{batch.id}/delete", {})).status_code == 403
    assert await Disbursement.filter(id=batch.id).exists()


async def test_the_api_prepares_reads_and_records_a_batch(world: World, token_for, monkeypatch):
    first, second = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    client = await token_for("bureau_chamdo")
    created = await client.post(
        "/api/v1/disbursements", json={"pay_on": AFTER.isoformat(), "application_ids": [first.id, second.id]}
    )
    assert created.status_code == 201
    body = created.json()
    await prepared_on_today(await Disbursement.get(id=body["id"]))
    assert (body["number"], body["count"], body["total"], body["state"]) == (
        "BF-540300-2026-0001",
        2,
        "200000.00",
        "draft",
    )
    assert [line["payee_account"] for line in body["lines"]] == ["6228481234567890123"] * 2
    listed = await client.get("/api/v1/disbursements", params={"state": "draft", "limit": 1})
    assert listed.status_code == 200 and listed.json()["total"] == 2 and len(listed.json()["items"]) == 1
    one = await client.get(f"/api/v1/disbursements/{body['id']}")
    assert one.status_code == 200 and one.json()["transfer_list_url"].endswith("/transfer-list.xlsx")
    bad = await client.post(f"/api/v1/disbursements/{body['id']}/paid", json={"paid_on": AFTER.isoformat()})
    assert bad.status_code == 422 and "bank_reference" in bad.json()["error"]["fields"]
    paid = await client.post(
        f"/api/v1/disbursements/{body['id']}/paid", json={"paid_on": AFTER.isoformat(), "bank_reference": "R-1"}
    )
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    assert {line["state"] for line in paid.json()["lines"]} == {"paid"}
    again = await client.post(
        f"/api/v1/disbursements/{body['id']}/paid", json={"paid_on": AFTER.isoformat(), "bank_reference": "R-1"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    with pytest.raises(ValidationFailed):
        await service.create_batch(await principal_of(world, "bureau_chamdo"), DisbursementInput(AFTER, ()))


async def test_concurrent_batches_and_payments_have_one_winner(app, world: World, is_postgres: bool, monkeypatch):
    if not is_postgres:
        pytest.skip("row locks: PostgreSQL")
    [application] = await noticed(world, monkeypatch, "chamdo")
    principal = await principal_of(world, "bureau_chamdo")

    async def prepare() -> str:
        try:
            await service.create_batch(principal, DisbursementInput(AFTER, (application.id,)))
            return "ok"
        except ValidationFailed:
            return "refused"

    results = await asyncio.gather(*(prepare() for _ in range(10)))
    assert results.count("ok") == 1 and results.count("refused") == 9
    [batch] = await Disbursement.filter(number__startswith="BF-540300-2026-")
    assert batch.number == "BF-540300-2026-0001" and batch.count == 1
    batch = await prepared_on_today(batch)

    async def pay() -> str:
        try:
            await service.record_paid(principal, batch, PaidInput(AFTER, "REF"))
            return "ok"
        except Conflict:
            return "conflict"

    results = await asyncio.gather(*(pay() for _ in range(10)))
    assert results.count("ok") == 1 and results.count("conflict") == 9
    assert await ApplicationEvent.filter(application_id=application.id, to_state=AppState.PAID).count() == 1


async def test_concurrent_publications_have_one_winner(app, world: World, is_postgres: bool, monkeypatch):
    if not is_postgres:
        pytest.skip("row locks: PostgreSQL")
    on(monkeypatch, FRIDAY)
    application = await approved(world)

    async def publish() -> str:
        try:
            await published(world, [application])
            return "ok"
        except Conflict:
            return "conflict"

    results = await asyncio.gather(*(publish() for _ in range(10)))
    assert results.count("ok") == 1 and results.count("conflict") == 9
    assert await PublicNotice.filter(published_on=FRIDAY).count() == 1
    assert (await PublicNotice.get(published_on=FRIDAY)).title == "昌都市2026年第1批创业补贴公示"


async def test_an_objection_to_an_application_in_a_batch_asks_to_take_it_out_first(world: World, login, monkeypatch):
    [application] = await noticed(world, monkeypatch, "chamdo")
    batch = await batch_of(world, [application])
    officer = await login("bureau_chamdo")
    # Received by post on the last day of the notice, recorded after it.
    objection = {
        "application_id": str(application.id),
        "received_on": ENDS.isoformat(),
        "objector": "李",
        "content": "不符",
    }
    refused = await officer.post(f"/notices/{application.notice_id}/objections", objection)
    assert refused.status_code == 422 and "请先将其移出该批次" in refused.text
    assert (await Application.get(id=application.id)).state == AppState.IN_NOTICE
    await officer.post(f"/disbursements/{batch.id}/remove", {"application_id": str(application.id)})
    recorded = await officer.post(f"/notices/{application.notice_id}/objections", objection)
    assert recorded.status_code == 303
    assert (await Application.get(id=application.id)).state == AppState.FORWARDED
    assert (await Disbursement.get(id=batch.id)).count == 0
