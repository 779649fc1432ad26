"""The JSON API: tokens, /me, scoped bases and regions, errors, OpenAPI."""

from __future__ import annotations

import datetime as dt

from incubator.models import ApiToken, AuditEvent
from tests.personas import PASSWORD
from tests.routes_walk import route_cases


async def test_it_issues_a_token_for_good_credentials(api, world):
    response = await api.post("/api/v1/auth/token", json={"username": "bureau.lhasa", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("inc_")
    stored = await ApiToken.get(user=world.users["bureau_lhasa"])
    assert stored.token_hash != token and len(stored.token_hash) == 64
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "bureau.lhasa"
    assert body["role"] == "bureau"
    assert body["memberships"] == [
        {
            "id": world.memberships["bureau_lhasa"].id,
            "role": "bureau",
            "bureau_id": world.bureaus["lhasa"].id,
            "base_id": None,
            "startup_id": None,
            "region_code": "540100",
            "label": "拉萨市人力资源和社会保障局",
            "active": True,
        }
    ]


async def test_it_refuses_bad_credentials_with_a_stable_code(api, world):
    response = await api.post("/api/v1/auth/token", json={"username": "bureau.lhasa", "password": "wrong-one1"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    assert await ApiToken.all().count() == 0


async def test_it_explains_missing_fields_and_malformed_json(api, world):
    missing = await api.post("/api/v1/auth/token", json={"username": "admin"})
    assert missing.status_code == 422
    assert set(missing.json()["error"]["fields"]) == {"password"}
    malformed = await api.post("/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_body"
    not_object = await api.post("/api/v1/auth/token", json=["admin"])
    assert not_object.status_code == 422
    english = await api.post("/api/v1/auth/token", json={}, headers={"Accept-Language": "en"})
    assert english.json()["error"]["fields"]["username"] == "This field is required."
    chinese = await api.post("/api/v1/auth/token", json={})
    assert chinese.json()["error"]["fields"]["username"] == "此项为必填项。"


async def test_it_refuses_expired_and_revoked_tokens(token_for, world):
    client = await token_for("operator_dsj")
    assert (await client.get("/api/v1/me")).status_code == 200
    await ApiToken.all().update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    expired = await client.get("/api/v1/me")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_expired"

    fresh = await token_for("operator_dsj")
    assert (await fresh.delete("/api/v1/auth/token")).status_code == 204
    revoked = await fresh.get("/api/v1/me")
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "token_expired"
    assert await AuditEvent.filter(action="api_token.revoked").count() == 1


async def test_it_refuses_garbage_authorization(api, world):
    response = await api.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    response = await api.get("/api/v1/me", headers={"Authorization": "Bearer inc_nope"})
    assert response.status_code == 401


async def test_it_lists_only_the_bases_in_scope(token_for, world):
    expected = {
        "admin": {"DSJ", "CDCK", "XNQC"},
        "bureau_tibet": {"DSJ", "CDCK"},
        "bureau_lhasa": {"DSJ"},
        "bureau_chamdo": {"CDCK"},
        "operator_dsj": {"DSJ"},
        "founder_chamdo": {"CDCK"},
    }
    for persona, codes in expected.items():
        client = await token_for(persona)
        body = (await client.get("/api/v1/bases")).json()
        assert {b["code"] for b in body["items"]} == codes, persona
        assert body["total"] == len(codes)
        assert body["limit"] == 50 and body["offset"] == 0


async def test_it_gives_one_base_with_its_fields_and_404_outside_scope(token_for, world):
    client = await token_for("bureau_lhasa")
    response = await client.get(f"/api/v1/bases/{world.bases['dsj'].id}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "拉萨市第三极众创空间"
    assert body["region_code"] == "540102"
    assert body["area_m2"] == "3500.00"
    foreign = await client.get(f"/api/v1/bases/{world.bases['chamdo'].id}")
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"


async def test_it_filters_bases_by_region_subtree(token_for, world):
    client = await token_for("admin")
    body = (await client.get("/api/v1/bases?region=540000")).json()
    assert {b["code"] for b in body["items"]} == {"DSJ", "CDCK"}
    body = (await client.get("/api/v1/bases?region=540300")).json()
    assert {b["code"] for b in body["items"]} == {"CDCK"}
    bad = await client.get("/api/v1/bases?region=54")
    assert bad.status_code == 422


async def test_it_paginates_regions(token_for, world):
    client = await token_for("founder_dsj")
    first = (await client.get("/api/v1/regions?limit=5")).json()
    assert first["limit"] == 5 and len(first["items"]) == 5
    assert first["items"][0] == {
        "region_code": "540000",
        "name": "西藏自治区",
        "name_en": "Tibet Autonomous Region",
        "level": "province",
        "parent_code": None,
    }
    second = (await client.get("/api/v1/regions?limit=5&offset=5")).json()
    assert not {r["region_code"] for r in first["items"]} & {r["region_code"] for r in second["items"]}
    children = (await client.get("/api/v1/regions?parent=540300")).json()
    assert [r["region_code"] for r in children["items"]] == ["540302"]
    clamped = (await client.get("/api/v1/regions?limit=100000&offset=-3")).json()
    assert clamped["limit"] == 200 and clamped["offset"] == 0


async def test_it_publishes_a_valid_openapi_document_covering_every_api_route(app, api):
    from openapi_spec_validator import validate

    document = (await api.get("/api/v1/openapi.json")).json()
    validate(document)
    for case in route_cases(app):
        if not case.is_api:
            continue
        path = case.path.replace(":int", "")
        assert path in document["paths"], f"{case.path} missing from OpenAPI"
        assert case.method.lower() in document["paths"][path], f"{case.method} {case.path} missing"
