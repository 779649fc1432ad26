"""The platform admin's work: regions, bases, bureaus, users and memberships."""

from __future__ import annotations

from decimal import Decimal

from incubator.models import ApiToken, AuditEvent, Base, Bureau, Membership, Region, User, UserSession
from incubator.passwords import verify_password

BASE_FORM = {
    "name": "林芝市巴宜区众创空间",
    "code": "LZBY",
    "kind": "maker_space",
    "level": "prefecture",
    "region_code": "540402",
    "address": "林芝市巴宜区",
    "area_m2": "1200.50",
    "opened_on": "2021-05-01",
    "contact_phone": "13889012345",
}


async def test_it_creates_a_region_with_level_and_parent_from_its_code(login, world):
    admin = await login("admin")
    response = await admin.post("/admin/regions/new", {"code": "540105", "name": "林周县", "name_en": "Lhünzhub"})
    assert response.status_code == 303
    region = await Region.get(code="540105")
    assert (region.level, region.parent_id) == ("county", "540100")
    event = await AuditEvent.get(action="region.created")
    assert event.after["code"] == "540105" and event.region_code == "540105"
    listing = await admin.get("/admin/regions?q=540105")
    assert "林周县" in listing.text and "区划" in listing.text


async def test_it_rejects_bad_region_codes_and_changes_nothing(login, world):
    admin = await login("admin")
    before = await Region.all().count()
    for form, message in [
        ({"code": "54010", "name": "x"}, "6 位数字"),
        ({"code": "540102", "name": "x"}, "已存在"),
        ({"code": "650102", "name": "x"}, "650100"),
        ({"code": "540106", "name": ""}, "必填"),
    ]:
        response = await admin.post("/admin/regions/new", form)
        assert response.status_code == 422, form
        assert message in response.text, form
        assert f'value="{form["code"]}"' in response.text  # what was typed is kept
    assert await Region.all().count() == before
    assert not await AuditEvent.filter(action="region.created").exists()


async def test_it_renames_a_region(login, world):
    admin = await login("admin")
    response = await admin.post("/admin/regions/540102/edit", {"name": "城关区", "name_en": "Chengguan"})
    assert response.status_code == 303
    assert (await Region.get(code="540102")).name_en == "Chengguan"


async def test_it_creates_and_edits_a_base(login, world):
    admin = await login("admin")
    response = await admin.post("/bases/new", BASE_FORM)
    assert response.status_code == 303
    base = await Base.get(code="LZBY")
    assert base.area_m2 == Decimal("1200.50")
    assert base.region_id == "540402"
    page = await admin.get(response.headers["location"])
    assert "林芝市巴宜区众创空间" in page.text and "1,200.5 m²" in page.text
    edited = await admin.post(f"/bases/{base.id}/edit", {**BASE_FORM, "address": "林芝市巴宜区八一镇"})
    assert edited.status_code == 303
    base = await Base.get(id=base.id)
    assert base.address == "林芝市巴宜区八一镇"
    assert base.is_active is False  # the checkbox was not sent
    event = await AuditEvent.get(action="base.updated")
    assert event.before["address"] == "林芝市巴宜区" and event.after["address"] == "林芝市巴宜区八一镇"


async def test_it_rejects_a_bad_base_and_names_each_field(login, world):
    admin = await login("admin")
    bad = {
        **BASE_FORM,
        "code": "lower",
        "kind": "castle",
        "area_m2": "12.345",
        "opened_on": "2999-01-01",
        "contact_phone": "123",
    }
    response = await admin.post("/bases/new", bad)
    assert response.status_code == 422
    for text in ["大写字母", "请从列出的选项中选择", "小数", "不能晚于今天", "手机号码"]:
        assert text in response.text, text
    duplicate = await admin.post("/bases/new", {**BASE_FORM, "name": "拉萨市第三极众创空间"})
    assert duplicate.status_code == 422 and "已存在同名基地" in duplicate.text
    unknown_region = await admin.post("/bases/new", {**BASE_FORM, "region_code": "549999"})
    assert unknown_region.status_code == 422
    assert not await Base.filter(code="LZBY").exists()


async def test_it_creates_and_moves_a_bureau(login, world):
    admin = await login("admin")
    response = await admin.post("/admin/bureaus/new", {"name": "林芝市人社局", "region_code": "540400"})
    assert response.status_code == 303
    bureau = await Bureau.get(name="林芝市人社局")
    assert bureau.region_id == "540400"
    moved = await admin.post(f"/admin/bureaus/{bureau.id}/edit", {"name": "林芝市人社局", "region_code": "540402"})
    assert moved.status_code == 303
    assert (await Bureau.get(id=bureau.id)).region_id == "540402"
    bad = await admin.post("/admin/bureaus/new", {"name": "拉萨市人力资源和社会保障局", "region_code": "540100"})
    assert bad.status_code == 422


