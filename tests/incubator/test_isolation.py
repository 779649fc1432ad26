"""Every route, every role: objects of another base, region or startup stay invisible.

New routes are picked up automatically; a path parameter this test does not know how to
fill fails it, so every new kind of object must be taught here once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from incubator import audit
from incubator.models import AuditEvent
from tests.clients import Browser
from tests.personas import PERSONAS, World, object_values
from tests.routes_walk import PUBLIC, RouteCase, route_cases

# The base each non-admin persona must never see into.
FOREIGN_BASE = {
    "bureau_tibet": "qinghai",
    "bureau_lhasa": "chamdo",
    "bureau_chamdo": "dsj",
    "operator_dsj": "chamdo",
    "operator_chamdo": "dsj",
    "founder_dsj": "chamdo",
    "founder_chamdo": "dsj",
}
REGION_OF_BASE = {"dsj": "540102", "chamdo": "540302", "qinghai": "630102"}
BUREAU_OF_BASE = {"dsj": "lhasa", "chamdo": "chamdo", "qinghai": "qinghai"}


async def foreign_values(world: World, persona: str) -> tuple[dict[str, str], list[str]]:
    """Path values naming objects the persona may not see, and texts that must not leak."""
    base_key = FOREIGN_BASE[persona]
    if persona.startswith("founder_"):
        # A founder must not see even a sibling startup in the same base.
        startup_key = persona.removeprefix("founder_") + "_sibling"
    else:
        startup_key = base_key
    startup = world.startups[startup_key]
    if persona.startswith("bureau_"):
        bureau = world.bureaus[BUREAU_OF_BASE[base_key]]
    else:
        bureau = world.bureaus["lhasa" if persona.endswith("dsj") else "chamdo"]
    base = world.bases[base_key]
    event = await audit.record(
        None, "test.foreign", base, base_id=base.id, region_code=REGION_OF_BASE[base_key], after={"secret": "x"}
    )
    values = {
        **object_values(world, base_key, startup_key),
        "bureau_id": str(bureau.id),
        "user_id": str(world.users["admin"].id),
        "membership_id": str(world.memberships["admin"].id),
        "event_id": str(event.id),
        # Regions are reference data every role reads; changing them is the admin's.
        "region_code": REGION_OF_BASE[base_key],
    }
    secrets = [
        base.name,
        startup.name,
        bureau.name,
        world.users["admin"].display_name,
        world.persons[startup_key].name,
        world.persons[startup_key].id_masked,
        world.spaces[base_key].code,
    ]
    return values, secrets


def dsj_values(world: World, persona: str) -> dict[str, str]:
    """Path values naming existing objects of the Lhasa base (and the persona's user)."""
    return {
        **object_values(world, "dsj", "dsj"),
        "bureau_id": str(world.bureaus["lhasa"].id),
        "user_id": str(world.users[persona].id),
        "membership_id": str(world.memberships[persona].id),
        "event_id": "1",
        "region_code": "540102",
    }


async def _call(client: Browser | httpx.AsyncClient, case: RouteCase, url: str) -> httpx.Response:
    if isinstance(client, Browser):
        if case.method == "GET":
            return await client.get(url)
        return await client.request(case.method, url, data={"name": "x"})
    if case.method == "GET":
        return await client.get(url)
    return await client.request(case.method, url, json={"name": "x"})


async def test_it_hides_foreign_objects_on_every_route_for_every_role(
    app, world: World, login: Callable[[str], Awaitable[Browser]], token_for
):
    # Public routes (a published notice) show any object to anyone: nothing there is foreign.
    cases = [c for c in route_cases(app) if c.params and (c.method, c.path) not in PUBLIC]
    assert cases, "no parameterised route found"
    checked = 0
    for persona in PERSONAS:
        if persona == "admin":
            continue
        browser = await login(persona)
        api_client = await token_for(persona)
        values, secrets = await foreign_values(world, persona)
        for case in cases:
            unknown = [p for p in case.params if p not in values]
            assert not unknown, f"{case.method} {case.path}: teach this test the parameter(s) {unknown}"
            url = case.url(values)
            before = await AuditEvent.all().count()
            response = await _call(api_client if case.is_api else browser, case, url)
            where = f"{persona} {case.method} {url}"
            assert response.status_code in (403, 404), f"{where}: {response.status_code}"
            for secret in secrets:
                assert secret not in response.text, f"{where}: leaked {secret!r}"
            assert await AuditEvent.all().count() == before, f"{where}: something changed"
            checked += 1
    print(f"isolation: {checked} (route, role, method) cases with foreign ids")
    assert checked >= len(cases) * 7


async def test_it_refuses_every_private_route_to_anonymous_visitors(app, world: World, anonymous: Browser, api):
    values = dsj_values(world, "admin")
    checked = 0
    for case in route_cases(app):
        if (case.method, case.path) in PUBLIC:
            continue
        url = case.url(values)
        response = await _call(api if case.is_api else anonymous, case, url)
        if case.is_api:
            assert response.status_code == 401, f"{case.method} {url}: {response.status_code}"
            assert response.json()["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 303, f"{case.method} {url}: {response.status_code}"
            assert response.headers["location"].startswith("/login")
        checked += 1
    print(f"anonymous: {checked} (route, method) cases")
    assert checked > 20


async def test_it_rejects_unsafe_html_requests_without_csrf_token(app, world: World, login):
    browser = await login("admin")
    values = dsj_values(world, "founder_dsj")
    checked = 0
    for case in route_cases(app):
        if case.method == "GET" or case.is_api:
            continue
        before = await AuditEvent.all().count()
        url = case.url(values)
        response = await browser.post(url, {"name": "x"}, csrf=False)
        assert response.status_code == 403, f"{case.method} {url}: {response.status_code}"
        assert "The form has expired" in response.text or "表单已过期" in response.text
        assert await AuditEvent.all().count() == before
        wrong = await browser.post(url, {"name": "x", "csrf_token": "0" * 64}, csrf=False)
        assert wrong.status_code == 403
        checked += 1
    print(f"csrf: {checked} unsafe HTML routes")
    assert checked > 10
