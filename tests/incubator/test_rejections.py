"""Every rejected input leaves the database unchanged.

Every unsafe JSON API route that takes a body (taken from the routes and their OpenAPI request
schemas, so new routes are covered without editing this test) gets a set of malformed bodies,
sent as a persona who may use the route: not JSON, nested too deep, the wrong shape, wrong types,
1 MB strings, NaN and infinite or negative or too precise amounts, impossible dates, control
characters, lone surrogates, emoji and Tibetan script where a number, date or choice belongs.
Each must be refused with a 4xx, and the row count of every table (the audit log included) and
the audit chain's head must be what they were before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
from starlette.applications import Starlette
from tortoise import Tortoise, connections

from incubator.convertors import MAX_ID
from incubator.models import AuditEvent
from tenants.models import Employment, Verification
from tests.clients import Browser
from tests.personas import World, object_values
from tests.routes_walk import PUBLIC, RouteCase, route_cases

# Personas of the Lhasa base, tried in this order: the first one neither refused (403) nor kept
# from the route's object (404) sends its bodies.
CANDIDATES = ("operator_dsj", "bureau_lhasa", "admin", "founder_dsj", "bureau_tibet")
MEGABYTE = "x" * (1024 * 1024)

# Hostile values by the kind of field they are wrong for. Tibetan script and emoji are fine text,
# so they are only sent where a number, a date, an id or a choice belongs.
NOT_A_VALUE = ["😀", "བཀྲ་ཤིས་བདེ་ལེགས།", "", [], {"$ne": None}, "1; DROP TABLE startup"]
HOSTILE: dict[str, list[Any]] = {
    "money": [
        "NaN",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-100.00",
        "-0.01",
        "0.001",
        "100.005",
        "1e12",
        "99999999999999999999.99",
        "¥100",
        True,
    ],
    "date": [
        "0000-00-00",
        "9999-12-31",
        "2025-02-30",
        "2025-13-01",
        "1899-12-31",
        "2025/03/01",
        "༢༠༢༥-༠༣-༠༡",
        "-0001-01-01",
    ],
    "int": [-1, 0, MAX_ID + 1, 10**20, 1.5, "1 OR 1=1", True],
    "text": ["nul\x00byte", "escape\x1b[31m", "lone \ud800 surrogate", "长" * 100_000],
}
# Accepted on purpose: (method, route, body label) -> why.
ACCEPTED = {
    ("PATCH", "/api/v1/policy-versions/{version_id:int}", "date '9999-12-31'"): "a version may run far ahead",
}
# A refused login is counted on purpose (throttling): the public token route may add these rows.
COUNTED_WHEN_REFUSED = {"login_attempt"}

# Bodies that are wrong as a whole: (label, raw bytes).
RAW_BODIES: list[tuple[str, bytes]] = [
    ("not JSON", b"{not json"),
    ("not UTF-8", b'{"name": "\xff\xfe"}'),
    ("nested too deep", b"[" * 100_000 + b"]" * 100_000),
    ("JSON NaN literal", b'{"amount": NaN, "principal": NaN, "startup_id": NaN}'),
    ("JSON huge exponent", b'{"amount": 1e400, "startup_id": 1e400, "on": 1e400}'),
    ("JSON array", b"[]"),
    ("JSON string", b'"{}"'),
    ("JSON number", b"42"),
    ("JSON null", b"null"),
    ("empty object", b"{}"),
]


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def kind_of(name: str, schema: dict[str, Any]) -> str:
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "enum" in schema:
        return "enum"
    if "number" in types:
        return "money"
    if schema.get("format") == "date" or name.endswith("_on") or name in ("period_start", "period_end"):
        return "date"
    if "integer" in types:
        return "int"
    if "boolean" in types:
        return "bool"
    if "array" in types or "object" in types:
        return "structure"
    return "text"


def plausible(name: str, kind: str, schema: dict[str, Any], values: dict[str, str]) -> Any:
    """A value of the right kind for the fields that do not carry the hostile value."""
    if kind == "enum":
        return schema["enum"][0]
    if kind == "money":
        return "100.00"
    if kind == "date":
        return "2025-03-03"
    if kind == "int":
        return int(values.get(name, 1)) if name != "year" else 2025
    if kind == "bool":
        return True
    if kind == "structure":
        return [] if "array" in str(schema.get("type")) else {}
    return {"period": "2025-03", "id_number": "540102199803140022"}.get(name, "测试")


def bodies(request_schema: dict[str, Any], values: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """(label, body): the raw ones, wrong types everywhere, then each hostile value in every field it is wrong for."""
    yield from RAW_BODIES
    properties = request_schema.get("properties", {})
    kinds = {name: kind_of(name, schema) for name, schema in properties.items()}
    base = {name: plausible(name, kinds[name], properties[name], values) for name in properties}

    def encode(body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=True).encode()

    yield "wrong shape: a list of the object", encode([base])
    yield "wrong types: arrays", encode({name: ([1] if kinds[name] == "structure" else [[]]) for name in properties})
    yield "wrong types: objects", encode({name: {"$gt": ""} for name in properties})
    yield "1 MB strings", encode({name: MEGABYTE for name in properties})
    for kind, hostile in HOSTILE.items():
        targets = [name for name in properties if kinds[name] == kind]
        for value in hostile if targets else []:
            yield f"{kind} {value!r:.40}", encode({**base, **dict.fromkeys(targets, value)})
    targets = [name for name in properties if kinds[name] in ("money", "date", "int", "enum", "bool")]
    for value in NOT_A_VALUE if targets else []:
        yield f"not a value {value!r:.40}", encode({**base, **dict.fromkeys(targets, value)})


def lhasa_values(world: World) -> dict[str, str]:
    return {
        **object_values(world, "dsj", "dsj"),
        "bureau_id": str(world.bureaus["lhasa"].id),
        "region_code": "540102",
    }


def tables() -> list[str]:
    return sorted({m._meta.db_table for m in Tortoise.apps["models"].values()})


async def snapshot(ignored: frozenset[str] = frozenset()) -> tuple[int, ...]:
    """The row count of every table (but the ignored ones) and the audit chain's head, in one query."""
    columns = [f'(SELECT COUNT(*) FROM "{t}") AS c{i}' for i, t in enumerate(tables()) if t not in ignored]
    columns.append('(SELECT MAX(seq) FROM "audit_head") AS head')
    _count, rows = await connections.get("default").execute_query("SELECT " + ", ".join(columns))
    return tuple(int(v or 0) for v in tuple(rows[0]))


