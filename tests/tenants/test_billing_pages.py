"""Billing pages: a run previewed and issued, bills by hand, credit notes, payments, charges, settings, closing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from incubator import tasks
from incubator.models import AuditEvent, Task
from tenants.models import (
    Bill,
    BillingProfile,
    BillingRun,
    BillLine,
    BillStatus,
    CreditNote,
    FapiaoRecord,
    LineKind,
    Payment,
    ServiceCharge,
)

D = Decimal


async def counts() -> tuple[int, ...]:
    return (
        await Bill.all().count(),
        await CreditNote.all().count(),
        await Payment.all().count(),
        await ServiceCharge.all().count(),
        await AuditEvent.all().count(),
    )


async def test_it_previews_a_run_and_issues_it_in_the_background(login, world):
    operator = await login("operator_dsj")
    preview = await operator.get("/billing/preview?period=2026-10")
    assert preview.status_code == 200
    assert "拉萨雪域青稞文创有限公司" in preview.text and "拉萨格桑花电商创业团队" in preview.text
    assert "¥2,200.00" in preview.text, "two rents of 1000 and two meeting rooms of 100"
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.text)
    assert digest is not None
    before = await counts()
    refused = await operator.post(
        "/billing/runs", {"period": "2026-10", "issued_on": "2026-10-05", "digest": digest.group(1)}
    )
    assert refused.status_code == 422 and "已开具的缴费通知单不能修改" in refused.text
    assert await counts() == before
    response = await operator.post(
        "/billing/runs", {"period": "2026-10", "issued_on": "2026-10-05", "digest": digest.group(1), "confirm": "1"}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/tasks/")
    task_id = int(response.headers["location"].rsplit("/", 1)[1])
    await tasks.wait(task_id)
    task = await Task.get(id=task_id)
    assert task.state.value == "succeeded", task.message
    run = await BillingRun.get(base_id=world.bases["dsj"].id)
    assert (run.bills, run.total, run.issued_on) == (2, D("2200.00"), dt.date(2026, 10, 5))
    page = await operator.get(f"/tasks/{task_id}")
    assert "2026-10 已开具 2 张缴费通知单，合计 ¥2,200.00。" in page.text
    again = await operator.post(
        "/billing/runs", {"period": "2026-10", "issued_on": "2026-10-06", "digest": digest.group(1), "confirm": "1"}
    )
    assert again.status_code == 422 and "本月的批量计费已于" in again.text
    assert await BillingRun.all().count() == 1
    listed = await operator.get("/bills?period=2026-10")
    assert "DSJ-2026-000001" in listed.text and "DSJ-2026-000002" in listed.text


async def test_it_issues_a_bill_by_hand_from_the_page(login, world):
    operator = await login("operator_dsj")
    startup = world.startups["dsj_sibling"]
    form = {
        "startup_id": str(startup.id),
        "period_start": "2026-09-01",
        "period_end": "2026-09-30",
        "issued_on": "2026-10-02",
        "line_kind": ["utilities", "other", "other"],
        "line_description": ["电费 9月", "打印", ""],
        "line_quantity": ["200", "-3", ""],
        "line_unit_price": ["0.60", "1.00", ""],
        "confirm": "1",
    }
    before = await counts()
    bad = await operator.post("/bills/new", form)
    assert bad.status_code == 422 and "数量必须大于零" in bad.text
    assert await counts() == before
    form["line_quantity"] = ["200", "3", ""]
    response = await operator.post("/bills/new", form)
    assert response.status_code == 303
    bill = await Bill.get(startup_id=startup.id, issued_on=dt.date(2026, 10, 2))
    assert response.headers["location"] == f"/bills/{bill.id}"
    assert (bill.number, bill.total, bill.services, bill.rent) == (
        "DSJ-2026-000001",
        D("123.00"),
        D("123.00"),
        D("0.00"),
    )
    page = await operator.get(f"/bills/{bill.id}")
    assert "电费 9月" in page.text and "¥123.00" in page.text and "壹佰贰拾叁元整" in page.text


async def test_it_credits_lines_from_the_bill_page_and_refuses_too_much(login, world):
    operator = await login("operator_dsj")
    bill = world.bills["dsj"]
    lines = await BillLine.filter(bill_id=bill.id).order_by("position")
    rent, _discount = lines
    before = await counts()
    too_much = await operator.post(
        f"/bills/{bill.id}/credit-notes",
        {"reason": "多收", "credit_line_id": [str(rent.id)], "credit_amount": ["1200.00"], "issued_on": "2025-03-01"},
    )
    assert too_much.status_code == 422 and "该明细行最多可红冲 ¥1,100.00" in too_much.text
    assert await counts() == before
    ok = await operator.post(
        f"/bills/{bill.id}/credit-notes",
        {"reason": "停电两天", "credit_line_id": [str(rent.id)], "credit_amount": ["50"], "issued_on": "2025-03-01"},
    )
    assert ok.status_code == 303
    note = await CreditNote.get(reason="停电两天")
    assert ok.headers["location"] == f"/credit-notes/{note.id}"
    assert (note.number, note.total) == ("DSJ-HC-2025-000003", D("50.00"))
    assert (await Bill.get(id=bill.id)).balance == D("250.00")
    detail = await operator.get(f"/credit-notes/{note.id}")
    assert "停电两天" in detail.text and "伍拾元整" in detail.text


async def test_it_records_a_payment_and_shows_its_receipt(login, world):
    operator = await login("operator_dsj")
    startup = world.startups["dsj"]
    form = await operator.get(f"/payments/new?startup={startup.id}&bill={world.bills['dsj'].id}")
    assert form.status_code == 200 and world.bills["dsj"].number in form.text and 'value="300.00"' in form.text
    fragment = await operator.get(f"/payments/new?startup_id={startup.id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<fieldset id="payment-bills">')
    before = await counts()
    missing = await operator.post(
        "/payments/new",
        {
            "startup_id": str(startup.id),
            "received_on": "2025-03-03",
            "amount": "500",
            "method": "wechat",
            "payer": "次仁卓玛",
        },
    )
    assert missing.status_code == 422 and "请填写转账流水号" in missing.text
    assert await counts() == before
    response = await operator.post(
        "/payments/new",
        {
            "startup_id": str(startup.id),
            "received_on": "2025-03-03",
            "amount": "500",
            "method": "wechat",
            "payer": "次仁卓玛",
            "reference": "4200009999",
            "allocation_bill_id": [str(world.bills["dsj"].id)],
            "allocation_amount": ["300.00"],
        },
    )
    assert response.status_code == 303
    payment = await Payment.get(reference="4200009999")
    assert (payment.number, payment.unapplied) == ("DSJ-SJ-2025-000003", D("200.00"))
    page = await operator.get(response.headers["location"])
    assert "伍佰元整" in page.text and "微信转账" in page.text and "¥200.00" in page.text
    assert (await Bill.get(id=world.bills["dsj"].id)).balance == D("0.00")


async def test_it_records_a_fapiao_against_a_bill(login, world):
    operator = await login("operator_dsj")
    bill = world.bills["dsj"]
    bad = await operator.post(f"/bills/{bill.id}/fapiao", {"number": "123", "issued_on": "2025-02-05", "amount": "900"})
    assert bad.status_code == 422 and "发票号码为8位数字" in bad.text
    too_much = await operator.post(
        f"/bills/{bill.id}/fapiao", {"number": "12345678", "issued_on": "2025-02-05", "amount": "900.01"}
    )
    assert too_much.status_code == 422 and "¥900.00" in too_much.text
    ok = await operator.post(
        f"/bills/{bill.id}/fapiao", {"number": "12345678", "issued_on": "2025-02-05", "amount": "900"}
    )
    assert ok.status_code == 303
    assert await FapiaoRecord.filter(bill_id=bill.id).count() == 1


async def test_it_keeps_and_removes_service_charges(login, world):
    operator = await login("operator_dsj")
    startup = world.startups["dsj"]
    response = await operator.post(
        "/billing/charges",
        {
            "startup_id": str(startup.id),
            "kind": "meeting_room",
            "description": "路演厅 2小时",
            "incurred_on": "2025-03-01",
            "quantity": "2",
            "unit_price": "120",
        },
    )
    assert response.status_code == 303
    charge = await ServiceCharge.get(description="路演厅 2小时")
    assert charge.amount == D("240.00")
    refused = await operator.post(
        "/billing/charges",
        {
            "startup_id": str(startup.id),
            "kind": "rent",
            "description": "x",
            "incurred_on": "2025-03-01",
            "quantity": "1",
            "unit_price": "1",
        },
    )
    assert refused.status_code == 422 and "租金按入驻协议计费" in refused.text
    removed = await operator.post(f"/billing/charges/{charge.id}/remove", {})
    assert removed.status_code == 303 and not await ServiceCharge.exists(id=charge.id)
    assert await AuditEvent.filter(action="billing.charge_removed").count() == 1


async def test_it_changes_settings_and_closes_a_month(login, world):
    operator = await login("operator_dsj")
    base_id = world.bases["dsj"].id
    values = {
        "bill_pattern": "{base_code}/{year}/{seq:05d}",
        "credit_note_pattern": "{base_code}-HC-{year}-{seq:06d}",
        "receipt_pattern": "{base_code}-SJ-{year}-{seq:06d}",
        "due_days": "10",
        "payee_name": "拉萨市第三极众创空间运营有限公司",
        "bank_name": "中国农业银行拉萨分行",
        "bank_account": "22-1234567890",
        "footer": "",
    }
    bad = await operator.post("/billing/settings", {**values, "bill_pattern": "{base_code}-{year}"})
    assert bad.status_code == 422 and "编号格式必须包含 {seq}" in bad.text
    assert (await BillingProfile.get(base_id=base_id)).bill_pattern == "{base_code}-{year}-{seq:06d}"
    assert (await operator.post("/billing/settings", values)).status_code == 303
    assert (await BillingProfile.get(base_id=base_id)).due_days == 10
    unconfirmed = await operator.post("/billing/close", {"month": "2025-02"})
    assert unconfirmed.status_code == 422
    closed = await operator.post("/billing/close", {"month": "2025-02", "confirm": "1"})
    assert closed.status_code == 303
    assert (await BillingProfile.get(base_id=base_id)).closed_through == dt.date(2025, 2, 28)
    late = await operator.post(
        f"/bills/{world.bills['dsj'].id}/credit-notes", {"reason": "x", "whole": "1", "issued_on": "2025-02-28"}
    )
    assert late.status_code == 422 and "已结账至 2025年2月28日" in late.text
    assert (await Bill.get(id=world.bills["dsj"].id)).status is BillStatus.ISSUED


async def test_it_shows_founders_their_own_bills_only(login, world):
    founder = await login("founder_dsj")
    listed = await founder.get("/bills")
    assert world.bills["dsj"].number in listed.text
    assert str(world.bills["dsj_sibling"].id) not in re.findall(r'href="/bills/(\d+)"', listed.text)
    assert (await founder.get(f"/bills/{world.bills['dsj_sibling'].id}")).status_code == 404
    assert (await founder.get(f"/bills/{world.bills['dsj'].id}")).status_code == 200
    assert (await founder.get("/bills/new")).status_code == 403
    before = await counts()
    assert (await founder.post("/payments/new", {"startup_id": str(world.startups["dsj"].id)})).status_code == 403
    assert await counts() == before


async def test_it_hides_another_bases_bills(login, world):
    operator = await login("operator_chamdo")
    assert (await operator.get(f"/bills/{world.bills['dsj'].id}")).status_code == 404
    before = await counts()
    response = await operator.post(
        f"/bills/{world.bills['dsj'].id}/credit-notes", {"reason": "x", "whole": "1", "issued_on": "2025-03-01"}
    )
    assert response.status_code == 404
    assert await counts() == before
    lines = await BillLine.filter(bill_id=world.bills["dsj"].id, kind=LineKind.RENT)
    assert lines[0].credited == D("100.00")


async def test_it_offers_a_credit_note_only_while_something_is_left_to_credit(login, world):
    operator = await login("operator_dsj")
    bill = world.bills["dsj"]
    assert 'id="credit-note"' in (await operator.get(f"/bills/{bill.id}")).text
    response = await operator.post(
        f"/bills/{bill.id}/credit-notes", {"reason": "开错单位", "whole": "1", "issued_on": "2025-03-01"}
    )
    assert response.status_code == 303
    page = await operator.get(f"/bills/{bill.id}")
    assert 'id="credit-note"' not in page.text and "已作废" in page.text
