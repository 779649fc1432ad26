"""Moving an application from one state to the next: the one way its state changes.

Every service that changes an application's state (submit, pre-review, review, publish in a
notice, an objection, disbursement) locks the row, checks where it stands with `guard`, then
calls `move`, which writes the timeline event, the audit event and the notifications in the
same transaction. A transition decided on a stale page (someone else acted first) is a
Conflict that names the state the application is in now, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from grants.models import Application, ApplicationEvent, AppState, Claim
from incubator import audit
from incubator.access import Principal
from incubator.errors import Conflict
from incubator.i18n import N_
from incubator.labels import label
from incubator.models import Membership, Role
from incubator.notify import notify

# What each arrival tells whom: (message, who) — who is "applicant", "base" or "bureau".
NEWS: dict[AppState, tuple[str, str]] = {
    AppState.SUBMITTED: (N_("Application %(ref)s of %(startup)s is waiting for the base's pre-review."), "base"),
    AppState.FORWARDED: (N_("Application %(ref)s of %(startup)s is waiting for the bureau's review."), "bureau"),
    AppState.RETURNED: (N_("Application %(ref)s was returned to you: %(comment)s"), "applicant"),
    AppState.APPROVED: (N_("Application %(ref)s was approved: %(amount)s."), "applicant"),
    AppState.REJECTED: (N_("Application %(ref)s was rejected: %(comment)s"), "applicant"),
    AppState.IN_NOTICE: (N_("Application %(ref)s is in a public notice until %(until)s."), "applicant"),
    AppState.PAID: (N_("Application %(ref)s was paid: %(amount)s."), "applicant"),
}
AUDITED = ("state", "row_version", "computed_amount", "approved_amount", "notice_id", "disbursement_id")


def state_label(state: AppState | str) -> str:
    return label("application_state", state)


async def lock(application_id: int) -> Application:
    """The application's row, locked until the transaction ends."""
    return await Application.filter(id=application_id).select_for_update().get()


def guard(app: Application, allowed_from: Collection[AppState], expected_version: int | None = None) -> None:
    """Refuse to act on an application that is no longer where the actor saw it."""
    stale = expected_version is not None and app.row_version != expected_version
    if stale or app.state not in allowed_from:
        raise Conflict(
            N_("Application %(ref)s has changed in the meantime: it is now “%(state)s”. Reload to see it."),
            ref=app.reference,
            state=state_label(app.state),
        )


async def recipients(app: Application, who: str) -> list[int]:
    """The users to tell: the startup's founders and its creator, the base's operators, or the bureaus above it."""
    if who == "applicant":
        query = Membership.filter(role=Role.FOUNDER, startup_id=app.startup_id)
        extra = [app.created_by_id] if app.created_by_id else []
    elif who == "base":
        query, extra = Membership.filter(role=Role.OPERATOR, base_id=app.base_id), []
    else:
        code = app.region_code
        ancestors = sorted({code[:2] + "0000", code[:4] + "00", code})
        query, extra = Membership.filter(role=Role.BUREAU, bureau__region_id__in=ancestors), []
    ids: list[int] = await query.values_list("user_id", flat=True)  # type: ignore[assignment]
    return [*ids, *extra]


async def move(
    principal: Principal,
    app: Application,
    to: AppState,
    *,
    comment: str = "",
    amount: Decimal | None = None,
    action: str = "application.transition",
    at: dt.datetime | None = None,
    changes: dict[str, Any] | None = None,
    news: dict[str, str | int] | None = None,
) -> ApplicationEvent:
    """Put a locked, guarded application into `to` (with other field `changes`), and say so.

    Call inside the caller's transaction after `lock` and `guard`.
    """
    before = audit.snapshot(app, AUDITED)
    from_state = app.state
    moment = at or dt.datetime.now(dt.UTC)
    app.state = to
    app.row_version += 1
    app.state_changed_at = moment
    for name, value in (changes or {}).items():
        setattr(app, name, value)
    await app.save()
    if to in (AppState.REJECTED, AppState.WITHDRAWN):
        await Claim.filter(application_id=app.id).delete()
    event = await ApplicationEvent.create(
        application_id=app.id,
        from_state=from_state,
        to_state=to,
        actor_id=principal.user_id or None,
        actor_name=principal.display_name or principal.username,
        actor_role=principal.role.value,
        comment=comment,
        amount=amount,
        at=moment,
    )
    await audit.record(
        principal,
        action,
        app,
        object_type="Application",
        base_id=app.base_id,
        region_code=app.region_code,
        before=before,
        after={**audit.snapshot(app, AUDITED), "comment": comment},
    )
    if to in NEWS:
        msgid, who = NEWS[to]
        from incubator.formatting import money

        await app.fetch_related("startup")
        params: dict[str, str | int] = {
            "ref": app.reference,
            "startup": app.startup.name,
            "comment": comment,
            "amount": money(app.amount),
            **(news or {}),
        }
        await notify(await recipients(app, who), msgid, params=params, link=f"/applications/{app.id}")
    return event


async def release_claims(app_ids: Iterable[int]) -> None:
    await Claim.filter(application_id__in=list(app_ids)).delete()
