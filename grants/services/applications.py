"""Subsidy applications: drafting, evidence, submitting, the base's pre-review and the bureau's review.

A founder (or the base's operator for them) drafts an application for a policy and period,
sees the decision with its trace, adds the payee and evidence, and submits: the decision is
evaluated again, frozen on the application, and its subjects are claimed in the same
transaction, so a second claim on a person, an enterprise, a year of rent or a loan period
fails in the database even when two arrive at once. The base forwards or returns it; the
bureau returns, rejects or approves it, the decision frozen again at approval.
"""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import UploadFile
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from grants.explain import step_text
from grants.forms.applications import ClaimInput, DetailsInput, TransitionInput
from grants.models import (
    Application,
    ApplicationEvent,
    AppState,
    Claim,
    Evidence,
    Loan,
    PolicyKind,
)
from grants.services import workflow
from grants.services.eligibility import Evaluation, Period, evaluate, founders_on
from incubator import audit
from incubator.access import Principal, can, get_visible, require
from incubator.errors import Conflict, Forbidden, ValidationFailed
from incubator.files import store_upload
from incubator.formatting import CHINA, money, today
from incubator.i18n import N_
from incubator.models import StoredFile
from tenants.models import Founder, Startup

EDITABLE = frozenset({AppState.DRAFT, AppState.RETURNED})
WITHDRAWABLE = frozenset({AppState.DRAFT, AppState.SUBMITTED, AppState.RETURNED})
MAX_EVIDENCE = 20
DETAIL_FIELDS = ("payee_name", "payee_bank", "payee_account", "note", "declared")


def moment(day: dt.date | None) -> dt.datetime:
    """Now, or a working morning of an earlier day (for applications entered as of a past date)."""
    if day is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=CHINA).astimezone(dt.UTC)


def period_of(app: Application) -> Period:
    year = app.period_start.year if app.kind is PolicyKind.RENT_SUBSIDY and app.period_start else None
    return Period(app.kind, year=year, loan_id=app.loan_id, period_no=app.period_no)


def declared_of(app: Application) -> dict[int, frozenset[str]]:
    return {int(pid): frozenset(groups) for pid, groups in (app.declared or {}).items()}


def applied_on(app: Application) -> dt.date:
    """The day the application counts as made: its submission, or today for a draft."""
    if app.submitted_at is not None and app.state not in EDITABLE:
        return app.submitted_at.astimezone(dt.UTC).date()
    return today()


async def evaluation_of(app: Application, *, on: dt.date | None = None) -> Evaluation:
    startup = await Startup.get(id=app.startup_id)
    return await evaluate(
        startup, period_of(app), applied_on=on or applied_on(app), declared=declared_of(app), exclude=app.id
    )


async def _claim_startup(principal: Principal, data: ClaimInput) -> Startup:
    """The startup the application is for: the founder's own, or one of the operator's base."""
    require(principal, "subsidy.apply")
    if principal.startup_id is not None:
        return await get_visible(principal, Startup, principal.startup_id)
    if data.startup_id is None:
        raise ValidationFailed({"startup_id": N_("Choose the startup.")})
    return await get_visible(principal, Startup, data.startup_id)


async def _live_twin(startup: Startup, data: ClaimInput) -> Application | None:
    """The startup's application for the same policy and period that is still alive, if any."""
    query = Application.filter(startup_id=startup.id, kind=data.kind).exclude(
        state__in=[AppState.REJECTED, AppState.WITHDRAWN]
    )
    if data.kind is PolicyKind.RENT_SUBSIDY and data.year is not None:
        query = query.filter(period_start=dt.date(data.year, 1, 1))
    elif data.kind is PolicyKind.LOAN_INTEREST:
        query = query.filter(loan_id=data.loan_id, period_no=data.period_no)
    return await query.first()


