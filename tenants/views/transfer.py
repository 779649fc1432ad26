"""Import and export: templates, uploads of startups and spaces, exports of startups, people and leases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require
from incubator.errors import Forbidden, ValidationFailed
from incubator.files import xlsx_response
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.models import Base
from incubator.pages import field_errors, form_of, page_principal, redirect
from incubator.settings import get_settings
from incubator.spreadsheets import Sheetbook, SheetRejected, read_rows
from incubator.templating import render
from tenants.services import exports
from tenants.services.imports import ImportSummary, import_spaces, import_startups, import_template

Importer = Callable[[Principal, Base, Sheetbook], Awaitable[ImportSummary]]


def _context(principal: Principal, **extra: Any) -> dict[str, Any]:
    return {
        "can_import": can(principal, "records.import"),
        "can_reveal": can(principal, "person.reveal"),
        "rejected": "",
        "problems": [],
        "file_error": "",
        "nav": "transfer",
        **extra,
    }


async def transfer(request: Request) -> Response:
    principal = page_principal(request)
    if not (can(principal, "records.import") or can(principal, "records.export")):
        raise Forbidden()
    return render(request, "tenants/transfer.html", _context(principal))


async def startups_template(request: Request) -> Response:
    require(page_principal(request), "records.import")
    return xlsx_response(import_template("startups"), gettext("Import template for startups") + ".xlsx")


async def spaces_template(request: Request) -> Response:
    require(page_principal(request), "records.import")
    return xlsx_response(import_template("spaces"), gettext("Import template for spaces") + ".xlsx")


async def _read_upload(request: Request) -> Sheetbook:
    upload = form_of(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed({"file": N_("Choose a file to upload.")})
    data = await upload.read(get_settings().max_upload_bytes + 1)
    return await run_in_threadpool(read_rows, data, upload.filename)


async def _upload(request: Request, kind: str, importer: Importer) -> ImportSummary | Response:
    """The import's summary, or the page again (422) with every problem of the file."""
    principal = page_principal(request)
    require(principal, "records.import")
    base = await get_visible(principal, Base, principal.base_id)
    try:
        return await importer(principal, base, await _read_upload(request))
    except SheetRejected as exc:
        context = _context(principal, rejected=kind, problems=exc.errors, file_error=field_errors(exc)["file"])
    except ValidationFailed as exc:
        context = _context(principal, rejected=kind, file_error=field_errors(exc).get("file", ""))
    return render(request, "tenants/transfer.html", context, status_code=422)


async def startups_import(request: Request) -> Response:
    outcome = await _upload(request, "startups", import_startups)
    if isinstance(outcome, Response):
        return outcome
    message = gettext(
        "Imported %(startups)d startups and %(founders)d founders.",
        startups=outcome.startups,
        founders=outcome.founders,
    )
    return redirect("/transfer", message, request)


async def spaces_import(request: Request) -> Response:
    outcome = await _upload(request, "spaces", import_spaces)
    if isinstance(outcome, Response):
        return outcome
    return redirect("/transfer", gettext("Imported %(spaces)d spaces.", spaces=outcome.spaces), request)


def _dated(title: str) -> str:
    return f"{gettext(title)}-{today().isoformat()}.xlsx"


async def startups_export(request: Request) -> Response:
    content = await exports.export_startups(page_principal(request))
    return xlsx_response(content, _dated(N_("Startups")))


async def people_export(request: Request) -> Response:
    full = request.query_params.get("full") == "1"
    content = await exports.export_people(page_principal(request), full=full)
    return xlsx_response(content, _dated(N_("People")))


async def leases_export(request: Request) -> Response:
    content = await exports.export_leases(page_principal(request))
    return xlsx_response(content, _dated(N_("Leases")))
