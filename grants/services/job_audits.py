"""The bureau's job audit (就业核查): open, reconcile against social insurance, decide, sign off.

Reconciliation reads the social insurance roster export (ID number, name, employer credit
code, months paid) once into a dict keyed by the blind index of each ID number, loads the
declared employments of the audit's scope that overlap its period with two SQL queries, and
writes one finding per employment plus one per insured person the roster does not declare.
Findings are replaced as a whole by each reconciliation until the audit is signed off; then
they are frozen, the employments are marked verified or rejected, and any earlier signed audit
of the same scope and an overlapping period is superseded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from grants import labels as _labels  # noqa: F401 - the finding kinds name rejected entries
from grants.forms.job_audits import INSURANCE_COLUMNS, AuditInput, DecisionInput, refused
from grants.models import AuditFinding, AuditState, FindingKind, JobAudit, Outcome
from incubator import audit as audit_log
from incubator.access import Principal, get_visible, require, visible
from incubator.errors import NotFound, ValidationFailed
from incubator.i18n import N_
from incubator.identifiers import id_number_error, normalise_id_number
from incubator.labels import label
from incubator.models import Base, Role
from incubator.pii import id_index, mask_id_number, seal_id_number
from incubator.spreadsheets import Layout, Sheetbook, SheetError, SheetRejected, locate
from incubator.tasks import Progress
from tenants.models import Employment, Startup, Verification
from tenants.services.jobcounts import Target, job_counts, rule_for
from tenants.services.roster import employed_between

CHUNK = 500
AUDIT_FIELDS = ("base_id", "startup_id", "period_start", "period_end", "required_months", "state")
# The reconciliation's verdicts, most serious first: an employment gets the first that applies.
REJECTING = (FindingKind.NOT_FOUND, FindingKind.OTHER_EMPLOYER, FindingKind.FEWER_MONTHS)
FLAGS = (FindingKind.COUNTED_TWICE, FindingKind.NAME_DIFFERS)
OPEN_STATES = (AuditState.OPEN, AuditState.RECONCILED)


# -- opening ------------------------------------------------------------------------------


async def open_audit(principal: Principal, data: AuditInput) -> JobAudit:
    """Open an audit of a base, or of one admitted startup of it, for a period."""
    require(principal, "job_audit.manage")
    try:
        base = await get_visible(principal, Base, data.base_id)
    except NotFound:
        raise refused("base_id", N_("Choose a base of your region.")) from None
    startup = None
    if data.startup_id is not None:
        startup = await visible(principal, Startup).filter(id=data.startup_id, base_id=base.id).first()
        if startup is None:
            raise refused("startup_id", N_("Choose a startup of this base."))
    busy = JobAudit.filter(base_id=base.id, state__in=OPEN_STATES, startup_id=startup.id if startup else None)
    if await busy.exists():
        raise refused("base_id", N_("An audit of this base (or startup) is already open; finish it first."))
    rule = await rule_for(base.region_id, data.period_end)
    required = data.required_months or max(rule.min_insured_months, 1)
    async with in_transaction():
        job_audit = await JobAudit.create(
            base_id=base.id,
            startup_id=startup.id if startup else None,
            region_code=base.region_id,
            period_start=data.period_start,
            period_end=data.period_end,
            required_months=required,
            opened_by=principal.username,
        )
        await _record(principal, "job_audit.opened", job_audit, after=audit_log.snapshot(job_audit, AUDIT_FIELDS))
    return job_audit


def visible_audits(principal: Principal) -> QuerySet[JobAudit]:
    """The audits the principal may read: a base's operators see only signed (or superseded) ones."""
    query = visible(principal, JobAudit)
    if principal.role is Role.OPERATOR:
        query = query.exclude(state__in=OPEN_STATES)
    return query


async def get_audit(principal: Principal, audit_id: int) -> JobAudit:
    """One audit of `visible_audits`, else NotFound."""
    job_audit = await visible_audits(principal).filter(id=audit_id).select_related("base", "startup").first()
    if job_audit is None:
        raise NotFound()
    return job_audit


