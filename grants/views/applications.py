"""Subsidy pages: what a startup may apply for and why, applications, their queues and their detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from grants.forms.applications import parse_claim, parse_details, parse_transition
from grants.models import Application, ApplicationEvent, AppState, Evidence, Loan, PolicyKind
from grants.rules.params import DECLARABLE_GROUPS
from grants.services import applications as services
from grants.services.eligibility import Evaluation, Period, evaluate
from incubator.access import Principal, can, get_visible, require, visible
from incubator.convertors import parse_id
from incubator.errors import AppError, NotFound, ValidationFailed
from incubator.files import file_response
from incubator.formatting import today
from incubator.i18n import N_, gettext
from incubator.labels import choices, label
from incubator.models import StoredFile
from incubator.pages import field_errors, form_of, page_principal, redirect, values_of
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.models import Startup, StartupStatus

RENT_YEARS_SHOWN = 4
# The queue each reviewing role works from.
QUEUE = {"operator": AppState.SUBMITTED, "bureau": AppState.FORWARDED}


async def _startup_for(principal: Principal, raw: str) -> Startup | None:
    if principal.startup_id is not None:
        return await get_visible(principal, Startup, principal.startup_id)
    if (startup_id := parse_id(raw)) is not None:
        return await get_visible(principal, Startup, startup_id)
    return None


async def _live_by_claim(startup: Startup) -> dict[tuple[str, int | None, int | None, int | None], Application]:
    """The startup's live applications by (kind, year, loan, period)."""
    found: dict[tuple[str, int | None, int | None, int | None], Application] = {}
    apps = await Application.filter(startup_id=startup.id).exclude(state__in=[AppState.REJECTED, AppState.WITHDRAWN])
    for app in apps:
        year = app.period_start.year if app.kind is PolicyKind.RENT_SUBSIDY and app.period_start else None
        found[(app.kind.value, year, app.loan_id, app.period_no)] = app
    return found


def _rent_years(startup: Startup, on: dt.date) -> list[int]:
    first = (startup.admitted_on or startup.applied_on or on).year
    years = list(range(max(first, on.year - RENT_YEARS_SHOWN), on.year))
    return sorted(years, reverse=True)


async def _loan_claims(principal: Principal, startup: Startup, on: dt.date) -> list[dict[str, Any]]:
    """For each of the startup's loans, its latest period that has ended, evaluated."""
    from grants.rules.schedule import schedule

    rows: list[dict[str, Any]] = []
    for loan in await visible(principal, Loan).filter(startup_id=startup.id).order_by("start_on").limit(20):
        ended = [
            p
            for p in schedule(
                loan.principal, loan.annual_rate, loan.start_on, loan.term_months, loan.period_months, loan.method
            )
            if p.end < on
        ]
        if not ended:
            rows.append({"loan": loan, "period": None, "found": None})
            continue
        period = ended[-1]
        found = await evaluate(
            startup, Period(PolicyKind.LOAN_INTEREST, loan_id=loan.id, period_no=period.no), applied_on=on
        )
        rows.append({"loan": loan, "period": period, "found": found})
    return rows


async def subsidies(request: Request) -> Response:
    """What the startup may apply for now, with every reason, and its applications."""
    principal = page_principal(request)
    require(principal, "subsidy.view")
    startup = await _startup_for(principal, request.query_params.get("startup_id", "")[:12])
    context: dict[str, Any] = {"nav": "subsidies", "startup": startup, "apply": can(principal, "subsidy.apply")}
    if principal.startup_id is None:
        context["startups"] = (
            await visible(principal, Startup).exclude(status=StartupStatus.APPLIED).order_by("name").limit(1000)
        )
    if startup is None:
        return render(request, "grants/subsidies.html", context)
    on = today()
    live = await _live_by_claim(startup)
    grant = await evaluate(startup, Period(PolicyKind.STARTUP_GRANT), applied_on=on)
    rent: list[tuple[int, Evaluation]] = []
    for year in _rent_years(startup, on):
        rent.append((year, await evaluate(startup, Period(PolicyKind.RENT_SUBSIDY, year=year), applied_on=on)))
    context.update(
        {
            "on": on,
            "grant": grant,
            "grant_app": live.get((PolicyKind.STARTUP_GRANT.value, None, None, None)),
            "rent": [
                (year, found, live.get((PolicyKind.RENT_SUBSIDY.value, year, None, None))) for year, found in rent
            ],
            "loans": [
                {**row, "app": live.get((PolicyKind.LOAN_INTEREST.value, None, row["loan"].id, row["period"].no))}
                if row["period"] is not None
                else row
                for row in await _loan_claims(principal, startup, on)
            ],
            "applications": await Application.filter(startup_id=startup.id)
            .select_related("policy")
            .order_by("-id")
            .limit(50),
        }
    )
    return render(request, "grants/subsidies.html", context)


