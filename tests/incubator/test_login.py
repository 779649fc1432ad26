"""Logging in and out: sessions, throttling, deactivated users, demo users on the login page."""

from __future__ import annotations

from incubator import auth
from incubator.models import AuditEvent, InstallationSetting, LoginAttempt, User, UserSession
from tests.personas import PASSWORD


async def _login(browser, username, password=PASSWORD, **extra):
    return await browser.post("/login", {"username": username, "password": password, **extra})


async def test_it_logs_in_and_lands_on_the_role_page(anonymous, world):
    expected = {
        "admin": "/admin",
        "bureau.lhasa": "/region",
        "operator.chamdo": f"/bases/{world.bases['chamdo'].id}",
        "founder.dsj": f"/startups/{world.startups['dsj'].id}",
    }
    for username, landing in expected.items():
        anonymous.client.cookies.clear()
        anonymous.key = auth.new_key()
        anonymous.client.cookies.set(auth.SESSION_COOKIE, auth.sign_key(anonymous.key))
        response = await _login(anonymous, username)
        assert response.status_code == 303, username
        assert response.headers["location"] == "/"
        new_cookie = response.cookies.get(auth.SESSION_COOKIE)
        assert new_cookie and auth.unsign_key(new_cookie) != anonymous.key, "session key must rotate at login"
        home = await anonymous.get("/")
        assert home.headers["location"] == landing
        page = await anonymous.get(landing)
        assert page.status_code == 200
    assert await AuditEvent.filter(action="user.login").count() == 4


async def test_it_rejects_a_wrong_password_with_a_message_and_no_session(anonymous, world):
    response = await _login(anonymous, "admin", "wrong-password1")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.text
    assert await UserSession.all().count() == 0
    assert await LoginAttempt.filter(username="admin", succeeded=False).count() == 1


async def test_it_gives_unknown_users_the_same_message(anonymous, world):
    unknown = await _login(anonymous, "nobody", "whatever1")
    wrong = await _login(anonymous, "admin", "whatever1")
    assert unknown.status_code == wrong.status_code == 422
    assert "用户名或密码错误" in unknown.text


async def test_it_asks_for_both_fields(anonymous, world):
    response = await _login(anonymous, "", "")
    assert response.status_code == 422
    assert "请输入用户名和密码" in response.text


async def test_it_refuses_deactivated_users(anonymous, world):
    await User.filter(username="admin").update(is_active=False)
    response = await _login(anonymous, "admin")
    assert response.status_code == 422
    assert "停用" in response.text
    assert await UserSession.all().count() == 0


async def test_it_throttles_an_account_after_repeated_failures(anonymous, world):
    for _ in range(5):
        assert (await _login(anonymous, "admin", "bad-password1")).status_code == 422
    blocked = await _login(anonymous, "admin")  # even the right password is refused now
    assert blocked.status_code == 429
    assert "15" in blocked.text
    assert await UserSession.all().count() == 0


async def test_it_throttles_an_address_trying_many_accounts(anonymous, world):
    for i in range(20):
        await _login(anonymous, f"someone{i}", "bad-password1")
    blocked = await _login(anonymous, "operator.dsj")
    assert blocked.status_code == 429


async def test_it_ends_the_session_at_logout(login, world):
    browser = await login("operator_dsj")
    assert (await browser.get("/")).status_code == 303
    old_cookie = browser.client.cookies.get(auth.SESSION_COOKIE)
    response = await browser.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert await UserSession.all().count() == 0
    # Replaying the old cookie does not bring the session back.
    browser.client.cookies.set(auth.SESSION_COOKIE, old_cookie)
    replay = await browser.get(f"/bases/{world.bases['dsj'].id}")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/login")


async def test_it_sends_anonymous_visitors_to_login_with_next(anonymous, world):
    response = await anonymous.get(f"/bases/{world.bases['dsj'].id}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/bases/{world.bases['dsj'].id}"


async def test_it_follows_only_local_next_urls(anonymous, world):
    response = await _login(anonymous, "admin", next="https://evil.example/")
    assert response.headers["location"] == "/"
    anonymous.client.cookies.clear()
    anonymous.key = auth.new_key()
    anonymous.client.cookies.set(auth.SESSION_COOKIE, auth.sign_key(anonymous.key))
    response = await _login(anonymous, "admin", next="/admin/users")
    assert response.headers["location"] == "/admin/users"


async def test_it_lists_demo_users_only_in_a_demo_installation(anonymous, world):
    await User.filter(username="admin").update(is_demo=True)
    page = await anonymous.get("/login")
    assert "演示" not in page.text
    await InstallationSetting.create(key="demo", value=True)
    page = await anonymous.get("/login")
    assert "演示" in page.text
    assert "demo1234" in page.text
    assert "<code>admin</code>" in page.text
    assert "operator.dsj" not in page.text  # not a demo user


async def test_it_lets_a_user_switch_membership(login, world):
    from incubator.models import Membership, Role

    await Membership.create(user=world.users["bureau_lhasa"], role=Role.OPERATOR, base=world.bases["dsj"])
    browser = await login("bureau_lhasa")
    page = await browser.get("/region")
    assert 'name="membership_id"' in page.text
    second = await Membership.get(user=world.users["bureau_lhasa"], role=Role.OPERATOR)
    response = await browser.post("/account/membership", {"membership_id": str(second.id)})
    assert response.status_code == 303
    home = await browser.get("/")
    assert home.headers["location"] == f"/bases/{world.bases['dsj'].id}"
    # Someone else's membership cannot be taken over.
    other = world.memberships["operator_chamdo"]
    assert (await browser.post("/account/membership", {"membership_id": str(other.id)})).status_code == 403
