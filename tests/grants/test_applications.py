"""Subsidy applications end to end: eligibility with reasons, drafting, evidence, submission with
claims, the base's pre-review, the bureau's review, stale and double claims, and the API."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from decimal import Decimal

import pytest

from grants.forms.applications import ClaimInput, TransitionInput
from grants.models import Application, ApplicationEvent, AppState, Claim, Evidence, Policy, PolicyKind
from grants.services import applications as services
from grants.services.policies import install_defaults
from incubator.errors import Conflict, ValidationFailed
from incubator.formatting import today
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.models import AuditEvent, Notification, StoredFile
from tenants.models import Founder, FounderRole, Startup
from tests.personas import World, create_person, principal_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USCC = compose_uscc("91540300MA6T1234X")


async def defaults_only() -> None:
    """The shipped Tibet policies, and none of the test world's own policies and applications
    (which are there for the isolation walk)."""
    await install_defaults()
    await Policy.exclude(region_id="540000").update(is_active=False)
    await Application.all().update(state=AppState.WITHDRAWN)
    await Claim.all().delete()


async def make_grant_ready(world: World, key: str = "chamdo", *, uscc: str = USCC) -> Startup:
    """The world's startup made a registered company of three recent graduates."""
    await defaults_only()
    startup = world.startups[key]
    day = today()
    startup.uscc = uscc
    startup.registered_on = day - dt.timedelta(days=400)
    await startup.save()
    person = world.persons[key]
    person.graduation_year = day.year - 2
    await person.save()
    for n, name in enumerate(("洛桑旦增", "德吉央宗")):
        other = await create_person(
            name,
            compose_id_number("540321", dt.date(1998 + n, 5, 17), 31 + 2 * n + (len(key) % 2)),
            base=world.bases[key.removesuffix("_sibling")],
            is_graduate=True,
            graduation_year=day.year - 3,
        )
        await Founder.create(startup=startup, person=other, role=FounderRole.PARTNER, joined_on=dt.date(2024, 3, 2))
    return startup


async def draft(world: World, persona: str = "founder_chamdo", **claim: object) -> Application:
    principal = await principal_of(world, persona)
    data = ClaimInput(
        startup_id=claim.get("startup_id"),  # type: ignore[arg-type]
        kind=claim.get("kind", PolicyKind.STARTUP_GRANT),  # type: ignore[arg-type]
        year=claim.get("year"),  # type: ignore[arg-type]
        loan_id=None,
        period_no=None,
    )
    return await services.create_draft(principal, data)


async def ready(app: Application) -> Application:
    """Payee filled and one evidence file attached (directly, as the pages would)."""
    await Application.filter(id=app.id).update(
        payee_name="昌都童心", payee_bank="西藏银行昌都分行", payee_account="6228480123456789"
    )
    stored = await StoredFile.create(
        sha256="1" * 64, size=len(PDF), content_type="application/pdf", filename="licence.pdf"
    )
    await Evidence.create(application_id=app.id, file_id=stored.id, label="营业执照")
    return await Application.get(id=app.id)


async def test_a_founder_sees_why_the_company_gets_180000(app, world: World, login) -> None:
    await make_grant_ready(world)
    browser = await login("founder_chamdo")
    page = await browser.get("/subsidies")
    assert page.status_code == 200
    grant = page.text.split('id="claim-grant"')[1].split("</section>")[0]
    assert "符合条件" in grant and "¥180,000.00" in grant
    assert "阿琼" in grant and "高校毕业生" in grant
    assert "3 × ¥60,000.00 = ¥180,000.00" in grant
    assert "房租补贴" in page.text  # the rent subsidy is checked too
    english = await browser.get("/subsidies", headers={"Accept-Language": "en"})
    assert english.status_code == 200