async def subsidy_apply(request: Request) -> Response:
    """One claim checked before applying: a loan period linked from the loan's page, a year of rent."""
    principal = page_principal(request)
    params = request.query_params
    raw = {
        "policy": params.get("policy", ""),
        "startup_id": params.get("startup_id", ""),
        "year": params.get("year", ""),
        "loan_id": params.get("loan", params.get("loan_id", "")),
        "period_no": params.get("period", params.get("period_no", "")),
    }
    try:
        data = parse_claim(raw, today=today())
        if data.kind is PolicyKind.LOAN_INTEREST and data.startup_id is None and principal.startup_id is None:
            loan = await get_visible(principal, Loan, data.loan_id)
            data = replace(data, startup_id=loan.startup_id)
        startup, found = await services.preview(principal, data)
    except ValidationFailed as exc:
        return redirect("/subsidies", "；".join(field_errors(exc).values()), request)
    live = await _live_by_claim(startup)
    app = live.get((data.kind.value, data.year, data.loan_id, data.period_no))
    fields = {k: v for k, v in raw.items() if v and k != "startup_id"}
    return render(
        request,
        "grants/subsidy_apply.html",
        {"startup": startup, "found": found, "app": app, "fields": fields, "kind": data.kind, "nav": "subsidies"},
    )


async def applications(request: Request) -> Response:
    """The applications the principal sees; operators and bureaus start from their queue."""
    principal = page_principal(request)
    require(principal, "subsidy.view")
    params = request.query_params
    state = params.get("state")
    if state is None:
        queue = QUEUE.get(principal.role.value)
        state = queue.value if queue else ""
    query = visible(principal, Application).select_related("startup", "policy", "base")
    if state in {s.value for s in AppState}:
        query = query.filter(state=state)
    kind = params.get("kind", "")
    if kind in {k.value for k in PolicyKind}:
        query = query.filter(kind=kind)
    limit, offset = window(params)
    # A queue is worked oldest first; other lists show the newest first.
    order = ("state_changed_at", "id") if state in (AppState.SUBMITTED, AppState.FORWARDED) else ("-id",)
    page = await paginate(query.order_by(*order), limit, offset)
    counts = {
        s: await visible(principal, Application).filter(state=s).count()
        for s in (AppState.SUBMITTED, AppState.FORWARDED, AppState.APPROVED, AppState.RETURNED)
    }
    on = today()
    return render(
        request,
        "grants/applications.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "states": choices("application_state"),
            "kinds": choices("policy_kind"),
            "counts": counts,
            "ages": {app.id: services.waiting_days(app, on) for app in page.items},
            "nav": "applications",
        },
    )


async def _detail_context(principal: Principal, app: Application) -> dict[str, Any]:
    await app.fetch_related("startup", "policy", "version", "base")
    events = await ApplicationEvent.filter(application_id=app.id).order_by("at", "id")
    evidence = await Evidence.filter(application_id=app.id).select_related("file").order_by("id")
    live = None
    if app.state in services.EDITABLE:
        live = await services.evaluation_of(app)
    founders = await services.current_founders(app)
    loan = await visible(principal, Loan).filter(id=app.loan_id).first() if app.loan_id else None
    return {
        "app": app,
        "events": events,
        "evidence": evidence,
        "live": live,
        "founders": founders,
        "declared": services.declared_of(app),
        "declarable": [(g, label("eligible_group", g)) for g in DECLARABLE_GROUPS],
        "steps": services.next_steps(principal, app),
        "editable": app.state in services.EDITABLE and can(principal, "subsidy.apply"),
        "loan": loan,
        "nav": "applications",
    }


