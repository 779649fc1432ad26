"""The discrepancy report of a job audit as .xlsx: the audit's summary, then every finding."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from grants.models import AuditFinding, FindingKind, JobAudit
from incubator.access import Principal, require, visible
from incubator.i18n import N_, gettext
from incubator.labels import label
from incubator.spreadsheets import CellValue, Heading, WorkbookWriter
from tenants.services.exports import append_rows, pages

FINDING_HEADINGS = (
    (N_("Startup"), "text"),
    (N_("Name on the roster"), "text"),
    (N_("Name in social insurance"), "text"),
    (N_("ID number"), "text"),
    (N_("Hired on"), "date"),
    (N_("Left on"), "date"),
    (N_("Employer credit code"), "text"),
    (N_("Months paid"), "number"),
    (N_("Finding"), "text"),
    (N_("Also found"), "text"),
    (N_("Also declared at"), "text"),
    (N_("Proposed"), "text"),
    (N_("Decision"), "text"),
    (N_("Reason"), "text"),
    (N_("Decided by"), "text"),
)


async def discrepancy_report(principal: Principal, job_audit: JobAudit) -> bytes:
    """Every finding of the audit (ID numbers masked), after a summary sheet."""
    require(principal, "records.export")
    await job_audit.fetch_related("base", "startup")
    book = WorkbookWriter()
    summary = book.sheet(gettext("Summary"), [Heading(gettext("Item"), width=30), Heading(gettext("Value"), width=60)])
    rows: list[list[CellValue]] = [
        [gettext("Base"), job_audit.base.name],
        [gettext("Startup"), job_audit.startup.name if job_audit.startup else gettext("All startups of the base")],
        [gettext("Period from"), job_audit.period_start],
        [gettext("Period to"), job_audit.period_end],
        [gettext("Months of insurance required"), job_audit.required_months],
        [gettext("State"), label("audit_state", job_audit.state)],
        [gettext("Social insurance roster"), job_audit.roster_filename],
        [gettext("Rows read"), job_audit.roster_rows],
        [gettext("Rows skipped"), job_audit.roster_skipped],
        [gettext("Signed off by"), job_audit.signed_by],
        [gettext("Signed off at"), job_audit.signed_at.strftime("%Y-%m-%d %H:%M") if job_audit.signed_at else ""],
    ]
    for kind in FindingKind:
        rows.append([label("finding_kind", kind), (job_audit.counts or {}).get(kind.value, 0)])
    totals = job_audit.totals or {}
    for key, text in (
        ("headcount", N_("Headcount at the end of the period")),
        ("headcount_verified", N_("of which verified")),
        ("created", N_("Jobs created in the period")),
        ("created_verified", N_("of which verified")),
    ):
        if key in totals:
            rows.append([gettext(text), totals[key]])
    summary.extend(rows)
    sheet = book.sheet(gettext("Findings"), [Heading(gettext(text), kind) for text, kind in FINDING_HEADINGS])
    query = visible(principal, AuditFinding).filter(audit_id=job_audit.id).select_related("startup")
    async for page in pages(query):
        await append_rows(
            sheet,
            [
                [
                    f.startup.name if f.startup else "",
                    f.declared_name,
                    f.insured_name,
                    f.id_masked,
                    f.hired_on,
                    f.left_on,
                    f.employer_uscc,
                    f.months_paid,
                    label("finding_kind", f.kind),
                    "、".join(label("finding_kind", flag) for flag in f.flags),
                    f.other,
                    label("outcome", f.proposed),
                    label("outcome", f.outcome) if f.outcome else "",
                    f.reason,
                    f.decided_by,
                ]
                for f in page
            ],
        )
    return await run_in_threadpool(book.save)