async def preview(principal: Principal, data: ClaimInput, *, on: dt.date | None = None) -> tuple[Startup, Evaluation]:
    """The decision the startup would get if it applied today (nothing is written)."""
    startup = await _claim_startup(principal, data)
    if data.kind is PolicyKind.LOAN_INTEREST:
        await get_visible(principal, Loan, data.loan_id)
    period = Period(data.kind, year=data.year, loan_id=data.loan_id, period_no=data.period_no)
    return startup, await evaluate(startup, period, applied_on=on or today())


async def create_draft(principal: Principal, data: ClaimInput, *, on: dt.date | None = None) -> Application:
    """Start an application; refused when the startup already has one for this policy and period.

    `on` enters it as of an earlier day (the demo's history); the pages always use today.
    """
    startup, found = await preview(principal, data, on=on)
    twin = await _live_twin(startup, data)
    if twin is not None:
        raise ValidationFailed(
            {"policy": N_("This startup already has application %(ref)s for this; continue with it.")},
            field_params={"policy": {"ref": twin.reference}},
        )
    if found.policy is None or found.version is None:
        raise ValidationFailed({"policy": N_("No policy of this kind is in force for the startup's region.")})
    if data.kind is PolicyKind.STARTUP_GRANT and found.decision.reasons:
        # Someone already holds the enterprise's grant: say so now rather than at submission.
        held = found.decision.trace
        claimed = [s for s in held if s.msgid == "The enterprise already has this grant in application %(ref)s."]
        if claimed:
            raise ValidationFailed({"policy": step_text(claimed[0])})
    await startup.fetch_related("base")
    async with in_transaction():
        app = await Application.create(
            policy_id=found.policy.id,
            version_id=found.version.id,
            kind=data.kind,
            startup_id=startup.id,
            base_id=startup.base_id,
            region_code=startup.base.region_id,
            period_start=found.period_start,
            period_end=found.period_end,
            loan_id=data.loan_id if data.kind is PolicyKind.LOAN_INTEREST else None,
            period_no=data.period_no if data.kind is PolicyKind.LOAN_INTEREST else None,
            computed_amount=found.decision.amount,
            payee_name=startup.name,
            created_by_id=principal.user_id or None,
            state_changed_at=moment(on),
        )
        if on is not None:
            await Application.filter(id=app.id).update(created_at=app.state_changed_at)
        await app.refresh_from_db(fields=["created_at"])
        await ApplicationEvent.create(
            application_id=app.id,
            from_state=None,
            to_state=AppState.DRAFT,
            actor_id=principal.user_id or None,
            actor_name=principal.display_name or principal.username,
            actor_role=principal.role.value,
            at=app.state_changed_at,
        )
        await audit.record(
            principal,
            "application.created",
            app,
            object_type="Application",
            base_id=app.base_id,
            region_code=app.region_code,
            after=audit.snapshot(
                app, ("kind", "startup_id", "period_start", "loan_id", "period_no", "computed_amount")
            ),
        )
    return app


def _may_apply_for(principal: Principal, app: Application) -> None:
    require(principal, "subsidy.apply")


async def update_details(principal: Principal, app: Application, data: DetailsInput) -> Application:
    """The payee, the note and the groups declared: while the application is with the applicant."""
    _may_apply_for(principal, app)
    async with in_transaction():
        current = await workflow.lock(app.id)
        if current.state not in EDITABLE:
            raise Conflict(N_("Only a draft or a returned application can be changed."))
        before = audit.snapshot(current, DETAIL_FIELDS)
        current.payee_name = data.payee_name
        current.payee_bank = data.payee_bank
        current.payee_account = data.payee_account
        current.note = data.note
        current.declared = {str(pid): sorted(groups) for pid, groups in data.declared.items()}
        found = await evaluation_of(current)
        current.computed_amount = found.decision.amount
        if found.version is not None:
            current.version_id = found.version.id
        await current.save()
        await audit.record(
            principal,
            "application.updated",
            current,
            object_type="Application",
            base_id=current.base_id,
            region_code=current.region_code,
            before=before,
            after=audit.snapshot(current, DETAIL_FIELDS),
        )
    return current


