"""The demo's subsidies: 阿琼's company eligible for 180,000 once and 20,000 a year, and this year's claim
followed from her phone through the base, the bureau, a five-working-day notice and the payment."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from grants.forms.notices import DisbursementInput, PaidInput
from grants.models import Application, AppState, Disbursement, Loan, Policy, PublicNotice
from grants.services import disbursements
from grants.services.policies import calendar_for
from incubator import audit, auth, demo, formatting
from incubator.access import MEMBERSHIP_RELATED, principal_for
from incubator.models import Membership, Notification, User
from tenants.demo.catalogue import AQIONG_STARTUP
from tests.clients import Browser, http_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _browser(app, username: str) -> Browser:  # type: ignore[no-untyped-def]
    key = await auth.start_session(await User.get(username=username), "127.0.0.1")
    return Browser(http_client(app, cookies={auth.SESSION_COOKIE: auth.sign_key(key)}), key)


async def test_the_demo_tells_aqiong_her_story_and_follows_this_years_rent(app, monkeypatch) -> None:
    await demo.load_demo()
    assert await Policy.filter(region_id="540000").count() == 3
    history = {a.kind.value: a for a in await Application.filter(startup__name=AQIONG_STARTUP)}
    grant, rent = history["startup_grant"], history["rent_subsidy"]
    assert (grant.state, grant.approved_amount, grant.paid_on) == (
        AppState.PAID,
        Decimal("180000.00"),
        dt.date(2023, 12, 8),
    )
    assert grant.approved_decision["amount"] == "180000.00"
    year = formatting.today().year
    assert rent.state is AppState.PAID and rent.approved_amount == Decimal("20000.00")
    assert rent.period_start == dt.date(year - 2, 1, 1)
    assert await Loan.filter(startup__name=AQIONG_STARTUP).count() == 1
    # Other startups wait at every step; a notice is running now.
    states = Counter(await Application.all().values_list("state", flat=True))
    for state in (AppState.SUBMITTED, AppState.FORWARDED, AppState.APPROVED, AppState.IN_NOTICE, AppState.PAID):
        assert states[state] >= 1, state
    assert states[AppState.RETURNED] == 1 and states[AppState.REJECTED] == 1
    assert await PublicNotice.filter(ends_on__gte=formatting.today()).exists()
    assert (await audit.verify_chain()).ok

    founder = await _browser(app, "founder.aqiong")
    page = await founder.get("/subsidies")
    assert page.status_code == 200
    card = page.text.split(f'id="claim-rent-{year - 1}"')[1].split("</section>")[0]
    assert "符合条件" in card and "¥20,000.00" in card and "¥20,000.00 × 12/12 = ¥20,000.00" in card
    paid_grant = page.text.split('id="claim-grant"')[1].split("</section>")[0]
    assert "已拨付" in paid_grant and grant.reference in paid_grant
    detail = await founder.get(f"/applications/{grant.id}")
    assert "3 × ¥60,000.00 = ¥180,000.00" in detail.text  # why it was 180,000, kept as decided

    # This year's claim: last year's rent, from the phone.
    created = await founder.post("/applications", {"policy": "rent_subsidy", "year": str(year - 1)})
    app_id = int(created.headers["location"].rsplit("/", 1)[1])
    await founder.post(
        f"/applications/{app_id}",
        {"payee_name": AQIONG_STARTUP, "payee_bank": "西藏银行昌都分行", "payee_account": "6228480389012345678"},
    )
    await founder.client.post(
        f"/applications/{app_id}/evidence",
        data={"csrf_token": founder.csrf, "label": "房租缴费收据"},
        files={"file": ("收据.pdf", PDF, "application/pdf")},
    )
    assert (
        await founder.post(f"/applications/{app_id}/transitions", {"to": "submitted", "version": "1"})
    ).status_code == 303
    operator = await _browser(app, "operator.chamdo")
    assert (await operator.post(f"/applications/{app_id}/transitions", {"to": "forwarded"})).status_code == 303
    bureau = await _browser(app, "bureau.chamdo")
    approved = await bureau.post(f"/applications/{app_id}/transitions", {"to": "approved"})
    assert approved.status_code == 303
    # The bureau publishes it alone in a notice of five working days.
    published = await bureau.post(
        "/notices",
        {
            "application_ids": str(app_id),
            "published_on": formatting.today().isoformat(),
            "working_days": "5",
            "contact": "昌都市人社局就业科 0895-4821234",
        },
    )
    assert published.status_code == 303, published.text
    notice = await PublicNotice.get(id=(await Application.get(id=app_id)).notice_id)
    expected = (await calendar_for("540300")).add_working_days(formatting.today(), 5)
    assert notice.ends_on == expected and notice.working_days == 5
    public = await http_client(app).get(f"/public/notices/{notice.id}")
    assert public.status_code == 200 and "阿*" in public.text and "¥20,000.00" in public.text
    # After the notice, the bureau pays it.
    after = notice.ends_on + dt.timedelta(days=1)
    monkeypatch.setattr(formatting, "today", lambda: after)
    officer = principal_for(
        await Membership.filter(user__username="bureau.chamdo").select_related(*MEMBERSHIP_RELATED).get()
    )
    batch = await disbursements.create_batch(officer, DisbursementInput(after, (app_id,)))
    transfer = await disbursements.transfer_list(batch)
    assert transfer[:2] == b"PK"
    await disbursements.record_paid(officer, await Disbursement.get(id=batch.id), PaidInput(after, "CD20261201001"))
    final = await Application.get(id=app_id)
    assert final.state is AppState.PAID and final.paid_on == after and final.amount == Decimal("20000.00")
    status = await founder.get(f"/applications/{app_id}")
    assert "已拨付" in status.text and "公示中" in status.text  # the timeline shows each step
    aqiong = await User.get(username="founder.aqiong")
    assert await Notification.filter(user_id=aqiong.id, msgid__contains="was paid").exists()
