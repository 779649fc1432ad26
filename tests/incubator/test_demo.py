"""The demo installation: its regions, bases, bureaus and one user per role that can log in."""

from __future__ import annotations

from incubator import audit, auth, demo
from incubator.models import Base, Bureau, Region, User
from tests.clients import http_client


async def test_it_builds_the_demo_installation(app):
    assert await demo.is_empty()
    await demo.load_demo()
    assert not await demo.is_empty()
    codes = set(await Region.all().values_list("code", flat=True))
    assert {"540000", "540100", "540200", "540300", "540400", "540500", "540600", "542500", "540102", "540302"} <= codes
    dsj = await Base.get(name="拉萨市第三极众创空间").select_related("region")
    assert dsj.region.name == "城关区" and str(dsj.area_m2) == "3500.00"
    assert (await Base.get(name="昌都市大学生创客社区")).region_id == "540302"
    assert await Bureau.all().count() == 3
    assert set(await User.filter(is_demo=True).values_list("username", flat=True)) == {
        "admin",
        "bureau.tibet",
        "bureau.lhasa",
        "bureau.chamdo",
        "operator.dsj",
        "operator.chamdo",
        "founder.aqiong",
    }
    assert (await audit.verify_chain()).ok


async def test_it_lets_every_demo_user_log_in_and_land(app):
    await demo.load_demo()
    landings = {
        "admin": "/admin",
        "bureau.tibet": "/region",
        "bureau.lhasa": "/region",
        "bureau.chamdo": "/region",
        "operator.dsj": "/bases/",
        "operator.chamdo": "/bases/",
        "founder.aqiong": "/startups/",
    }
    for username, landing in landings.items():
        key = auth.new_key()
        async with http_client(app, cookies={auth.SESSION_COOKIE: auth.sign_key(key)}) as client:
            login_page = await client.get("/login")
            assert username in login_page.text
            response = await client.post(
                "/login",
                data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": auth.csrf_token(key)},
            )
            assert response.status_code == 303, username
            home = await client.get("/")
            assert home.headers["location"].startswith(landing), username
            page = await client.get(home.headers["location"])
            assert page.status_code == 200, username
            if username == "founder.aqiong":
                assert "昌都市卡若区童心课后托管服务有限公司" in page.text
