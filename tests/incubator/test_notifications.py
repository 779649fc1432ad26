"""In-app notifications: the unread count in the header, the inbox, opening and marking read,
one's own messages only, no open redirect, the API, and e-mail only when SMTP is configured."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from incubator import notify
from incubator.access import visible
from incubator.models import AuditEvent, Notification, User
from incubator.settings import get_settings
from tests.personas import World, principal_of

WAITING = "Application %(ref)s of %(startup)s is waiting for the bureau's review."
APPROVED = "Application %(ref)s was approved: %(amount)s."


async def _note(world: World, persona: str, msgid: str = WAITING, **fields: Any) -> Notification:
    params = fields.pop("params", {"ref": "BT2025000042", "startup": "拉萨雪域青稞文创有限公司"})
    return await Notification.create(user=world.users[persona], msgid=msgid, params=params, **fields)


def _badge(html: str) -> str | None:
    found = re.search(r'<span class="badge" id="unread-count"[^>]*>([^<]*)</span>', html)
    return found.group(1) if found else None


async def test_it_shows_the_unread_count_in_the_header(world: World, login):
    await _note(world, "bureau_lhasa", link="/job-audits")
    browser = await login("bureau_lhasa")
    page = await browser.get("/region")
    assert page.status_code == 200
    assert _badge(page.text) == "1"
    assert 'href="/notifications"' in page.text
    # Another user's messages do not count; the admin's world messages are the admin's alone.
    other = await login("bureau_chamdo")
    assert _badge((await other.get("/region")).text) is None
    admin = await login("admin")
    assert _badge((await admin.get("/admin")).text) == "5"


async def test_it_counts_only_unread_messages(world: World, login):
    principal = await principal_of(world, "operator_dsj")
    for _ in range(3):
        await _note(world, "operator_dsj")
    await _note(world, "operator_dsj", read_at=dt.datetime.now(dt.UTC))
    assert await notify.unread_count(principal) == 3


async def test_it_lists_messages_translated_newest_first(world: World, login):
    await _note(world, "founder_chamdo", APPROVED, params={"ref": "BT2025000007", "amount": "¥180,000.00"})
    await _note(world, "founder_chamdo", WAITING, link="/startups")
    browser = await login("founder_chamdo")
    zh = await browser.get("/notifications")
    assert zh.status_code == 200
    assert "补贴申请BT2025000007已审核通过：¥180,000.00。" in zh.text
    assert "拉萨雪域青稞文创有限公司的补贴申请BT2025000042待人社局审核。" in zh.text
    assert zh.text.index("待人社局审核") < zh.text.index("已审核通过")
    await browser.post("/language", {"locale": "en"})
    en = await browser.get("/notifications")
    assert "Application BT2025000007 was approved: ¥180,000.00." in en.text
    assert "Mark all as read" in en.text


async def test_it_shows_a_message_whose_parameters_are_missing_or_odd(world: World, login):
    await _note(world, "founder_dsj", APPROVED, params={"ref": "BT1"})
    await _note(world, "founder_dsj", "A message id %(count)d with a bad parameter", params={"count": "many"})
    await _note(world, "founder_dsj", WAITING, params=["not", "a", "mapping"])
    browser = await login("founder_dsj")
    response = await browser.get("/notifications")
    assert response.status_code == 200
    assert "补贴申请BT1已审核通过：。" in response.text
    assert "A message id %(count)d with a bad parameter" in response.text


async def test_it_pages_the_inbox(world: World, login):
    for number in range(3):
        await _note(world, "operator_chamdo", params={"ref": f"BT-{number}", "startup": "x"})
    browser = await login("operator_chamdo")
    first = await browser.get("/notifications?limit=2")
    assert "BT-2" in first.text and "BT-1" in first.text and "BT-0" not in first.text
    second = await browser.get("/notifications?limit=2&offset=2")
    assert "BT-0" in second.text and "BT-2" not in second.text


async def test_it_marks_a_message_read_when_opened_and_follows_its_link(world: World, login):
    note = await _note(world, "operator_dsj", link="/leases?state=active")
    other = await _note(world, "operator_dsj")
    browser = await login("operator_dsj")
    events = await AuditEvent.all().count()
    response = await browser.get(f"/notifications/{note.id}")
    assert response.status_code == 303
    assert response.headers["location"] == "/leases?state=active"
    await note.refresh_from_db()
    assert note.read_at is not None
    await other.refresh_from_db()
    assert other.read_at is None
    assert _badge((await browser.get("/notifications")).text) == "1"
    # Opening it again keeps the first reading time.
    first_read = note.read_at
    await browser.get(f"/notifications/{note.id}")
    await note.refresh_from_db()
    assert note.read_at == first_read
    # Reading one's own messages changes no record: nothing is audited.
    assert await AuditEvent.all().count() == events


@pytest.mark.parametrize(
    "link",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/\t/evil.example", ""],
)
async def test_it_never_redirects_outside_the_app(world: World, login, link: str):
    note = await _note(world, "founder_dsj", link=link)
    browser = await login("founder_dsj")
    response = await browser.get(f"/notifications/{note.id}")
    assert response.status_code == 303
    assert response.headers["location"] == "/notifications"
    await note.refresh_from_db()
    assert note.read_at is not None


async def test_it_marks_all_read(world: World, login):
    for _ in range(2):
        await _note(world, "bureau_tibet")
    elsewhere = await _note(world, "bureau_lhasa")
    browser = await login("bureau_tibet")
    page = await browser.get("/notifications")
    assert "全部标为已读" in page.text
    response = await browser.post("/notifications/read-all")
    assert response.status_code == 303
    assert response.headers["location"] == "/notifications"
    assert await Notification.filter(user_id=world.users["bureau_tibet"].id, read_at__isnull=True).count() == 0
    await elsewhere.refresh_from_db()
    assert elsewhere.read_at is None
    after = await browser.get("/notifications")
    assert "2条消息已标为已读。" in after.text
    assert _badge(after.text) is None


async def test_it_hides_another_users_message(world: World, login):
    note = await _note(world, "operator_dsj", link="/leases")
    for persona in ("operator_chamdo", "bureau_tibet", "founder_dsj", "admin"):
        browser = await login(persona)
        response = await browser.get(f"/notifications/{note.id}")
        assert response.status_code == 404, persona
        assert "BT2025000042" not in (await browser.get("/notifications")).text
    await note.refresh_from_db()
    assert note.read_at is None
    admin = await principal_of(world, "admin")
    assert await visible(admin, Notification).filter(id=note.id).count() == 0


async def test_it_requires_the_csrf_token_to_mark_all_read(world: World, login):
    await _note(world, "founder_dsj")
    browser = await login("founder_dsj")
    response = await browser.post("/notifications/read-all", csrf=False)
    assert response.status_code == 403
    assert await Notification.filter(read_at__isnull=True, user_id=world.users["founder_dsj"].id).count() == 1


async def test_it_lists_and_marks_through_the_api(world: World, token_for):
    await _note(world, "bureau_chamdo", APPROVED, params={"ref": "BT9", "amount": "¥20,000.00"}, link="//evil.example")
    await _note(world, "bureau_chamdo", read_at=dt.datetime.now(dt.UTC))
    await _note(world, "bureau_lhasa")
    client = await token_for("bureau_chamdo")
    response = await client.get("/api/v1/notifications", headers={"accept-language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and body["unread"] == 1 and body["limit"] == 50 and body["offset"] == 0
    newest, oldest = body["items"]
    assert oldest["message"] == "Application BT9 was approved: ¥20,000.00."
    assert oldest["link"] == "/notifications"
    assert oldest["read_at"] is None and newest["read_at"] is not None
    assert oldest["msgid"] == APPROVED and oldest["params"] == {"ref": "BT9", "amount": "¥20,000.00"}
    zh = (await client.get("/api/v1/notifications?unread=true")).json()
    assert zh["total"] == 1 and zh["items"][0]["message"] == "补贴申请BT9已审核通过：¥20,000.00。"
    marked = await client.post("/api/v1/notifications/read-all")
    assert marked.status_code == 200
    assert marked.json() == {"marked": 1, "unread": 0}
    assert (await client.get("/api/v1/notifications")).json()["unread"] == 0
    assert await Notification.filter(user_id=world.users["bureau_lhasa"].id, read_at__isnull=True).count() == 1


async def test_it_documents_the_api(app, api):
    document = (await api.get("/api/v1/openapi.json")).json()
    assert "get" in document["paths"]["/api/v1/notifications"]
    assert "post" in document["paths"]["/api/v1/notifications/read-all"]
    assert (
        "unread"
        in document["paths"]["/api/v1/notifications"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]["properties"]
    )


def test_it_keeps_links_inside_the_app():
    assert notify.safe_link("/applications/7") == "/applications/7"
    assert notify.safe_link("/bills?startup=3&x=1") == "/bills?startup=3&x=1"
    for bad in ("//evil.example", "http://evil.example", "/\\evil", "evil", "/a\nb", "/\x00"):
        assert notify.safe_link(bad) == "/notifications", bad


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what would have been sent."""

    sent: list[Any] = []
    opened = 0

    def __init__(self, host: str, port: int, timeout: float = 0) -> None:
        FakeSMTP.opened += 1
        self.host, self.port = host, port

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def starttls(self, context: object = None) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        return None

    def send_message(self, message: Any) -> None:
        FakeSMTP.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.sent, FakeSMTP.opened = [], 0
    monkeypatch.setattr(notify.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


async def test_it_sends_no_email_without_smtp(world: World, fake_smtp, monkeypatch):
    monkeypatch.setattr(User, "email", "officer@example.org", raising=False)
    await _note(world, "bureau_lhasa")
    assert not get_settings().smtp_configured
    assert await notify.send_pending_emails() == 0
    assert fake_smtp.opened == 0 and fake_smtp.sent == []
    assert await Notification.filter(emailed_at__isnull=False).count() == 0


async def test_it_sends_no_email_to_users_without_an_address(world: World, fake_smtp):
    await _note(world, "bureau_lhasa")
    configured = dataclasses.replace(get_settings(), smtp_host="mail.example.org", smtp_from="noreply@example.org")
    assert await notify.send_pending_emails(configured) == 0
    assert fake_smtp.opened == 0
    assert await Notification.filter(emailed_at__isnull=False).count() == 0


async def test_it_mails_each_message_once_when_smtp_is_configured(world: World, fake_smtp, monkeypatch):
    monkeypatch.setattr(User, "email", "officer@example.org", raising=False)
    await User.filter(id=world.users["bureau_lhasa"].id).update(locale="en")
    note = await _note(world, "bureau_lhasa", link="/job-audits")
    configured = dataclasses.replace(get_settings(), smtp_host="mail.example.org", smtp_from="noreply@example.org")
    sent = await notify.send_pending_emails(configured)
    # The world's five messages to the admin go out as well.
    assert sent == 6
    mine = [m for m in fake_smtp.sent if "BT2025000042" in m["Subject"]]
    assert len(mine) == 1
    assert mine[0]["To"] == "officer@example.org" and mine[0]["From"] == "noreply@example.org"
    assert "is waiting for the bureau's review" in mine[0]["Subject"]
    assert "/job-audits" in mine[0].get_content()
    await note.refresh_from_db()
    assert note.emailed_at is not None
    assert await notify.send_pending_emails(configured) == 0
    assert len(fake_smtp.sent) == 6
