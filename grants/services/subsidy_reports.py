"""Subsidy figures and the ledger of subsidies: money applied, approved and paid, computed in SQL.

What each figure counts (the dashboard says it in words as well):

- applied: the computed amount of every application submitted (any state but draft and
  withdrawn), on the day it was submitted (`submitted_at`, in Asia/Shanghai);
- approved: the approved amount of applications approved, in public notice or paid, on the
  day of their approval: the application's latest timeline event into "approved" (an
  objection sends an application back to review, and its last approval is the one that
  stands). `state_changed_at` is not used: it moves on with the notice and the payment;
- paid: the approved amount of paid applications, on `paid_on`.

Every figure is a GROUP BY or a filtered aggregate over the applications the principal sees
(`access.visible`: a bureau its region's subtree, an operator its base, a founder its startup);
no application is read into Python to be added up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max, Min, Sum
from tortoise.queryset import QuerySet

from grants.forms.subsidy_reports import LedgerQuery
from grants.models import Application, ApplicationEvent, AppState, PolicyKind
from incubator.access import Principal, require, visible
from incubator.formatting import CHINA, month, today
from incubator.i18n import N_, gettext
from incubator.labels import label
from incubator.models import Base, Region
from incubator.regions import subtree_filter
from tenants.models import Startup

ZERO = Decimal("0.00")
NOT_APPLIED = (AppState.DRAFT, AppState.WITHDRAWN)
APPROVED_STATES = (AppState.APPROVED, AppState.IN_NOTICE, AppState.PAID)
UNPAID_STATES = (AppState.APPROVED, AppState.IN_NOTICE)
MEASURES = ("applied", "approved", "paid")
AMOUNT_OF = {"applied": "computed_amount", "approved": "approved_amount", "paid": "approved_amount"}
# What waits for whom in the review queue.
QUEUES = (
    (AppState.SUBMITTED, N_("Waiting for the base's pre-review")),
    (AppState.FORWARDED, N_("Waiting for the bureau's review")),
)
# The ledger's totals per startup are capped on the page; the export has them all.
TOTALS_SHOWN = 100

RULES = {
    "applied": N_(
        "Applied: the computed amount of every application submitted (rejected and returned ones "
        "included, drafts and withdrawn ones not), in the month it was submitted."
    ),
    "approved": N_(
        "Approved: the approved amount of applications approved, in public notice or paid, in the "
        "month of their last approval."
    ),
    "paid": N_("Paid: the approved amount of paid applications, in the month they were paid."),
}


@dataclass(frozen=True)
class Amount:
    """How many applications and how much money."""

    count: int = 0
    amount: Decimal = ZERO


@dataclass(frozen=True)
class FigureRow:
    """Money applied, approved and paid for one policy kind, base or month (or in all)."""

    key: str
    label: str
    applied: Amount = field(default_factory=Amount)
    approved: Amount = field(default_factory=Amount)
    paid: Amount = field(default_factory=Amount)

    def of(self, measure: str) -> Amount:
        amount: Amount = getattr(self, measure)
        return amount


@dataclass(frozen=True)
class QueueAge:
    """How many applications wait in a queue, and for how many days the oldest has waited."""

    state: AppState
    label: str
    count: int
    oldest_days: int | None


@dataclass(frozen=True)
class Dashboard:
    year: int
    by_policy: list[FigureRow]
    by_base: list[FigureRow]
    by_month: list[FigureRow]
    total: FigureRow
    queue: list[QueueAge]


def _fen(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else ZERO


def _moment(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day in Asia/Shanghai, as the UTC instant timestamps are kept in."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA).astimezone(dt.UTC)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """[1 January, next 1 January)."""
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def month_bounds(year: int) -> list[tuple[dt.date, dt.date]]:
    """The twelve months of the year, each as [first day, first day of the next month)."""
    starts = [dt.date(year, m, 1) for m in range(1, 13)]
    return list(zip(starts, [*starts[1:], dt.date(year + 1, 1, 1)], strict=True))


def _approved_between(start: dt.date, end: dt.date) -> Subquery:
    """Ids of the applications whose latest approval fell in [start, end)."""
    latest = (
        ApplicationEvent.filter(to_state=AppState.APPROVED)
        .group_by("application_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    approvals = ApplicationEvent.filter(id__in=Subquery(latest), at__gte=_moment(start), at__lt=_moment(end))
    return Subquery(approvals.values("application_id"))


def _window(measure: str, start: dt.date, end: dt.date) -> Q:
    """The applications that count for a measure in [start, end)."""
    if measure == "applied":
        return Q(submitted_at__gte=_moment(start), submitted_at__lt=_moment(end))
    if measure == "approved":
        return Q(id__in=_approved_between(start, end))
    return Q(paid_on__gte=start, paid_on__lt=end)


def _counted(principal: Principal, measure: str) -> QuerySet[Application]:
    """The visible applications a measure may count, whenever they count."""
    query = visible(principal, Application)
    if measure == "applied":
        return query.filter(submitted_at__isnull=False).exclude(state__in=NOT_APPLIED)
    if measure == "approved":
        return query.filter(state__in=APPROVED_STATES)
    return query.filter(state=AppState.PAID)


async def _grouped(principal: Principal, measure: str, column: str, year: int) -> dict[str, Amount]:
    start, end = year_bounds(year)
    rows = (
        await _counted(principal, measure)
        .filter(_window(measure, start, end))
        .group_by(column)
        .annotate(n=Count("id"), total=Sum(AMOUNT_OF[measure]))
        .order_by(column)
        .values(column, "n", "total")
    )
    return {str(row[column]): Amount(int(row["n"]), _fen(row["total"])) for row in rows}


async def _monthly(principal: Principal, measure: str, year: int) -> list[Amount]:
    """Twelve filtered aggregates in one statement: portable, and months follow Asia/Shanghai."""
    sums: dict[str, Any] = {}
    for number, (start, end) in enumerate(month_bounds(year), start=1):
        window = _window(measure, start, end)
        sums[f"n{number}"] = Count("id", _filter=window)
        sums[f"a{number}"] = Sum(AMOUNT_OF[measure], _filter=window)
    start, end = year_bounds(year)
    rows = await _counted(principal, measure).filter(_window(measure, start, end)).annotate(**sums).values(*sums)
    row = rows[0] if rows else {}
    return [Amount(int(row.get(f"n{m}") or 0), _fen(row.get(f"a{m}"))) for m in range(1, 13)]


def _row(key: str, text: str, amounts: Mapping[str, Amount]) -> FigureRow:
    return FigureRow(key, text, amounts["applied"], amounts["approved"], amounts["paid"])


def _rows(keys: Sequence[tuple[str, str]], found: dict[str, dict[str, Amount]]) -> list[FigureRow]:
    return [_row(key, text, {m: found[m].get(key, Amount()) for m in MEASURES}) for key, text in keys]


async def _base_names(principal: Principal, ids: set[str]) -> list[tuple[str, str]]:
    numbers = [int(i) for i in ids]
    rows = await visible(principal, Base).filter(id__in=numbers).order_by("region_id", "name").values_list("id", "name")
    return [(str(pk), str(name)) for pk, name in rows]


async def figures(principal: Principal, year: int, by: str) -> list[FigureRow]:
    """Money applied, approved and paid in `year`, by policy kind, base or month."""
    require(principal, "subsidy.figures")
    if by == "month":
        monthly = {m: await _monthly(principal, m, year) for m in MEASURES}
        return [
            _row(f"{year}-{n:02d}", month(dt.date(year, n, 1)), {m: monthly[m][n - 1] for m in MEASURES})
            for n in range(1, 13)
        ]
    column = "kind" if by == "policy" else "base_id"
    found = {m: await _grouped(principal, m, column, year) for m in MEASURES}
    if by == "policy":
        keys = [(kind.value, label("policy_kind", kind)) for kind in PolicyKind]
    else:
        keys = await _base_names(principal, {key for amounts in found.values() for key in amounts})
    return _rows(keys, found)


def total_of(rows: Sequence[FigureRow]) -> FigureRow:
    """The sum of figure rows (each application is in one row of a grouping, so this is the year's total)."""
    totals = {m: Amount(sum(r.of(m).count for r in rows), sum((r.of(m).amount for r in rows), ZERO)) for m in MEASURES}
    return _row("total", gettext("Total"), totals)


async def review_queue(principal: Principal) -> list[QueueAge]:
    """How many visible applications wait for the base and for the bureau, and the oldest wait in days."""
    rows = (
        await visible(principal, Application)
        .filter(state__in=[state for state, _text in QUEUES])
        .group_by("state")
        .annotate(n=Count("id"), oldest=Min("state_changed_at"))
        .order_by("state")
        .values("state", "n", "oldest")
    )
    found = {str(row["state"]): row for row in rows}
    now = today()
    queue = []
    for state, text in QUEUES:
        row = found.get(state.value)
        oldest = _timestamp(row["oldest"]) if row else None
        days = (now - oldest.astimezone(CHINA).date()).days if oldest else None
        queue.append(QueueAge(state, gettext(text), int(row["n"]) if row else 0, days))
    return queue


def _timestamp(value: Any) -> dt.datetime | None:
    # SQLite hands an aggregate of a timestamp back as text.
    if value is None or isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def dashboard(principal: Principal, year: int) -> Dashboard:
    """Everything the dashboard shows for a year."""
    require(principal, "subsidy.figures")
    by_policy = await figures(principal, year, "policy")
    return Dashboard(
        year=year,
        by_policy=by_policy,
        by_base=await figures(principal, year, "base"),
        by_month=await figures(principal, year, "month"),
        total=total_of(by_policy),
        queue=await review_queue(principal),
    )


# --- the ledger -------------------------------------------------------------------------------


def ledger_rows(principal: Principal, query: LedgerQuery) -> QuerySet[Application]:
    """Subsidies approved, in notice or paid that the principal sees, filtered; newest application first."""
    return _ledger(principal, query).order_by("-id")


def _ledger(principal: Principal, query: LedgerQuery) -> QuerySet[Application]:
    # No ORDER BY: the totals aggregate over it.
    require(principal, "subsidy.view")
    rows = visible(principal, Application).filter(state__in=APPROVED_STATES)
    if query.kind is not None:
        rows = rows.filter(kind=query.kind)
    if query.base_id is not None:
        rows = rows.filter(base_id=query.base_id)
    if query.startup_id is not None:
        rows = rows.filter(startup_id=query.startup_id)
    if query.region_code is not None:
        rows = rows.filter(**subtree_filter("region_code", query.region_code))
    if query.year is not None:
        # A paid subsidy belongs to the year it was paid; one not paid yet to the year of its approval.
        start, end = year_bounds(query.year)
        rows = rows.filter(
            Q(state=AppState.PAID, paid_on__gte=start, paid_on__lt=end)
            | Q(state__in=UNPAID_STATES, id__in=_approved_between(start, end))
        )
    return rows


@dataclass(frozen=True)
class Total:
    """The ledger's money for one startup, base or region (or in all): paid, and approved not yet paid."""

    key: str
    label: str
    count: int
    paid: Decimal
    unpaid: Decimal

    @property
    def amount(self) -> Decimal:
        return self.paid + self.unpaid


def _total_sums() -> dict[str, Any]:
    return {
        "n": Count("id"),
        "paid": Sum("approved_amount", _filter=Q(state=AppState.PAID)),
        "unpaid": Sum("approved_amount", _filter=Q(state__in=UNPAID_STATES)),
    }


async def ledger_total(principal: Principal, query: LedgerQuery) -> Total:
    """The ledger's money in all: every entry matching the filters, not only one page."""
    sums = _total_sums()
    rows = await _ledger(principal, query).annotate(**sums).values(*sums)
    row = rows[0] if rows else {}
    return Total("total", gettext("Total"), int(row.get("n") or 0), _fen(row.get("paid")), _fen(row.get("unpaid")))


async def ledger_totals(principal: Principal, query: LedgerQuery, by: str, *, limit: int | None = None) -> list[Total]:
    """The ledger's totals per startup, base or region (GROUP BY), in id / code order."""
    column = {"startup": "startup_id", "base": "base_id", "region": "region_code"}[by]
    sums = _total_sums()
    grouped = _ledger(principal, query).group_by(column).annotate(**sums).order_by(column)
    if limit is not None:
        grouped = grouped.limit(limit)
    rows = await grouped.values(column, *sums)
    keys = [row[column] for row in rows]
    if by == "startup":
        names = dict(await visible(principal, Startup).filter(id__in=keys).values_list("id", "name"))
    elif by == "base":
        names = dict(await visible(principal, Base).filter(id__in=keys).values_list("id", "name"))
    else:
        names = dict(await visible(principal, Region).filter(code__in=keys).values_list("code", "name"))
    return [
        Total(
            str(row[column]),
            str(names.get(row[column], row[column])),
            int(row["n"]),
            _fen(row["paid"]),
            _fen(row["unpaid"]),
        )
        for row in rows
    ]


async def ledger_groups(principal: Principal, query: LedgerQuery, by: str) -> int:
    """How many startups, bases or regions the ledger's totals have."""
    column = {"startup": "startup_id", "base": "base_id", "region": "region_code"}[by]
    rows = await _ledger(principal, query).annotate(groups=Count(column, distinct=True)).values("groups")
    return int(rows[0]["groups"] or 0) if rows else 0


def ledger_state(app: Application) -> str:
    """Paid, or approved and not paid yet (in a public notice or waiting for one)."""
    if app.state is AppState.PAID:
        return gettext("Paid")
    return gettext("Approved, not paid yet")
