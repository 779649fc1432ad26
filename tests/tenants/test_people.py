"""People: one person per ID number, founders, masked numbers, audited reveals, name flags."""

from __future__ import annotations

import datetime as dt

from incubator.identifiers import compose_id_number
from incubator.models import AuditEvent
from incubator.pii import id_index, open_id_number
from tenants.models import BasePerson, Founder, Person
from tests.personas import World, id_number_of

NEW_ID = compose_id_number("540102", dt.date(2000, 2, 29), 42)  # a leap day, a woman (even)


def founder_form(**change: str) -> dict[str, str]:
    form = {
        "id_number": NEW_ID.lower(),
        "name": "德吉央宗",
        "phone": "13989001234",
        "role": "partner",
        "joined_on": "2025-02-01",
        "is_graduate": "1",
        "school": "西藏大学",
        "graduation_year": "2022",
        "is_farmer_herder": "1",
    }
    return {**form, **change}


async def test_it_adds_a_founder_as_a_new_person_with_derived_fields(login, world: World):
    operator = await login("operator_dsj")
    startup = world.startups["dsj"]
    response = await operator.post(f"/startups/{startup.id}/founders", founder_form())
    assert response.status_code == 303
    person = await Person.get(id_index=id_index(NEW_ID))
    assert (person.birth_date, person.sex, person.hukou_region_code) == (dt.date(2000, 2, 29), "female", "540102")
    assert person.id_masked == NEW_ID[:6] + "*" * 10 + NEW_ID[-2:]
    assert NEW_ID not in person.id_cipher and open_id_number(person.id_cipher) == NEW_ID.upper()
    assert person.categories == ["tibetan_hukou", "graduate", "farmer_herder"]
    assert await BasePerson.filter(base_id=world.bases["dsj"].id, person_id=person.id).exists()
    founder = await Founder.get(person_id=person.id)
    assert (founder.startup_id, founder.role) == (startup.id, "partner")
    for action in ("person.created", "founder.added"):
        event = await AuditEvent.get(action=action)
        assert NEW_ID not in str(event.after) and person.id_masked in str(event.after)
    page = await operator.get(f"/startups/{startup.id}")
    assert "德吉央宗" in page.text and person.id_masked in page.text and NEW_ID not in page.text
    assert "高校毕业生" in page.text and "农牧民" in page.text and "西藏户籍" in page.text


async def test_it_links_an_existing_person_instead_of_creating_a_twin(login, world: World):
    existing = world.persons["chamdo"]  # registered at the Chamdo base
    operator = await login("operator_dsj")
    form = founder_form(id_number=id_number_of("chamdo"), name=existing.name)
    before = await Person.all().count()
    assert (await operator.post(f"/startups/{world.startups['dsj'].id}/founders", form)).status_code == 303
    assert await Person.all().count() == before
    assert await BasePerson.filter(person_id=existing.id).count() == 2
    assert not (await BasePerson.get(person_id=existing.id, base_id=world.bases["dsj"].id)).name_flagged
    await existing.refresh_from_db()
    assert existing.school == "" and existing.phone == ""  # registered details are not overwritten


async def test_it_flags_a_different_name_for_a_known_number(login, world: World):
    existing = world.persons["chamdo"]
    operator = await login("operator_dsj")
    form = founder_form(id_number=id_number_of("chamdo"), name="阿穷")
    assert (await operator.post(f"/startups/{world.startups['dsj'].id}/founders", form)).status_code == 303
    await existing.refresh_from_db()
    assert existing.name == "阿琼"  # not silently overwritten
    registration = await BasePerson.get(person_id=existing.id, base_id=world.bases["dsj"].id)
    assert (registration.entered_name, registration.name_flagged) == ("阿穷", True)
    assert (await AuditEvent.get(action="person.name_flagged")).after == {"entered_name": "阿穷"}
    page = await operator.get(f"/people/{existing.id}")
    assert "阿穷" in page.text and "不一致" in page.text
    assert "姓名不一致" in (await operator.get("/people?flagged=1")).text
    assert (await operator.post(f"/people/{existing.id}/name-flag")).status_code == 303
    await registration.refresh_from_db()
    assert not registration.name_flagged
    # The Chamdo operator sees no flag: it was raised at the Lhasa base.
    chamdo = await login("operator_chamdo")
    assert "不一致" not in (await chamdo.get(f"/people/{existing.id}")).text