def changed(before: tuple[int, ...], after: tuple[int, ...], ignored: frozenset[str]) -> list[str]:
    names = [*(t for t in tables() if t not in ignored), "audit_head.seq"]
    return [f"{t}: {a} -> {b}" for t, a, b in zip(names, before, after, strict=True) if a != b]


def is_empty_patch(method: str, body: bytes, schema: dict[str, Any]) -> bool:
    """A PATCH naming none of the fields it may change: a valid request that changes nothing."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return method == "PATCH" and isinstance(data, dict) and not set(data) & set(schema.get("properties", {}))


async def test_every_rejected_body_leaves_the_database_unchanged(
    app: Starlette, api: httpx.AsyncClient, world: World, token_for: Callable[[str], Awaitable[httpx.AsyncClient]]
) -> None:
    started = time.monotonic()
    document = (await api.get("/api/v1/openapi.json")).json()
    values = lhasa_values(world)
    clients = {persona: await token_for(persona) for persona in CANDIDATES}
    routes: list[tuple[RouteCase, dict[str, Any], httpx.AsyncClient, frozenset[str]]] = []
    bodyless = []
    for case in route_cases(app):
        if not case.is_api or case.method == "GET":
            continue
        operation = document["paths"][case.url({p: "{" + p + "}" for p in case.params})][case.method.lower()]
        if "requestBody" not in operation:
            bodyless.append(f"{case.method} {case.path}")
            continue
        schema = resolve(operation["requestBody"]["content"]["application/json"]["schema"], document)
        # The first persona who sees the object and is not refused; the public token route takes anyone.
        public = operation.get("security") == []
        client = clients[CANDIDATES[0]]
        for persona in CANDIDATES if not public else ():
            probe = await clients[persona].request(case.method, case.url(values), json={})
            if probe.status_code not in (403, 404):
                client = clients[persona]
                break
        ignored = frozenset(COUNTED_WHEN_REFUSED if public else ())
        routes.append((case, schema, client, ignored))
    assert len(routes) > 20, "no unsafe API route with a body found"

    failures: list[str] = []
    checked = 0
    for case, schema, client, ignored in routes:
        before = await snapshot(ignored)
        url = case.url(values)
        for label, body in bodies(schema, values):
            checked += 1
            where = f"{case.method} {case.path} [{label}]"
            try:
                response = await client.request(
                    case.method, url, content=body, headers={"Content-Type": "application/json"}
                )
            except Exception as exc:  # noqa: BLE001 - the app raised: a server error
                failures.append(f"{where}: raised {exc!r:.300}")
                continue
            after = await snapshot(ignored)
            if (case.method, case.path, label) in ACCEPTED:
                assert response.status_code < 500, f"{where}: {response.status_code}"
                before = after
                continue
            if not 400 <= response.status_code < 500 and not (
                response.status_code == 200 and is_empty_patch(case.method, body, schema)
            ):
                failures.append(f"{where}: {response.status_code} {response.text[:300]}")
            if after != before:
                failures.append(f"{where}: {response.status_code}, changed {changed(before, after, ignored)}")
                before = after
    elapsed = time.monotonic() - started
    print(
        f"rejections: {checked} (route, body) cases on {len(routes)} unsafe API routes "
        f"({len(bodyless)} take no body: {', '.join(bodyless)}) in {elapsed:.1f} s"
    )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


# -- regressions found by these tests and the schemathesis run ----------------------------------


async def test_ids_beyond_a_32_bit_column_are_not_found_on_every_route(
    app: Starlette, world: World, login: Callable[[str], Awaitable[Browser]], token_for
) -> None:
    """A path id past 2**31 - 1 used to reach the database and overflow there (a 500)."""
    browser = await login("admin")
    api_client = await token_for("admin")
    before = await AuditEvent.all().count()
    checked = 0
    for case in route_cases(app):
        ids = [p for p in case.params if "{" + p + ":int}" in case.path]
        if not ids:
            continue
        for huge in (str(MAX_ID + 1), "9" * 25):
            url = case.url(dict.fromkeys(case.params, "540102") | dict.fromkeys(ids, huge))
            if case.is_api:
                response = await api_client.request(case.method, url, json={})
            else:
                response = await browser.request(case.method, url)
            assert response.status_code == 404, f"{case.method} {url}: {response.status_code}"
            checked += 1
    assert await AuditEvent.all().count() == before
    print(f"huge ids: {checked} (route, method, id) cases")
    assert checked > 100


async def test_hostile_query_ids_are_ignored_or_refused_on_every_list(
    app: Starlette, world: World, login: Callable[[str], Awaitable[Browser]], token_for
) -> None:
    """'²' passes str.isdigit() but not int(), and 99999999999 overflows PostgreSQL's integer: both were 500s."""
    names = ("startup", "startup_id", "base", "base_id", "bill", "bill_id", "edit", "person_id", "policy_id")
    checked = 0
    for persona in ("admin", "operator_dsj"):
        browser = await login(persona)
        api_client = await token_for(persona)
        for case in route_cases(app):
            if case.method != "GET" or case.params or (case.method, case.path) in PUBLIC:
                continue
            for hostile in ("²", "99999999999"):
                client = api_client if case.is_api else browser
                response = await client.get(case.path, params=dict.fromkeys(names, hostile))
                assert response.status_code < 500, f"{persona} {case.path} {hostile!r}: {response.status_code}"
                checked += 1
    print(f"hostile query ids: {checked} (route, role, value) cases")
    assert checked > 100


async def test_an_empty_patch_of_a_roster_entry_changes_nothing(world: World, token_for) -> None:
    """It used to record an audit event and turn a verified entry back into a declared one."""
    employment = world.employments["dsj"]
    await Employment.filter(id=employment.id).update(verification=Verification.VERIFIED)
    client = await token_for("operator_dsj")
    before = await AuditEvent.all().count()
    response = await client.patch(f"/api/v1/employments/{employment.id}", json={})
    assert response.status_code == 200
    assert response.json()["verification"] == "verified"
    assert (await Employment.get(id=employment.id)).verification is Verification.VERIFIED
    assert await AuditEvent.all().count() == before
    changed = await client.patch(f"/api/v1/employments/{employment.id}", json={"contract_kind": "open_ended"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["verification"] == "declared"
    assert await AuditEvent.filter(action="employment.corrected").count() == 1


def test_a_months_cell_with_digits_int_cannot_read_is_not_a_count() -> None:
    """'፩' (Ethiopic one) passes str.isdigit() but not int(): reading an insurance roster raised."""
    from grants.services.job_audits import _months

    assert _months("፩") is None
    assert _months("፩个月") is None
    assert (_months("12个月"), _months("１２月"), _months("6")) == (12, 12, 6)
