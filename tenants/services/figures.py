"""Base figures (基地运营指标) set beside the thresholds a base must meet to be recognised.

Every figure is counted in SQL with one grouped query per kind of row (GROUP BY base), so a
region's bases side by side cost the same few queries as one base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require, visible
from incubator.audit import snapshot
from incubator.errors import ValidationFailed
from incubator.i18n import N_
from incubator.models import Base, BaseLevel
from tenants.forms.figures import PERCENT_MEASURES, StandardInput
from tenants.models import (
    Employment,
    ExitReason,
    LeaseSpace,
    RecognitionStandard,
    Space,
    SpaceStatus,
    StandardMeasure,
    Startup,
    StartupEvent,
    StartupStatus,
    Verification,
)
from tenants.services.roster import employed_between

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# The level every base is compared with (the national demonstration base).
COMPARED_LEVEL = BaseLevel.NATIONAL
STANDARD_FIELDS = ("level", "measure", "minimum", "effective_from", "source", "confirmed")

# How each figure is defined, shown beside it (stable keys, English message ids).
RULES: dict[str, str] = {
    "by_status": N_("Every startup of the base, counted by its status today."),
    "admitted": N_("Admissions dated in the year: status changes to incubating."),
    "left": N_(
        "Departures dated in the year: status changes to graduated or to exited; exits are split by their reason."
    ),
    "occupancy_units": N_(
        "Spaces in service held on the reference day by a lease (start date ≤ day ≤ last day held), "
        "divided by all spaces in service."
    ),
    "occupancy_area": N_(
        "The area of the spaces in service held on the reference day, divided by the area of all spaces in service. "
        "The utilisation standard is compared with both rates."
    ),
    "startups_incubated": N_(
        "Startups admitted on or before 31 December of the year that had not left before 1 January of the year."
    ),
    "jobs_absorbed": N_(
        "Distinct people on the real-name job roster of the base's startups at any time in the year up to the "
        "reference day, as declared (entries a bureau audit rejected are left out)."
    ),
    "success_rate": N_(
        "Cohort: startups admitted at least 12 months before the reference day. Successful: graduated, or still "
        "incubating on that day (trading normally, not exited). Rate = successful ÷ cohort."
    ),
    "on_time_exit_rate": N_(
        "Startups whose incubation term ended in the year, up to the reference day: the share that left "
        "(graduated or exited) on or before the last day of their term."
    ),
    "years_operating": N_("Whole years from the base's opening date to the reference day."),
}

# (key, measure compared, label) of the figures set beside a standard, in the order shown.
CHECKS: tuple[tuple[str, StandardMeasure, str], ...] = (
    ("occupancy_area", StandardMeasure.UTILISATION, N_("Occupancy by area")),
    ("occupancy_units", StandardMeasure.UTILISATION, N_("Occupancy by units")),
    ("startups_incubated", StandardMeasure.STARTUPS_INCUBATED, N_("Startups in incubation during the year")),
    ("jobs_absorbed", StandardMeasure.JOBS_ABSORBED, N_("Jobs absorbed during the year")),
    ("success_rate", StandardMeasure.SUCCESS_RATE, N_("Incubation success rate")),
    ("on_time_exit_rate", StandardMeasure.ON_TIME_EXIT_RATE, N_("On-time exit rate")),
    ("years_operating", StandardMeasure.YEARS_OPERATING, N_("Years in operation")),
)

NO_SPACE = N_("The base has no space in service.")
MISSING: dict[str, str] = {
    "occupancy_units": NO_SPACE,
    "occupancy_area": NO_SPACE,
    "success_rate": N_("No startup was admitted 12 months or more before the reference day."),
    "on_time_exit_rate": N_("No incubation term ended in the year up to the reference day."),
    "years_operating": N_("The base's opening date is not recorded."),
}


@dataclass(frozen=True)
class Rate:
    """A share (part ÷ whole); there is no figure when the whole is zero."""

    part: Decimal
    whole: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (self.part * HUNDRED / self.whole).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def fraction(self) -> Decimal | None:
        """The share as a fraction, for the `percent` filter."""
        percent = self.percent
        return None if percent is None else percent / HUNDRED

    def reaches(self, minimum_percent: Decimal) -> bool:
        # Compared exactly, so 89.996 % does not round up to a 90 % threshold.
        return self.part * HUNDRED >= minimum_percent * self.whole


@dataclass(frozen=True)
class Check:
    """One figure beside the standard in force for its measure."""

    key: str
    measure: StandardMeasure
    label: str
    rule: str
    value: Decimal | None
    rate: Rate | None
    standard: RecognitionStandard | None

    @property
    def unit(self) -> str:
        """percent, count or years."""
        if self.measure in PERCENT_MEASURES:
            return "percent"
        return "years" if self.measure is StandardMeasure.YEARS_OPERATING else "count"

    @property
    def missing(self) -> str:
        """Why there is no figure ('' when there is one)."""
        return MISSING.get(self.key, "") if self.value is None else ""

    @property
    def met(self) -> bool | None:
        """Whether the figure reaches the standard; None without a figure or a standard."""
        if self.value is None or self.standard is None:
            return None
        if self.rate is not None:
            return self.rate.reaches(self.standard.minimum)
        return self.value >= self.standard.minimum


@dataclass(frozen=True)
class BaseFigures:
    """A base's figures for a year, as of a reference day."""

    base: Base
    year: int
    day: dt.date
    by_status: dict[StartupStatus, int]
    admitted: int
    graduated: int
    exited: int
    exited_by_reason: dict[ExitReason, int]
    exits_without_reason: int
    checks: tuple[Check, ...]

    @property
    def startups(self) -> int:
        return sum(self.by_status.values())

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def whole_years(start: dt.date, day: dt.date) -> int:
    """Completed years from start to day (0 before the first anniversary or before start)."""
    years = day.year - start.year - ((day.month, day.day) < (start.month, start.day))
    return max(0, years)


