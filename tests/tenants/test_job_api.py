"""The roster and job-count API."""

from __future__ import annotations

from tenants.models import Employment
from tests.personas import World
from tests.tenants.test_roster import NUMBER, _admitted, employment_form


async def test_it_keeps_a_roster_through_the_api(token_for, world: World):
    await _admitted(world, "dsj")
    founder = await token_for("founder_dsj")
    url = f"/api/v1/startups/{world.startups['dsj'].id}/employments"
    created = await founder.post(url, json=employment_form(is_graduate=True))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["person"]["id_number"].startswith("540123**********") and NUMBER not in created.text
    assert body["categories"] == ["graduate", "tibetan"] and body["monthly_wage"] == "4500.00"
    overlap = await founder.post(url, json=employment_form(is_graduate=True))
    assert overlap.status_code == 422 and "hired_on" in overlap.json()["error"]["fields"]
    listing = (await founder.get(url + "?current=true")).json()
    assert listing["total"] == 1
    entry = f"/api/v1/employments/{body['id']}"
    corrected = await founder.patch(entry, json={"contract_kind": "open_ended"})
    assert corrected.status_code == 200 and corrected.json()["contract_kind"] == "open_ended"
    assert corrected.json()["hired_on"] == "2025-03-01"
    missing = await founder.patch(entry, json={"left_on": "2025-09-30"})
    assert missing.status_code == 422 and "left_reason" in missing.json()["error"]["fields"]
    ended = await founder.patch(entry, json={"left_on": "2025-09-30", "left_reason": "合同到期"})
    assert ended.json()["left_on"] == "2025-09-30"
    other = await token_for("founder_chamdo")
    assert (await other.get(entry)).status_code == 404
    assert (await other.patch(entry, json={"contract_kind": "service"})).status_code == 404
    assert (await Employment.get(id=body["id"])).contract_kind == "open_ended"


async def test_it_answers_job_counts_for_a_startup_base_or_region(token_for, world: World):
    await _admitted(world, "chamdo")
    operator = await token_for("operator_chamdo")
    await operator.post(
        f"/api/v1/startups/{world.startups['chamdo'].id}/employments",
        json=employment_form(is_graduate=True, hired_on="2025-01-10"),
    )
    bureau = await token_for("bureau_chamdo")
    for query in (
        f"startup_id={world.startups['chamdo'].id}",
        f"base_id={world.bases['chamdo'].id}",
        "region=540300",
    ):
        body = (await bureau.get(f"/api/v1/job-counts?{query}&as_of=2025-06-30&from=2025-01-01&to=2025-06-30")).json()
        assert body["headcount"]["declared"]["total"] == 1, query
        assert body["created"]["declared"]["graduate"] == 1 and body["headcount"]["verified"]["total"] == 0
        assert body["rule"]["region_code"] is None and "平台默认口径" in body["rule"]["source"]
    assert (await bureau.get("/api/v1/job-counts?region=540100")).status_code == 404
    assert (await bureau.get(f"/api/v1/job-counts?base_id={world.bases['dsj'].id}")).status_code == 404
    both = await bureau.get(f"/api/v1/job-counts?region=540300&base_id={world.bases['chamdo'].id}")
    assert both.status_code == 422
    bad = await bureau.get("/api/v1/job-counts?region=540300&as_of=2025-02-30")
    assert bad.status_code == 422 and "as_of" in bad.json()["error"]["fields"]
    founder = await token_for("founder_chamdo")
    assert (await founder.get(f"/api/v1/job-counts?base_id={world.bases['chamdo'].id}")).status_code == 404
