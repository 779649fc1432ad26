"""The bureau's job audit: reconciliation verdicts, decisions, sign-off, supersession, pages and API."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from grants.forms.job_audits import AuditInput, DecisionInput
from grants.models import AuditFinding, AuditState, FindingKind, JobAudit, Outcome
from grants.services import job_audits as service
from incubator import tasks
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.models import AuditEvent, TaskState
from incubator.spreadsheets import read_rows
from tenants.models import ContractKind, Employment, Verification
from tenants.services.jobcounts import Target, job_counts
from tests.personas import World, create_person, principal_of

USCC = compose_uscc("91540302MA6T00011")
SIBLING_USCC = compose_uscc("93540302MA6T00022")
OTHER_USCC = compose_uscc("91540102MA6T00093")
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
# key -> (name, sequence)
PEOPLE = {
    "ok": ("达瓦", 11),
    "missing": ("白玛", 13),
    "elsewhere": ("格桑", 15),
    "short": ("央金", 17),
    "renamed": ("次仁旺堆", 19),
    "twice": ("拉姆", 21),
    "undeclared": ("索朗", 23),
}


def number(key: str) -> str:
    return compose_id_number("540302", dt.date(2000, 1, 1), PEOPLE[key][1])


async def _scenario(world: World) -> dict[str, Employment]:
    """Six people on the Chamdo startup's roster in 2025, one of them also at its sibling."""
    chamdo, sibling = world.startups["chamdo"], world.startups["chamdo_sibling"]
    chamdo.uscc, chamdo.admitted_on = USCC, dt.date(2024, 1, 1)
    sibling.uscc, sibling.admitted_on = SIBLING_USCC, dt.date(2024, 1, 1)
    await chamdo.save()
    await sibling.save()
    made = {}
    for key in ("ok", "missing", "elsewhere", "short", "renamed", "twice"):
        name, _seq = PEOPLE[key]
        person = await create_person(name, number(key), base=world.bases["chamdo"])
        made[key] = await Employment.create(
            startup=chamdo,
            person=person,
            base_id=chamdo.base_id,
            region_code="540302",
            hired_on=dt.date(2025, 2, 1),
            contract_kind=ContractKind.FIXED_TERM,
        )
    made["twice_sibling"] = await Employment.create(
        startup=sibling,
        person_id=made["twice"].person_id,
        base_id=sibling.base_id,
        region_code="540302",
        hired_on=dt.date(2025, 3, 1),
        contract_kind=ContractKind.SERVICE,
    )
    # 达瓦 worked at the sibling until just before joining: one after the other is not twice.
    made["ok_before"] = await Employment.create(
        startup=sibling,
        person_id=made["ok"].person_id,
        base_id=sibling.base_id,
        region_code="540302",
        hired_on=dt.date(2024, 6, 1),
        left_on=dt.date(2025, 1, 15),
        contract_kind=ContractKind.FIXED_TERM,
    )
    return made


