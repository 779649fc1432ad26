"""Job pages: the roster kept by founders and operators, the base's and region's job counts."""

from __future__ import annotations

import datetime as dt

from incubator.models import AuditEvent
from tenants.models import CountingRule, Employment
from tests.personas import World
from tests.tenants.test_jobcounts import _person, employ
from tests.tenants.test_roster import NUMBER, _admitted, employment_form


async def test_it_lets_a_founder_keep_the_roster_on_a_phone(login, world: World):
    await _admitted(world, "dsj")
    founder = await login("founder_dsj")
    url = f"/startups/{world.startups['dsj'].id}/roster"
    response = await founder.post(url, employment_form())
    assert response.status_code == 303
    page = await founder.get(url)
    assert "尼玛次仁" in page.text and "540123**********" in page.text and NUMBER not in page.text
    assert "劳动合同（固定期限）" in page.text and "已申报" in page.text
    assert "按平台默认口径统计" in page.text and "各月末在岗人数" in page.text
    employment = await Employment.get(person__name="尼玛次仁")
    bad = await founder.post(f"/employments/{employment.id}/end", {"left_on": "2020-01-01", "left_reason": "x"})
    assert bad.status_code == 422 and "离职日期不能早于入职日期" in bad.text
    ended = await founder.post(f"/employments/{employment.id}/end", {"left_on": "2025-06-30", "left_reason": "辞职"})
    assert ended.status_code == 303
    await employment.refresh_from_db()
    assert employment.left_on == dt.date(2025, 6, 30)


async def test_it_rejects_a_bad_roster_entry_and_keeps_what_was_typed(login, world: World):
    await _admitted(world, "dsj")
    operator = await login("operator_dsj")
    url = f"/startups/{world.startups['dsj'].id}/roster"
    before = (await Employment.all().count(), await AuditEvent.all().count())
    response = await operator.post(url, employment_form(hired_on="2025-03-01", left_on="2025-01-01", name="卓嘎"))
    assert response.status_code == 422 and "离职日期不能早于入职日期" in response.text
    assert 'value="卓嘎"' in response.text
    assert (await Employment.all().count(), await AuditEvent.all().count()) == before


async def test_it_keeps_bureaus_and_other_founders_off_the_roster(login, world: World):
    await _admitted(world, "dsj")
    bureau = await login("bureau_lhasa")
    url = f"/startups/{world.startups['dsj'].id}/roster"
    assert (await bureau.get(url)).status_code == 200
    assert (await bureau.post(url, employment_form())).status_code == 403
    sibling = await login("founder_chamdo")
    assert (await sibling.get(url)).status_code == 404
    assert not await Employment.filter(person__name="尼玛次仁").exists()


async def test_it_shows_base_and_region_counts_with_their_rule(login, world: World):
    await _admitted(world, "dsj")
    await _admitted(world, "chamdo")
    today = dt.date.today()
    people = {n: await _person(n) for n in (1, 2, 3)}
    insured = (dt.date(2025, 1, 1), None)
    for n, key in ((1, "dsj"), (2, "dsj_sibling"), (3, "chamdo")):
        await employ(world.startups[key], people[n], dt.date(2025, 1, 1), graduate=2024, insured=insured)
    await employ(world.startups["dsj_sibling"], people[1], dt.date(2025, 2, 1), graduate=2024, insured=insured)
    await CountingRule.create(
        region_id="540000",
        effective_from=dt.date(2024, 1, 1),
        include_founders=True,
        min_insured_months=3,  # the monthly series applies it per month (bound twice in SQL)
        contract_kinds=["fixed_term"],
        source="藏人社发〔2024〕测试号",
    )
    operator = await login("operator_dsj")
    page = await operator.get(f"/bases/{world.bases['dsj'].id}/jobs?as_of={today.isoformat()}")
    assert page.status_code == 200 and "藏人社发〔2024〕测试号" in page.text
    assert 'id="job-figures"' in page.text
    assert ">2 <span" in page.text  # two distinct people employed at the Lhasa base today
    bureau = await login("bureau_tibet")
    region = await bureau.get("/region/jobs")
    assert region.status_code == 200 and "各基地对比" in region.text
    assert world.bases["dsj"].name in region.text and world.bases["chamdo"].name in region.text
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.get("/region/jobs?region=540300")).status_code == 404
    assert world.bases["chamdo"].name not in (await lhasa.get("/region/jobs")).text
    founder = await login("founder_dsj")
    assert (await founder.get(f"/bases/{world.bases['dsj'].id}/jobs")).status_code == 403


async def test_it_lets_a_bureau_record_a_counting_rule_for_its_region(login, world: World):
    bureau = await login("bureau_lhasa")
    form = {
        "region_code": "540100",
        "effective_from": "2025-01-01",
        "include_founders": "1",
        "min_insured_months": "6",
        "contract_kinds": ["fixed_term", "open_ended"],
        "source": "拉人社发〔2025〕8号",
    }
    assert (await bureau.post("/region/counting-rules", form)).status_code == 303
    rule = await CountingRule.get(region_id="540100")
    assert (rule.min_insured_months, rule.contract_kinds, rule.created_by) == (
        6,
        ["fixed_term", "open_ended"],
        "bureau.lhasa",
    )
    page = await bureau.get("/region/counting-rules")
    assert "拉人社发〔2025〕8号" in page.text and "劳动合同（无固定期限）" in page.text
    again = await bureau.post("/region/counting-rules", form)
    assert again.status_code == 422 and "已有自此日期起施行的口径" in again.text
    empty = await bureau.post("/region/counting-rules", {**form, "contract_kinds": [], "effective_from": "2025-02-01"})
    assert empty.status_code == 422 and "请至少选择一种" in empty.text
    foreign = await bureau.post("/region/counting-rules", {**form, "region_code": "540300"})
    assert foreign.status_code == 403
    operator = await login("operator_dsj")
    assert (await operator.get("/region/counting-rules")).status_code == 403
    assert (await operator.post("/region/counting-rules", form)).status_code == 403
    assert await CountingRule.all().count() == 1
