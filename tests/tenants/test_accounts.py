"""Accounts: statements, aged receivables, overdue bills, rent actually paid, exports for the accountant."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.formatting import today
from tenants.forms.billing import parse_bill, parse_credit_note, parse_fapiao, parse_payment
from tenants.models import Bill, Payment
from tenants.services import accounts, bills, payments
from tests.personas import World, principal_of

D = Decimal
AS_OF = dt.date(2026, 6, 30)


async def issue(
    world: World,
    key: str,
    *,
    period: tuple[str, str],
    issued_on: dt.date,
    due_on: dt.date | None = None,
    rent: bool = True,
    services: tuple[str, ...] = (),
) -> Bill:
    """A bill by hand for a startup of the world: its rent for the period and 'other' services of these amounts."""
    operator = await principal_of(world, "operator_" + key.removesuffix("_sibling"))
    data: dict[str, Any] = {
        "startup_id": str(world.startups[key].id),
        "period_start": period[0],
        "period_end": period[1],
        "issued_on": issued_on.isoformat(),
        "include_rent": "1" if rent else "",
        "lines": [{"kind": "other", "description": "服务费", "quantity": "1", "unit_price": a} for a in services],
    }
    if due_on is not None:
        data["due_on"] = due_on.isoformat()
    return await bills.issue_bill(operator, parse_bill(data, today=issued_on))


async def pay(
    world: World, key: str, amount: str, received_on: dt.date, *, bill: Bill | None = None, payer: str = "出纳"
) -> Payment:
    operator = await principal_of(world, "operator_" + key.removesuffix("_sibling"))
    data: dict[str, Any] = {
        "startup_id": str(world.startups[key].id),
        "received_on": received_on.isoformat(),
        "amount": amount,
        "method": "cash",
        "payer": payer,
    }
    if bill is not None:
        data["allocations"] = [{"bill_id": str(bill.id), "amount": amount}]
    return await payments.record_payment(operator, parse_payment(data, today=received_on))


async def cancel(world: World, key: str, bill: Bill, day: dt.date) -> None:
    operator = await principal_of(world, "operator_" + key.removesuffix("_sibling"))
    await payments.issue_credit_note(operator, bill, parse_credit_note({"reason": "开错了", "whole": "1"}, today=day))


# -- statements ----------------------------------------------------------------------------


async def test_it_states_the_worlds_account_to_the_fen(world):
    founder = await principal_of(world, "founder_dsj")
    found = await accounts.statement(founder, world.startups["dsj"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    rows = [(e.day, e.kind, e.number, e.charged, e.credited, e.paid, e.balance) for e in found.entries.items]
    assert rows == [
        (dt.date(2025, 2, 1), "bill", "DSJ-2025-000001", D("1000.00"), None, None, D("1000.00")),
        (dt.date(2025, 2, 10), "payment", "DSJ-SJ-2025-000001", None, None, D("600.00"), D("400.00")),
        (dt.date(2025, 2, 12), "credit_note", "DSJ-HC-2025-000001", None, D("100.00"), None, D("300.00")),
    ]
    assert (found.opening, found.charged, found.credited, found.paid, found.closing) == (
        D("0.00"),
        D("1000.00"),
        D("100.00"),
        D("600.00"),
        D("300.00"),
    )
    assert (found.owing, found.credit) == (D("300.00"), D("0.00"))
    assert [e.url for e in found.entries.items] == [
        f"/bills/{world.bills['dsj'].id}",
        f"/payments/{world.payments['dsj'].id}",
        f"/credit-notes/{world.credit_notes['dsj'].id}",
    ]


async def test_it_carries_the_opening_balance_and_the_running_balance_across_pages(world):
    operator = await principal_of(world, "operator_dsj")
    startup = world.startups["dsj"]
    later = await accounts.statement(operator, startup, dt.date(2025, 2, 11), dt.date(2025, 12, 31))
    assert later.opening == D("400.00")
    assert [(e.kind, e.balance) for e in later.entries.items] == [("credit_note", D("300.00"))]
    assert later.closing == D("300.00")
    second = await accounts.statement(operator, startup, dt.date(2025, 1, 1), dt.date(2025, 12, 31), limit=1, offset=1)
    assert (second.entries.total, second.entries.has_next) == (3, True)
    assert [(e.kind, e.balance) for e in second.entries.items] == [("payment", D("400.00"))]
    nothing = await accounts.statement(operator, startup, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (nothing.opening, nothing.closing, nothing.entries.total) == (D("0.00"), D("0.00"), 0)


async def test_it_shows_credit_as_a_negative_balance_after_an_overpayment(world, login):
    await pay(world, "dsj", "500.00", dt.date(2025, 3, 1))
    founder = await principal_of(world, "founder_dsj")
    found = await accounts.statement(founder, world.startups["dsj"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (found.paid, found.closing, found.credit, found.owing) == (
        D("1100.00"),
        D("-200.00"),
        D("200.00"),
        D("0.00"),
    )
    assert found.entries.items[-1].balance == D("-200.00")
    browser = await login("founder_dsj")
    page = await browser.get(f"/startups/{world.startups['dsj'].id}/statement?start=2025-01-01&end=2025-12-31")
    assert page.status_code == 200
    assert 'id="closing"><strong>-¥200.00</strong>' in page.text
    assert 'id="credit">¥200.00' in page.text
    assert f'href="/payments/{world.payments["dsj"].id}"' in page.text


async def test_it_refuses_a_period_over_three_years_or_backwards_with_a_clear_422(world, login, token_for):
    founder = await principal_of(world, "founder_dsj")
    startup = world.startups["dsj"]
    with pytest.raises(ValidationFailed) as failure:
        await accounts.statement(founder, startup, dt.date(2022, 1, 1), dt.date(2025, 1, 1))
    assert failure.value.fields == {"end": "A statement covers at most 3 years: choose a shorter period."}
    in_three = await accounts.statement(founder, startup, dt.date(2022, 1, 1), dt.date(2024, 12, 31))
    assert in_three.entries.total == 0
    api = await token_for("founder_dsj")
    response = await api.get(f"/api/v1/startups/{startup.id}/statement?start=2020-01-01&end=2025-12-31")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["end"] == "对账单最多覆盖 3 年：请选择更短的期间。"
    backwards = await api.get(f"/api/v1/startups/{startup.id}/statement?start=2025-06-01&end=2025-01-01")
    assert backwards.status_code == 422 and "end" in backwards.json()["error"]["fields"]
    garbage = await api.get(f"/api/v1/startups/{startup.id}/statement?start=2025-13-01")
    assert garbage.status_code == 422 and "start" in garbage.json()["error"]["fields"]
    browser = await login("founder_dsj")
    page = await browser.get(f"/startups/{startup.id}/statement?start=2020-01-01&end=2025-12-31")
    assert page.status_code == 422
    assert "对账单最多覆盖 3 年：请选择更短的期间。" in page.text
    assert 'id="statement-entries"' not in page.text


async def test_it_serves_the_statement_api_to_the_founder_and_hides_it_from_another(world, token_for):
    startup = world.startups["dsj"]
    founder = await token_for("founder_dsj")
    response = await founder.get(f"/api/v1/startups/{startup.id}/statement?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    body = response.json()
    assert (body["opening_balance"], body["closing_balance"], body["owing"], body["credit"]) == (
        "0.00",
        "300.00",
        "300.00",
        "0.00",
    )
    assert [(e["kind"], e["charged"], e["paid"], e["balance"]) for e in body["entries"]["items"]] == [
        ("bill", "1000.00", None, "1000.00"),
        ("payment", None, "600.00", "400.00"),
        ("credit_note", None, None, "300.00"),
    ]
    assert body["entries"]["total"] == 3
    stranger = await token_for("founder_chamdo")
    hidden = await stranger.get(f"/api/v1/startups/{startup.id}/statement")
    assert hidden.status_code == 404
    sibling = await founder.get(f"/api/v1/startups/{world.startups['dsj_sibling'].id}/statement")
    assert sibling.status_code == 404


async def test_it_shows_the_statement_page_to_the_bases_operator_and_404_to_another(world, login):
    startup = world.startups["dsj"]
    operator = await login("operator_dsj")
    page = await operator.get(f"/startups/{startup.id}/statement?start=2025-01-01&end=2025-12-31")
    assert page.status_code == 200
    assert "DSJ-2025-000001" in page.text and "¥300.00" in page.text
    assert 'id="rent-paid"' in page.text
    other = await login("operator_chamdo")
    assert (await other.get(f"/startups/{startup.id}/statement")).status_code == 404
    assert (await other.get(f"/startups/{startup.id}/statement.xlsx")).status_code == 404


# -- aged receivables --------------------------------------------------------------------


async def age_bills(world: World) -> None:
    """Service bills of the dsj startup due at various ages on AS_OF (the world's bill is over 90 days)."""
    for amount, due in (
        ("10.00", dt.date(2026, 7, 10)),  # not yet due
        ("20.00", dt.date(2026, 6, 29)),  # 1 day
        ("30.00", dt.date(2026, 5, 31)),  # 30 days
        ("40.00", dt.date(2026, 5, 30)),  # 31 days
        ("50.00", dt.date(2026, 4, 1)),  # 90 days
        ("60.00", dt.date(2026, 3, 31)),  # 91 days
    ):
        issued = min(due, dt.date(2026, 3, 1))
        await issue(
            world,
            "dsj",
            period=("2026-03-01", "2026-03-01"),
            issued_on=issued,
            due_on=due,
            rent=False,
            services=(amount,),
        )
    # Issued after the day: left out.
    await issue(
        world,
        "dsj",
        period=("2026-07-01", "2026-07-01"),
        issued_on=dt.date(2026, 7, 2),
        rent=False,
        services=("70.00",),
    )


async def test_it_ages_an_operators_receivables_by_startup_into_buckets(world):
    await age_bills(world)
    operator = await principal_of(world, "operator_dsj")
    aged = await accounts.aged_receivables(operator, None, AS_OF)
    assert aged.base is not None and aged.base.id == world.bases["dsj"].id
    by_name = {row.name: row.ageing for row in aged.rows.items}
    dsj = by_name[world.startups["dsj"].name]
    assert (dsj.current, dsj.days_1_30, dsj.days_31_60, dsj.days_61_90, dsj.over_90) == (
        D("10.00"),
        D("50.00"),
        D("40.00"),
        D("50.00"),
        D("360.00"),
    )
    assert (dsj.total, dsj.bills) == (D("510.00"), 7)
    sibling = by_name[world.startups["dsj_sibling"].name]
    assert (sibling.over_90, sibling.total) == (D("300.00"), D("300.00"))
    assert (aged.totals.current, aged.totals.over_90, aged.totals.total, aged.totals.bills) == (
        D("10.00"),
        D("660.00"),
        D("810.00"),
        8,
    )
    assert aged.rows.total == 2
    later = await accounts.aged_receivables(operator, None, dt.date(2026, 7, 31))
    assert later.totals.total == D("880.00")


async def test_it_gives_bureaus_one_row_per_base_and_a_chosen_base_by_startup(world):
    bureau = await principal_of(world, "bureau_tibet")
    aged = await accounts.aged_receivables(bureau, None, AS_OF)
    assert aged.base is None
    assert {row.name: row.ageing.over_90 for row in aged.rows.items} == {
        world.bases["dsj"].name: D("600.00"),
        world.bases["chamdo"].name: D("600.00"),
    }
    assert aged.totals.total == D("1200.00")
    chosen = await accounts.aged_receivables(bureau, world.bases["chamdo"].id, AS_OF)
    assert {row.url for row in chosen.rows.items} == {
        f"/startups/{world.startups[key].id}/statement" for key in ("chamdo", "chamdo_sibling")
    }
    lhasa = await principal_of(world, "bureau_lhasa")
    with pytest.raises(NotFound):
        await accounts.aged_receivables(lhasa, world.bases["chamdo"].id, AS_OF)
    assert [row.name for row in (await accounts.aged_receivables(lhasa, None, AS_OF)).rows.items] == [
        world.bases["dsj"].name
    ]
    founder = await principal_of(world, "founder_dsj")
    with pytest.raises(Forbidden):
        await accounts.aged_receivables(founder, None, AS_OF)


async def test_it_renders_the_receivables_page_with_links_to_statements(world, login):
    operator = await login("operator_dsj")
    page = await operator.get("/billing/receivables?as_of=2026-06-30")
    assert page.status_code == 200
    assert f'href="/startups/{world.startups["dsj"].id}/statement"' in page.text
    assert 'id="receivables-total"' in page.text and "¥600.00" in page.text
    bureau = await login("bureau_tibet")
    page = await bureau.get(f"/billing/receivables?base={world.bases['chamdo'].id}")
    assert page.status_code == 200 and world.startups["chamdo"].name in page.text
    assert (await bureau.get(f"/billing/receivables?base={world.bases['qinghai'].id}")).status_code == 404
    bad = await bureau.get("/billing/receivables?as_of=yesterday")
    assert bad.status_code == 422 and "请按 YYYY-MM-DD 格式输入日期" in bad.text
    founder = await login("founder_dsj")
    assert (await founder.get("/billing/receivables")).status_code == 403


# -- overdue bills -----------------------------------------------------------------------


async def test_it_lists_a_bases_overdue_bills_oldest_first(world):
    recent = await issue(
        world,
        "dsj",
        period=("2026-03-01", "2026-03-01"),
        issued_on=dt.date(2026, 3, 1),
        rent=False,
        services=("45.50",),
    )
    operator = await principal_of(world, "operator_dsj")
    found = await accounts.overdue(operator, world.bases["dsj"].id, AS_OF, limit=2)
    assert (found.count, found.total) == (3, D("645.50"))
    assert [b.number for b in found.bills] == [world.bills["dsj"].number, world.bills["dsj_sibling"].number]
    assert found.bills[0].days == (AS_OF - world.bills["dsj"].due_on).days
    on_due_day = await accounts.overdue(operator, world.bases["dsj"].id, recent.due_on, limit=10)
    assert recent.id not in [b.id for b in on_due_day.bills]
    founder = await principal_of(world, "founder_dsj")
    with pytest.raises(Forbidden):
        await accounts.overdue(founder, world.bases["dsj"].id, AS_OF)


async def test_it_serves_the_overdue_fragment_to_htmx_and_a_page_otherwise(world, login):
    base = world.bases["dsj"]
    operator = await login("operator_dsj")
    fragment = await operator.get(f"/bases/{base.id}/overdue", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="overdue-bills"' in fragment.text
    assert "¥600.00" in fragment.text
    assert world.bills["dsj"].number in fragment.text and world.bills["dsj_sibling"].number in fragment.text
    assert 'href="/bills?overdue=1"' in fragment.text
    page = await operator.get(f"/bases/{base.id}/overdue")
    assert page.status_code == 200 and "<html" in page.text and 'id="overdue-bills"' in page.text
    home = await operator.get(f"/bases/{base.id}")
    assert f'hx-get="/bases/{base.id}/overdue"' in home.text
    other = await login("operator_chamdo")
    assert (await other.get(f"/bases/{base.id}/overdue", headers={"HX-Request": "true"})).status_code == 404
    founder = await login("founder_dsj")
    assert (await founder.get(f"/bases/{base.id}/overdue")).status_code == 403
    assert "/overdue" not in (await founder.get(f"/bases/{base.id}")).text
    bureau = await login("bureau_lhasa")
    assert (await bureau.get(f"/bases/{base.id}/overdue")).status_code == 200
    assert (await bureau.get(f"/bases/{world.bases['chamdo'].id}/overdue")).status_code == 404


async def test_it_says_when_nothing_is_overdue(world, login):
    await pay(world, "dsj", "300.00", dt.date(2025, 3, 1))
    await pay(world, "dsj_sibling", "300.00", dt.date(2025, 3, 1))
    operator = await login("operator_dsj")
    fragment = await operator.get(f"/bases/{world.bases['dsj'].id}/overdue", headers={"HX-Request": "true"})
    assert "没有逾期的缴费通知单" in fragment.text and 'id="overdue-list"' not in fragment.text


# -- rent actually paid ---------------------------------------------------------------------


Setup = Callable[[World], Awaitable[None]]


@dataclass(frozen=True)
class RentCase:
    name: str
    setup: Setup
    year: int
    charged: str
    waived: str
    paid: str
    bills: int
    applied: tuple[str, ...] = ()


async def nothing_more(world: World) -> None:
    return None


async def fully_paid(world: World) -> None:
    bill = await issue(world, "dsj", period=("2026-03-01", "2026-03-31"), issued_on=dt.date(2026, 4, 1))
    await pay(world, "dsj", "1000.00", dt.date(2026, 4, 5), bill=bill)


async def partly_paid(world: World) -> None:
    # 1000 of rent and 1000 of services: half of 100.01 is 50.005, rounded up to 50.01.
    bill = await issue(
        world, "dsj", period=("2026-03-01", "2026-03-31"), issued_on=dt.date(2026, 4, 1), services=("1000.00",)
    )
    await pay(world, "dsj", "100.01", dt.date(2026, 4, 5), bill=bill)


async def credited_line(world: World) -> None:
    bill = await issue(world, "dsj", period=("2026-03-01", "2026-03-31"), issued_on=dt.date(2026, 4, 1))
    operator = await principal_of(world, "operator_dsj")
    rent_line = (await bill.lines.all().order_by("position"))[0]
    await payments.issue_credit_note(
        operator,
        bill,
        parse_credit_note(
            {"reason": "停电", "lines": [{"line_id": str(rent_line.id), "amount": "250.00"}]}, today=dt.date(2026, 4, 2)
        ),
    )
    await pay(world, "dsj", "750.00", dt.date(2026, 4, 5), bill=bill)


async def waived_free_space(world: World) -> None:
    lease = world.leases["dsj"]
    lease.monthly_rent = D("0.00")
    await lease.save()
    await issue(world, "dsj", period=("2026-03-01", "2026-03-31"), issued_on=dt.date(2026, 4, 1))


async def other_year(world: World) -> None:
    # December's rent, billed and paid in the following January, counts for December's year.
    bill = await issue(world, "dsj", period=("2025-12-01", "2025-12-31"), issued_on=dt.date(2026, 1, 5))
    await pay(world, "dsj", "1000.00", dt.date(2026, 1, 10), bill=bill)


async def cancelled(world: World) -> None:
    bill = await issue(world, "dsj", period=("2026-03-01", "2026-03-31"), issued_on=dt.date(2026, 4, 1))
    await cancel(world, "dsj", bill, dt.date(2026, 4, 2))


RENT_CASES = [
    # The world's January 2025 bill: 1200 list less 200, 100 credited on the rent line, 600 of 900 paid.
    RentCase("the world: credited, partly paid", nothing_more, 2025, "900.00", "200.00", "600.00", 1, ("600.00",)),
    RentCase("fully paid", fully_paid, 2026, "1000.00", "200.00", "1000.00", 1, ("1000.00",)),
    RentCase("partly paid, rounded half up", partly_paid, 2026, "1000.00", "200.00", "50.01", 1, ("100.01",)),
    RentCase("credited line, paid in full", credited_line, 2026, "750.00", "200.00", "750.00", 1, ("750.00",)),
    RentCase("waived free space", waived_free_space, 2026, "0.00", "1200.00", "0.00", 1),
    RentCase("bill of another year: not in 2026", other_year, 2026, "0.00", "0.00", "0.00", 0),
    RentCase(
        "bill of another year: in 2025", other_year, 2025, "1900.00", "400.00", "1600.00", 2, ("600.00", "1000.00")
    ),
    RentCase("cancelled bill", cancelled, 2026, "0.00", "0.00", "0.00", 0),
]


@pytest.mark.parametrize("case", RENT_CASES, ids=[case.name for case in RENT_CASES])
async def test_it_counts_rent_actually_paid(world, case: RentCase):
    await case.setup(world)
    found = await accounts.rent_paid(world.startups["dsj"], case.year)
    assert (found.year, found.charged, found.waived, found.paid) == (
        case.year,
        D(case.charged),
        D(case.waived),
        D(case.paid),
    )
    assert len(found.bills) == case.bills
    assert sum((b.paid for b in found.bills), D(0)) == found.paid
    assert tuple(str(p.applied) for p in found.payments) == case.applied


@pytest.mark.parametrize(
    ("rent", "net_total", "paid", "share"),
    [
        ("1000.00", "1000.00", "1000.00", "1000.00"),
        ("1000.00", "1500.00", "1600.00", "1000.00"),
        ("1000.00", "1500.00", "600.00", "400.00"),
        ("1000.00", "3000.00", "100.00", "33.33"),
        ("1000.00", "2000.00", "0.01", "0.01"),
        ("1000.00", "1500.00", "0.00", "0.00"),
        ("0.00", "0.00", "0.00", "0.00"),
    ],
)
def test_it_shares_what_was_paid_between_rent_and_services(rent: str, net_total: str, paid: str, share: str):
    assert accounts.rent_share(D(rent), D(net_total), D(paid)) == D(share)


# -- exports for the accountant -------------------------------------------------------------


def rows_of(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


async def test_it_exports_bills_with_amounts_status_and_fapiao(world, login):
    operator = await principal_of(world, "operator_dsj")
    await payments.record_fapiao(
        operator,
        world.bills["dsj"],
        parse_fapiao({"number": "12345678", "issued_on": "2025-02-15", "amount": "900.00"}, today=dt.date(2025, 3, 1)),
    )
    browser = await login("operator_dsj")
    response = await browser.get("/billing/bills.xlsx?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert (rows[0][0], rows[0][2]) == ("基地", "企业")
    assert len(rows) == 3
    first = next(row for row in rows[1:] if row[1] == world.bills["dsj"].number)
    assert first[2] == world.startups["dsj"].name
    assert first[4].date() == dt.date(2025, 1, 1) and first[6].date() == dt.date(2025, 2, 1)
    assert [D(str(x)) for x in first[8:16]] == [
        D("1200"),
        D("200"),
        D("1000"),
        D("0"),
        D("1000"),
        D("100"),
        D("600"),
        D("300"),
    ]
    assert first[16] == "已开具" and first[17] == "12345678"
    empty = await browser.get("/billing/bills.xlsx?start=2024-01-01&end=2024-12-31")
    assert len(rows_of(empty.content)) == 1
    bureau = await login("bureau_tibet")
    assert len(rows_of((await bureau.get("/billing/bills.xlsx?start=2025-01-01&end=2025-12-31")).content)) == 5
    founder = await login("founder_dsj")
    mine = rows_of((await founder.get("/billing/bills.xlsx?start=2025-01-01&end=2025-12-31")).content)
    assert [row[1] for row in mine[1:]] == [world.bills["dsj"].number]
    bad = await browser.get("/billing/bills.xlsx?start=2025-12-31&end=2025-01-01")
    assert bad.status_code == 422
    foreign = await browser.get(f"/billing/bills.xlsx?base={world.bases['chamdo'].id}")
    assert foreign.status_code == 404


async def test_it_exports_payments_with_applied_amounts_and_no_formulas(world, login):
    await pay(world, "dsj", "500.00", dt.date(2025, 3, 1), payer='=HYPERLINK("http://x")')
    browser = await login("operator_dsj")
    response = await browser.get("/billing/payments.xlsx?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert rows[0][0] == "基地" and len(rows) == 4
    by_number = {row[1]: row for row in rows[1:]}
    world_payment = by_number[world.payments["dsj"].number]
    assert [D(str(x)) for x in world_payment[7:10]] == [D("600"), D("600"), D("0")]
    assert world_payment[10] == world.bills["dsj"].number
    overpaid = by_number["DSJ-SJ-2025-000003"]
    assert overpaid[4] == "现金" and overpaid[5] == '\'=HYPERLINK("http://x")'
    assert [D(str(x)) for x in overpaid[7:10]] == [D("500"), D("300"), D("200")]
    assert overpaid[10] == world.bills["dsj"].number


async def test_it_exports_a_statement_with_its_balances(world, login):
    founder = await login("founder_dsj")
    response = await founder.get(f"/startups/{world.startups['dsj'].id}/statement.xlsx?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert [row[1] for row in rows[1:]] == ["期初余额", "缴费通知单", "收款", "红冲单", "期末余额"]
    assert [D(str(row[7])) for row in rows[1:]] == [D("0"), D("1000"), D("400"), D("300"), D("300")]


def test_it_defaults_exports_to_the_current_year():
    from tenants.forms.accounts import parse_export_period, parse_statement_period

    day = today()
    assert parse_export_period({}, today=day) == (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    assert parse_statement_period({}, today=dt.date(2026, 11, 22)) == (dt.date(2025, 11, 23), dt.date(2026, 11, 22))
