from __future__ import annotations


async def test_it_serves_health(api):
    response = await api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_it_lands_operator_on_their_base(login, world):
    browser = await login("operator_dsj")
    response = await browser.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == f"/bases/{world.bases['dsj'].id}"
    page = await browser.get(response.headers["location"])
    assert page.status_code == 200
    assert "拉萨市第三极众创空间" in page.text