async def current_founders(app: Application) -> list[Founder]:
    return await founders_on(app.startup_id, applied_on(app))


async def add_evidence(principal: Principal, app: Application, upload: UploadFile, label: str) -> Evidence:
    _may_apply_for(principal, app)
    async with in_transaction():
        current = await workflow.lock(app.id)
        if current.state not in EDITABLE:
            raise Conflict(N_("Evidence can be added only while the application is a draft or returned."))
        if await Evidence.filter(application_id=app.id).count() >= MAX_EVIDENCE:
            raise ValidationFailed(
                {"file": N_("At most %(count)s files per application.")}, field_params={"file": {"count": MAX_EVIDENCE}}
            )
        stored = await store_upload(principal, upload, base_id=current.base_id)
        evidence = await Evidence.create(
            application_id=app.id, file_id=stored.id, label=label, uploaded_by_id=principal.user_id or None
        )
        await audit.record(
            principal,
            "application.evidence_added",
            evidence,
            object_type="Evidence",
            base_id=current.base_id,
            region_code=current.region_code,
            after={"application_id": app.id, "file": stored.filename, "sha256": stored.sha256, "label": label},
        )
    return evidence


async def remove_evidence(principal: Principal, evidence: Evidence) -> None:
    async with in_transaction():
        current = await workflow.lock(evidence.application_id)
        _may_apply_for(principal, current)
        if current.state not in EDITABLE:
            raise Conflict(N_("Evidence can be removed only while the application is a draft or returned."))
        stored = await StoredFile.get(id=evidence.file_id)
        await evidence.delete()
        await audit.record(
            principal,
            "application.evidence_removed",
            object_type="Evidence",
            object_id=evidence.id,
            base_id=current.base_id,
            region_code=current.region_code,
            before={"application_id": current.id, "file": stored.filename, "sha256": stored.sha256},
        )


def _payee_errors(app: Application) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not app.payee_name:
        errors["payee_name"] = N_("Enter who receives the money.")
    if not app.payee_bank:
        errors["payee_bank"] = N_("Enter the bank of the account.")
    if not app.payee_account:
        errors["payee_account"] = N_("Enter the bank account number: 8 to 34 digits.")
    return errors