async def test_it_rejects_bad_founders_and_stores_nothing(login, world: World):
    operator = await login("operator_dsj")
    startup = world.startups["dsj"]
    await Founder.filter(startup_id=startup.id).update(role="legal_representative")
    bad_check = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    cases = [
        (founder_form(id_number=bad_check), "id_number", "校验位"),
        (founder_form(id_number="54010220000230004X"), "id_number", "出生日期"),
        (founder_form(id_number="5401022000"), "id_number", "18"),
        (founder_form(phone="1390890123"), "phone", "11 位手机号码"),
        (founder_form(school=""), "school", "必填项"),
        (founder_form(graduation_year="1900"), "graduation_year", "1950"),
        (founder_form(role="legal_representative"), "role", "已有法定代表人"),
        (
            founder_form(id_number=id_number_of("dsj"), name=world.persons["dsj"].name),
            "id_number",
            "已是该企业的创业者",
        ),
        (founder_form(joined_on="2999-01-01"), "joined_on", "不能晚于今天"),
    ]
    counts = (await Person.all().count(), await Founder.all().count(), await BasePerson.all().count())
    events = await AuditEvent.all().count()
    for form, field, text in cases:
        response = await operator.post(f"/startups/{startup.id}/founders", form)
        assert response.status_code == 422, form
        assert f'id="e-{field}"' in response.text and text in response.text, (field, text)
    assert (await Person.all().count(), await Founder.all().count(), await BasePerson.all().count()) == counts
    assert await AuditEvent.all().count() == events


async def test_it_records_a_founder_leaving(login, world: World):
    operator = await login("operator_dsj")
    founder = world.founders["dsj"]
    early = await operator.post(f"/founders/{founder.id}/end", {"left_on": "2024-01-01"})
    assert early.status_code == 422 and "不能早于" in early.text
    assert (await operator.post(f"/founders/{founder.id}/end", {"left_on": "2025-05-31"})).status_code == 303
    await founder.refresh_from_db()
    assert founder.left_on == dt.date(2025, 5, 31)
    again = await operator.post(f"/founders/{founder.id}/end", {"left_on": "2025-06-30"})
    assert again.status_code == 422 and "已登记离开" in again.text


async def test_it_reveals_a_full_number_only_when_allowed_and_audits_it(login, world: World):
    person = world.persons["dsj"]
    number = id_number_of("dsj")
    for persona in ("operator_dsj", "bureau_lhasa", "bureau_tibet"):
        browser = await login(persona)
        page = await browser.get(f"/people/{person.id}")
        assert page.status_code == 200 and number not in page.text and person.id_masked in page.text
        revealed = await browser.post(f"/people/{person.id}/reveal", headers={"HX-Request": "true"})
        assert revealed.status_code == 200 and number in revealed.text and "<html" not in revealed.text
    events = await AuditEvent.filter(action="person.id_revealed").order_by("seq")
    assert [e.actor for e in events] == ["operator.dsj", "bureau.lhasa", "bureau.tibet"]
    assert all(number not in str(e.after) for e in events)
    admin = await login("admin")
    assert (await admin.post(f"/people/{person.id}/reveal")).status_code == 403
    for persona, status in (("operator_chamdo", 404), ("bureau_chamdo", 404), ("founder_dsj", 403)):
        browser = await login(persona)
        response = await browser.post(f"/people/{person.id}/reveal")
        assert response.status_code == status, persona
        assert number not in response.text
    assert await AuditEvent.filter(action="person.id_revealed").count() == 3


async def test_it_lets_the_operator_correct_a_person(login, world: World):
    operator = await login("operator_dsj")
    person = world.persons["dsj"]
    form = {"name": "次仁卓嘎", "phone": "13889001122", "hukou_region_code": "540121", "is_veteran": "1"}
    assert (await operator.post(f"/people/{person.id}/edit", form)).status_code == 303
    await person.refresh_from_db()
    assert (person.name, person.phone, person.hukou_region_code, person.is_veteran) == (
        "次仁卓嘎",
        "13889001122",
        "540121",
        True,
    )
    assert not person.is_graduate
    event = await AuditEvent.get(action="person.updated")
    assert event.before["name"] == "次仁卓玛" and event.after["name"] == "次仁卓嘎"
    bad = await operator.post(f"/people/{person.id}/edit", {"name": "", "hukou_region_code": "54"})
    assert bad.status_code == 422 and "必填项" in bad.text and "6 位数字" in bad.text
    bureau = await login("bureau_lhasa")
    assert (await bureau.post(f"/people/{person.id}/edit", form)).status_code == 403


async def test_it_lists_only_the_people_in_scope(login, world: World):
    operator = await login("operator_dsj")
    text = (await operator.get("/people")).text
    assert world.persons["dsj"].name in text and world.persons["dsj_sibling"].name in text
    assert world.persons["chamdo"].name not in text
    founder = await login("founder_dsj")
    assert (await founder.get("/people")).status_code == 403
    bureau = await login("bureau_chamdo")
    text = (await bureau.get("/people")).text
    assert world.persons["chamdo"].name in text and world.persons["dsj"].name not in text
