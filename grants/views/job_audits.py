"""Job audit pages: the list, opening one, uploading the insurance roster, findings, sign-off, report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from grants.forms.job_audits import INSURANCE_COLUMNS, parse_audit, parse_decision, parse_mapping, parse_sign_off
from grants.models import AuditFinding, FindingKind, JobAudit
from grants.services import audit_report
from grants.services import job_audits as service
from incubator import tasks
from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.files import claim_upload, park_upload, release_upload, xlsx_response
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.labels import choices
from incubator.models import Base
from incubator.pages import field_errors, form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.settings import get_settings
from incubator.spreadsheets import Sheetbook, SheetRejected, read_rows
from incubator.templating import is_htmx, render
from tenants.models import Startup, StartupStatus

MAX_INSURANCE_ROWS = 200_000
NAV = "job_audits"


async def _list_context(request: Request, principal: Principal) -> dict[str, Any]:
    require(principal, "job_audit.view")
    limit, offset = window(request.query_params)
    page = await paginate(
        service.visible_audits(principal).select_related("base", "startup").order_by("-id"), limit, offset
    )
    bases: list[tuple[str, str]] = []
    if can(principal, "job_audit.manage"):
        rows = await visible(principal, Base).order_by("region_id", "name").limit(500).values_list("id", "name")
        bases = [(str(pk), str(name)) for pk, name in rows]
    now = today()
    return {
        "page": page,
        "bases": bases,
        "startups": [],
        "can_manage": can(principal, "job_audit.manage"),
        "values": {"period_start": dt.date(now.year - 1, 1, 1).isoformat(), "period_end": now.isoformat()},
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def audit_list(request: Request) -> Response:
    principal = page_principal(request)
    return render(request, "grants/job_audits.html", await _list_context(request, principal))


async def audit_startups(request: Request) -> Response:
    """The admitted startups of a base, as <option>s for the opening form (htmx)."""
    principal = page_principal(request)
    require(principal, "job_audit.manage")
    if not is_htmx(request):
        return redirect("/job-audits")
    options: list[tuple[str, str]] = []
    raw = request.query_params.get("base_id", "")
    if (base_id := parse_id(raw)) is not None:
        base = await get_visible(principal, Base, base_id)
        rows = (
            await visible(principal, Startup)
            .filter(base_id=base.id, status__in=(StartupStatus.INCUBATING, StartupStatus.GRADUATED))
            .order_by("name")
            .limit(2000)
            .values_list("id", "name")
        )
        options = [(str(pk), str(name)) for pk, name in rows]
    return render(request, "grants/_startup_options.html", {"startups": options})


async def audit_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "job_audit.manage")
    try:
        job_audit = await service.open_audit(principal, parse_audit(form_of(request), today=today()))
    except ValidationFailed as exc:
        return rejected(request, "grants/job_audits.html", exc, await _list_context(request, principal))
    return redirect(
        f"/job-audits/{job_audit.id}", gettext("The audit is open. Upload the social insurance roster."), request
    )


async def _detail_context(request: Request, principal: Principal, job_audit: JobAudit) -> dict[str, Any]:
    kind = request.query_params.get("kind", "")
    findings = visible(principal, AuditFinding).filter(audit_id=job_audit.id).select_related("startup")
    if kind in {k.value for k in FindingKind}:
        findings = findings.filter(kind=kind)
    elif kind == "undecided":
        findings = findings.filter(outcome=None)
    limit, offset = window(request.query_params)
    page = await paginate(findings.order_by("id"), limit, offset)
    undecided = await AuditFinding.filter(audit_id=job_audit.id, outcome=None).count()
    superseded_by = await JobAudit.get_or_none(id=job_audit.superseded_by_id) if job_audit.superseded_by_id else None
    return {
        "audit": job_audit,
        "page": page,
        "kind": kind,
        "kinds": choices("finding_kind"),
        "undecided": undecided,
        "superseded_by": superseded_by,
        "editable": can(principal, "job_audit.manage") and job_audit.state in service.OPEN_STATES,
        "mapping": None,
        "problems": [],
        "file_error": "",
        "rejected": "",
        "values": {},
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def audit_detail(request: Request) -> Response:
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    return render(request, "grants/job_audit.html", await _detail_context(request, principal, job_audit))


def _owner(principal: Principal, job_audit: JobAudit) -> str:
    return f"job-audit {job_audit.id} user {principal.user_id}"


async def _read(data: bytes, filename: str) -> Sheetbook:
    return await run_in_threadpool(
        read_rows, data, filename, max_rows=MAX_INSURANCE_ROWS, budget=MAX_INSURANCE_ROWS * 60
    )


def _start(principal: Principal, job_audit: JobAudit, book: Sheetbook, mapping: dict[str, int] | None) -> Any:
    async def work(progress: tasks.Progress) -> dict[str, Any]:
        return await service.reconcile(principal, job_audit, book, mapping, progress)

    title = gettext("Job audit #%(id)d: reconciling %(file)s", id=job_audit.id, file=book.filename)
    return tasks.start(
        principal,
        "job_audit",
        title,
        work,
        base_id=job_audit.base_id,
        region_code=job_audit.region_code,
        link=f"/job-audits/{job_audit.id}",
    )


async def _file_problem(request: Request, principal: Principal, job_audit: JobAudit, exc: ValidationFailed) -> Response:
    context = await _detail_context(request, principal, job_audit)
    problems = exc.errors if isinstance(exc, SheetRejected) else []
    context.update(rejected="roster", problems=problems, file_error=field_errors(exc).get("file", ""))
    return render(request, "grants/job_audit.html", context, status_code=422)


async def roster_upload(request: Request) -> Response:
    """Read the social insurance roster; reconcile it in the background, or ask which column is which."""
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    require(principal, "job_audit.manage", job_audit)
    upload = form_of(request).get("file")
    try:
        service.require_open(job_audit)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed({"file": N_("Choose a file to upload.")})
        data = await upload.read(get_settings().max_upload_bytes + 1)
        book = await _read(data, upload.filename)
    except ValidationFailed as exc:
        return await _file_problem(request, principal, job_audit, exc)
    try:
        service.columns_of(book, None)
    except SheetRejected:
        if not book.sheets or book.sheets[0].header is None:
            return await _file_problem(request, principal, job_audit, service.empty_file())
        token = await run_in_threadpool(park_upload, data, _owner(principal, job_audit))
        context = await _detail_context(request, principal, job_audit)
        context["mapping"] = _mapping_context(book, token)
        return render(request, "grants/job_audit.html", context)
    task = await _start(principal, job_audit, book, None)
    return redirect(f"/tasks/{task.id}")


def _mapping_context(book: Sheetbook, token: str, errors: dict[str, str] | None = None) -> dict[str, Any]:
    header = book.sheets[0].header
    headers = list(header.cells) if header else []
    return {
        "token": token,
        "filename": book.filename,
        "headers": [(str(i), text or gettext("(column %(n)d)", n=i + 1)) for i, text in enumerate(headers)],
        "fields": [(spec.field, spec.header) for spec in INSURANCE_COLUMNS],
        "chosen": {spec.field: "" for spec in INSURANCE_COLUMNS},
        "errors": errors or {},
    }


async def roster_mapping(request: Request) -> Response:
    """The officer said which column is which: reconcile the parked file with that choice."""
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    require(principal, "job_audit.manage", job_audit)
    form = form_of(request)
    token = str(form.get("token", ""))
    filename = str(form.get("filename", "")) or "roster.xlsx"
    data = await run_in_threadpool(claim_upload, token, _owner(principal, job_audit))
    if data is None:
        message = N_("The uploaded file is no longer kept (after an hour); please upload it again.")
        return await _file_problem(request, principal, job_audit, ValidationFailed({"file": message}))
    try:
        service.require_open(job_audit)
        book = await _read(data, filename)
        header = book.sheets[0].header if book.sheets else None
        mapping = parse_mapping(form, list(header.cells) if header else [])
    except ValidationFailed as exc:
        context = await _detail_context(request, principal, job_audit)
        if "file" in exc.fields or "audit" in exc.fields:
            return await _file_problem(request, principal, job_audit, exc)
        context["mapping"] = _mapping_context(book, token, field_errors(exc))
        context["mapping"]["chosen"] = {
            spec.field: str(form.get(f"column_{spec.field}", "")) for spec in INSURANCE_COLUMNS
        }
        return render(request, "grants/job_audit.html", context, status_code=422)
    await run_in_threadpool(release_upload, token, _owner(principal, job_audit))
    task = await _start(principal, job_audit, book, mapping)
    return redirect(f"/tasks/{task.id}")


async def finding_decide(request: Request) -> Response:
    principal = page_principal(request)
    finding = await get_visible(principal, AuditFinding, request.path_params["finding_id"], related=("startup",))
    job_audit = await service.get_audit(principal, finding.audit_id)
    require(principal, "job_audit.manage", job_audit)
    error = ""
    try:
        finding = await service.decide(principal, finding, parse_decision(form_of(request)))
    except ValidationFailed as exc:
        error = "; ".join(field_errors(exc).values()) or gettext(exc.message)
        if not is_htmx(request):
            context = await _detail_context(request, principal, job_audit)
            return rejected(request, "grants/job_audit.html", exc, context)
    if is_htmx(request):
        context = {"f": finding, "audit": job_audit, "editable": True, "row_error": error}
        return render(request, "grants/_finding_row.html", context, status_code=422 if error else 200)
    return redirect(f"/job-audits/{job_audit.id}#finding-{finding.id}", gettext("The decision was recorded."), request)


async def confirm_all(request: Request) -> Response:
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    try:
        count = await service.confirm_proposals(principal, job_audit)
    except ValidationFailed as exc:
        return rejected(request, "grants/job_audit.html", exc, await _detail_context(request, principal, job_audit))
    message = gettext("%(count)d proposed outcomes were confirmed.", count=count)
    return redirect(f"/job-audits/{job_audit.id}", message, request)


async def audit_sign_off(request: Request) -> Response:
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    try:
        await service.sign_off(principal, job_audit, parse_sign_off(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "grants/job_audit.html", exc, await _detail_context(request, principal, job_audit))
    message = gettext("The audit is signed off: the roster's entries are marked verified or rejected.")
    return redirect(f"/job-audits/{job_audit.id}", message, request)


async def audit_report_download(request: Request) -> Response:
    principal = page_principal(request)
    job_audit = await service.get_audit(principal, request.path_params["audit_id"])
    require(principal, "records.export")
    content = await audit_report.discrepancy_report(principal, job_audit)
    name = f"{gettext('Job audit')}-{job_audit.id}-{job_audit.base.name}.xlsx"
    return xlsx_response(content, name)