def _latest(rows: Iterable[RecognitionStandard]) -> dict[BaseLevel, dict[StandardMeasure, RecognitionStandard]]:
    """The version in force per level and measure, from rows ordered newest first."""
    latest: dict[BaseLevel, dict[StandardMeasure, RecognitionStandard]] = {}
    for row in rows:
        latest.setdefault(BaseLevel(row.level), {}).setdefault(StandardMeasure(row.measure), row)
    # Shown in the standard's own order of measures, not alphabetically.
    return {level: {m: by[m] for m in StandardMeasure if m in by} for level, by in latest.items()}


async def standards_in_force(level: BaseLevel, day: dt.date) -> dict[StandardMeasure, RecognitionStandard]:
    """The standards of a level in force on a day: per measure, the latest effective_from ≤ day."""
    rows = await RecognitionStandard.filter(level=level, effective_from__lte=day).order_by("measure", "-effective_from")
    return _latest(rows).get(level, {})


async def standards_in_force_by_level(day: dt.date) -> dict[BaseLevel, dict[StandardMeasure, RecognitionStandard]]:
    """The standards in force on a day for every level that has any, in one query."""
    rows = await RecognitionStandard.filter(effective_from__lte=day).order_by("level", "measure", "-effective_from")
    return _latest(rows)


async def base_figures(principal: Principal, base: Base, *, year: int, day: dt.date) -> BaseFigures:
    """The figures of one (visible) base for a year as of a day, beside the national standards."""
    require(principal, "figures.view", base)
    return (await _figures_of([base], year=year, day=day))[0]


async def region_figures(
    principal: Principal, bases: Sequence[Base | int], *, year: int, day: dt.date
) -> list[BaseFigures]:
    """The figures of several bases side by side (those the principal sees), in the order given."""
    require(principal, "figures.compare")
    ids = [b if isinstance(b, int) else b.id for b in bases]
    found = {b.id: b for b in await visible(principal, Base).filter(id__in=ids).select_related("region")}
    return await _figures_of([found[i] for i in ids if i in found], year=year, day=day)


