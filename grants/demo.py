"""Demo data of grants/: 昌都市人社局's signed job audit of the Chamdo base.

The social insurance roster is made from the Chamdo roster itself, as the insurance system
would export it, with the discrepancies such a check usually finds: people declared but never
insured, one insured by another employer, one with too few months, one whose name is written
differently, and two people insured by a startup that never declared them. The audit is then
run through the services, as the officer would in the pages, and signed off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from grants.forms.job_audits import AuditInput, DecisionInput
from grants.models import AuditFinding, FindingKind, Outcome
from grants.services import job_audits as service
from incubator.access import MEMBERSHIP_RELATED, principal_for
from incubator.formatting import today
from incubator.identifiers import compose_id_number, compose_uscc
from incubator.models import Base, Membership
from incubator.pii import open_id_number
from incubator.spreadsheets import read_rows
from tenants.models import Employment, Startup, month_index

OFFICER = "bureau.chamdo"
# A Lhasa employer's credit code, for the one person insured elsewhere.
OTHER_EMPLOYER = compose_uscc("91540100MA6T7Q0R8")
NOT_FOUND_REASON = "经核查，该员工社保由个人以灵活就业身份缴纳，在岗记录及工资流水齐全，予以认定。"
FOUNDER_REASON = "创业者本人，经营业执照及个人参保缴费记录核实，予以认定。"
SIGN_NOTE = "依据社保系统导出名单比对；不予认定的人员请基地核实后在下次核查前更正用工名单。"


def _months_in(start: dt.date, end: dt.date, insured_from: dt.date, insured_until: dt.date | None) -> int:
    first = max(month_index(start.year, start.month), month_index(insured_from.year, insured_from.month))
    until = insured_until or end
    last = min(month_index(end.year, end.month), month_index(until.year, until.month))
    return max(last - first + 1, 0)


async def _insurance_file(base: Base, start: dt.date, end: dt.date, rng: random.Random) -> bytes:
    """The social insurance export for the base's startups over the period, as a GBK CSV file."""
    employments = (
        await Employment.filter(base_id=base.id, hired_on__lte=end, insured_from__isnull=False)
        .select_related("person", "startup")
        .order_by("id")
    )
    rows: list[list[str]] = []
    for e in employments:
        if (e.left_on is not None and e.left_on < start) or not e.startup.uscc or e.insured_from is None:
            continue
        months = _months_in(start, end, e.insured_from, e.insured_until)
        if months:
            rows.append([open_id_number(e.person.id_cipher), e.person.name, e.startup.uscc, str(months)])
    rng.shuffle(rows)
    # The usual discrepancies, on three different people.
    rows[0][2] = OTHER_EMPLOYER
    rows[1][3] = "2"
    rows[2][1] = rows[2][1][:-1] + ("珍" if rows[2][1][-1] != "珍" else "珠")
    startups = [s for s in await Startup.filter(base_id=base.id).exclude(uscc="").order_by("id") if s.uscc]
    for n, name in enumerate(("洛桑群培", "德吉卓嘎")):
        number = compose_id_number("540321", dt.date(1998 + n, 4 + n, 12), 300 + 2 * n + n)
        rows.append([number, name, rng.choice(startups).uscc or "", "8"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["公民身份号码", "姓名", "单位统一社会信用代码", "缴费月数"])
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


async def load_grants(bases: dict[str, Base]) -> dict[str, int]:
    """Subsidies (policies, applications at every step, 阿琼's history), then the Chamdo job audit.

    Returns the audit's number of findings by kind.
    """
    from grants.demo_subsidies import load_subsidies

    await load_subsidies(bases)
    base = bases["CDCK"]
    membership = await Membership.filter(user__username=OFFICER).select_related(*MEMBERSHIP_RELATED).get()
    officer = principal_for(membership)
    now = today()
    end = dt.date(now.year, now.month, 1) - dt.timedelta(days=1)  # the end of last month
    start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=31)
    start = dt.date(start.year, start.month, 1)  # twelve whole months
    rng = random.Random("CDCK/insurance")
    data = await _insurance_file(base, start, end, rng)
    job_audit = await service.open_audit(officer, AuditInput(base.id, None, start, end, None))
    await service.reconcile(officer, job_audit, read_rows(data, f"昌都市社保参保人员名单-{end:%Y%m}.csv"))
    # Founders insure themselves as individuals: the officer checks and verifies them one by one.
    missing = AuditFinding.filter(audit_id=job_audit.id, kind=FindingKind.NOT_FOUND).select_related("employment")
    employees = []
    for finding in await missing.order_by("id"):
        if finding.employment is not None and finding.employment.is_founder:
            await service.decide(officer, finding, DecisionInput(Outcome.VERIFIED, FOUNDER_REASON))
        else:
            employees.append(finding)
    if employees:
        await service.decide(officer, employees[0], DecisionInput(Outcome.VERIFIED, NOT_FOUND_REASON))
    await service.confirm_proposals(officer, job_audit)
    signed = await service.sign_off(officer, job_audit, SIGN_NOTE)
    return dict(signed.counts or {})
