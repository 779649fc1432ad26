"""Every page, for every role, in both languages: it renders, and nothing is left in English
on a Chinese page."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from incubator import audit
from tests.personas import PERSONAS, World, object_values
from tests.routes_walk import route_cases

CATALOG = Path(__file__).resolve().parents[2] / "incubator/locale/zh_CN/LC_MESSAGES/messages.po"
OWN_BASE = {
    "admin": "dsj",
    "bureau_tibet": "chamdo",
    "bureau_lhasa": "dsj",
    "bureau_chamdo": "chamdo",
    "operator_dsj": "dsj",
    "operator_chamdo": "chamdo",
    "founder_dsj": "dsj",
    "founder_chamdo": "chamdo",
}
OWN_BUREAU = {"bureau_tibet": "tibet", "bureau_lhasa": "lhasa", "bureau_chamdo": "chamdo"}


def english_phrases() -> list[str]:
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    phrases = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if msgid and " " in msgid and "%(" not in msgid and len(msgid) >= 8:
            phrases.append(msgid)
    return phrases


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


async def test_it_renders_every_page_for_every_role_in_both_languages(app, world: World, login):
    phrases = english_phrases()
    assert len(phrases) > 50
    pages = [c for c in route_cases(app) if c.method == "GET" and not c.is_api and c.path != "/healthz"]
    rendered = 0
    for persona in PERSONAS:
        browser = await login(persona)
        base_key = OWN_BASE[persona]
        event = await audit.record(None, "test.page", region_code=world.bases[base_key].region_id, object_type="Base")
        startup_key = base_key
        values = {
            **object_values(world, base_key, startup_key),
            "bureau_id": str(world.bureaus[OWN_BUREAU.get(persona, "lhasa")].id),
            "user_id": str(world.users[persona].id),
            "membership_id": str(world.memberships[persona].id),
            "event_id": str(event.id),
            "region_code": world.bases[base_key].region_id,
        }
        for case in pages:
            url = case.url(values)
            for locale, lang in (("zh_CN", "zh-CN"), ("en", "en")):
                await browser.post("/language", {"locale": locale})
                response = await browser.get(url)
                where = f"{persona} {url} [{locale}]"
                assert response.status_code in (200, 303, 403, 404), f"{where}: {response.status_code}"
                if response.status_code == 303:
                    continue
                if not response.headers["content-type"].startswith("text/html"):
                    continue  # a download (a spreadsheet export, a stored file), not a page
                assert f'<html lang="{lang}">' in response.text, where
                if locale == "zh_CN":
                    text = visible_text(response.text)
                    leftovers = [p for p in phrases if p in text]
                    assert not leftovers, f"{where}: untranslated {leftovers}"
                rendered += 1
    print(f"pages: {rendered} renders across roles and locales")
    assert rendered > 100


async def test_it_shows_each_role_its_landing_page(world: World, login):
    checks = {
        "admin": ("/admin", "平台概览"),
        "bureau_lhasa": ("/region", "拉萨市第三极众创空间"),
        "bureau_tibet": ("/region", "昌都市大学生创客社区"),
        "operator_chamdo": (f"/bases/{world.bases['chamdo'].id}", "昌都市大学生创客社区"),
        "founder_dsj": (f"/startups/{world.startups['dsj'].id}", "拉萨雪域青稞文创有限公司"),
    }
    for persona, (url, text) in checks.items():
        browser = await login(persona)
        response = await browser.get(url)
        assert response.status_code == 200, persona
        assert text in response.text, persona
    lhasa = await login("bureau_lhasa")
    assert "昌都市大学生创客社区" not in (await lhasa.get("/region")).text