async def application_detail(request: Request) -> Response:
    principal = page_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    return render(request, "grants/application.html", await _detail_context(principal, app))


async def _again(request: Request, principal: Principal, app_id: int, exc: AppError) -> Response:
    """The application page again with the refusal and what was typed."""
    app = await get_visible(principal, Application, app_id)
    context = await _detail_context(principal, app)
    errors = field_errors(exc) if isinstance(exc, ValidationFailed) else {}
    context.update(
        {"errors": errors, "message": gettext(exc.message, **exc.params), "values": values_of(form_of(request))}
    )
    return render(request, "grants/application.html", context, status_code=exc.status_code)


async def application_create(request: Request) -> Response:
    principal = page_principal(request)
    form = form_of(request)
    try:
        data = parse_claim(form, today=today())
        app = await services.create_draft(principal, data)
    except ValidationFailed as exc:
        message = "；".join(field_errors(exc).values()) or gettext(exc.message)
        back = "/subsidies" + (f"?startup_id={form.get('startup_id')}" if form.get("startup_id") else "")
        return redirect(back, message, request)
    return redirect(
        f"/applications/{app.id}", gettext("The application is started. Check it, add evidence and submit."), request
    )


async def application_update(request: Request) -> Response:
    principal = page_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    founders = {f.person_id for f in await services.current_founders(app)}
    try:
        data = parse_details(form_of(request), founders=founders)
        await services.update_details(principal, app, data)
    except AppError as exc:
        return await _again(request, principal, app.id, exc)
    return redirect(f"/applications/{app.id}", gettext("The application is saved."), request)


async def evidence_upload(request: Request) -> Response:
    principal = page_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    form = form_of(request)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed({"file": N_("Choose a file to upload.")})
        text = form.get("label")
        await services.add_evidence(principal, app, upload, str(text or "")[:100].strip())
    except AppError as exc:
        return await _again(request, principal, app.id, exc)
    return redirect(f"/applications/{app.id}", gettext("The file is attached."), request)


async def _evidence(request: Request) -> tuple[Principal, Evidence]:
    principal = page_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    evidence = await get_visible(principal, Evidence, request.path_params["evidence_id"])
    if evidence.application_id != app.id:
        raise NotFound()
    return principal, evidence


async def evidence_download(request: Request) -> Response:
    _principal, evidence = await _evidence(request)
    return file_response(await StoredFile.get(id=evidence.file_id))


async def evidence_delete(request: Request) -> Response:
    principal, evidence = await _evidence(request)
    try:
        await services.remove_evidence(principal, evidence)
    except AppError as exc:
        return await _again(request, principal, evidence.application_id, exc)
    return redirect(f"/applications/{evidence.application_id}", gettext("The file is removed."), request)


DONE = {
    AppState.SUBMITTED: N_("The application is submitted to the base for pre-review."),
    AppState.FORWARDED: N_("The application is forwarded to the bureau."),
    AppState.RETURNED: N_("The application is returned to the applicant."),
    AppState.APPROVED: N_("The application is approved; it will be published in the next notice."),
    AppState.REJECTED: N_("The application is rejected."),
    AppState.WITHDRAWN: N_("The application is withdrawn."),
}


async def application_transition(request: Request) -> Response:
    principal = page_principal(request)
    app = await get_visible(principal, Application, request.path_params["application_id"])
    try:
        data = parse_transition(form_of(request))
        await services.transition(principal, app, data)
    except AppError as exc:
        if exc.status_code in (403,):
            raise
        return await _again(request, principal, app.id, exc)
    return redirect(f"/applications/{app.id}", gettext(DONE[data.to]), request)