async def test_it_creates_a_user_gives_a_membership_and_the_user_logs_in(login, world, anonymous):
    admin = await login("admin")
    response = await admin.post(
        "/admin/users/new",
        {"username": "Operator.LZ", "display_name": "林芝运营", "password": "linzhi2026", "is_active": "1"},
    )
    assert response.status_code == 303
    user = await User.get(username="operator.lz")
    no_role = await anonymous.post("/login", {"username": "operator.lz", "password": "linzhi2026"})
    assert no_role.status_code == 422 and "尚未分配" in no_role.text
    added = await admin.post(
        f"/admin/users/{user.id}/memberships", {"role": "operator", "base_id": str(world.bases["dsj"].id)}
    )
    assert added.status_code == 303
    assert await Membership.filter(user=user, role="operator", base=world.bases["dsj"]).exists()
    ok = await anonymous.post("/login", {"username": "operator.lz", "password": "linzhi2026"})
    assert ok.status_code == 303


async def test_it_rejects_bad_users_and_memberships(login, world):
    admin = await login("admin")
    for form, text in [
        ({"username": "a", "display_name": "x", "password": "linzhi2026"}, "3 至 64"),
        ({"username": "admin", "display_name": "x", "password": "linzhi2026"}, "已被占用"),
        ({"username": "newuser", "display_name": "x", "password": "password"}, "字母和数字"),
    ]:
        response = await admin.post("/admin/users/new", form)
        assert response.status_code == 422, form
        assert text in response.text, form
    assert not await User.filter(username="newuser").exists()
    user = world.users["founder_dsj"]
    missing = await admin.post(f"/admin/users/{user.id}/memberships", {"role": "bureau"})
    assert missing.status_code == 422
    unknown = await admin.post(f"/admin/users/{user.id}/memberships", {"role": "operator", "base_id": "999999"})
    assert unknown.status_code == 422
    twice = await admin.post(
        f"/admin/users/{user.id}/memberships", {"role": "founder", "startup_id": str(world.startups["dsj"].id)}
    )
    assert twice.status_code == 422
    assert await Membership.filter(user=user).count() == 1


async def test_it_resets_a_password_and_ends_the_users_access(login, world):
    admin = await login("admin")
    victim = await login("operator_dsj")
    from incubator import auth

    await auth.issue_token(world.users["operator_dsj"])
    user = world.users["operator_dsj"]
    response = await admin.post(f"/admin/users/{user.id}/password", {"password": "fresh2026pw"})
    assert response.status_code == 303
    assert verify_password((await User.get(id=user.id)).password_hash, "fresh2026pw")
    assert await UserSession.filter(user=user).count() == 0
    assert await ApiToken.filter(user=user, revoked_at=None).count() == 0
    assert (await victim.get("/")).headers["location"] == "/login"
    weak = await admin.post(f"/admin/users/{user.id}/password", {"password": "weak"})
    assert weak.status_code == 422


async def test_it_deactivates_a_user_but_not_oneself(login, world):
    admin = await login("admin")
    user = world.users["founder_dsj"]
    response = await admin.post(f"/admin/users/{user.id}", {"display_name": "停用的创业者"})
    assert response.status_code == 303
    assert (await User.get(id=user.id)).is_active is False
    me = world.users["admin"]
    refused = await admin.post(f"/admin/users/{me.id}", {"display_name": "管理员"})
    assert refused.status_code == 422
    assert (await User.get(id=me.id)).is_active is True


async def test_it_removes_a_membership(login, world):
    admin = await login("admin")
    membership = world.memberships["founder_dsj"]
    response = await admin.post(f"/admin/memberships/{membership.id}/delete")
    assert response.status_code == 303
    assert not await Membership.filter(id=membership.id).exists()
    assert await AuditEvent.filter(action="membership.removed").count() == 1
    own = world.memberships["admin"]
    refused = await admin.post(f"/admin/memberships/{own.id}/delete")
    assert refused.status_code == 422


async def test_it_forbids_admin_pages_to_other_roles(login, world):
    for persona in ["bureau_tibet", "operator_dsj", "founder_chamdo"]:
        browser = await login(persona)
        for url in ["/admin", "/admin/regions", "/admin/users", "/admin/bureaus", "/bases/new"]:
            assert (await browser.get(url)).status_code == 403, (persona, url)
        response = await browser.post("/admin/regions/new", {"code": "540105", "name": "林周县"})
        assert response.status_code == 403
    assert not await Region.filter(code="540105").exists()
