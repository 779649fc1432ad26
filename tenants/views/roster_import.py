"""Roster imports: the template, and uploads of a startup's roster or a base's, checked and saved in the background."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from incubator import tasks
from incubator.access import Principal, can, get_visible, require
from incubator.errors import Forbidden, ValidationFailed
from incubator.files import xlsx_response
from incubator.i18n import N_, gettext
from incubator.models import Base, Task
from incubator.pages import field_errors, form_of, page_principal, redirect
from incubator.settings import get_settings
from incubator.spreadsheets import Sheetbook
from incubator.templating import render
from tenants.models import Startup
from tenants.services.imports import import_template
from tenants.services.roster_import import import_roster, read_roster_file
from tenants.views.jobs import base_jobs_context, roster_context

KIND = "roster_import"


async def roster_template(request: Request) -> Response:
    principal = page_principal(request)
    if not (can(principal, "records.import") or can(principal, "roster.manage")):
        raise Forbidden()
    return xlsx_response(import_template("roster"), gettext("Import template for the job roster") + ".xlsx")


async def _read_upload(request: Request) -> Sheetbook:
    """The uploaded roster, read in a worker thread; ValidationFailed on "file" when it cannot be read."""
    upload = form_of(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed({"file": N_("Choose a file to upload.")})
    data = await upload.read(get_settings().max_upload_bytes + 1)
    return await run_in_threadpool(read_roster_file, data, upload.filename)


def _refused(request: Request, template: str, context: Mapping[str, Any], exc: ValidationFailed) -> Response:
    """The page again (422) with why the file could not be read; nothing was started."""
    message = field_errors(exc).get("file") or gettext(exc.message, **exc.params)
    return render(request, template, {**context, "import_error": message}, status_code=422)


async def startup_roster_import(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "roster.manage", startup)
    try:
        book = await _read_upload(request)
    except ValidationFailed as exc:
        context = await roster_context(request, principal, startup)
        return _refused(request, "tenants/roster.html", context, exc)
    base = startup.base

    async def work(progress: tasks.Progress) -> dict[str, Any]:
        return await import_roster(principal, base, book, startup=startup, progress=progress)

    title = gettext("Roster import for %(name)s: %(file)s", name=startup.name, file=book.filename)
    task = await _start(principal, title, work, base, startup, f"/startups/{startup.id}/roster")
    return redirect(f"/tasks/{task.id}")


async def base_roster_import(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "records.import")
    base = await get_visible(principal, Base, request.path_params["base_id"], related=("region",))
    require(principal, "roster.manage", base)
    try:
        book = await _read_upload(request)
    except ValidationFailed as exc:
        context = await base_jobs_context(request, principal, base)
        return _refused(request, "tenants/jobs.html", context, exc)

    async def work(progress: tasks.Progress) -> dict[str, Any]:
        return await import_roster(principal, base, book, progress=progress)

    title = gettext("Roster import for %(name)s: %(file)s", name=base.name, file=book.filename)
    task = await _start(principal, title, work, base, None, f"/bases/{base.id}/jobs")
    return redirect(f"/tasks/{task.id}")


async def _start(
    principal: Principal, title: str, work: tasks.Work, base: Base, startup: Startup | None, link: str
) -> Task:
    return await tasks.start(
        principal,
        KIND,
        title,
        work,
        base_id=base.id,
        region_code=base.region_id,
        startup_id=startup.id if startup is not None else None,
        link=link,
    )