def insurance_csv(header: str = "公民身份号码,姓名,单位统一社会信用代码,缴费月数", encoding: str = "utf-8") -> bytes:
    rows = [
        (number("ok"), "达瓦", USCC, "11"),
        (number("elsewhere"), "格桑", OTHER_USCC, "10"),
        (number("short"), "央金", USCC, "2"),
        (number("renamed"), "次仁旺久", USCC, "9"),
        (number("twice"), "拉姆", USCC, "10"),
        (number("undeclared"), "索朗", USCC, "6"),
        ("540302200001010000", "坏号码", USCC, "6"),  # wrong check digit: skipped, counted
    ]
    lines = [header, *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


async def _opened(world: World, *, startup: bool = False) -> JobAudit:
    officer = await principal_of(world, "bureau_chamdo")
    startup_id = world.startups["chamdo"].id if startup else None
    return await service.open_audit(officer, AuditInput(world.bases["chamdo"].id, startup_id, START, END, 3))


async def _reconciled(world: World) -> tuple[JobAudit, dict[str, Employment]]:
    made = await _scenario(world)
    job_audit = await _opened(world)
    officer = await principal_of(world, "bureau_chamdo")
    await service.reconcile(officer, job_audit, read_rows(insurance_csv(), "社保.csv"))
    return job_audit, made


async def _finding(made: dict[str, Employment], key: str) -> AuditFinding:
    return await AuditFinding.get(employment_id=made[key].id)


async def test_reconciliation_gives_each_declared_employment_its_verdict(world: World):
    job_audit, made = await _reconciled(world)
    verdicts = {key: await _finding(made, key) for key in made}
    kinds = {key: (f.kind.value, f.proposed.value, f.flags) for key, f in verdicts.items()}
    assert kinds == {
        "ok": ("verified", "verified", []),
        "missing": ("not_found", "rejected", []),
        "elsewhere": ("other_employer", "rejected", []),
        "short": ("fewer_months", "rejected", []),
        "renamed": ("name_differs", "verified", []),
        "twice": ("counted_twice", "verified", []),
        "twice_sibling": ("other_employer", "rejected", ["counted_twice"]),
        "ok_before": ("other_employer", "rejected", []),
    }
    assert verdicts["renamed"].insured_name == "次仁旺久" and verdicts["short"].months_paid == 2
    assert verdicts["elsewhere"].employer_uscc == OTHER_USCC
    assert verdicts["twice"].other == "卡若区藏香制作合作社"
    undeclared = await AuditFinding.get(audit_id=job_audit.id, kind=FindingKind.UNDECLARED)
    assert undeclared.employment_id is None and undeclared.insured_name == "索朗"
    assert undeclared.id_masked == number("undeclared")[:6] + "**********" + number("undeclared")[-2:]
    assert number("undeclared") not in undeclared.id_cipher
    await job_audit.refresh_from_db()
    assert job_audit.state is AuditState.RECONCILED and (job_audit.roster_rows, job_audit.roster_skipped) == (7, 1)
    assert job_audit.counts["undeclared"] == 1 and sum(job_audit.counts.values()) == 9
    event = await AuditEvent.get(action="job_audit.reconciled")
    assert event.after["findings"]["not_found"] == 1 and number("ok") not in str(event.after)


async def test_a_new_upload_replaces_the_findings(world: World):
    job_audit, _made = await _reconciled(world)
    officer = await principal_of(world, "bureau_chamdo")
    await service.reconcile(officer, job_audit, read_rows(insurance_csv(), "社保-2.csv"))
    assert await AuditFinding.filter(audit_id=job_audit.id).count() == 9
    await job_audit.refresh_from_db()
    assert job_audit.roster_filename == "社保-2.csv"


async def test_an_audit_of_one_startup_checks_only_that_startup(world: World):
    await _scenario(world)
    officer = await principal_of(world, "bureau_chamdo")
    job_audit = await _opened(world, startup=True)
    await service.reconcile(officer, job_audit, read_rows(insurance_csv(), "社保.csv"))
    findings = await AuditFinding.filter(audit_id=job_audit.id).values_list("startup_id", flat=True)
    assert set(findings) == {world.startups["chamdo"].id} and len(findings) == 7


async def test_decisions_sign_off_and_the_figures_that_follow(world: World):
    job_audit, made = await _reconciled(world)
    officer = await principal_of(world, "bureau_chamdo")
    base = Target(base_id=world.bases["chamdo"].id)
    before = await job_counts(base, "540302", as_of=END, period_start=START, period_end=END)
    assert before.headcount.total == 6 and before.headcount.verified["total"] == 0
    short = await _finding(made, "short")
    with pytest.raises(ValidationFailed) as refused:
        await service.decide(officer, short, DecisionInput(Outcome.VERIFIED, ""))
    assert "reason" in refused.value.fields
    undeclared = await AuditFinding.get(audit_id=job_audit.id, kind=FindingKind.UNDECLARED)
    with pytest.raises(ValidationFailed):
        await service.decide(officer, undeclared, DecisionInput(Outcome.VERIFIED, "x"))
    await service.decide(officer, short, DecisionInput(Outcome.VERIFIED, "入职晚，按实际在岗月数认定"))
    with pytest.raises(ValidationFailed) as early:
        await service.sign_off(officer, job_audit, "")
    assert early.value.field_params["audit"]["count"] == 8
    assert await service.confirm_proposals(officer, job_audit) == 8
    signed = await service.sign_off(officer, job_audit, "2025年度核查")
    assert signed.state is AuditState.SIGNED_OFF and signed.signed_by == "bureau.chamdo"
    marks = {key: (await Employment.get(id=e.id)).verification.value for key, e in made.items()}
    assert marks == {
        "ok": "verified",
        "missing": "rejected",
        "elsewhere": "rejected",
        "short": "verified",
        "renamed": "verified",
        "twice": "verified",
        "twice_sibling": "rejected",
        "ok_before": "rejected",
    }
    rejected = await Employment.get(id=made["missing"].id)
    assert rejected.audit_id == job_audit.id and rejected.verification_note == "未在社保名单中"
    assert signed.totals["verified"] == 4 and signed.totals["rejected"] == 4
    counts = await job_counts(base, "540302", as_of=END, period_start=START, period_end=END)
    # Six people were declared (拉姆 counts once); rejected entries no longer count, the rest are verified.
    assert counts.headcount.total == 4 and counts.headcount.verified["total"] == 4
    assert (signed.totals["headcount"], signed.totals["headcount_verified"]) == (4, 4)
    # Signed: frozen.
    with pytest.raises(ValidationFailed):
        await service.decide(officer, short, DecisionInput(Outcome.REJECTED, "改变主意"))
    with pytest.raises(ValidationFailed):
        await service.reconcile(officer, signed, read_rows(insurance_csv(), "社保.csv"))
    with pytest.raises(ValidationFailed):
        await service.sign_off(officer, signed, "")


async def test_a_later_audit_supersedes_and_a_signed_audit_stays_as_it_was(world: World):
    job_audit, made = await _reconciled(world)
    officer = await principal_of(world, "bureau_chamdo")
    await service.confirm_proposals(officer, job_audit)
    await service.sign_off(officer, job_audit, "")
    later = await _opened(world)
    await service.reconcile(officer, later, read_rows(insurance_csv(), "社保.csv"))
    await service.decide(
        officer,
        await AuditFinding.get(audit_id=later.id, employment_id=made["missing"].id),
        DecisionInput(Outcome.VERIFIED, "补缴后核实"),
    )
    await service.confirm_proposals(officer, later)
    await service.sign_off(officer, later, "")
    await job_audit.refresh_from_db()
    assert job_audit.state is AuditState.SUPERSEDED and job_audit.superseded_by_id == later.id
    first = await AuditFinding.get(audit_id=job_audit.id, employment_id=made["missing"].id)
    assert first.outcome is Outcome.REJECTED  # the old audit's findings are untouched
    assert (await Employment.get(id=made["missing"].id)).verification is Verification.VERIFIED


async def test_opening_is_for_officers_of_the_region_and_one_open_audit_at_a_time(world: World):
    await _opened(world)
    officer = await principal_of(world, "bureau_chamdo")
    with pytest.raises(ValidationFailed) as busy:
        await service.open_audit(officer, AuditInput(world.bases["chamdo"].id, None, START, END, None))
    assert "base_id" in busy.value.fields
    lhasa = await principal_of(world, "bureau_lhasa")
    with pytest.raises(ValidationFailed) as foreign:
        await service.open_audit(lhasa, AuditInput(world.bases["chamdo"].id, None, START, END, None))
    assert "base_id" in foreign.value.fields
    with pytest.raises(ValidationFailed):
        await service.open_audit(
            officer, AuditInput(world.bases["chamdo"].id, world.startups["dsj"].id, START, END, None)
        )
    operator = await principal_of(world, "operator_chamdo")
    with pytest.raises(Forbidden):
        await service.open_audit(operator, AuditInput(world.bases["chamdo"].id, None, START, END, None))
    assert await JobAudit.filter(state=AuditState.OPEN).count() == 1


async def test_operators_see_signed_audits_of_their_base_only(world: World):
    job_audit = await _opened(world)
    operator = await principal_of(world, "operator_chamdo")
    with pytest.raises(NotFound):
        await service.get_audit(operator, job_audit.id)
    assert (await service.get_audit(operator, world.audits["chamdo"].id)).id == world.audits["chamdo"].id
    with pytest.raises(NotFound):
        await service.get_audit(operator, world.audits["dsj"].id)


# -- through the pages --------------------------------------------------------------------


async def test_the_officer_runs_an_audit_in_the_pages(world: World, login):
    made = await _scenario(world)
    officer = await login("bureau_chamdo")
    opened = await officer.post(
        "/job-audits",
        {
            "base_id": str(world.bases["chamdo"].id),
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "required_months": "3",
        },
    )
    assert opened.status_code == 303
    job_audit = await JobAudit.get(base_id=world.bases["chamdo"].id, state=AuditState.OPEN)
    url = f"/job-audits/{job_audit.id}"
    # Headers the app does not know: the page asks which column is which.
    odd = insurance_csv("证件,参保人,缴费单位,实际月份", encoding="gbk")
    asked = await officer.post(f"{url}/roster", {}, files={"file": ("社保导出.csv", odd, "text/csv")})
    assert asked.status_code == 200 and 'id="column-mapping"' in asked.text and "缴费单位" in asked.text
    token = asked.text.split('name="token" value="')[1].split('"')[0]
    clash = await officer.post(
        f"{url}/mapping",
        {
            "token": token,
            "filename": "社保导出.csv",
            "column_id_number": "0",
            "column_name": "0",
            "column_employer_uscc": "2",
            "column_months_paid": "3",
        },
    )
    assert clash.status_code == 422 and "已被选作其他字段" in clash.text
    started = await officer.post(
        f"{url}/mapping",
        {
            "token": token,
            "filename": "社保导出.csv",
            "column_id_number": "0",
            "column_name": "1",
            "column_employer_uscc": "2",
            "column_months_paid": "3",
        },
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/tasks/")
    task = await tasks.wait(int(started.headers["location"].rsplit("/", 1)[1]))
    assert task.state is TaskState.SUCCEEDED and task.link == url
    done = await officer.get(started.headers["location"])
    assert "已读取社保名单 7 行。" in done.text and "需要查看" in done.text
    page = await officer.get(url)
    assert "未在社保名单中" in page.text and "白玛" in page.text and number("missing") not in page.text
    short = await _finding(made, "short")
    decided = await officer.post(
        f"/job-audit-findings/{short.id}/decision",
        {"outcome": "verified", "reason": ""},
        headers={"hx-request": "true"},
    )
    assert decided.status_code == 422 and "请说明理由" in decided.text
    assert (await AuditFinding.get(id=short.id)).outcome is None
    decided = await officer.post(
        f"/job-audit-findings/{short.id}/decision",
        {"outcome": "verified", "reason": "按在岗月数认定"},
        headers={"hx-request": "true"},
    )
    assert (
        decided.status_code == 200 and decided.text.startswith('<tr id="finding-') and "按在岗月数认定" in decided.text
    )
    unconfirmed = await officer.post(f"{url}/sign-off", {"note": ""})
    assert unconfirmed.status_code == 422
    await officer.post(f"{url}/confirm", {})
    refused = await officer.post(f"{url}/sign-off", {"note": "年度核查"})
    assert refused.status_code == 422 and "勾选" in refused.text
    signed = await officer.post(f"{url}/sign-off", {"note": "年度核查", "confirm": "1"})
    assert signed.status_code == 303
    report = await officer.get(f"{url}/report.xlsx")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
    assert book.sheetnames == ["概要", "核查结果"]
    rows = list(book["核查结果"].iter_rows(values_only=True))
    assert rows[0][0] == "企业" and len(rows) == 1 + 9
    kinds = [row[8] for row in rows[1:]]
    assert kinds.count("未在社保名单中") == 1 and kinds.count("参保但未申报用工") == 1
    assert not any(number("missing") in str(row) for row in rows)
    operator = await login("operator_chamdo")
    seen = await operator.get(url)
    assert seen.status_code == 200 and "已签发" in seen.text and "纠正" in seen.text
    assert (await operator.get("/job-audits")).text.count(f'/job-audits/{job_audit.id}"') == 1


async def test_bad_files_change_nothing(world: World, login):
    await _scenario(world)
    job_audit = await _opened(world)
    officer = await login("bureau_chamdo")
    url = f"/job-audits/{job_audit.id}"
    before = await AuditEvent.all().count()
    empty = await officer.post(f"{url}/roster", {}, files={"file": ("empty.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "文件为空" in empty.text
    utf16 = "公民身份号码,姓名\n".encode("utf-16")
    wrong = await officer.post(f"{url}/roster", {}, files={"file": ("x.csv", utf16, "text/csv")})
    assert wrong.status_code == 422 and "UTF-8" in wrong.text
    no_ids = "公民身份号码,姓名,单位统一社会信用代码,缴费月数\n123,某人,x,3\n".encode()
    started = await officer.post(f"{url}/roster", {}, files={"file": ("bad.csv", no_ids, "text/csv")})
    task = await tasks.wait(int(started.headers["location"].rsplit("/", 1)[1]))
    assert task.state is TaskState.FAILED
    assert await AuditFinding.filter(audit_id=job_audit.id).count() == 0
    await job_audit.refresh_from_db()
    assert job_audit.state is AuditState.OPEN and await AuditEvent.all().count() == before
    expired = await officer.post(f"{url}/mapping", {"token": "0" * 32, "filename": "x.csv"})
    assert expired.status_code == 422 and "重新上传" in expired.text


# -- through the API ----------------------------------------------------------------------


async def test_the_api_opens_lists_decides_and_signs(world: World, token_for):
    made = await _scenario(world)
    client = await token_for("bureau_chamdo")
    created = await client.post(
        "/api/v1/job-audits",
        json={"base_id": world.bases["chamdo"].id, "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    assert created.status_code == 201 and created.json()["state"] == "open"
    assert created.json()["required_months"] == 1  # the default counting rule asks for no months
    audit_id = created.json()["id"]
    officer = await principal_of(world, "bureau_chamdo")
    await service.reconcile(officer, await JobAudit.get(id=audit_id), read_rows(insurance_csv(), "社保.csv"))
    unknown = await client.get(f"/api/v1/job-audits/{audit_id}/findings", params={"kind": "lost"})
    assert unknown.status_code == 422 and "kind" in unknown.json()["error"]["fields"]
    assert (await client.get("/api/v1/job-audits", params={"state": "done"})).status_code == 422
    findings = await client.get(f"/api/v1/job-audits/{audit_id}/findings", params={"kind": "not_found"})
    assert findings.status_code == 200
    [missing] = findings.json()["items"]
    assert missing["employment_id"] == made["missing"].id and missing["id_number"].count("*") == 10
    overridden = await client.patch(f"/api/v1/job-audit-findings/{missing['id']}", json={"outcome": "verified"})
    assert overridden.status_code == 422 and "reason" in overridden.json()["error"]["fields"]
    ok = await client.patch(f"/api/v1/job-audit-findings/{missing['id']}", json={"outcome": "rejected", "reason": None})
    assert ok.status_code == 200 and ok.json()["outcome"] == "rejected"
    early = await client.post(f"/api/v1/job-audits/{audit_id}/sign-off", json={"confirm": True})
    assert early.status_code == 422
    await service.confirm_proposals(officer, await JobAudit.get(id=audit_id))
    signed = await client.post(f"/api/v1/job-audits/{audit_id}/sign-off", json={"confirm": True, "note": "API"})
    assert signed.status_code == 200 and signed.json()["state"] == "signed_off"
    operator = await token_for("operator_chamdo")
    listed = await operator.get("/api/v1/job-audits")
    assert audit_id in [a["id"] for a in listed.json()["items"]]
    foreign = await token_for("operator_dsj")
    assert (await foreign.get(f"/api/v1/job-audits/{audit_id}")).status_code == 404
    founder = await token_for("founder_chamdo")
    assert (await founder.get("/api/v1/job-audits")).status_code == 403