async def _figures_of(bases: Sequence[Base], *, year: int, day: dt.date) -> list[BaseFigures]:
    if not bases:
        return []
    ids = [b.id for b in bases]
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    statuses = await _status_counts(ids)
    lifecycle = await _lifecycle_counts(ids, first=first, last=last, day=day)
    events = await _event_counts(ids, first=first, last=last)
    spaces = await _space_counts(ids, day=day)
    jobs = await _job_counts(ids, first=first, last=min(last, day))
    standards = await standards_in_force(COMPARED_LEVEL, day)
    return [
        _assemble(
            base,
            year=year,
            day=day,
            statuses=statuses.get(base.id, {}),
            lifecycle=lifecycle.get(base.id, {}),
            events=events.get(base.id, []),
            spaces=spaces.get(base.id, {}),
            jobs=jobs.get(base.id, 0),
            standards=standards,
        )
        for base in bases
    ]


async def _job_counts(ids: list[int], *, first: dt.date, last: dt.date) -> dict[int, int]:
    """Distinct persons on each base's roster at any time in [first, last] (not rejected by an audit)."""
    rows = (
        await Employment.filter(employed_between(first, last), base_id__in=ids)
        .exclude(verification=Verification.REJECTED)
        .group_by("base_id")
        .annotate(n=Count("person_id", distinct=True))
        .values("base_id", "n")
    )
    return {row["base_id"]: int(row["n"]) for row in rows}


async def _status_counts(ids: list[int]) -> dict[int, dict[StartupStatus, int]]:
    rows = (
        await Startup.filter(base_id__in=ids)
        .group_by("base_id", "status")
        .annotate(n=Count("id"))
        .values("base_id", "status", "n")
    )
    counts: dict[int, dict[StartupStatus, int]] = {}
    for row in rows:
        counts.setdefault(row["base_id"], {})[StartupStatus(row["status"])] = int(row["n"])
    return counts


async def _lifecycle_counts(
    ids: list[int], *, first: dt.date, last: dt.date, day: dt.date
) -> dict[int, dict[str, Any]]:
    cutoff = _year_before(day)
    due = Q(incubation_ends_on__gte=first, incubation_ends_on__lte=min(last, day))
    cohort = Q(admitted_on__lte=cutoff)
    rows = (
        await Startup.filter(base_id__in=ids)
        .group_by("base_id")
        .annotate(
            in_incubation=Count("id", _filter=Q(admitted_on__lte=last) & (Q(left_on=None) | Q(left_on__gte=first))),
            cohort=Count("id", _filter=cohort),
            # Still incubating on the day: the current status, or a departure after the day.
            successful=Count(
                "id",
                _filter=cohort
                & (Q(status__in=[StartupStatus.GRADUATED, StartupStatus.INCUBATING]) | Q(left_on__gt=day)),
            ),
            due=Count("id", _filter=due),
            on_time=Count(
                "id",
                _filter=due
                & Q(
                    status__in=[StartupStatus.GRADUATED, StartupStatus.EXITED],
                    left_on__lte=F("incubation_ends_on"),
                ),
            ),
        )
        .values("base_id", "in_incubation", "cohort", "successful", "due", "on_time")
    )
    return {row["base_id"]: row for row in rows}


