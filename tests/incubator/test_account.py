"""Own password, language choice and security headers."""

from __future__ import annotations

from incubator import auth
from incubator.models import ApiToken, AuditEvent, User, UserSession
from incubator.passwords import verify_password
from tests.personas import PASSWORD


async def test_it_changes_the_password_and_ends_other_sessions(login, world):
    browser = await login("operator_dsj")
    other = await login("operator_dsj")
    await auth.issue_token(world.users["operator_dsj"])
    response = await browser.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password": "newpass2026", "confirm_password": "newpass2026"},
    )
    assert response.status_code == 303
    user = await User.get(username="operator.dsj")
    assert verify_password(user.password_hash, "newpass2026")
    assert await UserSession.filter(user=user).count() == 1
    assert await ApiToken.filter(user=user, revoked_at=None).count() == 0
    assert (await other.get("/")).headers["location"] == "/login"
    page = await browser.get("/account/password")
    assert "密码已修改" in page.text
    assert await AuditEvent.filter(action="user.password_changed").count() == 1


async def test_it_refuses_a_wrong_current_password_or_a_weak_one(login, world):
    browser = await login("operator_dsj")
    wrong = await browser.post(
        "/account/password", {"old_password": "nope", "new_password": "newpass2026", "confirm_password": "newpass2026"}
    )
    assert wrong.status_code == 422
    assert "当前密码不正确" in wrong.text
    weak = await browser.post(
        "/account/password", {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"}
    )
    assert weak.status_code == 422
    assert "至少" in weak.text
    differ = await browser.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password": "newpass2026", "confirm_password": "newpass2027"},
    )
    assert differ.status_code == 422
    user = await User.get(username="operator.dsj")
    assert verify_password(user.password_hash, PASSWORD)
    assert await AuditEvent.filter(action="user.password_changed").count() == 0


async def test_it_defaults_to_chinese_and_follows_the_browser(anonymous, world):
    page = await anonymous.get("/login")
    assert '<html lang="zh-CN">' in page.text
    assert "登录" in page.text
    english = await anonymous.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.text
    assert "Log in" in english.text
    weighted = await anonymous.get("/login", headers={"Accept-Language": "fr;q=1, en;q=0.5, zh;q=0.1"})
    assert '<html lang="en">' in weighted.text


async def test_it_saves_the_users_language_choice(login, world):
    browser = await login("operator_dsj")
    response = await browser.post("/language", {"locale": "en", "next": "/account/password"})
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password"
    assert (await User.get(username="operator.dsj")).locale == "en"
    page = await browser.get("/account/password", headers={"Accept-Language": "zh-CN"})
    assert "Change password" in page.text
    bad = await browser.post("/language", {"locale": "fr"})
    assert bad.status_code == 422


async def test_it_sends_security_headers(api, world):
    response = await api.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_it_marks_pages_of_logged_in_users_uncacheable(login, world):
    browser = await login("admin")
    response = await browser.get("/admin")
    assert response.headers["cache-control"] == "no-store"


async def test_it_rejects_oversized_forms(login, world):
    browser = await login("admin")
    response = await browser.post("/admin/regions/new", {"code": "540105", "name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
