"""When each demo startup applied, was admitted, registered and left, and its lifecycle events.

拉萨市第三极众创空间 is dated back from today, so the demo looks current whenever it is built;
昌都市大学生创客社区's first batch was admitted in 2023 and the firms still incubating have had
their term extended a year at a time until it ends at least three months from today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass

from tenants.demo.catalogue import AQIONG_STARTUP, Profile
from tenants.models import ExitReason, LegalForm, StartupStatus

DAY = dt.timedelta(days=1)
CDCK_BATCH = (dt.date(2023, 6, 1), dt.date(2023, 7, 1))
# 阿琼's company: registered, applied and admitted on known days.
AQIONG_DATES = (dt.date(2023, 4, 18), dt.date(2023, 5, 8), dt.date(2023, 6, 1))


@dataclass(frozen=True)
class EventPlan:
    from_status: StartupStatus | None
    to_status: StartupStatus
    on: dt.date
    reason: ExitReason | None = None
    note: str = ""


@dataclass(frozen=True)
class Lifecycle:
    registered_on: dt.date | None
    applied_on: dt.date
    admitted_on: dt.date | None
    ends_on: dt.date | None
    left_on: dt.date | None
    events: list[EventPlan]


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - DAY


def _days_ago(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def lhasa_dates(
    profile: Profile, rng: random.Random, today: dt.date
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """admitted_on, incubation_ends_on, left_on of a 第三极 startup, relative to today."""
    status, term = profile.status, 3
    if status is StartupStatus.APPLIED:
        return None, None, None
    if status is StartupStatus.INCUBATING:
        if profile.story == "upcoming":
            admitted = _days_ago(today, rng, 5, 15)
        else:
            low = {"renewal": 420, "moved": 300}.get(profile.story, 60)
            admitted = month_start(_days_ago(today, rng, low, 1000))
            # Some newer firms signed two-year terms.
            if admitted > today - dt.timedelta(days=600) and rng.random() < 0.35:
                term = 2
        return admitted, add_years(admitted, term) - DAY, None
    if status is StartupStatus.GRADUATED:
        if rng.random() < 0.7:
            left = month_end(_days_ago(today, rng, 40, 700))
            return add_years(left + DAY, -term), left, left
        left = _days_ago(today, rng, 40, 700)
        ends = month_end(left + dt.timedelta(days=rng.randint(60, 300)))
        return add_years(ends + DAY, -term), ends, left
    admitted = month_start(_days_ago(today, rng, 500, 1000))
    span = (today - admitted).days - 30
    return admitted, add_years(admitted, term) - DAY, admitted + dt.timedelta(days=rng.randint(150, min(span, 900)))


def chamdo_dates(profile: Profile, rng: random.Random, today: dt.date) -> tuple[dt.date, dt.date, dt.date | None]:
    """admitted_on, incubation_ends_on, left_on of a firm of 昌都's 2023 batch."""
    admitted = CDCK_BATCH[0] if profile.name == AQIONG_STARTUP else rng.choice(CDCK_BATCH)
    ends = add_years(admitted, 3) - DAY
    if profile.status is StartupStatus.INCUBATING:
        while ends < today + dt.timedelta(days=90):
            ends = add_years(ends + DAY, 1) - DAY
        return admitted, ends, None
    if profile.status is StartupStatus.GRADUATED:
        return admitted, ends, min(ends, _days_ago(today, rng, 20, 40))
    return admitted, ends, min(admitted + dt.timedelta(days=rng.randint(300, 650)), _days_ago(today, rng, 20, 40))


def lifecycle(profile: Profile, base_code: str, rng: random.Random, today: dt.date) -> Lifecycle:
    """The dates and the chained events of one demo startup."""
    if base_code == "DSJ":
        admitted, ends, left = lhasa_dates(profile, rng, today)
    else:
        admitted, ends, left = chamdo_dates(profile, rng, today)
    anchor = admitted or today
    applied = _days_ago(anchor, rng, 12, 50) if profile.status is not StartupStatus.APPLIED else None
    applied = applied or _days_ago(today, rng, 3, 40)
    registered: dt.date | None = None
    if profile.form is not LegalForm.UNREGISTERED_TEAM:
        registered = _days_ago(applied, rng, 20, 700 if base_code == "DSJ" else 400)
    if profile.name == AQIONG_STARTUP:
        registered, applied, admitted = AQIONG_DATES
    events = [EventPlan(None, StartupStatus.APPLIED, applied, note="提交入驻申请和创业计划书")]
    if admitted is not None:
        note = "经入驻评审会审议通过" if base_code == "DSJ" else "首批入驻企业，经社区入驻评审会审议通过"
        events.append(EventPlan(StartupStatus.APPLIED, StartupStatus.INCUBATING, admitted, note=note))
    if left is not None and profile.status is StartupStatus.GRADUATED:
        note = "孵化期满，经评估准予毕业" if left == ends else "经营规模扩大，提前申请毕业"
        events.append(EventPlan(StartupStatus.INCUBATING, StartupStatus.GRADUATED, left, note=note))
    elif left is not None:
        events.append(
            EventPlan(StartupStatus.INCUBATING, StartupStatus.EXITED, left, profile.exit_reason, profile.note)
        )
    return Lifecycle(registered, applied, admitted, ends, left, events)
