"""Spaces of a base and the occupancy board: who may see and change them, and the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incubator.access import principal_for
from incubator.models import AuditEvent, Membership
from tenants.models import Lease, LeaseSpace, Space, SpaceKind, SpaceStatus
from tenants.services.spaces import occupancy

SPACE_FORM = {
    "code": "B-101",
    "kind": "office",
    "floor": "1F",
    "area_m2": "35.50",
    "list_rent": "1800.00",
    "status": "in_service",
    "note": "朝南",
}
DAY = dt.date(2026, 6, 1)


async def principal_of(world, persona):
    membership = await Membership.get(id=world.memberships[persona].id).select_related(
        "user", "bureau", "base", "startup"
    )
    return principal_for(membership)


async def test_it_adds_a_space_to_the_operators_base_and_audits_it(login, world):
    operator = await login("operator_dsj")
    response = await operator.post("/spaces/new", SPACE_FORM)
    assert response.status_code == 303
    space = await Space.get(code="B-101")
    assert (space.base_id, space.kind, space.area_m2, space.list_rent) == (
        world.bases["dsj"].id,
        SpaceKind.OFFICE,
        Decimal("35.50"),
        Decimal("1800.00"),
    )
    assert response.headers["location"] == f"/spaces/{space.id}"
    page = await operator.get(response.headers["location"])
    assert "B-101" in page.text and "独立办公室" in page.text and "¥1,800.00" in page.text
    event = await AuditEvent.get(action="space.created")
    assert (event.base_id, event.region_code, event.object_id) == (world.bases["dsj"].id, "540102", str(space.id))
    assert event.after["area_m2"] == "35.50"


async def test_it_refuses_bad_spaces_naming_the_field_and_stores_nothing(login, world):
    operator = await login("operator_dsj")
    spaces, events = await Space.all().count(), await AuditEvent.all().count()
    for changes, field, message in [
        ({"code": "A-203"}, "code", "已有场地 A-203"),
        ({"code": ""}, "code", "必填"),
        ({"code": "X" * 33}, "code", "32"),
        ({"area_m2": "0"}, "area_m2", "面积必须大于零"),
        ({"area_m2": "100000.01"}, "area_m2", "100000"),
        ({"list_rent": "-1"}, "list_rent", "0"),
        ({"list_rent": "12.345"}, "list_rent", "2 位小数"),
        ({"kind": "castle"}, "kind", "请从列出的选项中选择"),
        ({"floor": "F" * 17}, "floor", "16"),
    ]:
        response = await operator.post("/spaces/new", {**SPACE_FORM, **changes})
        assert response.status_code == 422, changes
        assert f'id="e-{field}"' in response.text, changes
        assert message in response.text, changes
    assert await Space.all().count() == spaces
    assert await AuditEvent.all().count() == events


async def test_it_lets_each_base_reuse_a_code_of_another_base(login, world):
    operator = await login("operator_chamdo")
    response = await operator.post("/spaces/new", {**SPACE_FORM, "code": "A-203"})
    assert response.status_code == 303
    assert await Space.filter(code="A-203").count() == 2


async def test_it_edits_a_space_and_keeps_a_held_space_in_service(login, world):
    operator = await login("operator_dsj")
    space = world.spaces["dsj"]
    form = {**SPACE_FORM, "code": "A-203", "list_rent": "1300.00", "status": "in_service"}
    response = await operator.post(f"/spaces/{space.id}/edit", form)
    assert response.status_code == 303
    assert (await Space.get(id=space.id)).list_rent == Decimal("1300.00")
    event = await AuditEvent.get(action="space.updated")
    assert (event.before["list_rent"], event.after["list_rent"]) == ("1200.00", "1300.00")
    # The lease of 2025-2027 holds it: it cannot go out of service.
    refused = await operator.post(f"/spaces/{space.id}/edit", {**form, "status": "out_of_service"})
    assert refused.status_code == 422 and "有租约占用此场地" in refused.text
    assert (await Space.get(id=space.id)).status is SpaceStatus.IN_SERVICE
    taken = await operator.post(f"/spaces/{space.id}/edit", {**form, "code": "A-203-2"})
    assert taken.status_code == 422 and "已有场地 A-203-2" in taken.text


async def board_world(world) -> dict[str, Space]:
    """The Lhasa base on DAY: A-203 and A-203-2 held (20 m² each) by the world's leases,
    plus a free desk, an office reserved from later, a space out of service, and one whose lease ended."""
    base = world.bases["dsj"]
    spaces = {
        "desk": await Space.create(base=base, code="D-01", kind=SpaceKind.DESK, area_m2=Decimal("5.00"), list_rent=0),
        "office": await Space.create(
            base=base, code="C-301", kind=SpaceKind.OFFICE, area_m2=Decimal("30.00"), list_rent=2000
        ),
        "store": await Space.create(
            base=base,
            code="S-01",
            kind=SpaceKind.STORAGE,
            area_m2=Decimal("10.00"),
            list_rent=100,
            status=SpaceStatus.OUT_OF_SERVICE,
        ),
        "ended": await Space.create(
            base=base, code="E-01", kind=SpaceKind.WORKSHOP, area_m2=Decimal("15.25"), list_rent=500
        ),
    }
    later = await Lease.create(
        base=base,
        startup=world.startups["dsj_sibling"],
        start_on=DAY + dt.timedelta(days=10),
        end_on=dt.date(2027, 6, 30),
        occupied_until=dt.date(2027, 6, 30),
        list_rent=2000,
        monthly_rent=2000,
    )
    await LeaseSpace.create(lease=later, space=spaces["office"], list_rent=2000)
    ended = await Lease.create(
        base=base,
        startup=world.startups["dsj"],
        start_on=dt.date(2025, 1, 1),
        end_on=dt.date(2026, 12, 31),
        occupied_until=dt.date(2026, 5, 31),
        ended_on=dt.date(2026, 5, 31),
        end_reason="提前退租",
        list_rent=500,
        monthly_rent=500,
    )
    await LeaseSpace.create(lease=ended, space=spaces["ended"], list_rent=500)
    return spaces


async def test_it_computes_the_boards_totals_by_count_and_by_area(world):
    spaces = await board_world(world)
    board = await occupancy(await principal_of(world, "operator_dsj"), world.bases["dsj"], DAY)
    # In service: A-203, A-203-2, D-01, C-301, E-01 (S-01 is out of service).
    assert (board.spaces, board.in_service, board.out_of_service, board.occupied) == (6, 5, 1, 2)
    assert board.in_service_area == Decimal("90.25")  # 20 + 20 + 5 + 30 + 15.25
    assert board.occupied_area == Decimal("40.00")
    assert board.rate_by_count == Decimal("40.00")
    assert board.rate_by_area == Decimal("44.32")  # 40 / 90.25 = 44.321…%
    states = {tile.space.code: (tile.state, tile.holder) for tile in board.page.items}
    assert states == {
        "A-203": ("occupied", "拉萨雪域青稞文创有限公司"),
        "A-203-2": ("occupied", "拉萨格桑花电商创业团队"),
        "C-301": ("reserved", "拉萨格桑花电商创业团队"),
        "D-01": ("free", ""),
        "E-01": ("free", ""),
        "S-01": ("out_of_service", ""),
    }
    assert spaces["desk"].id in {tile.space.id for tile in board.page.items}


async def test_it_pages_the_board_but_keeps_the_totals_of_the_whole_base(world):
    await board_world(world)
    board = await occupancy(await principal_of(world, "bureau_lhasa"), world.bases["dsj"], DAY, limit=2, offset=2)
    assert [tile.space.code for tile in board.page.items] == ["C-301", "D-01"]
    assert (board.page.total, board.in_service, board.occupied) == (6, 5, 2)


async def test_it_shows_the_board_with_coloured_tiles_legend_and_totals(login, world):
    spaces = await board_world(world)
    operator = await login("operator_dsj")
    page = await operator.get(f"/spaces?on={DAY.isoformat()}")
    assert page.status_code == 200
    text = page.text
    assert f'class="reserved" id="space-{spaces["office"].id}"' in text
    assert f'class="out_of_service" id="space-{spaces["store"].id}"' in text
    assert f'class="free" id="space-{spaces["desk"].id}"' in text
    assert "40%" in text and "44.32%" in text and "90.25 m²" in text
    for legend in ("已占用", "已预订", "空闲", "停用"):
        assert legend in text
    assert "拉萨格桑花电商创业团队" in text and "昌都" not in text


async def test_it_gives_founders_403_on_every_spaces_page(login, token_for, world):
    founder = await login("founder_dsj")
    space = world.spaces["dsj"]
    for url in ("/spaces", f"/spaces/{space.id}", "/spaces/new", f"/spaces/{space.id}/edit"):
        assert (await founder.get(url)).status_code == 403, url
    assert (await founder.post("/spaces/new", SPACE_FORM)).status_code == 403
    api = await token_for("founder_dsj")
    assert (await api.get("/api/v1/spaces")).status_code == 403
    assert (await api.get(f"/api/v1/spaces/{space.id}")).status_code == 403


async def test_it_shows_bureaus_and_the_admin_the_board_read_only(login, world):
    lhasa = await login("bureau_lhasa")
    board = await lhasa.get("/spaces")
    assert board.status_code == 200 and "A-203" in board.text and "拉萨市第三极众创空间" in board.text
    assert "/spaces/new" not in board.text
    assert (await lhasa.get(f"/spaces?base={world.bases['chamdo'].id}")).status_code == 404
    assert (await lhasa.post("/spaces/new", SPACE_FORM)).status_code == 403
    assert (await lhasa.get(f"/spaces/{world.spaces['dsj'].id}/edit")).status_code == 403
    admin = await login("admin")
    chamdo = await admin.get(f"/spaces?base={world.bases['chamdo'].id}")
    assert chamdo.status_code == 200 and "工位-17" in chamdo.text
    assert (await admin.post("/spaces/new", SPACE_FORM)).status_code == 403
    assert not await Space.filter(code="B-101").exists()


async def test_it_shows_a_spaces_lease_history(login, world):
    operator = await login("operator_dsj")
    page = await operator.get(f"/spaces/{world.spaces['dsj'].id}")
    assert page.status_code == 200
    assert f'href="/leases/{world.leases["dsj"].id}"' in page.text and "拉萨雪域青稞文创有限公司" in page.text
    other = await login("operator_chamdo")
    assert (await other.get(f"/spaces/{world.spaces['dsj'].id}")).status_code == 404
    assert (await other.post(f"/spaces/{world.spaces['dsj'].id}/edit", SPACE_FORM)).status_code == 404


async def test_it_lists_filters_and_creates_spaces_through_the_api(token_for, world):
    api = await token_for("operator_dsj")
    listed = (await api.get("/api/v1/spaces")).json()
    assert {s["code"] for s in listed["items"]} == {"A-203", "A-203-2"}
    assert listed["items"][0]["list_rent"] == "1200.00" and listed["items"][0]["area_m2"] == "20.00"
    created = await api.post("/api/v1/spaces", json={**SPACE_FORM, "area_m2": 12.5, "kind": "desk"})
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["area_m2"], body["list_rent"], body["kind"]) == ("B-101", "12.50", "1800.00", "desk")
    desks = (await api.get("/api/v1/spaces?kind=desk")).json()
    assert [s["code"] for s in desks["items"]] == ["B-101"]
    bad = await api.post("/api/v1/spaces", json={**SPACE_FORM, "code": "A-203", "area_m2": "-3"})
    assert bad.status_code == 422
    fields = bad.json()["error"]["fields"]
    assert set(fields) == {"area_m2"}  # the form is checked before the database
    duplicate = await api.post("/api/v1/spaces", json={**SPACE_FORM, "code": "A-203"})
    assert duplicate.status_code == 422 and "A-203" in duplicate.json()["error"]["fields"]["code"]
    assert (await api.get("/api/v1/spaces?kind=castle")).status_code == 422
    assert (await api.get(f"/api/v1/spaces/{world.spaces['chamdo'].id}")).status_code == 404
    bureau = await token_for("bureau_tibet")
    assert (await bureau.get(f"/api/v1/spaces?base={world.bases['chamdo'].id}")).json()["total"] == 2
    assert (await bureau.post("/api/v1/spaces", json=SPACE_FORM)).status_code == 403