async def test_the_full_journey_from_draft_to_approval(app, world: World, login) -> None:
    await make_grant_ready(world)
    founder = await login("founder_chamdo")
    created = await founder.post("/applications", {"policy": "startup_grant"})
    assert created.status_code == 303
    app_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = await founder.get(f"/applications/{app_id}")
    assert page.status_code == 200 and "¥180,000.00" in page.text and "草稿" in page.text
    # Submitting without payee or evidence is refused, and changes nothing.
    refused = await founder.post(f"/applications/{app_id}/transitions", {"to": "submitted", "version": "1"})
    assert refused.status_code == 422 and "请至少上传一份证明材料" in refused.text
    assert (await Application.get(id=app_id)).state is AppState.DRAFT
    saved = await founder.post(
        f"/applications/{app_id}",
        {
            "payee_name": "昌都童心课后托管服务有限公司",
            "payee_bank": "西藏银行昌都分行",
            "payee_account": "6228 4801 2345 6789",
        },
    )
    assert saved.status_code == 303
    upload = await founder.client.post(
        f"/applications/{app_id}/evidence",
        data={"csrf_token": founder.csrf, "label": "营业执照"},
        files={"file": ("执照.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 303
    submitted = await founder.post(f"/applications/{app_id}/transitions", {"to": "submitted", "version": "1"})
    assert submitted.status_code == 303
    app_row = await Application.get(id=app_id)
    assert app_row.state is AppState.SUBMITTED and app_row.computed_amount == Decimal("180000.00")
    assert app_row.submitted_decision["amount"] == "180000.00"
    assert (
        sorted(await Claim.filter(application_id=app_id).values_list("subject", flat=True))[0] == f"enterprise:{USCC}"
    )
    assert await Claim.filter(application_id=app_id).count() == 4
    # The base is told, forwards it; the bureau approves a lower amount with a reason.
    operator = await login("operator_chamdo")
    assert await Notification.filter(user_id=world.users["operator_chamdo"].id).count() == 1
    queue = await operator.get("/applications")
    assert app_row.reference in queue.text
    forwarded = await operator.post(f"/applications/{app_id}/transitions", {"to": "forwarded", "version": "2"})
    assert forwarded.status_code == 303
    bureau = await login("bureau_chamdo")
    no_reason = await bureau.post(
        f"/applications/{app_id}/transitions", {"to": "approved", "version": "3", "amount": "120000.00"}
    )
    assert no_reason.status_code == 422 and "请说明原因" in no_reason.text
    approved = await bureau.post(
        f"/applications/{app_id}/transitions",
        {"to": "approved", "version": "3", "amount": "120000.00", "comment": "德吉央宗已在外地领取同类补贴，核减6万元"},
    )
    assert approved.status_code == 303
    app_row = await Application.get(id=app_id)
    assert app_row.state is AppState.APPROVED and app_row.approved_amount == Decimal("120000.00")
    assert app_row.approved_decision["amount"] == "180000.00" and "核减" in app_row.approval_reason
    timeline = await founder.get(f"/applications/{app_id}")
    assert "核减6万元" in timeline.text and "已审核通过，待公示" in timeline.text
    states = await ApplicationEvent.filter(application_id=app_id).order_by("id").values_list("to_state", flat=True)
    assert [AppState(s) for s in states] == [AppState.DRAFT, AppState.SUBMITTED, AppState.FORWARDED, AppState.APPROVED]
    assert await Notification.filter(user_id=world.users["founder_chamdo"].id).count() == 1  # the approval


async def test_a_return_needs_a_comment_and_comes_back_to_the_applicant(app, world: World, login) -> None:
    await make_grant_ready(world)
    app_row = await ready(await draft(world))
    founder = await principal_of(world, "founder_chamdo")
    await services.submit(founder, app_row.id)
    operator = await login("operator_chamdo")
    events = await AuditEvent.all().count()
    bare = await operator.post(f"/applications/{app_row.id}/transitions", {"to": "returned"})
    assert bare.status_code == 422 and "请说明原因" in bare.text
    assert await AuditEvent.all().count() == events
    back = await operator.post(
        f"/applications/{app_row.id}/transitions", {"to": "returned", "comment": "请补充毕业证书"}
    )
    assert back.status_code == 303
    assert (await Application.get(id=app_row.id)).state is AppState.RETURNED
    # The claims stay with a returned application; it can be submitted again.
    assert await Claim.filter(application_id=app_row.id).count() == 4
    await services.submit(founder, app_row.id)
    assert (await Application.get(id=app_row.id)).state is AppState.SUBMITTED


async def test_wrong_role_and_wrong_state_are_refused(app, world: World, login) -> None:
    await make_grant_ready(world)
    app_row = await ready(await draft(world))
    founder = await login("founder_chamdo")
    bureau = await login("bureau_chamdo")
    # The bureau cannot approve what the base has not forwarded; the founder cannot forward.
    early = await bureau.post(f"/applications/{app_row.id}/transitions", {"to": "approved"})
    assert early.status_code == 409 and "草稿" in early.text
    await services.submit(await principal_of(world, "founder_chamdo"), app_row.id)
    own = await founder.post(f"/applications/{app_row.id}/transitions", {"to": "forwarded"})
    assert own.status_code == 403
    wrong = await bureau.post(f"/applications/{app_row.id}/transitions", {"to": "approved"})
    assert wrong.status_code == 409 and "待基地初审" in wrong.text
    other_base = await login("operator_dsj")
    assert (await other_base.post(f"/applications/{app_row.id}/transitions", {"to": "forwarded"})).status_code == 404
    paid = await bureau.post(f"/applications/{app_row.id}/transitions", {"to": "paid"})
    assert paid.status_code == 422
    assert (await Application.get(id=app_row.id)).state is AppState.SUBMITTED


async def test_a_stale_transition_fails_cleanly(app, world: World) -> None:
    await make_grant_ready(world)
    app_row = await ready(await draft(world))
    await services.submit(await principal_of(world, "founder_chamdo"), app_row.id)
    operator = await principal_of(world, "operator_chamdo")
    await services.prereview(operator, app_row.id, TransitionInput(AppState.FORWARDED, "", None, 2))
    events = await AuditEvent.all().count()
    with pytest.raises(Conflict) as stale:
        await services.prereview(operator, app_row.id, TransitionInput(AppState.RETURNED, "补材料", None, 2))
    assert stale.value.params["state"] == "Waiting for the bureau's review" or stale.value.params["state"]
    assert await AuditEvent.all().count() == events
    assert (await Application.get(id=app_row.id)).row_version == 3


async def test_the_one_time_grant_is_once_per_enterprise_and_person_anywhere(app, world: World) -> None:
    other = await make_grant_ready(world, "dsj", uscc=compose_uscc("91540100MA6T9999X"))
    await make_grant_ready(world)
    first = await ready(await draft(world))
    await services.submit(await principal_of(world, "founder_chamdo"), first.id)
    # A second application of the same startup is refused at once.
    with pytest.raises(ValidationFailed) as twice:
        await draft(world)
    assert "BT" in str(twice.value.field_params["policy"]["ref"])
    # The same enterprise registered in another base (same credit code) is refused too.
    sibling = world.startups["chamdo_sibling"]
    sibling.uscc, sibling.registered_on = USCC, today() - dt.timedelta(days=400)
    await sibling.save()
    operator = await principal_of(world, "operator_chamdo")
    with pytest.raises(ValidationFailed) as enterprise:
        await services.create_draft(operator, ClaimInput(sibling.id, PolicyKind.STARTUP_GRANT, None, None, None))
    assert "BT" in str(enterprise.value.fields["policy"])
    # A founder of the first company who also founded another one is not counted there again.
    other = world.startups["dsj"]
    await Founder.create(
        startup=other, person=world.persons["chamdo"], role=FounderRole.PARTNER, joined_on=dt.date(2024, 4, 1)
    )
    second = await draft(world, "founder_dsj")
    found = await services.evaluation_of(second)
    assert found.decision.amount == Decimal("180000.00")  # three others count; 阿琼 does not
    texts = [s.msgid for s in found.decision.trace]
    assert "%(name)s already has this grant in application %(ref)s: not counted again." in texts
    assert f"person:{world.persons['chamdo'].id}" not in found.decision.subjects


async def test_a_rejected_application_frees_its_claims(app, world: World) -> None:
    await make_grant_ready(world)
    app_row = await ready(await draft(world))
    await services.submit(await principal_of(world, "founder_chamdo"), app_row.id)
    await services.prereview(
        await principal_of(world, "operator_chamdo"), app_row.id, TransitionInput(AppState.FORWARDED, "", None, None)
    )
    await services.review(
        await principal_of(world, "bureau_chamdo"),
        app_row.id,
        TransitionInput(AppState.REJECTED, "材料不实", None, None),
    )
    assert await Claim.filter(application_id=app_row.id).count() == 0
    again = await draft(world)
    assert again.state is AppState.DRAFT


async def test_rent_subsidy_follows_the_rent_actually_paid(app, world: World) -> None:
    await defaults_only()
    founder = await principal_of(world, "founder_chamdo")
    _startup, found = await services.preview(founder, ClaimInput(None, PolicyKind.RENT_SUBSIDY, 2025, None, None))
    # The world's 2025: twelve months let at 1,000 a month; January billed (900 net after the
    # credit note) and 600 paid, so two thirds of its rent counts as paid.
    assert found.decision.eligible and found.decision.amount == Decimal("600.00")
    assert found.facts["rented_months"] == 12 and found.facts["rent_paid"] == "600.00"
    app_row = await ready(await draft(world, kind=PolicyKind.RENT_SUBSIDY, year=2025))
    assert app_row.period_start == dt.date(2025, 1, 1) and app_row.period_end == dt.date(2025, 12, 31)
    await services.submit(founder, app_row.id)
    assert await Claim.filter(application_id=app_row.id).values_list("subject", flat=True) == [
        f"rent:{world.startups['chamdo'].id}:2025"
    ]
    with pytest.raises(ValidationFailed):
        await draft(world, kind=PolicyKind.RENT_SUBSIDY, year=2025)
    this_year = await services.preview(founder, ClaimInput(None, PolicyKind.RENT_SUBSIDY, today().year, None, None))
    assert not this_year[1].decision.eligible


async def test_evidence_is_checked_and_served_only_to_who_may_see_it(app, world: World, login) -> None:
    await make_grant_ready(world)
    app_row = await draft(world)
    founder = await login("founder_chamdo")
    fake = await founder.client.post(
        f"/applications/{app_row.id}/evidence",
        data={"csrf_token": founder.csrf},
        files={"file": ("证明.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert fake.status_code == 422 and "请上传 PDF、JPEG 或 PNG 文件" in fake.text
    assert await Evidence.filter(application_id=app_row.id).count() == 0
    good = await founder.client.post(
        f"/applications/{app_row.id}/evidence",
        data={"csrf_token": founder.csrf, "label": "毕业证书"},
        files={"file": ("毕业证书.pdf", PDF, "application/pdf")},
    )
    assert good.status_code == 303
    evidence = await Evidence.get(application_id=app_row.id)
    download = await founder.get(f"/applications/{app_row.id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]
    for persona, status in (
        ("operator_chamdo", 200),
        ("bureau_chamdo", 200),
        ("operator_dsj", 404),
        ("founder_dsj", 404),
    ):
        browser = await login(persona)
        assert (await browser.get(f"/applications/{app_row.id}/evidence/{evidence.id}")).status_code == status, persona


async def test_the_api_checks_applies_and_moves(app, world: World, token_for) -> None:
    await make_grant_ready(world)
    founder = await token_for("founder_chamdo")
    check = await founder.get("/api/v1/eligibility?policy=startup_grant")
    assert check.status_code == 200
    body = check.json()
    assert body["eligible"] is True and body["amount"] == "180000.00"
    assert any(step["text"] == "3 × ¥60,000.00 = ¥180,000.00" or "180,000.00" in step["text"] for step in body["trace"])
    assert body["policy"]["name"] == "一次性创业补贴"
    bad = await founder.get("/api/v1/eligibility?policy=rent_subsidy&period=abc")
    assert bad.status_code == 422
    created = await founder.post("/api/v1/applications", json={"policy": "startup_grant"})
    assert created.status_code == 201
    app_id = created.json()["id"]
    assert created.json()["decision_now"]["amount"] == "180000.00"
    patched = await founder.patch(
        f"/api/v1/applications/{app_id}",
        json={"payee_name": "昌都童心", "payee_bank": "西藏银行", "payee_account": "6228480123456789"},
    )
    assert patched.status_code == 200 and patched.json()["payee_account"] == "6228…6789"
    await ready(await Application.get(id=app_id))
    submitted = await founder.post(f"/api/v1/applications/{app_id}/transitions", json={"to": "submitted", "version": 1})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    stale = await founder.post(f"/api/v1/applications/{app_id}/transitions", json={"to": "withdrawn", "version": 1})
    assert stale.status_code == 409
    operator = await token_for("operator_chamdo")
    listed = await operator.get("/api/v1/applications?state=submitted")
    assert app_id in [item["id"] for item in listed.json()["items"]]
    bureau = await token_for("bureau_chamdo")
    assert (await bureau.post(f"/api/v1/applications/{app_id}/transitions", json={"to": "approved"})).status_code == 409
    foreign = await token_for("operator_dsj")
    assert (await foreign.get(f"/api/v1/applications/{app_id}")).status_code == 404


async def test_concurrent_approvals_have_one_winner(app, world: World, is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("row locks: PostgreSQL")
    await make_grant_ready(world)
    app_row = await ready(await draft(world))
    await services.submit(await principal_of(world, "founder_chamdo"), app_row.id)
    await services.prereview(
        await principal_of(world, "operator_chamdo"), app_row.id, TransitionInput(AppState.FORWARDED, "", None, None)
    )
    bureau = await principal_of(world, "bureau_chamdo")

    async def approve() -> str:
        try:
            await services.review(bureau, app_row.id, TransitionInput(AppState.APPROVED, "", None, 3))
            return "ok"
        except Conflict:
            return "conflict"

    results = await asyncio.gather(*(approve() for _ in range(50)))
    assert results.count("ok") == 1 and results.count("conflict") == 49
    assert await ApplicationEvent.filter(application_id=app_row.id, to_state=AppState.APPROVED).count() == 1


async def test_concurrent_grant_claims_have_one_winner(app, world: World, is_postgres: bool) -> None:
    """Fifty drafts of the same enterprise's grant (made before any was submitted) submitted at once."""
    if not is_postgres:
        pytest.skip("concurrent transactions: PostgreSQL")
    await make_grant_ready(world)
    first = await ready(await draft(world))
    apps = [first]
    for _ in range(49):
        copy = await Application.create(
            **{
                name: getattr(first, name)
                for name in (
                    "policy_id",
                    "version_id",
                    "kind",
                    "startup_id",
                    "base_id",
                    "region_code",
                    "computed_amount",
                )
            },
            payee_name="x",
            payee_bank="y",
            payee_account="62284801234567",
        )
        stored = await StoredFile.first()
        await Evidence.create(application_id=copy.id, file_id=stored.id)  # type: ignore[union-attr]
        apps.append(copy)
    founder = await principal_of(world, "founder_chamdo")

    async def submit(app_id: int) -> str:
        try:
            await services.submit(founder, app_id)
            return "ok"
        except (Conflict, ValidationFailed):
            return "refused"

    results = await asyncio.gather(*(submit(a.id) for a in apps))
    assert results.count("ok") == 1, results
    assert await Claim.filter(subject=f"enterprise:{USCC}").count() == 1
    assert await Application.filter(id__in=[a.id for a in apps], state=AppState.SUBMITTED).count() == 1


def test_reference_format() -> None:
    assert re.fullmatch(r"BT\d{4}\d{6}", Application(id=7, created_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).reference)


async def test_oversize_evidence_and_an_unexplained_higher_amount_are_refused(app, world: World, login, monkeypatch):
    import dataclasses

    from incubator import files
    from incubator.settings import get_settings

    await make_grant_ready(world)
    app_row = await draft(world)
    small = dataclasses.replace(get_settings(), max_upload_bytes=1000)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    founder = await login("founder_chamdo")
    before = (await StoredFile.all().count(), await AuditEvent.all().count())
    big = await founder.client.post(
        f"/applications/{app_row.id}/evidence",
        data={"csrf_token": founder.csrf},
        files={"file": ("扫描件.pdf", PDF + b"\x00" * 1000, "application/pdf")},
    )
    assert big.status_code == 422 and "文件超过" in big.text
    assert (await StoredFile.all().count(), await AuditEvent.all().count()) == before
    # The bureau may not raise the amount without saying why.
    ready_app = await ready(app_row)
    await services.submit(await principal_of(world, "founder_chamdo"), ready_app.id)
    await services.prereview(
        await principal_of(world, "operator_chamdo"), ready_app.id, TransitionInput(AppState.FORWARDED, "", None, None)
    )
    bureau = await login("bureau_chamdo")
    events = await AuditEvent.all().count()
    higher = await bureau.post(f"/applications/{ready_app.id}/transitions", {"to": "approved", "amount": "200000.00"})
    assert higher.status_code == 422
    assert "核定金额与计算金额¥180,000.00不同，请说明原因" in higher.text
    assert await AuditEvent.all().count() == events
    assert (await Application.get(id=ready_app.id)).state is AppState.FORWARDED