async def submit(
    principal: Principal,
    app_id: int,
    *,
    comment: str = "",
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> Application:
    """Evaluate again, freeze the decision, claim its subjects and hand the application to the base."""
    async with in_transaction():
        app = await workflow.lock(app_id)
        _may_apply_for(principal, app)
        workflow.guard(app, EDITABLE, expected_version)
        errors = _payee_errors(app)
        if not await Evidence.filter(application_id=app.id).exists():
            errors["file"] = N_("Attach at least one piece of evidence.")
        if errors:
            raise ValidationFailed(errors)
        day = on or today()
        found = await evaluation_of(app, on=day)
        if found.version is None or not found.decision.eligible:
            reasons = found.decision.reasons
            raise ValidationFailed(
                {"__all__": N_("The application cannot be submitted: %(reason)s")},
                field_params={"__all__": {"reason": step_text(reasons[0]) if reasons else ""}},
            )
        await Claim.filter(application_id=app.id).delete()
        try:
            async with in_transaction():
                for subject in found.decision.subjects:
                    await Claim.create(kind=app.kind, subject=subject, application_id=app.id)
        except IntegrityError:
            raise Conflict(
                N_("Another application claimed the same subsidy a moment ago. Reload to see the new decision.")
            ) from None
        await workflow.move(
            principal,
            app,
            AppState.SUBMITTED,
            comment=comment,
            amount=found.decision.amount,
            action="application.submitted",
            at=moment(on),
            changes={
                "computed_amount": found.decision.amount,
                "version_id": found.version.id,
                "submitted_decision": found.frozen(),
                "submitted_at": moment(on),
            },
        )
    return app


async def prereview(
    principal: Principal, app_id: int, data: TransitionInput, *, on: dt.date | None = None
) -> Application:
    """The base forwards the application to the bureau, or returns it to the applicant."""
    require(principal, "subsidy.prereview")
    async with in_transaction():
        app = await workflow.lock(app_id)
        workflow.guard(app, {AppState.SUBMITTED}, data.version)
        await workflow.move(
            principal, app, data.to, comment=data.comment, action=f"application.{data.to.value}", at=moment(on)
        )
    return app


async def review(principal: Principal, app_id: int, data: TransitionInput, *, on: dt.date | None = None) -> Application:
    """The bureau returns, rejects or approves (with an amount, lower or higher only with a reason)."""
    require(principal, "subsidy.review")
    async with in_transaction():
        app = await workflow.lock(app_id)
        workflow.guard(app, {AppState.FORWARDED}, data.version)
        if data.to is not AppState.APPROVED:
            await workflow.move(
                principal, app, data.to, comment=data.comment, action=f"application.{data.to.value}", at=moment(on)
            )
            return app
        found = await evaluation_of(app)
        if found.version is None or not found.decision.eligible:
            reasons = found.decision.reasons
            raise ValidationFailed(
                {"__all__": N_("The application is no longer eligible: %(reason)s")},
                field_params={"__all__": {"reason": step_text(reasons[0]) if reasons else ""}},
            )
        computed = found.decision.amount
        amount = data.amount if data.amount is not None else computed
        if amount != computed and not data.comment:
            raise ValidationFailed(
                {"comment": N_("The amount differs from the computed %(computed)s: say why.")},
                field_params={"comment": {"computed": money(computed)}},
            )
        await workflow.move(
            principal,
            app,
            AppState.APPROVED,
            comment=data.comment,
            amount=amount,
            action="application.approved",
            at=moment(on),
            changes={
                "approved_amount": amount,
                "approval_reason": data.comment if amount != computed else "",
                "computed_amount": computed,
                "approved_decision": found.frozen(),
            },
        )
    return app


async def withdraw(principal: Principal, app_id: int, data: TransitionInput) -> Application:
    async with in_transaction():
        app = await workflow.lock(app_id)
        _may_apply_for(principal, app)
        workflow.guard(app, WITHDRAWABLE, data.version)
        await workflow.move(principal, app, AppState.WITHDRAWN, comment=data.comment, action="application.withdrawn")
    return app


# Who may ask for which arrival, and from where.
async def transition(principal: Principal, app: Application, data: TransitionInput) -> Application:
    """One entry for the pages and the API: the transition asked for, by whoever may make it."""
    if data.to is AppState.SUBMITTED:
        return await submit(principal, app.id, comment=data.comment, expected_version=data.version)
    if data.to is AppState.WITHDRAWN:
        return await withdraw(principal, app.id, data)
    if (data.to is AppState.RETURNED and principal.role.value == "operator") or data.to is AppState.FORWARDED:
        return await prereview(principal, app.id, data)
    if data.to in (AppState.RETURNED, AppState.REJECTED, AppState.APPROVED):
        return await review(principal, app.id, data)
    raise Forbidden()


def next_steps(principal: Principal, app: Application) -> list[AppState]:
    """The transitions the principal may ask for now (what the page offers)."""
    steps: list[AppState] = []
    if can(principal, "subsidy.apply"):
        if app.state in EDITABLE:
            steps.append(AppState.SUBMITTED)
        if app.state in WITHDRAWABLE:
            steps.append(AppState.WITHDRAWN)
    if can(principal, "subsidy.prereview") and app.state is AppState.SUBMITTED:
        steps += [AppState.FORWARDED, AppState.RETURNED]
    if can(principal, "subsidy.review") and app.state is AppState.FORWARDED:
        steps += [AppState.APPROVED, AppState.RETURNED, AppState.REJECTED]
    return steps


def waiting_days(app: Application, on: dt.date | None = None) -> int:
    """Days the application has been in its state (the queue's age)."""
    since = (app.state_changed_at or app.created_at).astimezone(dt.UTC).date()
    return max(((on or today()) - since).days, 0)
