"""The billing API: bills, fapiao, credit notes, payments and billing runs; scope, permissions, bad input."""

from __future__ import annotations

import datetime as dt

from incubator.models import AuditEvent
from tenants.models import Bill, BillingRun, CreditNote, FapiaoRecord, Payment
from tenants.services import ledger
from tests.personas import World, first_line_id, principal_of

EN = {"Accept-Language": "en"}


async def counts() -> tuple[int, ...]:
    return (
        await Bill.all().count(),
        await Payment.all().count(),
        await CreditNote.all().count(),
        await AuditEvent.all().count(),
    )


def payment_body(world: World, key: str = "dsj", **extra: object) -> dict[str, object]:
    return {
        "startup_id": world.startups[key].id,
        "received_on": "2026-11-20",
        "amount": "300.00",
        "method": "bank_transfer",
        "payer": world.startups[key].name,
        "reference": "TX-API-1",
        **extra,
    }


def bill_body(world: World, key: str = "dsj_sibling", **extra: object) -> dict[str, object]:
    return {
        "startup_id": world.startups[key].id,
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "issued_on": "2026-11-20",
        "lines": [{"kind": "utilities", "description": "电费 11月", "quantity": "120", "unit_price": "1.50"}],
        **extra,
    }


# -- bills ----------------------------------------------------------------------------------


async def test_it_lists_the_bases_bills_with_amounts_as_strings(token_for, world: World):
    operator = await token_for("operator_dsj")
    body = (await operator.get("/api/v1/bills")).json()
    assert body["total"] == 2 and (body["limit"], body["offset"]) == (50, 0)
    item = next(b for b in body["items"] if b["id"] == world.bills["dsj"].id)
    assert item["startup"] == {"id": world.startups["dsj"].id, "name": "拉萨雪域青稞文创有限公司"}
    assert item["billed_to"] == "拉萨雪域青稞文创有限公司"
    assert (item["period_start"], item["period_end"]) == ("2025-01-01", "2025-01-31")
    assert (item["issued_on"], item["due_on"]) == ("2025-02-01", "2025-02-16")
    assert {k: item[k] for k in ("list_rent", "waived", "rent", "services", "total")} == {
        "list_rent": "1200.00",
        "waived": "200.00",
        "rent": "1000.00",
        "services": "0.00",
        "total": "1000.00",
    }
    assert (item["credited"], item["paid"], item["balance"]) == ("100.00", "600.00", "300.00")
    assert (item["status"], item["overdue"], item["number"]) == ("issued", True, world.bills["dsj"].number)
    assert len(item["hash"]) == 64


async def test_it_filters_bills_and_names_a_bad_parameter(token_for, world: World):
    operator = await token_for("operator_dsj")
    sibling = world.startups["dsj_sibling"]

    async def ids(query: str) -> list[int]:
        response = await operator.get(f"/api/v1/bills?{query}")
        assert response.status_code == 200, response.text
        return [b["id"] for b in response.json()["items"]]

    assert await ids(f"startup_id={sibling.id}") == [world.bills["dsj_sibling"].id]
    assert await ids("status=cancelled") == []
    assert len(await ids("status=issued&overdue=true")) == 2
    assert await ids("overdue=false") == []
    assert len(await ids("issued_from=2025-02-01&issued_to=2025-02-01")) == 2
    assert await ids("issued_from=2025-02-02") == []
    assert await ids("run_id=1") == []
    for query, name in [
        ("status=paid", "status"),
        ("overdue=maybe", "overdue"),
        ("issued_from=2025-13-01", "issued_from"),
        ("startup_id=abc", "startup_id"),
        ("issued_from=2025-03-01&issued_to=2025-02-01", "issued_to"),
    ]:
        bad = await operator.get(f"/api/v1/bills?{query}", headers=EN)
        assert bad.status_code == 422, query
        assert list(bad.json()["error"]["fields"]) == [name]
    assert (await operator.get("/api/v1/bills?status=paid", headers=EN)).json()["error"]["fields"] == {
        "status": "Choose one of the listed values."
    }


