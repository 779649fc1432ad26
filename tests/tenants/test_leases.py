"""Leases: letting spaces without overlaps, concessions, ending, renewing and moving with history."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from incubator.access import principal_for
from incubator.errors import ValidationFailed
from incubator.models import AuditEvent, Membership
from tenants.forms.spaces import parse_lease
from tenants.models import (
    BillingCycle,
    Lease,
    LeaseOrigin,
    LeaseSpace,
    RentConcession,
    Space,
    SpaceKind,
    SpaceStatus,
    Startup,
    StartupStatus,
)
from tenants.services.leases import create_lease, leases_for_startup


async def add_space(world, code: str, *, base: str = "dsj", rent: str = "800.00", area: str = "12.00") -> Space:
    return await Space.create(
        base=world.bases[base], code=code, kind=SpaceKind.OFFICE, area_m2=Decimal(area), list_rent=Decimal(rent)
    )


def lease_form(startup: Startup, *spaces: Space, **changes: object) -> dict[str, object]:
    return {
        "startup_id": str(startup.id),
        "space_ids": [str(s.id) for s in spaces],
        "start_on": "2028-01-01",
        "end_on": "2028-12-31",
        "monthly_rent": "1500.00",
        "deposit": "3000",
        "billing_cycle": "quarterly",
        "note": "",
        **changes,
    }


async def counts() -> tuple[int, int, int, int]:
    return (
        await Lease.all().count(),
        await LeaseSpace.all().count(),
        await RentConcession.all().count(),
        await AuditEvent.all().count(),
    )


async def test_it_lets_two_spaces_and_snapshots_their_list_rents(login, world):
    b1, b2 = await add_space(world, "B-1", rent="800.00"), await add_space(world, "B-2", rent="650.50")
    operator = await login("operator_dsj")
    response = await operator.post("/leases/new", lease_form(world.startups["dsj_sibling"], b1, b2))
    assert response.status_code == 303
    lease = await Lease.get(startup_id=world.startups["dsj_sibling"].id, start_on=dt.date(2028, 1, 1))
    assert response.headers["location"] == f"/leases/{lease.id}"
    assert (lease.list_rent, lease.monthly_rent, lease.deposit) == (
        Decimal("1450.50"),
        Decimal("1500.00"),
        Decimal("3000.00"),
    )
    assert (lease.occupied_until, lease.billing_cycle, lease.origin) == (
        dt.date(2028, 12, 31),
        BillingCycle.QUARTERLY,
        LeaseOrigin.NEW,
    )
    links = {link.space_id: link.list_rent for link in await LeaseSpace.filter(lease_id=lease.id)}
    assert links == {b1.id: Decimal("800.00"), b2.id: Decimal("650.50")}
    event = await AuditEvent.get(action="lease.created")
    assert (event.base_id, event.region_code, event.object_id) == (world.bases["dsj"].id, "540102", str(lease.id))
    assert event.after["spaces"] == ["B-1", "B-2"] and event.after["monthly_rent"] == "1500.00"
    page = await operator.get(f"/leases/{lease.id}")
    assert page.status_code == 200
    assert "B-1" in page.text and "¥1,450.50" in page.text and "租金计划" in page.text
    assert "¥18,000.00" in page.text  # twelve months at the agreed rent


async def test_it_refuses_an_overlapping_lease_and_stores_nothing(login, world):
    free = await add_space(world, "B-1")
    held = world.spaces["dsj"]  # A-203, let to the dsj startup from 2025-01-01 to 2027-12-31
    operator = await login("operator_dsj")
    before = await counts()
    form = lease_form(world.startups["dsj_sibling"], free, held, start_on="2027-12-31", end_on="2028-06-30")
    response = await operator.post("/leases/new", form)
    assert response.status_code == 422
    assert 'id="e-space_ids"' in response.text
    assert "场地 A-203 在 2025年1月1日 至 2027年12月31日 已由另一份协议租用" in response.text
    assert f'value="{free.id}" selected' in response.text  # the choice is kept
    assert await counts() == before
    # The day after the other lease's last day is free.
    adjacent = await operator.post("/leases/new", {**form, "start_on": "2028-01-01"})
    assert adjacent.status_code == 303


async def test_it_refuses_bad_lease_input_naming_the_field(login, world):
    free = await add_space(world, "B-1")
    stored = await add_space(world, "S-1")
    await Space.filter(id=stored.id).update(status=SpaceStatus.OUT_OF_SERVICE)
    graduated = world.startups["dsj_sibling"]
    operator = await login("operator_dsj")
    before = await counts()
    startup = world.startups["dsj"]
    for form, field, message in [
        (lease_form(startup, free, start_on="2028-05-01", end_on="2028-04-30"), "end_on", "结束日期不能早于开始日期"),
        (lease_form(startup), "space_ids", "请至少选择一个场地"),
        ({**lease_form(startup), "space_ids": ["abc"]}, "space_ids", "请从列表中选择场地"),
        (lease_form(startup, free, monthly_rent=""), "monthly_rent", "必填"),
        (lease_form(startup, free, monthly_rent="-5"), "monthly_rent", "0"),
        (lease_form(startup, free, start_on="1899-12-31"), "start_on", "过早"),
        (lease_form(startup, free, end_on="2080-01-01"), "end_on", "30 年"),
        (lease_form(startup, free, start_on="2028-02-30"), "start_on", "YYYY-MM-DD"),
        (lease_form(startup, stored), "space_ids", "场地 S-1 已停用"),
    ]:
        response = await operator.post("/leases/new", form)
        assert response.status_code == 422, form
        assert f'id="e-{field}"' in response.text, form
        assert message in response.text, (form, field)
    await Startup.filter(id=graduated.id).update(status=StartupStatus.GRADUATED)
    response = await operator.post("/leases/new", lease_form(graduated, free))
    assert response.status_code == 422 and "只有申请入驻或在孵的企业才能租用场地" in response.text
    assert await counts() == before


async def test_it_gives_404_for_a_foreign_startup_or_space(login, world):
    free = await add_space(world, "B-1")
    operator = await login("operator_dsj")
    before = await counts()
    foreign_startup = await operator.post("/leases/new", lease_form(world.startups["chamdo"], free))
    assert foreign_startup.status_code == 404
    foreign_space = await operator.post("/leases/new", lease_form(world.startups["dsj"], free, world.spaces["chamdo"]))
    assert foreign_space.status_code == 404
    assert "工位-17" not in foreign_space.text
    assert await counts() == before


async def test_it_preselects_the_startup_and_offers_only_free_spaces(login, world):
    free = await add_space(world, "B-1")
    operator = await login("operator_dsj")
    page = await operator.get(f"/leases/new?startup_id={world.startups['dsj_sibling'].id}")
    assert page.status_code == 200
    assert f'<option value="{world.startups["dsj_sibling"].id}" selected' in page.text
    assert f'<option value="{free.id}" >B-1 · ' in page.text
    assert ">A-203 · " not in page.text and ">A-203-2 · " not in page.text  # both are let
    assert (await (await login("bureau_lhasa")).get("/leases/new")).status_code == 403


async def test_it_keeps_free_rent_and_discount_periods_within_the_lease(login, world):
    lease = world.leases["dsj"]  # 2025-01-01 to 2027-12-31, list 1200, agreed 1000
    operator = await login("operator_dsj")
    url = f"/leases/{lease.id}/concessions"
    free = {"start_on": "2025-01-01", "end_on": "2025-03-15", "kind": "free", "monthly_rent": "", "note": "新入驻免租"}
    assert (await operator.post(url, free)).status_code == 303
    discount = {"start_on": "2025-04-01", "end_on": "2025-06-30", "kind": "discount", "monthly_rent": "500"}
    assert (await operator.post(url, discount)).status_code == 303
    rows = await RentConcession.filter(lease_id=lease.id).order_by("start_on")
    assert [(c.start_on, c.monthly_rent) for c in rows] == [
        (dt.date(2025, 1, 1), Decimal("0.00")),
        (dt.date(2025, 4, 1), Decimal("500.00")),
    ]
    assert await AuditEvent.filter(action="lease.concession_added").count() == 2
    before = await counts()
    for form, field, message in [
        ({**discount, "start_on": "2025-03-01", "end_on": "2025-03-31"}, "start_on", "2025年1月1日 至 2025年3月15日"),
        ({**free, "start_on": "2024-12-01", "end_on": "2024-12-31"}, "start_on", "不能早于协议开始日期"),
        ({**free, "start_on": "2027-12-01", "end_on": "2028-01-31"}, "end_on", "不能晚于协议的最后一天"),
        (
            {**discount, "start_on": "2026-01-01", "end_on": "2026-01-31", "monthly_rent": "1000.01"},
            "monthly_rent",
            "1000.00",
        ),
        ({**discount, "start_on": "2026-01-01", "end_on": "2026-01-31", "monthly_rent": ""}, "monthly_rent", "必填"),
        ({**free, "start_on": "2026-02-01", "end_on": "2026-01-01"}, "end_on", "结束日期不能早于开始日期"),
    ]:
        response = await operator.post(url, form)
        assert response.status_code == 422, form
        assert f'id="concession-{field}-error"' in response.text, form
        assert message in response.text, form
    assert await counts() == before
    page = await operator.get(f"/leases/{lease.id}")
    # January, February free (2 × 1200 waived), March half free, April to June at 500.
    assert "新入驻免租" in page.text and "免租" in page.text and "优惠" in page.text
    assert "¥32,016.13" in page.text  # charged: 36 × 1000 − 2 × 1000 − (1000 − 516.13) − 3 × 500


async def test_it_ends_a_lease_once_with_a_reason(login, world):
    lease = world.leases["dsj"]
    operator = await login("operator_dsj")
    url = f"/leases/{lease.id}/end"
    before = await counts()
    for form, message in [
        ({"ended_on": "2024-12-31", "reason": "x"}, "请选择 2025年1月1日 至 2027年12月31日 之间的日期"),
        ({"ended_on": "2028-01-01", "reason": "x"}, "请选择 2025年1月1日 至 2027年12月31日 之间的日期"),
        ({"ended_on": "2026-12-31", "reason": ""}, "必填"),
    ]:
        response = await operator.post(url, form)
        assert response.status_code == 422 and message in response.text, form
    assert await counts() == before
    response = await operator.post(url, {"ended_on": "2026-12-31", "reason": "企业迁出园区"})
    assert response.status_code == 303
    ended = await Lease.get(id=lease.id)
    assert (ended.ended_on, ended.occupied_until, ended.end_reason) == (
        dt.date(2026, 12, 31),
        dt.date(2026, 12, 31),
        "企业迁出园区",
    )
    assert ended.end_on == dt.date(2027, 12, 31)  # the agreed term is kept
    event = await AuditEvent.get(action="lease.ended")
    assert (event.before["occupied_until"], event.after["occupied_until"]) == ("2027-12-31", "2026-12-31")
    again = await operator.post(url, {"ended_on": "2026-12-30", "reason": "再次"})
    assert again.status_code == 422 and "此协议已经终止" in again.text
    # The space is free for a new lease from the next day.
    free_from = lease_form(
        world.startups["dsj_sibling"], world.spaces["dsj"], start_on="2027-01-01", end_on="2027-06-30"
    )
    assert (await operator.post("/leases/new", free_from)).status_code == 303


async def test_it_renews_into_a_new_lease_and_keeps_the_old_one(login, world):
    old = world.leases["dsj_sibling"]  # A-203-2, 2025-01-01 to 2027-12-31, agreed 1000
    operator = await login("operator_dsj")
    url = f"/leases/{old.id}/renew"
    short = await operator.post(url, {"end_on": "2027-12-31"})
    assert short.status_code == 422 and "续签的到期日期必须晚于 2027年12月31日" in short.text
    response = await operator.post(url, {"end_on": "2029-12-31", "monthly_rent": ""})
    assert response.status_code == 303
    renewal = await Lease.get(previous_id=old.id)
    assert response.headers["location"] == f"/leases/{renewal.id}"
    assert (renewal.origin, renewal.start_on, renewal.end_on, renewal.monthly_rent) == (
        LeaseOrigin.RENEWAL,
        dt.date(2028, 1, 1),
        dt.date(2029, 12, 31),
        Decimal("1000.00"),
    )
    old_spaces = await LeaseSpace.filter(lease_id=old.id).values_list("space_id", flat=True)
    assert await LeaseSpace.filter(lease_id=renewal.id).values_list("space_id", flat=True) == old_spaces
    unchanged = await Lease.get(id=old.id)
    assert (unchanged.ended_on, unchanged.occupied_until) == (None, dt.date(2027, 12, 31))
    assert await AuditEvent.filter(action="lease.renewed", object_id=str(old.id)).exists()
    assert await AuditEvent.filter(action="lease.created", object_id=str(renewal.id)).exists()
    twice = await operator.post(url, {"end_on": "2030-12-31"})
    assert twice.status_code == 422 and "已续签或换位" in twice.text
    page = await operator.get(f"/leases/{old.id}")
    assert f'href="/leases/{renewal.id}"' in page.text and "续签" in page.text
    chain = await operator.get(f"/leases/{renewal.id}")
    assert f'href="/leases/{old.id}"' in chain.text and "接续" in chain.text


async def test_it_refuses_renewing_over_another_lease_or_an_ended_one(login, world):
    old = world.leases["dsj_sibling"]
    space_id = (await LeaseSpace.get(lease_id=old.id)).space_id
    later = await Lease.create(
        base=world.bases["dsj"],
        startup=world.startups["dsj"],
        start_on=dt.date(2028, 3, 1),
        end_on=dt.date(2028, 12, 31),
        occupied_until=dt.date(2028, 12, 31),
        list_rent=1200,
        monthly_rent=1200,
    )
    await LeaseSpace.create(lease=later, space_id=space_id, list_rent=1200)
    operator = await login("operator_dsj")
    before = await counts()
    clash = await operator.post(f"/leases/{old.id}/renew", {"end_on": "2028-06-30"})
    assert clash.status_code == 422 and "2028年3月1日 至 2028年12月31日" in clash.text
    assert await counts() == before
    await operator.post(f"/leases/{world.leases['dsj'].id}/end", {"ended_on": "2026-06-30", "reason": "退租"})
    ended = await operator.post(f"/leases/{world.leases['dsj'].id}/renew", {"end_on": "2029-12-31"})
    assert ended.status_code == 422 and "已提前终止的协议不能续签" in ended.text


async def test_it_moves_a_startup_ending_the_old_lease_the_day_before(login, world):
    lease = world.leases["dsj"]  # A-203, 2025-01-01 to 2027-12-31, agreed 1000
    target = await add_space(world, "C-9", rent="1500.00", area="30.00")
    operator = await login("operator_dsj")
    free = {"start_on": "2027-01-01", "end_on": "2027-02-28", "kind": "free", "note": "春节免租"}
    assert (await operator.post(f"/leases/{lease.id}/concessions", free)).status_code == 303
    before = await counts()
    sibling_space = (await LeaseSpace.get(lease_id=world.leases["dsj_sibling"].id)).space_id
    refused = await operator.post(f"/leases/{lease.id}/move", {"on": "2026-12-01", "space_ids": [str(sibling_space)]})
    assert refused.status_code == 422 and "场地 A-203-2" in refused.text
    assert (
        await operator.post(f"/leases/{lease.id}/move", {"on": "2025-01-01", "space_ids": [str(target.id)]})
    ).status_code == 422
    same = await operator.post(
        f"/leases/{lease.id}/move", {"on": "2026-12-01", "space_ids": [str(world.spaces["dsj"].id)]}
    )
    assert same.status_code == 422 and "请选择与当前不同的场地" in same.text
    assert await counts() == before
    assert (await Lease.get(id=lease.id)).ended_on is None
    response = await operator.post(f"/leases/{lease.id}/move", {"on": "2026-12-01", "space_ids": [str(target.id)]})
    assert response.status_code == 303
    old = await Lease.get(id=lease.id)
    assert (old.ended_on, old.occupied_until, old.end_reason) == (
        dt.date(2026, 11, 30),
        dt.date(2026, 11, 30),
        "换位至 C-9",
    )
    moved = await Lease.get(previous_id=lease.id)
    assert (moved.origin, moved.start_on, moved.end_on, moved.monthly_rent, moved.list_rent) == (
        LeaseOrigin.MOVE,
        dt.date(2026, 12, 1),
        dt.date(2027, 12, 31),
        Decimal("1000.00"),
        Decimal("1500.00"),
    )
    assert await LeaseSpace.filter(lease_id=moved.id).values_list("space_id", flat=True) == [target.id]
    carried = await RentConcession.get(lease_id=moved.id)
    assert (carried.start_on, carried.end_on, carried.monthly_rent) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 28),
        Decimal("0.00"),
    )
    assert await AuditEvent.filter(action="lease.moved", object_id=str(lease.id)).exists()
    assert await AuditEvent.filter(action="lease.created", object_id=str(moved.id)).exists()
    # A-203 is free from the moving day: another startup may take it.
    taken = lease_form(world.startups["dsj_sibling"], world.spaces["dsj"], start_on="2026-12-01", end_on="2027-06-30")
    assert (await operator.post("/leases/new", taken)).status_code == 303
    history = await operator.get(f"/spaces/{world.spaces['dsj'].id}")
    assert history.text.count('href="/leases/') >= 2
    again = await operator.post(f"/leases/{lease.id}/move", {"on": "2026-06-01", "space_ids": [str(target.id)]})
    assert again.status_code == 422


async def test_it_shows_founders_their_own_leases_read_only(login, world):
    founder = await login("founder_dsj")
    listing = await founder.get("/leases")
    assert listing.status_code == 200
    assert "拉萨雪域青稞文创有限公司" in listing.text and "拉萨格桑花电商创业团队" not in listing.text
    own = await founder.get(f"/leases/{world.leases['dsj'].id}")
    assert own.status_code == 200 and "A-203" in own.text and "租金计划" in own.text
    assert "/end" not in own.text and "/renew" not in own.text and 'href="/spaces/' not in own.text
    assert (await founder.get(f"/leases/{world.leases['dsj_sibling'].id}")).status_code == 404
    before = await counts()
    ended = await founder.post(f"/leases/{world.leases['dsj'].id}/end", {"ended_on": "2026-12-31", "reason": "x"})
    assert ended.status_code == 403
    assert (await founder.get("/leases/new")).status_code == 403
    assert await counts() == before


async def test_it_filters_the_lease_list_by_state_and_startup(login, world):
    operator = await login("operator_dsj")
    await operator.post(f"/leases/{world.leases['dsj'].id}/end", {"ended_on": "2025-06-30", "reason": "退租"})
    active = await operator.get("/leases?state=active")
    assert f'id="lease-{world.leases["dsj_sibling"].id}"' in active.text
    assert f'id="lease-{world.leases["dsj"].id}"' not in active.text
    ended = await operator.get("/leases?state=ended")
    assert f'id="lease-{world.leases["dsj"].id}"' in ended.text and "提前终止" in ended.text
    by_startup = await operator.get(f"/leases?startup={world.startups['dsj_sibling'].id}")
    assert f'id="lease-{world.leases["dsj_sibling"].id}"' in by_startup.text
    assert f'id="lease-{world.leases["dsj"].id}"' not in by_startup.text
    bureau = await login("bureau_lhasa")
    assert f'id="lease-{world.leases["chamdo"].id}"' not in (await bureau.get("/leases")).text


async def test_it_lets_and_shows_leases_through_the_api(token_for, world):
    b1 = await add_space(world, "B-1", rent="800.00")
    api = await token_for("operator_dsj")
    body = {
        "startup_id": world.startups["dsj_sibling"].id,
        "space_ids": [b1.id],
        "start_on": "2028-01-15",
        "end_on": "2028-03-31",
        "monthly_rent": 620,
    }
    created = await api.post("/api/v1/leases", json=body)
    assert created.status_code == 201
    lease = created.json()
    assert (lease["list_rent"], lease["monthly_rent"], lease["deposit"], lease["state"]) == (
        "800.00",
        "620.00",
        "0.00",
        "upcoming",
    )
    assert lease["spaces"] == [{"space_id": b1.id, "code": "B-1", "list_rent": "800.00"}]
    schedule = lease["schedule"]
    assert [r["charged"] for r in schedule["rows"]] == ["340.00", "620.00", "620.00"]  # 620 × 17/31
    assert (schedule["list_rent"], schedule["charged"], schedule["waived"]) == ("2038.71", "1580.00", "458.71")
    overlap = await api.post("/api/v1/leases", json={**body, "start_on": "2028-03-01", "end_on": "2028-04-30"})
    assert overlap.status_code == 422
    assert "B-1" in overlap.json()["error"]["fields"]["space_ids"]
    assert (await api.post("/api/v1/leases", json={**body, "space_ids": []})).json()["error"]["fields"] == {
        "space_ids": "请至少选择一个场地。"
    }
    assert (
        await api.post("/api/v1/leases", json={**body, "startup_id": world.startups["chamdo"].id})
    ).status_code == 404
    listed = (await api.get(f"/api/v1/leases?startup={world.startups['dsj_sibling'].id}&state=upcoming")).json()
    assert [x["id"] for x in listed["items"]] == [lease["id"]]
    founder = await token_for("founder_dsj")
    assert [x["id"] for x in (await founder.get("/api/v1/leases")).json()["items"]] == [world.leases["dsj"].id]
    assert (await founder.get(f"/api/v1/leases/{lease['id']}")).status_code == 404
    assert (await founder.post("/api/v1/leases", json=body)).status_code == 403


async def test_it_lets_only_one_of_two_concurrent_overlapping_leases(world, is_postgres):
    if not is_postgres:
        pytest.skip("row locks are meaningful only on PostgreSQL")
    space = await add_space(world, "R-1")
    membership = await Membership.get(id=world.memberships["operator_dsj"].id).select_related(
        "user", "bureau", "base", "startup"
    )
    principal = principal_for(membership)
    first = parse_lease(lease_form(world.startups["dsj"], space, start_on="2028-01-01", end_on="2028-06-30"))
    second = parse_lease(lease_form(world.startups["dsj_sibling"], space, start_on="2028-03-01", end_on="2028-09-30"))
    results = await asyncio.gather(
        create_lease(principal, first), create_lease(principal, second), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Lease", "ValidationFailed"]
    assert isinstance(next(r for r in results if not isinstance(r, Lease)), ValidationFailed)
    assert await LeaseSpace.filter(space_id=space.id).count() == 1


async def test_it_gives_the_startup_page_its_leases_with_their_spaces(world):
    membership = await Membership.get(id=world.memberships["founder_dsj"].id).select_related(
        "user", "bureau", "base", "startup"
    )
    principal = principal_for(membership)
    own = await leases_for_startup(principal, world.startups["dsj"])
    assert [[link.space.code for link in lease.spaces] for lease in own] == [["A-203"]]
    assert own[0].startup.name == "拉萨雪域青稞文创有限公司"
    assert await leases_for_startup(principal, world.startups["dsj_sibling"]) == []
