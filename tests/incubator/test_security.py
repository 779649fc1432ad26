"""Security basics not covered elsewhere.

Already covered, not repeated: HttpOnly and SameSite on the login page's cookie and the
security headers of /login (tests/incubator/test_account.py), a new session key at login and
logout ending the session for a replayed cookie, throttling per account and per address
(tests/incubator/test_login.py), weak passwords refused on the password page
(test_account.py, test_admin.py), a lease agreement's download headers
(tests/tenants/test_files.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from grants.models import Evidence
from incubator import auth, middleware
from incubator.files import path_of
from incubator.identifiers import compose_id_number
from incubator.middleware import SECURITY_HEADERS
from incubator.models import StoredFile, User, UserSession
from incubator.passwords import hash_password, policy_error, verify_password
from incubator.pii import id_index
from incubator.settings import get_settings, load_settings
from tenants.models import Person
from tests.clients import Browser, http_client
from tests.incubator.test_isolation import dsj_values
from tests.personas import PASSWORD, World
from tests.routes_walk import route_cases

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def session_cookie(response: httpx.Response) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(auth.SESSION_COOKIE + "=")]
    assert len(cookies) == 1, response.headers.get_list("set-cookie")
    return cookies[0]


def adopt(browser: Browser, response: httpx.Response) -> None:
    """Keep only the session cookie a login just set (as a browser replaces a cookie of the same name)."""
    signed = response.cookies[auth.SESSION_COOKIE]
    browser.client.cookies.clear()
    browser.client.cookies.set(auth.SESSION_COOKIE, signed)
    browser.key = auth.unsign_key(signed) or ""


def flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def with_settings(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    changed = dataclasses.replace(get_settings(), **changes)  # type: ignore[arg-type]
    monkeypatch.setattr(middleware, "get_settings", lambda: changed)


# -- cookies ------------------------------------------------------------------------------


def client_at(app: Starlette, url: str, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=url, follow_redirects=False, **kwargs)


async def first_cookie(app: Starlette, url: str = "http://testserver", **headers: str) -> str:
    """The session cookie a new visitor gets on the login page."""
    async with client_at(app, url) as client:
        return session_cookie(await client.get("/login", headers=headers))


async def test_it_marks_cookies_secure_exactly_when_served_over_https(app, monkeypatch):
    cookie = await first_cookie(app)
    assert {"httponly", "samesite", "path", "max-age"} <= flags(cookie) and "secure" not in flags(cookie)
    # A client's own X-Forwarded-Proto is not trusted unless the installation sits behind a proxy.
    assert "secure" not in flags(await first_cookie(app, **{"X-Forwarded-Proto": "https"}))
    tls = await first_cookie(app, "https://testserver")
    assert {"httponly", "secure"} <= flags(tls) and "SameSite=Lax" in tls
    with_settings(monkeypatch, trusted_proxies=True)
    assert "secure" in flags(await first_cookie(app, **{"X-Forwarded-Proto": "https"}))
    assert "secure" not in flags(await first_cookie(app, **{"X-Forwarded-Proto": "http"}))
    with_settings(monkeypatch, cookie_secure=True)
    assert "secure" in flags(await first_cookie(app))


async def test_it_sets_the_logged_in_cookie_and_the_flash_cookie_with_the_same_flags_over_https(app, world: World):
    key = auth.new_key()
    async with client_at(app, "https://testserver", cookies={auth.SESSION_COOKIE: auth.sign_key(key)}) as client:
        browser = Browser(client, key)
        response = await browser.post("/login", {"username": "operator.dsj", "password": PASSWORD})
        assert response.status_code == 303
        cookie = session_cookie(response)
        assert {"httponly", "secure", "samesite"} <= flags(cookie) and "SameSite=Lax" in cookie
        assert await UserSession.filter(user_id=world.users["operator_dsj"].id).count() == 1
        adopt(browser, response)
        changed = await browser.post(
            "/account/password",
            {"old_password": PASSWORD, "new_password": "xueyu-2026-qk", "confirm_password": "xueyu-2026-qk"},
        )
        assert changed.status_code == 303
        flash = [c for c in changed.headers.get_list("set-cookie") if c.startswith(middleware.FLASH_COOKIE)]
        assert flash and {"httponly", "secure", "samesite"} <= flags(flash[0])


# -- sessions -----------------------------------------------------------------------------


async def test_the_key_a_visitor_had_before_logging_in_never_becomes_a_logged_in_session(
    app, world: World, anonymous: Browser
):
    """Session fixation: whoever planted or copied the pre-login cookie is not logged in with the user."""
    planted = anonymous.client.cookies[auth.SESSION_COOKIE]
    response = await anonymous.post("/login", {"username": "operator.dsj", "password": PASSWORD})
    assert response.status_code == 303
    assert auth.unsign_key(session_cookie(response).split(";")[0].split("=", 1)[1]) != anonymous.key
    assert not await UserSession.filter(key_hash=auth.digest(anonymous.key)).exists()
    async with http_client(app, cookies={auth.SESSION_COOKIE: planted}) as attacker:
        page = await attacker.get(f"/bases/{world.bases['dsj'].id}")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert "拉萨市第三极众创空间" not in page.text


async def test_it_refuses_a_forged_or_expired_session_cookie(app, world: World, login, monkeypatch):
    browser = await login("operator_dsj")
    url = f"/bases/{world.bases['dsj'].id}"
    assert (await browser.get(url)).status_code == 200
    signed = browser.client.cookies[auth.SESSION_COOKIE]
    forged = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    async with http_client(app, cookies={auth.SESSION_COOKIE: forged}) as other:
        assert (await other.get(url)).headers["location"].startswith("/login")
    # Twelve hours later (the default maximum age) the same cookie is refused too.
    await UserSession.filter(user_id=world.users["operator_dsj"].id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert (await browser.get(url)).headers["location"].startswith("/login")
    assert await UserSession.filter(user_id=world.users["operator_dsj"].id).count() == 0


# -- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("abc1234", "at least 8"),
        ("x1" * 65, "at most 128"),
        ("password", "letters and digits"),
        ("12345678", "letters and digits"),
        ("password1", "too common"),
        ("Passw0rd", "too common"),
        ("QWERTY123", "too common"),
        ("demo1234", "too common"),
        ("woaini1314", "too common"),
        ("operator9", "the username"),
        ("xueyu-qingke-2026", None),
    ],
)
def test_the_password_policy(password: str, refused: str | None) -> None:
    message = policy_error(password, "operator9")
    assert (message is None) if refused is None else (message is not None and refused in message)


async def test_it_refuses_a_common_password_on_the_password_page(login, world: World):
    browser = await login("operator_dsj")
    response = await browser.post(
        "/account/password", {"old_password": PASSWORD, "new_password": "password1", "confirm_password": "password1"}
    )
    assert response.status_code == 422 and "该密码过于常见" in response.text
    assert verify_password((await User.get(id=world.users["operator_dsj"].id)).password_hash, PASSWORD)


def test_passwords_are_hashed_with_argon2id_and_the_configured_parameters(tmp_path) -> None:
    settings = get_settings()
    stored = hash_password("xueyu-qingke-2026")
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", stored)
    assert match, stored
    assert (int(match[1]), int(match[2])) == (settings.argon2_memory_cost, settings.argon2_time_cost)
    # Outside the tests (which lower them for speed) the defaults are OWASP's: 64 MiB, three passes.
    defaults = load_settings(
        {"INCUBATOR_VAR_DIR": str(tmp_path), "SECRET_KEY": "s" * 40, "FIELD_ENCRYPTION_KEY": "f" * 40}
    )
    assert (defaults.argon2_memory_cost, defaults.argon2_time_cost) == (65536, 3)
    strong = PasswordHasher(time_cost=defaults.argon2_time_cost, memory_cost=defaults.argon2_memory_cost).hash(
        "x1x1x1x1"
    )
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=")


async def test_it_upgrades_a_hash_made_with_other_parameters_at_the_next_login(anonymous: Browser, world: World):
    settings = get_settings()
    old = PasswordHasher(time_cost=settings.argon2_time_cost + 1, memory_cost=settings.argon2_memory_cost).hash(
        PASSWORD
    )
    await User.filter(username="operator.dsj").update(password_hash=old)
    response = await anonymous.post("/login", {"username": "operator.dsj", "password": PASSWORD})
    assert response.status_code == 303
    upgraded = (await User.get(username="operator.dsj")).password_hash
    assert upgraded != old and f"m={settings.argon2_memory_cost},t={settings.argon2_time_cost}," in upgraded


async def test_an_unknown_username_costs_the_same_password_check_as_a_known_one(
    anonymous: Browser, world: World, monkeypatch
):
    """Otherwise the time a refusal takes would tell which usernames exist."""
    checked: list[str] = []

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password_hash.split("$")[3])
        return verify_password(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    for username in ("nobody.here", "operator.dsj"):
        response = await anonymous.post("/login", {"username": username, "password": "wrong-guess1"})
        assert response.status_code == 422 and "用户名或密码错误" in response.text
    settings = get_settings()
    assert checked == [f"m={settings.argon2_memory_cost},t={settings.argon2_time_cost},p=4"] * 2


# -- throttling ---------------------------------------------------------------------------


async def test_the_api_token_endpoint_shares_the_login_pages_throttle(api, anonymous: Browser, world: World):
    for _ in range(5):
        failed = await api.post("/api/v1/auth/token", json={"username": "operator.dsj", "password": "wrong-guess1"})
        assert failed.status_code == 422
    blocked = await api.post("/api/v1/auth/token", json={"username": "operator.dsj", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "throttled"
    page = await anonymous.post("/login", {"username": "operator.dsj", "password": PASSWORD})
    assert page.status_code == 429
    assert await UserSession.all().count() == 0


async def test_a_forged_forwarded_for_header_does_not_escape_the_address_throttle(anonymous: Browser, world: World):
    """Without TRUST_PROXY_HEADERS the address is the connection's, whatever the client claims."""
    for i in range(20):
        spoofed = {"X-Forwarded-For": f"10.0.{i}.1"}
        await anonymous.client.post(
            "/login",
            data={"username": f"someone{i}", "password": "bad-guess1", "csrf_token": anonymous.csrf},
            headers=spoofed,
        )
    blocked = await anonymous.client.post(
        "/login",
        data={"username": "operator.dsj", "password": PASSWORD, "csrf_token": anonymous.csrf},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert blocked.status_code == 429


# -- headers on every page and every download ---------------------------------------------


def _is_download(content_type: str) -> bool:
    return not content_type.startswith(("text/html", "application/json"))


async def test_every_page_has_the_security_headers_and_every_download_is_an_uncached_attachment(
    app, world: World, login: Callable[[str], Awaitable[Browser]], token_for
):
    """Every GET route (HTML and API), as the first of four roles that may open it, on its own objects."""
    operator = await login("operator_dsj")
    agreement = await operator.post(
        f"/leases/{world.leases['dsj'].id}/agreement", {}, files={"agreement": ("入驻协议.pdf", PDF, "application/pdf")}
    )
    assert agreement.status_code == 303
    evidence_content = PDF + b"% evidence\n"
    stored = await StoredFile.create(
        sha256=hashlib.sha256(evidence_content).hexdigest(),
        size=len(evidence_content),
        content_type="application/pdf",
        filename="营业执照.pdf",
        base_id=world.bases["dsj"].id,
    )
    path_of(stored).parent.mkdir(parents=True, exist_ok=True)
    path_of(stored).write_bytes(evidence_content)
    await Evidence.filter(id=world.more["evidence_id"]["dsj"]).update(file_id=stored.id)
    cases = [c for c in route_cases(app) if c.method == "GET"]
    pages = downloads = 0
    kinds: set[str] = set()
    seen: set[str] = set()  # each route once, as the first role that may open it
    for persona in ("operator_dsj", "bureau_lhasa", "founder_dsj", "admin"):
        browser = await login(persona)
        client = await token_for(persona)
        values = dsj_values(world, persona)
        for case in cases:
            if case.path in seen:
                continue
            url = case.url(values)
            response = await (client.get(url) if case.is_api else browser.get(url))
            if response.status_code != 200:
                continue
            seen.add(case.path)
            where = f"{persona} GET {url}"
            content_type = response.headers.get("content-type", "")
            assert response.headers["x-content-type-options"] == "nosniff", where
            if _is_download(content_type):
                assert response.headers["content-disposition"].startswith("attachment;"), where
                assert "no-store" in response.headers["cache-control"], where
                downloads += 1
                kinds.add(content_type.split(";")[0])
            elif content_type.startswith("text/html"):
                for name, value in SECURITY_HEADERS.items():
                    assert response.headers.get(name) == value, f"{where}: {name}"
                if not case.path.startswith("/public/") and case.path not in ("/login", "/healthz"):
                    assert "no-store" in response.headers["cache-control"], where
                pages += 1
    print(
        f"security headers: {len(seen)} of {len(cases)} GET routes answered 200: "
        f"{pages} HTML pages, {downloads} downloads ({', '.join(sorted(kinds))})"
    )
    assert {"application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= kinds
    assert pages > 80 and downloads > 25


async def test_error_pages_carry_the_security_headers_too(app, world: World, login, api):
    browser = await login("founder_dsj")
    for response in (
        await browser.get("/no-such-page"),
        await browser.get(f"/startups/{world.startups['chamdo'].id}"),
        await browser.get("/admin"),
        await api.get("/api/v1/startups"),
    ):
        assert response.status_code in (401, 403, 404)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)


# -- logs ---------------------------------------------------------------------------------


async def test_no_id_number_password_or_secret_reaches_the_logs(
    app, world: World, anonymous: Browser, login, api, caplog
):
    """Every logger at DEBUG (SQL included) while people are registered, users log in and numbers are revealed."""
    for name in ["", *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name or None)
    password, wrong, new_password = "Qomolangma-8848", "Lhasa-guess-3650", "Yarlung-Tsangpo-2026"
    await User.filter(username="operator.dsj").update(password_hash=hash_password(password))
    numbers = [
        compose_id_number("540102", dt.date(1997, 7, 1), 61),
        compose_id_number("540302", dt.date(1999, 9, 9), 77),
    ]
    # Logging in: a wrong password, then the right one, on the page and through the API.
    assert (await anonymous.post("/login", {"username": "operator.dsj", "password": wrong})).status_code == 422
    logged_in = await anonymous.post("/login", {"username": "operator.dsj", "password": password})
    assert logged_in.status_code == 303
    adopt(anonymous, logged_in)
    token = await api.post("/api/v1/auth/token", json={"username": "operator.dsj", "password": password})
    assert token.status_code == 201
    raw_token = token.json()["token"]
    # Registering people with ID numbers: a founder on the page, a person through the API.
    startup = world.startups["dsj"]
    founder = {"id_number": numbers[0], "name": "德吉", "role": "partner", "joined_on": "2025-02-01"}
    assert (await anonymous.post(f"/startups/{startup.id}/founders", founder)).status_code == 303
    person = await api.post(
        "/api/v1/people",
        json={"id_number": numbers[1], "name": "扎西"},
        headers={"Authorization": f"Bearer {raw_token}"},
    )
    assert person.status_code == 201
    # A wrong check digit is refused: the refused number is not logged either.
    bad = numbers[0][:-1] + ("1" if numbers[0][-1] != "1" else "2")
    refused = await anonymous.post(f"/startups/{startup.id}/founders", {**founder, "id_number": bad})
    assert refused.status_code == 422
    # Revealing both numbers, then changing the password.
    for number in numbers:
        found = await Person.get(id_index=id_index(number))
        revealed = await anonymous.post(f"/people/{found.id}/reveal", headers={"HX-Request": "true"})
        assert revealed.status_code == 200 and number in revealed.text
    changed = await anonymous.post(
        "/account/password",
        {"old_password": password, "new_password": new_password, "confirm_password": new_password},
    )
    assert changed.status_code == 303
    settings = get_settings()
    secrets = {
        "password": password,
        "wrong password": wrong,
        "new password": new_password,
        "SECRET_KEY": settings.secret_key,
        "FIELD_ENCRYPTION_KEY": settings.field_encryption_key,
        "API token": raw_token,
        "session key": anonymous.key,
        "refused ID number": bad,
        **{f"ID number {n}": number for n, number in enumerate(numbers)},
        **{f"ID number {n} (lower case)": number.lower() for n, number in enumerate(numbers)},
    }
    logged = caplog.text + "\n".join(repr(vars(record)) for record in caplog.records)
    assert len(caplog.records) > 50, "the logs were captured at DEBUG (SQL included)"
    leaked = [name for name, secret in secrets.items() if secret in logged]
    print(f"logs: {len(caplog.records)} records checked for {len(secrets)} secrets")
    assert not leaked, f"in the logs: {leaked}"