async def _event_counts(ids: list[int], *, first: dt.date, last: dt.date) -> dict[int, list[dict[str, Any]]]:
    rows = (
        await StartupEvent.filter(
            startup__base_id__in=ids,
            on__gte=first,
            on__lte=last,
            to_status__in=[StartupStatus.INCUBATING, StartupStatus.GRADUATED, StartupStatus.EXITED],
        )
        .group_by("startup__base_id", "to_status", "reason")
        .annotate(n=Count("id"))
        .values("startup__base_id", "to_status", "reason", "n")
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        events.setdefault(row["startup__base_id"], []).append(row)
    return events


async def _space_counts(ids: list[int], *, day: dt.date) -> dict[int, dict[str, Any]]:
    held = Q(
        id__in=Subquery(
            LeaseSpace.filter(lease__base_id__in=ids, lease__start_on__lte=day, lease__occupied_until__gte=day).values(
                "space_id"
            )
        )
    )
    rows = (
        await Space.filter(base_id__in=ids, status=SpaceStatus.IN_SERVICE)
        .group_by("base_id")
        .annotate(
            units=Count("id"),
            area=Sum("area_m2"),
            held_units=Count("id", _filter=held),
            held_area=Sum("area_m2", _filter=held),
        )
        .values("base_id", "units", "area", "held_units", "held_area")
    )
    return {row["base_id"]: row for row in rows}


def _number(value: Any) -> Decimal:
    """A count or a sum from the database (NULL when nothing matched) as a Decimal."""
    return Decimal(0) if value is None else Decimal(str(value))


def _assemble(
    base: Base,
    *,
    year: int,
    day: dt.date,
    statuses: dict[StartupStatus, int],
    lifecycle: dict[str, Any],
    events: list[dict[str, Any]],
    spaces: dict[str, Any],
    jobs: int,
    standards: dict[StandardMeasure, RecognitionStandard],
) -> BaseFigures:
    admitted = graduated = 0
    exits = {reason: 0 for reason in ExitReason}
    without_reason = 0
    for row in events:
        n = int(row["n"])
        status = StartupStatus(row["to_status"])
        if status is StartupStatus.INCUBATING:
            admitted += n
        elif status is StartupStatus.GRADUATED:
            graduated += n
        elif row["reason"] is None:
            without_reason += n
        else:
            exits[ExitReason(row["reason"])] += n
    rates = {
        "occupancy_units": Rate(_number(spaces.get("held_units")), _number(spaces.get("units"))),
        "occupancy_area": Rate(_number(spaces.get("held_area")), _number(spaces.get("area"))),
        "success_rate": Rate(_number(lifecycle.get("successful")), _number(lifecycle.get("cohort"))),
        "on_time_exit_rate": Rate(_number(lifecycle.get("on_time")), _number(lifecycle.get("due"))),
    }
    counts: dict[str, Decimal | None] = {
        "startups_incubated": _number(lifecycle.get("in_incubation")),
        "jobs_absorbed": Decimal(jobs),
        "years_operating": Decimal(whole_years(base.opened_on, day)) if base.opened_on else None,
    }
    checks = []
    for key, measure, label in CHECKS:
        rate = rates.get(key)
        value = rate.percent if rate is not None else counts[key]
        checks.append(Check(key, measure, label, RULES[key], value, rate, standards.get(measure)))
    return BaseFigures(
        base=base,
        year=year,
        day=day,
        by_status={status: statuses.get(status, 0) for status in StartupStatus},
        admitted=admitted,
        graduated=graduated,
        exited=sum(exits.values()) + without_reason,
        exited_by_reason=exits,
        exits_without_reason=without_reason,
        checks=tuple(checks),
    )


async def add_standard_version(principal: Principal, data: StandardInput) -> RecognitionStandard:
    """Add a dated version of one measure's minimum for a level, with its source (admin only).

    A version may not start on the same day as another version of that level and measure.
    """
    require(principal, "standard.manage")
    duplicate = ValidationFailed(
        {"effective_from": N_("This level and measure already have a version from this date.")}
    )
    if await RecognitionStandard.exists(level=data.level, measure=data.measure, effective_from=data.effective_from):
        raise duplicate
    try:
        async with in_transaction():
            standard = await RecognitionStandard.create(
                level=data.level,
                measure=data.measure,
                minimum=data.minimum,
                effective_from=data.effective_from,
                source=data.source,
                confirmed=data.confirmed,
            )
            await audit.record(principal, "standard.created", standard, after=snapshot(standard, STANDARD_FIELDS))
    except IntegrityError:
        # Another admin added the same version in the meantime.
        raise duplicate from None
    return standard