async def _record(principal: Principal, action: str, job_audit: JobAudit, **values: Any) -> None:
    await audit_log.record(
        principal, action, job_audit, base_id=job_audit.base_id, region_code=job_audit.region_code, **values
    )


def require_open(job_audit: JobAudit) -> None:
    if job_audit.state not in OPEN_STATES:
        raise ValidationFailed({"audit": N_("This audit is signed off; open a new audit to check again.")})


# -- reading the social insurance roster ---------------------------------------------------


@dataclass(frozen=True)
class Insured:
    """One row of the social insurance roster."""

    index: str
    number: str
    name: str
    uscc: str
    months: int
    row: int


@dataclass(frozen=True)
class InsuranceRoster:
    by_person: dict[str, list[Insured]]
    rows: int
    skipped: int


def empty_file() -> SheetRejected:
    return SheetRejected([SheetError("", None, "", "", N_("The file is empty."))])


def columns_of(book: Sheetbook, mapping: Mapping[str, int] | None) -> Layout:
    """Where the four columns are: found by their headers, or as the officer chose them.

    Raises SheetRejected when a column cannot be found; the page then offers the choice.
    """
    if not book.sheets or book.sheets[0].header is None:
        raise empty_file()
    sheet = book.sheets[0]
    specs = {spec.field: spec for spec in INSURANCE_COLUMNS}
    if mapping:
        return Layout(sheet, specs, dict(mapping))
    layout, errors = locate(sheet, INSURANCE_COLUMNS)
    if errors:
        raise SheetRejected(errors)
    return layout


def _months(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if text.endswith("个月"):
        text = text[:-2]
    elif text.endswith("月"):
        text = text[:-1]
    return int(text) if text.isdecimal() and len(text) <= 4 else None


async def read_insurance(layout: Layout, progress: Progress | None = None) -> InsuranceRoster:
    """The roster's rows by the blind index of their ID number; unreadable rows are counted, not fatal."""
    records = layout.sheet.records
    if progress:
        progress.phase(N_("Reading the social insurance roster"), len(records))
    by_person: dict[str, list[Insured]] = defaultdict(list)
    skipped = 0
    for row in records:
        values = layout.record(row)
        number = normalise_id_number(values.get("id_number", ""))
        months = _months(values.get("months_paid", ""))
        if id_number_error(number) is not None or months is None:
            skipped += 1
        else:
            uscc = unicodedata.normalize("NFKC", values.get("employer_uscc", "")).strip().upper()
            name = values.get("name", "").strip()[:50]
            index = id_index(number)
            by_person[index].append(Insured(index, number, name, uscc, months, row.number))
        if progress:
            await progress.tick()
    if not by_person:
        raise SheetRejected(
            [SheetError(layout.sheet.title, None, "", "", N_("No row of the file has a valid ID number."))]
        )
    return InsuranceRoster(dict(by_person), len(records), skipped)


# -- reconciling ------------------------------------------------------------------------


def _same_name(a: str, b: str) -> bool:
    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).casefold().split()).replace("·", "").replace("•", "")

    return fold(a) == fold(b)


async def _declared(job_audit: JobAudit) -> list[dict[str, Any]]:
    query = Employment.filter(employed_between(job_audit.period_start, job_audit.period_end), base_id=job_audit.base_id)
    if job_audit.startup_id is not None:
        query = query.filter(startup_id=job_audit.startup_id)
    rows: list[dict[str, Any]] = await query.filter(
        employed_between(job_audit.period_start, job_audit.period_end)
    ).values(
        "id",
        "startup_id",
        "person_id",
        "hired_on",
        "left_on",
        "person__id_index",
        "person__id_masked",
        "person__name",
        "startup__uscc",
        "startup__name",
    )
    return rows


