"""The startups and people API: scoped lists, create, patch, transitions, find-or-create people."""

from __future__ import annotations

import asyncio
import datetime as dt

from incubator.identifiers import compose_id_number
from incubator.models import AuditEvent
from tenants.models import Person, Startup, StartupEvent
from tests.personas import World, id_number_of
from tests.tenants.test_startups import FORM, USCC


async def test_it_lists_startups_in_scope_with_filters(token_for, world: World):
    bureau = await token_for("bureau_tibet")
    body = (await bureau.get("/api/v1/startups?limit=10")).json()
    names = {s["name"] for s in body["items"]}
    assert body["total"] == 4 and world.startups["qinghai"].name not in names
    item = next(s for s in body["items"] if s["id"] == world.startups["dsj"].id)
    assert set(item) >= {"base_id", "name", "legal_form", "uscc", "status"}
    assert item["base_id"] == world.bases["dsj"].id and item["status"] == "incubating"
    only = (await bureau.get(f"/api/v1/startups?base={world.bases['chamdo'].id}&status=applied")).json()
    assert [s["name"] for s in only["items"]] == [world.startups["chamdo_sibling"].name]
    bad = await bureau.get("/api/v1/startups?status=sleeping")
    assert bad.status_code == 422 and "status" in bad.json()["error"]["fields"]
    founder = await token_for("founder_chamdo")
    assert [s["id"] for s in (await founder.get("/api/v1/startups")).json()["items"]] == [world.startups["chamdo"].id]


async def test_it_creates_and_patches_a_startup(token_for, world: World):
    operator = await token_for("operator_dsj")
    created = await operator.post("/api/v1/startups", json=FORM)
    assert created.status_code == 201
    body = created.json()
    assert (body["uscc"], body["status"], body["base_id"]) == (USCC, "applied", world.bases["dsj"].id)
    patched = await operator.patch(f"/api/v1/startups/{body['id']}", json={"contact_phone": "13700000000"})
    assert patched.status_code == 200 and patched.json()["contact_phone"] == "13700000000"
    assert patched.json()["registered_on"] == "2024-05-20"  # untouched fields are kept
    bad = await operator.patch(f"/api/v1/startups/{body['id']}", json={"uscc": "91540102MA6T8K2P0Z"})
    assert bad.status_code == 422 and "uscc" in bad.json()["error"]["fields"]
    assert (await Startup.get(id=body["id"])).uscc == USCC
    refused = await (await token_for("bureau_lhasa")).post("/api/v1/startups", json={**FORM, "name": "x"})
    assert refused.status_code == 403


async def test_it_lets_founders_patch_only_contact_details(token_for, world: World):
    founder = await token_for("founder_dsj")
    own = world.startups["dsj"]
    ok = await founder.patch(f"/api/v1/startups/{own.id}", json={"contact_email": "qingke@example.com"})
    assert ok.status_code == 200 and ok.json()["contact_email"] == "qingke@example.com"
    assert (await founder.patch(f"/api/v1/startups/{own.id}", json={"name": "x"})).status_code == 403
    sibling = world.startups["dsj_sibling"]
    assert (await founder.patch(f"/api/v1/startups/{sibling.id}", json={"contact_name": "x"})).status_code == 404


async def test_it_moves_a_startup_through_its_lifecycle(token_for, world: World):
    operator = await token_for("operator_chamdo")
    applicant = world.startups["chamdo_sibling"]
    url = f"/api/v1/startups/{applicant.id}/transitions"
    wrong = await operator.post(url, json={"to": "graduated", "on": "2025-01-01"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"]["to"] == "处于“申请入驻”状态的企业不能变更为“毕业”。"
    admitted = await operator.post(
        url, json={"to": "incubating", "on": "2025-01-01", "incubation_ends_on": "2026-12-31"}
    )
    assert admitted.status_code == 200
    assert (admitted.json()["status"], admitted.json()["incubation_ends_on"]) == ("incubating", "2026-12-31")
    english = await operator.post(url, json={"to": "exited", "on": "2025-02-01"}, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and english.json()["error"]["fields"]["reason"] == "This field is required."
    assert await AuditEvent.filter(action="startup.admitted").count() == 1


async def test_it_finds_or_creates_people_by_id_number(token_for, world: World):
    operator = await token_for("operator_dsj")
    number = compose_id_number("542621", dt.date(1997, 7, 1), 17)
    body = {
        "id_number": number,
        "name": "格桑曲珍",
        "is_graduate": True,
        "school": "西藏农牧学院",
        "graduation_year": 2019,
    }
    created = await operator.post("/api/v1/people", json=body)
    assert created.status_code == 201
    person = created.json()
    assert person["id_number"] == "542621**********" + number[-2:] and number not in created.text
    assert (person["created"], person["name_flagged"], person["sex"]) == (True, False, "male")
    assert person["categories"] == ["tibetan_hukou", "graduate"]
    again = await operator.post("/api/v1/people", json=body)
    assert again.status_code == 200 and again.json()["id"] == person["id"] and again.json()["created"] is False
    flagged = await operator.post("/api/v1/people", json={**body, "name": "格桑"})
    assert flagged.json()["name_flagged"] is True and flagged.json()["name"] == "格桑曲珍"
    assert await Person.filter(name="格桑曲珍").count() == 1
    known = await operator.post("/api/v1/people", json={"id_number": id_number_of("qinghai"), "name": "马晓燕"})
    assert known.status_code == 200 and known.json()["created"] is False
    fetched = await operator.get(f"/api/v1/people/{person['id']}")
    assert fetched.json()["id_number"] == person["id_number"]
    invalid = await operator.post("/api/v1/people", json={"id_number": number[:-1] + "0", "name": "x"})
    if number[-1] == "0":
        invalid = await operator.post("/api/v1/people", json={"id_number": number[:-1] + "1", "name": "x"})
    assert invalid.status_code == 422 and "id_number" in invalid.json()["error"]["fields"]
    founder = await token_for("founder_dsj")
    assert (await founder.post("/api/v1/people", json=body)).status_code == 403
    assert (await founder.get(f"/api/v1/people/{person['id']}")).status_code == 404


async def test_it_lets_exactly_one_of_many_simultaneous_admissions_through(token_for, world: World, is_postgres):
    operator = await token_for("operator_chamdo")
    applicant = world.startups["chamdo_sibling"]
    body = {"to": "incubating", "on": "2025-01-01"}
    responses = await asyncio.gather(
        *(operator.post(f"/api/v1/startups/{applicant.id}/transitions", json=body) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    if is_postgres:  # row locks make this exact; SQLite serialises writers anyway
        assert statuses == [200] + [422] * 19
    assert statuses.count(200) == 1
    assert await AuditEvent.filter(action="startup.admitted").count() == 1
    assert await StartupEvent.filter(startup_id=applicant.id, to_status="incubating").count() == 1
