""".xlsx downloads of the job pages: the figures, and the people behind them, of a startup,
a base or a region, for the period the page shows (?as_of=&from=&to=)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, get_visible, require
from incubator.files import UNSAFE_NAME, xlsx_response
from incubator.i18n import N_, gettext
from incubator.pages import page_principal
from tenants.models import Startup
from tenants.services.job_exports import export_job_figures, export_job_people
from tenants.services.jobcounts import Target
from tenants.views.jobs import jobs_base, jobs_region, period_of

FIGURES = N_("job-figures")
PEOPLE = N_("job-people")


def _filename(kind: str, name: str, as_of: dt.date) -> str:
    return f"{gettext(kind)}-{UNSAFE_NAME.sub('_', name)}-{as_of.isoformat()}.xlsx"


async def _startup(principal: Principal, request: Request) -> Startup:
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    require(principal, "jobs.export", startup)
    return startup


async def _figures(request: Request, principal: Principal, target: Target, region_code: str, name: str) -> Response:
    as_of, start, end = period_of(request)
    content = await export_job_figures(principal, target, region_code, as_of=as_of, start=start, end=end, title=name)
    return xlsx_response(content, _filename(FIGURES, name, as_of))


async def _people(request: Request, principal: Principal, target: Target, name: str) -> Response:
    as_of, start, end = period_of(request)
    full = request.query_params.get("full") == "1"
    content = await export_job_people(principal, target, as_of=as_of, start=start, end=end, full=full)
    return xlsx_response(content, _filename(PEOPLE, name, as_of))


async def startup_figures_export(request: Request) -> Response:
    principal = page_principal(request)
    startup = await _startup(principal, request)
    return await _figures(request, principal, Target(startup_id=startup.id), startup.base.region_id, startup.name)


async def startup_people_export(request: Request) -> Response:
    principal = page_principal(request)
    startup = await _startup(principal, request)
    return await _people(request, principal, Target(startup_id=startup.id), startup.name)


async def base_figures_export(request: Request) -> Response:
    principal = page_principal(request)
    base = await jobs_base(principal, request)
    return await _figures(request, principal, Target(base_id=base.id), base.region_id, base.name)


async def base_people_export(request: Request) -> Response:
    principal = page_principal(request)
    base = await jobs_base(principal, request)
    return await _people(request, principal, Target(base_id=base.id), base.name)


async def region_figures_export(request: Request) -> Response:
    principal = page_principal(request)
    region = await jobs_region(principal, request)
    return await _figures(request, principal, Target(region_code=region.code), region.code, region.name)


async def region_people_export(request: Request) -> Response:
    principal = page_principal(request)
    region = await jobs_region(principal, request)
    return await _people(request, principal, Target(region_code=region.code), region.name)