async def _elsewhere(job_audit: JobAudit, person_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """For each person, their employments at any startup that overlap the period."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(person_ids), CHUNK):
        query = Employment.filter(person_id__in=person_ids[start : start + CHUNK])
        rows = await query.filter(employed_between(job_audit.period_start, job_audit.period_end)).values(
            "id", "person_id", "startup_id", "startup__name", "hired_on", "left_on"
        )
        for row in rows:
            found[row["person_id"]].append(row)
    return found


def _at_the_same_time(declared: Mapping[str, Any], others: Sequence[Mapping[str, Any]]) -> list[str]:
    """The other startups where the person is declared on some day of this employment."""
    names = set()
    for other in others:
        if other["startup_id"] == declared["startup_id"]:
            continue
        starts_before_end = declared["left_on"] is None or other["hired_on"] <= declared["left_on"]
        ends_after_start = other["left_on"] is None or other["left_on"] >= declared["hired_on"]
        if starts_before_end and ends_after_start:
            names.add(other["startup__name"])
    return sorted(names)


def _verdict(
    declared: Mapping[str, Any], insured: Sequence[Insured], others: Sequence[Mapping[str, Any]], required: int
) -> dict[str, Any]:
    """The finding for one declared employment."""
    uscc = declared["startup__uscc"] or ""
    matches = [r for r in insured if uscc and r.uscc == uscc]
    best = max(matches, key=lambda r: r.months) if matches else (insured[0] if insured else None)
    flags = []
    elsewhere = _at_the_same_time(declared, others)
    if elsewhere:
        flags.append(FindingKind.COUNTED_TWICE.value)
    if best is not None and not _same_name(best.name, declared["person__name"]):
        flags.append(FindingKind.NAME_DIFFERS.value)
    if not insured:
        kind = FindingKind.NOT_FOUND
    elif not matches:
        kind = FindingKind.OTHER_EMPLOYER
    elif best is not None and best.months < required:
        kind = FindingKind.FEWER_MONTHS
    elif flags:
        kind = FindingKind(flags[0])
    else:
        kind = FindingKind.VERIFIED
    return {
        "employment_id": declared["id"],
        "startup_id": declared["startup_id"],
        "kind": kind,
        "flags": [flag for flag in flags if flag != kind.value],
        "proposed": Outcome.REJECTED if kind in REJECTING else Outcome.VERIFIED,
        "declared_name": declared["person__name"],
        "insured_name": best.name if best else "",
        "id_masked": declared["person__id_masked"],
        "employer_uscc": best.uscc if best else "",
        "months_paid": best.months if best else None,
        "hired_on": declared["hired_on"],
        "left_on": declared["left_on"],
        "other": "、".join(elsewhere)[:300],
    }


async def _undeclared(
    job_audit: JobAudit, roster: InsuranceRoster, declared: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """People the roster shows insured by a startup of the scope who are not on its job roster."""
    startups = Startup.filter(base_id=job_audit.base_id).exclude(uscc="")
    if job_audit.startup_id is not None:
        startups = startups.filter(id=job_audit.startup_id)
    by_uscc = {row["uscc"]: row["id"] for row in await startups.values("id", "uscc")}
    on_roster = {(row["person__id_index"], row["startup_id"]) for row in declared}
    found = []
    for insured in roster.by_person.values():
        for record in insured:
            startup_id = by_uscc.get(record.uscc)
            if startup_id is None or (record.index, startup_id) in on_roster:
                continue
            on_roster.add((record.index, startup_id))  # one finding per person and startup
            sealed = seal_id_number(record.number)
            found.append(
                {
                    "employment_id": None,
                    "startup_id": startup_id,
                    "kind": FindingKind.UNDECLARED,
                    "flags": [],
                    "proposed": Outcome.NOTED,
                    "insured_name": record.name,
                    "id_masked": mask_id_number(record.number),
                    "id_index": sealed.index,
                    "id_cipher": sealed.cipher,
                    "employer_uscc": record.uscc,
                    "months_paid": record.months,
                }
            )
    return found


async def reconcile(
    principal: Principal,
    job_audit: JobAudit,
    book: Sheetbook,
    mapping: Mapping[str, int] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Check every declared employment of the audit against the social insurance roster.

    Replaces the audit's findings; returns the summary for the task page.
    """
    require(principal, "job_audit.manage", job_audit)
    require_open(job_audit)
    layout = columns_of(book, mapping)
    roster = await read_insurance(layout, progress)
    declared = await _declared(job_audit)
    elsewhere = await _elsewhere(job_audit, sorted({row["person_id"] for row in declared}))
    if progress:
        progress.phase(N_("Checking the declared employments"), len(declared))
    findings = []
    for row in declared:
        insured = roster.by_person.get(row["person__id_index"], [])
        findings.append(_verdict(row, insured, elsewhere.get(row["person_id"], []), job_audit.required_months))
        if progress:
            await progress.tick()
    findings += await _undeclared(job_audit, roster, declared)
    counts = {kind.value: 0 for kind in FindingKind}
    for finding in findings:
        counts[finding["kind"].value] += 1
    if progress:
        progress.phase(N_("Saving the findings"), len(findings))
    async with in_transaction():
        locked = await JobAudit.select_for_update().get(id=job_audit.id)
        require_open(locked)
        await AuditFinding.filter(audit_id=job_audit.id).delete()
        for start in range(0, len(findings), CHUNK):
            chunk = findings[start : start + CHUNK]
            await AuditFinding.bulk_create([AuditFinding(audit_id=job_audit.id, **values) for values in chunk])
            if progress:
                progress.advance(len(chunk))
        locked.update_from_dict(
            {
                "state": AuditState.RECONCILED,
                "roster_filename": book.filename[:200],
                "roster_sha256": book.sha256,
                "roster_rows": roster.rows,
                "roster_skipped": roster.skipped,
                "mapping": dict(layout.positions),
                "counts": counts,
                "reconciled_at": dt.datetime.now(dt.UTC),
            }
        )
        await locked.save()
        summary = {"filename": book.filename, "sha256": book.sha256, "rows": roster.rows, "skipped": roster.skipped}
        await _record(principal, "job_audit.reconciled", locked, after={**summary, "findings": counts})
    job_audit.update_from_dict({"state": locked.state, "counts": counts})
    lines = [
        {"msgid": N_("%(rows)d rows of the social insurance roster read."), "params": {"rows": roster.rows}},
        {"msgid": N_("%(count)d employments checked."), "params": {"count": len(declared)}},
        {"msgid": N_("%(count)d verified."), "params": {"count": counts[FindingKind.VERIFIED.value]}},
        {"msgid": N_("%(count)d findings to look at."), "params": {"count": len(findings) - counts["verified"]}},
    ]
    if roster.skipped:
        lines.append(
            {
                "msgid": N_("%(count)d rows without a valid ID number or months were skipped."),
                "params": {"count": roster.skipped},
            }
        )
    return {"lines": lines, "counts": counts, "rows": roster.rows, "skipped": roster.skipped}


# -- deciding -----------------------------------------------------------------------------


async def decide(principal: Principal, finding: AuditFinding, data: DecisionInput) -> AuditFinding:
    """Confirm the proposed outcome of a finding, or override it with a reason."""
    job_audit = await JobAudit.get(id=finding.audit_id)
    require(principal, "job_audit.manage", job_audit)
    require_open(job_audit)
    allowed = (Outcome.NOTED,) if finding.employment_id is None else (Outcome.VERIFIED, Outcome.REJECTED)
    if data.outcome not in allowed:
        raise refused("outcome", N_("This finding can only be noted, since nobody on the roster matches it."))
    if data.outcome is not finding.proposed and not data.reason:
        raise refused("reason", N_("Give the reason for deciding otherwise than the check proposes."))
    before = audit_log.snapshot(finding, ("kind", "proposed", "outcome", "reason"))
    async with in_transaction():
        finding.outcome, finding.reason = data.outcome, data.reason
        finding.decided_by, finding.decided_at = principal.username, dt.datetime.now(dt.UTC)
        await finding.save(update_fields=["outcome", "reason", "decided_by", "decided_at"])
        await _record(
            principal,
            "job_audit.finding_decided",
            job_audit,
            before={"finding_id": finding.id, **before},
            after={"finding_id": finding.id, **audit_log.snapshot(finding, ("kind", "proposed", "outcome", "reason"))},
        )
    return finding


async def confirm_proposals(principal: Principal, job_audit: JobAudit) -> int:
    """Accept the proposed outcome of every finding not decided yet; returns how many."""
    require(principal, "job_audit.manage", job_audit)
    require_open(job_audit)
    now = dt.datetime.now(dt.UTC)
    async with in_transaction():
        count = 0
        for outcome in Outcome:
            count += await AuditFinding.filter(audit_id=job_audit.id, outcome=None, proposed=outcome).update(
                outcome=outcome, decided_by=principal.username, decided_at=now
            )
        await _record(principal, "job_audit.proposals_confirmed", job_audit, after={"findings": count})
    return count


# -- signing off --------------------------------------------------------------------------


async def sign_off(principal: Principal, job_audit: JobAudit, note: str) -> JobAudit:
    """Freeze the findings, mark the employments, and supersede earlier audits of the same scope."""
    require(principal, "job_audit.manage", job_audit)
    async with in_transaction():
        locked = await JobAudit.select_for_update().get(id=job_audit.id)
        require_open(locked)
        if locked.state is not AuditState.RECONCILED:
            raise ValidationFailed({"audit": N_("Upload the social insurance roster before signing off.")})
        undecided = await AuditFinding.filter(audit_id=locked.id, outcome=None).count()
        if undecided:
            raise ValidationFailed(
                {"audit": N_("%(count)d findings are not decided yet.")}, field_params={"audit": {"count": undecided}}
            )
        now = dt.datetime.now(dt.UTC)
        marked = await _mark_employments(locked, now)
        superseded = await _supersede(locked)
        locked.update_from_dict(
            {"state": AuditState.SIGNED_OFF, "signed_by": principal.username, "signed_at": now, "sign_note": note}
        )
        locked.totals = {**marked, **await _frozen_figures(locked), "superseded": superseded}
        await locked.save()
        await _record(principal, "job_audit.signed_off", locked, after={"totals": locked.totals, "note": note})
    return locked


async def _mark_employments(job_audit: JobAudit, now: dt.datetime) -> dict[str, int]:
    marked = {"verified": 0, "rejected": 0}
    decided = AuditFinding.filter(audit_id=job_audit.id, employment_id__not_isnull=True)
    verified = await decided.filter(outcome=Outcome.VERIFIED).values_list("employment_id", flat=True)
    for start in range(0, len(verified), CHUNK):
        marked["verified"] += await Employment.filter(id__in=verified[start : start + CHUNK]).update(
            verification=Verification.VERIFIED, verification_note="", verified_at=now, audit_id=job_audit.id
        )
    # Rejections are few and each keeps its own reason.
    for finding in await decided.filter(outcome=Outcome.REJECTED).only("employment_id", "kind", "reason"):
        marked["rejected"] += await Employment.filter(id=finding.employment_id).update(
            verification=Verification.REJECTED,
            verification_note=(finding.reason or label("finding_kind", finding.kind))[:300],
            verified_at=now,
            audit_id=job_audit.id,
        )
    return marked


async def _supersede(job_audit: JobAudit) -> int:
    earlier = JobAudit.filter(
        base_id=job_audit.base_id,
        state=AuditState.SIGNED_OFF,
        period_start__lte=job_audit.period_end,
        period_end__gte=job_audit.period_start,
    ).exclude(id=job_audit.id)
    if job_audit.startup_id is not None:
        earlier = earlier.filter(startup_id=job_audit.startup_id)
    return await earlier.update(state=AuditState.SUPERSEDED, superseded_by_id=job_audit.id)


async def _frozen_figures(job_audit: JobAudit) -> dict[str, Any]:
    """The job counts of the scope as the audit leaves them (at the end of its period)."""
    target = Target(startup_id=job_audit.startup_id) if job_audit.startup_id else Target(base_id=job_audit.base_id)
    counts = await job_counts(
        target,
        job_audit.region_code,
        as_of=job_audit.period_end,
        period_start=job_audit.period_start,
        period_end=job_audit.period_end,
    )
    return {
        "headcount": counts.headcount.total,
        "headcount_verified": counts.headcount.verified.get("total", 0),
        "created": counts.created.total,
        "created_verified": counts.created.verified.get("total", 0),
        "rule_source": counts.rule.source,
    }