async def test_it_shows_a_bill_with_lines_credit_notes_payments_and_fapiao(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = world.bills["dsj"]
    body = (await operator.get(f"/api/v1/bills/{bill.id}")).json()
    assert [(x["position"], x["kind"], x["amount"], x["credited"]) for x in body["lines"]] == [
        (1, "rent", "1200.00", "100.00"),
        (2, "discount", "-200.00", "0.00"),
    ]
    rent = body["lines"][0]
    assert (rent["space_code"], rent["period_start"], rent["period_end"], rent["days"]) == (
        "A-203",
        "2025-01-01",
        "2025-01-31",
        31,
    )
    assert (rent["quantity"], rent["unit_price"]) == ("1.000", "1200.00")
    note = world.credit_notes["dsj"]
    assert body["credit_notes"] == [
        {
            "id": note.id,
            "number": note.number,
            "issued_on": "2025-02-12",
            "reason": "空调维修停用两天",
            "total": "100.00",
        }
    ]
    payment = world.payments["dsj"]
    assert body["allocations"] == [
        {
            "payment_id": payment.id,
            "receipt": payment.number,
            "amount": "600.00",
            "applied_on": "2025-02-10",
            "credit_note_id": None,
        }
    ]
    assert body["fapiao"] == []


async def test_it_issues_a_bill_by_hand(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await AuditEvent.filter(action="bill.issued").count()
    response = await operator.post("/api/v1/bills", json=bill_body(world, note="按表计费"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "DSJ-2026-000001"
    assert body["startup"]["id"] == world.startups["dsj_sibling"].id
    assert (body["services"], body["total"], body["balance"], body["due_on"]) == (
        "180.00",
        "180.00",
        "180.00",
        "2026-12-05",
    )
    assert [(x["kind"], x["description"], x["quantity"], x["unit_price"], x["amount"]) for x in body["lines"]] == [
        ("utilities", "电费 11月", "120.000", "1.50", "180.00")
    ]
    assert body["note"] == "按表计费" and body["overdue"] is False
    assert (await Bill.get(id=body["id"])).total == 180
    assert await AuditEvent.filter(action="bill.issued").count() == before + 1


async def test_it_refuses_a_bad_bill_with_field_errors_and_changes_nothing(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    rent = bill_body(world, lines=[{"kind": "rent", "description": "x", "quantity": "1", "unit_price": "-3"}])
    response = await operator.post("/api/v1/bills", json={**rent, "period_end": "2026-10-01"}, headers=EN)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["period_end"] == "The end date cannot be before the start date."
    assert fields["line_kind.0"] == "Rent is billed from leases; choose a service."
    assert "line_unit_price.0" in fields
    empty = await operator.post("/api/v1/bills", json=bill_body(world, lines=[]), headers=EN)
    assert empty.status_code == 422
    assert empty.json()["error"]["fields"] == {
        "lines": "There is nothing to bill: add a line, or include rent or pending charges."
    }
    assert await counts() == before


async def test_it_refuses_to_edit_an_issued_bill(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = await Bill.get(id=world.bills["dsj"].id)
    before = await counts()
    url = f"/api/v1/bills/{bill.id}"
    for method in ("PATCH", "PUT", "DELETE"):
        response = await operator.request(method, url, json={"total": "1.00"}, headers=EN)
        assert response.status_code == 405, method
        assert response.json()["error"] == {
            "code": "method_not_allowed",
            "message": "This method is not allowed here.",
        }
    chinese = await operator.patch(url, json={"total": "1.00"})
    assert chinese.status_code == 405 and chinese.json()["error"]["message"] != "This method is not allowed here."
    after = await Bill.get(id=bill.id)
    assert (after.total, after.balance, after.status, after.hash) == (bill.total, bill.balance, bill.status, bill.hash)
    assert await counts() == before


async def test_it_records_a_fapiao_up_to_what_the_bill_asks(token_for, world: World):
    operator, founder = await token_for("operator_dsj"), await token_for("founder_dsj")
    bill = world.bills["dsj"]
    url = f"/api/v1/bills/{bill.id}/fapiao"
    response = await operator.post(url, json={"number": "12345678", "issued_on": "2025-02-15", "amount": "800.00"})
    assert response.status_code == 201, response.text
    assert response.json() == {
        "id": response.json()["id"],
        "bill_id": bill.id,
        "number": "12345678",
        "issued_on": "2025-02-15",
        "amount": "800.00",
    }
    shown = (await operator.get(f"/api/v1/bills/{bill.id}")).json()["fapiao"]
    assert [(f["number"], f["amount"]) for f in shown] == [("12345678", "800.00")]
    before = await counts()
    too_much = await operator.post(
        url, json={"number": "12345679", "issued_on": "2025-02-15", "amount": "100.01"}, headers=EN
    )
    assert too_much.status_code == 422
    assert too_much.json()["error"]["fields"]["amount"].startswith("Fapiao for this bill would add up to more")
    bad_number = await operator.post(url, json={"number": "1234", "issued_on": "2025-02-15", "amount": "1"})
    assert bad_number.status_code == 422 and "number" in bad_number.json()["error"]["fields"]
    refused = await founder.post(url, json={"number": "12345679", "issued_on": "2025-02-15", "amount": "1.00"})
    assert refused.status_code == 403
    assert await FapiaoRecord.all().count() == 1 and await counts() == before


# -- payments -------------------------------------------------------------------------------


async def test_it_records_a_payment_that_pays_the_oldest_bill(token_for, world: World):
    operator = await token_for("operator_dsj")
    response = await operator.post("/api/v1/payments", json=payment_body(world))
    assert response.status_code == 201, response.text
    body = response.json()
    bill = world.bills["dsj"]
    assert body["number"] == "DSJ-SJ-2026-000001"
    assert (body["amount"], body["unapplied"], body["method"]) == ("300.00", "0.00", "bank_transfer")
    assert body["amount_in_words"] == "人民币叁佰元整"
    assert body["allocations"] == [
        {
            "bill_id": bill.id,
            "bill_number": bill.number,
            "amount": "300.00",
            "applied_on": "2026-11-20",
            "credit_note_id": None,
        }
    ]
    paid = (await operator.get(f"/api/v1/bills/{bill.id}")).json()
    assert (paid["paid"], paid["balance"], paid["overdue"]) == ("900.00", "0.00", False)
    shown = (await operator.get(f"/api/v1/payments/{body['id']}")).json()
    assert shown == body


async def test_it_keeps_what_is_paid_beyond_the_bills_as_credit(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = world.bills["dsj"]
    allocations = [{"bill_id": bill.id, "amount": 100}]
    response = await operator.post(
        "/api/v1/payments", json=payment_body(world, amount=250.5, method="cash", allocations=allocations)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["amount"], body["unapplied"]) == ("250.50", "150.50")
    assert [a["amount"] for a in body["allocations"]] == ["100.00"]
    assert (await Bill.get(id=bill.id)).balance == 200


async def test_it_lists_payments_with_filters(token_for, world: World):
    operator = await token_for("operator_dsj")
    await operator.post("/api/v1/payments", json=payment_body(world, method="cash"))
    body = (await operator.get("/api/v1/payments")).json()
    assert body["total"] == 3
    assert [p["received_on"] for p in body["items"]] == ["2026-11-20", "2025-02-10", "2025-02-10"]
    cash = (await operator.get("/api/v1/payments?method=cash")).json()["items"]
    assert [(p["amount"], p["startup"]["id"]) for p in cash] == [("300.00", world.startups["dsj"].id)]
    early = (await operator.get("/api/v1/payments?received_to=2025-12-31")).json()
    assert early["total"] == 2 and {p["amount"] for p in early["items"]} == {"600.00"}
    own = (await operator.get(f"/api/v1/payments?startup_id={world.startups['dsj_sibling'].id}")).json()
    assert [p["id"] for p in own["items"]] == [world.payments["dsj_sibling"].id]
    bad = await operator.get("/api/v1/payments?method=cheque")
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["method"]


async def test_it_refuses_zero_negative_and_sub_fen_amounts_and_changes_nothing(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    for amount, message in [
        ("0", "The amount must be more than zero."),
        (0, "The amount must be more than zero."),
        ("-5.00", "The amount must be more than zero."),
        (-300, "The amount must be more than zero."),
        ("300.001", "At most 2 decimal places."),
        (0.005, "At most 2 decimal places."),
    ]:
        response = await operator.post("/api/v1/payments", json=payment_body(world, amount=amount), headers=EN)
        assert response.status_code == 422, amount
        assert response.json()["error"]["fields"] == {"amount": message}, amount
    allocated = payment_body(world, allocations=[{"bill_id": world.bills["dsj"].id, "amount": "-1"}])
    response = await operator.post("/api/v1/payments", json=allocated, headers=EN)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"allocation_amount.0": "The amount must be more than zero."}
    assert await counts() == before
    assert (await Bill.get(id=world.bills["dsj"].id)).balance == 300


async def test_it_refuses_to_pay_more_than_a_bill_owes(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    body = payment_body(world, amount="500.00", allocations=[{"bill_id": world.bills["dsj"].id, "amount": "300.01"}])
    response = await operator.post("/api/v1/payments", json=body, headers=EN)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "allocations": f"Bill {world.bills['dsj'].number} has CN¥300.00 left to pay."
    }
    assert await counts() == before


async def test_it_refuses_to_pay_a_cancelled_bill(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = world.bills["dsj"]
    whole = await operator.post("/api/v1/credit-notes", json={"bill_id": bill.id, "whole": True, "reason": "退租"})
    assert whole.status_code == 201, whole.text
    assert whole.json()["total"] == "900.00"
    cancelled = (await operator.get(f"/api/v1/bills/{bill.id}")).json()
    assert (cancelled["status"], cancelled["credited"], cancelled["paid"], cancelled["balance"]) == (
        "cancelled",
        "1000.00",
        "0.00",
        "0.00",
    )
    assert [a["amount"] for a in cancelled["allocations"]] == ["600.00", "-600.00"]
    assert (await Payment.get(id=world.payments["dsj"].id)).unapplied == 600
    before = await counts()
    body = payment_body(world, amount="100.00", allocations=[{"bill_id": bill.id, "amount": "100.00"}])
    response = await operator.post("/api/v1/payments", json=body, headers=EN)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "allocations": f"Bill {bill.number} is cancelled: nothing can be paid on it."
    }
    assert await counts() == before


# -- credit notes ---------------------------------------------------------------------------


async def test_it_credits_a_line_and_lists_and_shows_credit_notes(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = world.bills["dsj"]
    line_id = await first_line_id(bill)
    body = {
        "bill_id": bill.id,
        "reason": "门禁故障",
        "issued_on": "2026-11-20",
        "lines": [{"line_id": line_id, "amount": "50.00"}],
    }
    response = await operator.post("/api/v1/credit-notes", json=body)
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["number"] == "DSJ-HC-2026-000001"
    assert (note["total"], note["bill"], note["issued_on"]) == (
        "50.00",
        {"id": bill.id, "number": bill.number},
        "2026-11-20",
    )
    assert note["lines"] == [{"line_id": line_id, "position": 1, "kind": "rent", "description": "", "amount": "50.00"}]
    updated = (await operator.get(f"/api/v1/bills/{bill.id}")).json()
    assert (updated["credited"], updated["balance"]) == ("150.00", "250.00")
    listed = (await operator.get(f"/api/v1/credit-notes?bill_id={bill.id}")).json()
    assert [(n["number"], n["total"]) for n in listed["items"]] == [
        ("DSJ-HC-2026-000001", "50.00"),
        (world.credit_notes["dsj"].number, "100.00"),
    ]
    assert (await operator.get("/api/v1/credit-notes")).json()["total"] == 3
    sibling = world.startups["dsj_sibling"]
    only = (await operator.get(f"/api/v1/credit-notes?startup_id={sibling.id}")).json()["items"]
    assert [n["id"] for n in only] == [world.credit_notes["dsj_sibling"].id]
    shown = (await operator.get(f"/api/v1/credit-notes/{note['id']}")).json()
    assert shown == note
    bad = await operator.get("/api/v1/credit-notes?bill_id=x")
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["bill_id"]


async def test_it_refuses_a_credit_note_larger_than_what_remains(token_for, world: World):
    operator = await token_for("operator_dsj")
    bill = world.bills["dsj"]
    line_id = await first_line_id(bill)
    before = await counts()
    # The rent line has 1100.00 left, but the bill (1000.00 less 100.00 credited) only 900.00.
    body = {"bill_id": bill.id, "reason": "x", "lines": [{"line_id": line_id, "amount": "900.01"}]}
    response = await operator.post("/api/v1/credit-notes", json=body, headers=EN)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "lines": "The credit note would be CN¥900.01 but the bill has CN¥900.00 left to credit."
    }
    on_line = {**body, "lines": [{"line_id": line_id, "amount": "1100.01"}]}
    response = await operator.post("/api/v1/credit-notes", json=on_line, headers=EN)
    assert response.json()["error"]["fields"] == {
        "credit_amount.0": "At most CN¥1,100.00 can be credited on this line."
    }
    missing = await operator.post("/api/v1/credit-notes", json={"lines": []}, headers=EN)
    assert missing.status_code == 422
    assert set(missing.json()["error"]["fields"]) == {"bill_id", "reason", "lines"}
    assert await counts() == before
    assert (await Bill.get(id=bill.id)).credited == 100


# -- billing runs ---------------------------------------------------------------------------


async def test_it_previews_then_issues_a_run_for_both_startups_of_the_base(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    preview = (await operator.get("/api/v1/billing-runs/preview?period=2026-10")).json()
    assert (preview["period"], preview["bills"], preview["total"], preview["waived"]) == (
        "2026-10",
        2,
        "2200.00",
        "400.00",
    )
    assert preview["issued"] is None and len(preview["digest"]) == 64
    assert [d["startup"]["name"] for d in preview["drafts"]] == ["拉萨格桑花电商创业团队", "拉萨雪域青稞文创有限公司"]
    draft = preview["drafts"][1]
    assert [(x["kind"], x["amount"]) for x in draft["lines"]] == [
        ("rent", "1200.00"),
        ("discount", "-200.00"),
        ("meeting_room", "100.00"),
    ]
    assert (draft["period_start"], draft["period_end"], draft["rent"], draft["services"], draft["total"]) == (
        "2026-10-01",
        "2026-10-31",
        "1000.00",
        "100.00",
        "1100.00",
    )
    assert await counts() == before, "a preview saves nothing"
    response = await operator.post(
        "/api/v1/billing-runs", json={"period": "2026-10", "issued_on": "2026-11-02", "digest": preview["digest"]}
    )
    assert response.status_code == 201, response.text
    run = response.json()
    assert (run["period"], run["issued_on"], run["bills"], run["total"]) == ("2026-10", "2026-11-02", 2, "2200.00")
    assert {b["startup"]["id"] for b in run["issued_bills"]} == {
        world.startups["dsj"].id,
        world.startups["dsj_sibling"].id,
    }
    assert [(b["number"], b["total"]) for b in run["issued_bills"]] == [
        ("DSJ-2026-000001", "1100.00"),
        ("DSJ-2026-000002", "1100.00"),
    ]
    listed = (await operator.get(f"/api/v1/bills?run_id={run['id']}")).json()
    assert listed["total"] == 2
    again = (await operator.get("/api/v1/billing-runs/preview?period=2026-10")).json()
    assert again["drafts"] == [] and again["issued"] == {k: run[k] for k in again["issued"]}
    runs = (await operator.get("/api/v1/billing-runs")).json()
    assert [(r["id"], r["period"], r["bills"]) for r in runs["items"]] == [(run["id"], "2026-10", 2)]
    bureau = await token_for("bureau_lhasa")
    assert (await bureau.get("/api/v1/billing-runs")).json()["total"] == 1
    assert (await (await token_for("bureau_chamdo")).get("/api/v1/billing-runs")).json()["total"] == 0


async def test_it_refuses_a_run_issued_twice_for_the_same_month(token_for, world: World):
    operator = await token_for("operator_dsj")
    first = await operator.post("/api/v1/billing-runs", json={"period": "2026-10", "issued_on": "2026-11-02"})
    assert first.status_code == 201
    before = await counts()
    second = await operator.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=EN)
    assert second.status_code == 422
    message = second.json()["error"]["fields"]["period"]
    assert message.startswith("The billing run for this month was issued already") and "(2 bills)" in message
    assert await counts() == before
    assert await BillingRun.all().count() == 1


async def test_it_refuses_a_run_when_the_leases_changed_since_the_preview(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    stale = await operator.post("/api/v1/billing-runs", json={"period": "2026-10", "digest": "0" * 64}, headers=EN)
    assert stale.status_code == 422
    assert stale.json()["error"]["fields"] == {
        "period": "Leases or charges changed since the preview. Look at the new preview, then issue."
    }
    for bad in ("2026-13", "", "2030-01"):
        response = await operator.get(f"/api/v1/billing-runs/preview?period={bad}")
        assert response.status_code == 422 and list(response.json()["error"]["fields"]) == ["period"], bad
    assert await counts() == before


async def test_it_refuses_to_issue_into_a_closed_period(token_for, world: World):
    operator = await token_for("operator_dsj")
    base_id = world.bases["dsj"].id
    await ledger.close_month(await principal_of(world, "operator_dsj"), base_id, dt.date(2026, 10, 1))
    before = await counts()
    bill = await operator.post(
        "/api/v1/bills",
        json=bill_body(world, period_start="2026-10-01", period_end="2026-10-31", issued_on="2026-10-31"),
        headers=EN,
    )
    assert bill.status_code == 422
    assert bill.json()["error"]["fields"]["issued_on"].startswith("The books are closed through")
    run = await operator.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=EN)
    assert run.status_code == 422
    assert run.json()["error"]["fields"]["period"].startswith("The books are closed through")
    payment = await operator.post("/api/v1/payments", json=payment_body(world, received_on="2026-10-20"), headers=EN)
    assert payment.status_code == 422 and list(payment.json()["error"]["fields"]) == ["received_on"]
    note = await operator.post(
        "/api/v1/credit-notes",
        json={"bill_id": world.bills["dsj"].id, "reason": "x", "whole": True, "issued_on": "2026-10-15"},
        headers=EN,
    )
    assert note.status_code == 422 and list(note.json()["error"]["fields"]) == ["issued_on"]
    assert await counts() == before
    later = await operator.post("/api/v1/bills", json=bill_body(world))
    assert later.status_code == 201, "a day after the closed month is open"


# -- scope and permissions ------------------------------------------------------------------


async def test_it_shows_founders_only_their_startups_billing(token_for, world: World):
    founder = await token_for("founder_dsj")
    own = world.startups["dsj"]
    bills = (await founder.get("/api/v1/bills")).json()
    assert [b["id"] for b in bills["items"]] == [world.bills["dsj"].id]
    assert [p["id"] for p in (await founder.get("/api/v1/payments")).json()["items"]] == [world.payments["dsj"].id]
    notes = (await founder.get("/api/v1/credit-notes")).json()["items"]
    assert [n["id"] for n in notes] == [world.credit_notes["dsj"].id]
    detail = await founder.get(f"/api/v1/bills/{world.bills['dsj'].id}")
    assert detail.status_code == 200 and detail.json()["startup"]["id"] == own.id
    sibling = world.startups["dsj_sibling"]
    assert (await founder.get(f"/api/v1/bills?startup_id={sibling.id}")).json()["total"] == 0
    for url in (
        f"/api/v1/bills/{world.bills['dsj_sibling'].id}",
        f"/api/v1/payments/{world.payments['dsj_sibling'].id}",
        f"/api/v1/credit-notes/{world.credit_notes['dsj_sibling'].id}",
    ):
        assert (await founder.get(url)).status_code == 404, url
    assert (await founder.get("/api/v1/billing-runs")).json()["total"] == 0


async def test_it_keeps_each_bureau_to_its_region(token_for, world: World):
    chamdo = await token_for("bureau_chamdo")
    bills = (await chamdo.get("/api/v1/bills?limit=200")).json()
    assert {b["startup"]["id"] for b in bills["items"]} == {
        world.startups["chamdo"].id,
        world.startups["chamdo_sibling"].id,
    }
    assert (await chamdo.get(f"/api/v1/bills?startup_id={world.startups['dsj'].id}")).json()["total"] == 0
    for url in (
        f"/api/v1/bills/{world.bills['dsj'].id}",
        f"/api/v1/payments/{world.payments['dsj'].id}",
        f"/api/v1/credit-notes/{world.credit_notes['dsj'].id}",
    ):
        response = await chamdo.get(url)
        assert response.status_code == 404 and "拉萨" not in response.text, url
    tibet = await token_for("bureau_tibet")
    assert (await tibet.get("/api/v1/bills")).json()["total"] == 4
    assert (await (await token_for("admin")).get("/api/v1/bills")).json()["total"] == 5


async def test_it_gives_404_for_another_bases_objects_and_changes_nothing(token_for, world: World):
    operator = await token_for("operator_dsj")
    before = await counts()
    foreign = world.bills["chamdo"]
    assert (await operator.get(f"/api/v1/bills/{foreign.id}")).status_code == 404
    note = await operator.post("/api/v1/credit-notes", json={"bill_id": foreign.id, "reason": "x", "whole": True})
    assert note.status_code == 404
    payment = await operator.post("/api/v1/payments", json=payment_body(world, "chamdo"))
    assert payment.status_code == 404
    bill = await operator.post("/api/v1/bills", json=bill_body(world, "chamdo"))
    assert bill.status_code == 404
    fapiao = await operator.post(
        f"/api/v1/bills/{foreign.id}/fapiao", json={"number": "12345678", "issued_on": "2025-02-15", "amount": "1"}
    )
    assert fapiao.status_code == 404
    # Someone else's bill named in an allocation is an error of this payment, not a way to find it.
    stray = payment_body(world, allocations=[{"bill_id": foreign.id, "amount": "1.00"}])
    response = await operator.post("/api/v1/payments", json=stray, headers=EN)
    assert response.status_code == 422 and response.json()["error"]["fields"] == {
        "allocations": "Choose bills of this startup."
    }
    assert await counts() == before


async def test_it_lets_only_the_bases_operator_change_billing(token_for, world: World):
    clients = {persona: await token_for(persona) for persona in ("founder_dsj", "bureau_lhasa", "admin")}
    bill = world.bills["dsj"]
    before = await counts()
    for persona, client in clients.items():
        for url, body in [
            ("/api/v1/bills", bill_body(world, "dsj")),
            ("/api/v1/payments", payment_body(world)),
            ("/api/v1/credit-notes", {"bill_id": bill.id, "reason": "x", "whole": True}),
            ("/api/v1/billing-runs", {"period": "2026-10"}),
        ]:
            response = await client.post(url, json=body)
            assert response.status_code == 403, f"{persona} {url}: {response.status_code}"
            assert response.json()["error"]["code"] == "forbidden"
        preview = await client.get("/api/v1/billing-runs/preview?period=2026-10")
        assert preview.status_code == 403, persona
    assert await counts() == before
