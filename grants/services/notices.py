"""Public notices (公示): a bureau publishes approved applications for N working days.

The notice freezes what the public sees (`entries`: startup, founders' names masked, policy,
amount, reference) and puts each application into `in_notice` in the same transaction; a
stale application (no longer approved) fails the whole publication. The period ends on the
N-th working day counted from the first day with the national calendar and the regional
days off of the bureau's region and the regions above it. An objection received during the
period sends its application back to the bureau's review; once the period is over, the
applications still in the notice may be paid (grants.services.disbursements). A notice whose
applications are all paid or sent back is closed.

`calendar_note` keeps the years the holiday calendar did not know yet (e.g. "2027"), whose
weekdays were counted as working days; pages say so in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from grants.forms.notices import MAX_BATCH, NoticeInput, ObjectionInput
from grants.models import Application, AppState, NoticeState, Objection, PublicNotice
from grants.services import workflow
from grants.services.policies import calendar_for
from incubator import audit, formatting
from incubator.access import Principal, get_visible, require, visible
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.i18n import N_, gettext
from incubator.models import Bureau, Membership, Region
from tenants.models import Founder, FounderRole

NOTICE_FIELDS = ("title", "published_on", "working_days", "ends_on", "contact", "state", "calendar_note")
# Characters of a name that are not letters and stay visible when it is masked.
SEPARATORS = frozenset("·•・.- ")


def mask_name(name: str) -> str:
    """A name as a public notice shows it: the first character, then a star for every other letter.

    阿琼 → 阿*, 次仁卓玛 → 次***, 扎西·次仁 → 扎*·**.
    """
    name = name.strip()
    if not name:
        return ""
    return name[0] + "".join(c if c in SEPARATORS else "*" for c in name[1:])


def refused(field: str, message: str, **params: object) -> ValidationFailed:
    return ValidationFailed({field: message}, field_params={field: params} if params else None)


async def bureau_of(principal: Principal) -> Bureau:
    """The bureau the officer acts for (their active membership's)."""
    membership = await Membership.get_or_none(id=principal.membership_id or 0)
    if membership is None or membership.bureau_id is None:
        raise Forbidden()
    return await Bureau.get(id=membership.bureau_id)


def visible_notices(principal: Principal) -> QuerySet[PublicNotice]:
    """The notices of the officer's region and below it (all of them for the admin)."""
    require(principal, "subsidy.batches")
    return visible(principal, PublicNotice)


async def get_notice(principal: Principal, notice_id: int) -> PublicNotice:
    notice = await get_visible(principal, PublicNotice, notice_id, related=("bureau",))
    require(principal, "subsidy.batches", notice)
    return notice


async def public_notice(notice_id: int) -> PublicNotice:
    """A notice as anyone may read it, logged in or not: published notices are public by nature."""
    notice = await PublicNotice.filter(id=notice_id).select_related("bureau").first()
    if notice is None:
        raise NotFound()
    return notice


def waiting(principal: Principal) -> QuerySet[Application]:
    """Approved applications the officer sees that wait for a public notice."""
    return visible(principal, Application).filter(state=AppState.APPROVED)


def period_over(notice: PublicNotice, on: dt.date | None = None) -> bool:
    """Whether the notice's period has ended before `on` (today): its applications may be paid."""
    return (on or formatting.today()) > notice.ends_on


def running(notice: PublicNotice, on: dt.date | None = None) -> bool:
    day = on or formatting.today()
    return notice.published_on <= day <= notice.ends_on


def entries_total(notice: PublicNotice) -> Decimal:
    return sum((Decimal(entry["amount"]) for entry in notice.entries or []), Decimal("0.00"))


def entry_ids(notice: PublicNotice) -> list[int]:
    return [int(entry["application_id"]) for entry in notice.entries or []]


def _approved_on(app: Application) -> dt.date | None:
    moment = app.state_changed_at
    return moment.astimezone(formatting.CHINA).date() if moment else None


async def _founders(startup_ids: Iterable[int]) -> dict[int, str]:
    """Each startup's current founders, masked, the legal representative first: 阿*、洛**."""
    rows = (
        await Founder.filter(startup_id__in=list(startup_ids), left_on=None)
        .order_by("joined_on", "id")
        .values_list("startup_id", "person__name", "role")
    )
    names: dict[int, list[tuple[bool, str]]] = defaultdict(list)
    for startup_id, name, role in rows:
        names[startup_id].append((role != FounderRole.LEGAL_REPRESENTATIVE, mask_name(str(name))))
    return {key: "、".join(name for _rank, name in sorted(value, key=lambda n: n[0])) for key, value in names.items()}


async def _default_title(bureau: Bureau, year: int) -> str:
    """e.g. 昌都市2026年第2批创业补贴公示: the bureau's notices of the year, counted under its lock."""
    region = await Region.get_or_none(code=bureau.region_id)
    published = await PublicNotice.filter(
        bureau_id=bureau.id, published_on__gte=dt.date(year, 1, 1), published_on__lte=dt.date(year, 12, 31)
    ).count()
    return gettext(
        "%(region)s %(year)d start-up subsidies public notice, batch %(n)d",
        region=region.name if region else bureau.name,
        year=year,
        n=published + 1,
    )


async def _chosen(principal: Principal, data: NoticeInput) -> list[Application]:
    if data.application_ids is None:
        apps = await waiting(principal).select_related("startup", "policy", "base").order_by("id").limit(MAX_BATCH + 1)
        if not apps:
            raise refused("application_ids", N_("No approved application is waiting for a public notice."))
        if len(apps) > MAX_BATCH:
            raise refused(
                "application_ids",
                N_("More than %(max)d approved applications are waiting: choose some."),
                max=MAX_BATCH,
            )
        return list(apps)
    apps = (
        await visible(principal, Application)
        .filter(id__in=list(data.application_ids))
        .select_related("startup", "policy", "base")
        .order_by("id")
    )
    if len(apps) != len(data.application_ids):
        raise refused("application_ids", N_("Choose from the listed applications."))
    return list(apps)


def _entry(position: int, app: Application, loaded: Application, founders: dict[int, str]) -> dict[str, Any]:
    return {
        "position": position,
        "application_id": app.id,
        "reference": app.reference,
        "startup": loaded.startup.name,
        "founders": founders.get(app.startup_id, ""),
        "policy": loaded.policy.name,
        "kind": app.kind.value,
        "base": loaded.base.name,
        "amount": str(formatting.to_fen(app.amount)),
    }


async def publish(principal: Principal, data: NoticeInput) -> PublicNotice:
    """Publish approved applications in a notice running `working_days` working days from `published_on`."""
    require(principal, "subsidy.review")
    bureau = await bureau_of(principal)
    apps = await _chosen(principal, data)
    for app in apps:
        approved_on = _approved_on(app) if app.state is AppState.APPROVED else None
        if approved_on is not None and data.published_on < approved_on:
            raise refused(
                "published_on",
                N_("The notice cannot start before application %(ref)s was approved (%(date)s)."),
                ref=app.reference,
                date=formatting.date(approved_on),
            )
    calendar = await calendar_for(bureau.region_id)
    ends_on = calendar.add_working_days(data.published_on, data.working_days)
    founders = await _founders({app.startup_id for app in apps})
    async with in_transaction():
        # The bureau's row is the lock under which notices (and batches) of the year are counted.
        await Bureau.filter(id=bureau.id).select_for_update().get()
        notice = await PublicNotice.create(
            bureau_id=bureau.id,
            region_code=bureau.region_id,
            title=data.title or await _default_title(bureau, data.published_on.year),
            published_on=data.published_on,
            working_days=data.working_days,
            ends_on=ends_on,
            contact=data.contact,
            entries=[],
            calendar_note=", ".join(str(year) for year in sorted(calendar.unknown_years)),
            published_by_id=principal.user_id or None,
        )
        entries = []
        for position, loaded in enumerate(apps, start=1):
            app = await workflow.lock(loaded.id)
            workflow.guard(app, {AppState.APPROVED})
            entries.append(_entry(position, app, loaded, founders))
            await workflow.move(
                principal,
                app,
                AppState.IN_NOTICE,
                action="application.in_notice",
                changes={"notice_id": notice.id},
                news={"until": ends_on.isoformat()},
            )
        notice.entries = entries
        await notice.save(update_fields=["entries"])
        await audit.record(
            principal,
            "notice.published",
            notice,
            region_code=notice.region_code,
            after={
                **audit.snapshot(notice, NOTICE_FIELDS),
                "applications": [entry["reference"] for entry in entries],
                "total": entries_total(notice),
            },
        )
    return notice


async def record_objection(principal: Principal, notice: PublicNotice, data: ObjectionInput) -> Objection:
    """Record an objection received during the notice and send its application back to the bureau's review."""
    require(principal, "subsidy.review", notice)
    if data.application_id not in entry_ids(notice):
        raise refused("application_id", N_("Choose an application of this notice."))
    if not notice.published_on <= data.received_on <= notice.ends_on:
        raise refused(
            "received_on",
            N_("Objections are recorded for the notice period only: %(start)s to %(end)s."),
            start=formatting.date(notice.published_on),
            end=formatting.date(notice.ends_on),
        )
    async with in_transaction():
        app = await workflow.lock(data.application_id)
        workflow.guard(app, {AppState.IN_NOTICE})
        if app.notice_id != notice.id:
            raise Conflict(
                N_("Application %(ref)s is now in another public notice. Reload to see it."), ref=app.reference
            )
        if app.disbursement_id is not None:
            raise refused(
                "application_id",
                N_("Application %(ref)s is in a payment batch: remove it from the batch first."),
                ref=app.reference,
            )
        objection = await Objection.create(
            notice_id=notice.id,
            application_id=app.id,
            region_code=notice.region_code,
            received_on=data.received_on,
            objector=data.objector,
            content=data.content,
            recorded_by_id=principal.user_id or None,
        )
        await workflow.move(
            principal,
            app,
            AppState.FORWARDED,
            comment=data.content,
            action="application.objection",
            changes={"notice_id": None},
        )
        await audit.record(
            principal,
            "notice.objection",
            objection,
            region_code=notice.region_code,
            after={
                "notice_id": notice.id,
                "application": app.reference,
                "received_on": data.received_on,
                "objector": data.objector,
                "content": data.content,
            },
        )
        await close_settled(principal, [notice.id])
    return objection


async def close_settled(principal: Principal, notice_ids: Iterable[int]) -> list[int]:
    """Close the open notices none of whose applications is still in notice (all paid or sent back)."""
    closed = []
    for notice in await PublicNotice.filter(id__in=sorted(set(notice_ids)), state=NoticeState.OPEN):
        if await Application.filter(notice_id=notice.id, state=AppState.IN_NOTICE).exists():
            continue
        notice.state = NoticeState.CLOSED
        await notice.save(update_fields=["state"])
        await audit.record(
            principal,
            "notice.closed",
            notice,
            region_code=notice.region_code,
            before={"state": NoticeState.OPEN},
            after={"state": NoticeState.CLOSED},
        )
        closed.append(notice.id)
    return closed


async def state_counts(notice_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """How many applications of each notice are in each state now (sent-back ones have left it)."""
    rows = (
        await Application.filter(notice_id__in=list(notice_ids))
        .annotate(n=Count("id"))
        .group_by("notice_id", "state")
        .values("notice_id", "state", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        state = row["state"].value if isinstance(row["state"], AppState) else str(row["state"])
        counts[int(row["notice_id"])][state] = int(row["n"])
    return counts
