"""Input of the figures pages: the year asked for, and a new version of a recognition standard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import N_
from incubator.models import BaseLevel
from tenants.models import StandardMeasure

# Figures start with the platform's records; no base here reports on earlier years.
FIRST_YEAR = 2000
CENT = Decimal("0.01")

# Measures whose minimum is a percentage; the others count startups, jobs or years.
PERCENT_MEASURES = frozenset(
    {StandardMeasure.UTILISATION, StandardMeasure.SUCCESS_RATE, StandardMeasure.ON_TIME_EXIT_RATE}
)


@dataclass(frozen=True)
class FiguresPeriod:
    """The year the figures describe and their reference day (today, or 31 December of a past year)."""

    year: int
    day: dt.date


def parse_period(params: Mapping[str, Any], *, today: dt.date) -> FiguresPeriod:
    form = FormReader(params)
    year = form.integer("year", required=False, minimum=FIRST_YEAR, maximum=today.year)
    if form.errors:
        raise ValidationFailed(
            form.errors, message=N_("Choose a year from 2000 to this year."), field_params=form.params
        )
    if year is None or year == today.year:
        return FiguresPeriod(today.year, today)
    return FiguresPeriod(year, dt.date(year, 12, 31))


@dataclass(frozen=True)
class StandardInput:
    level: BaseLevel
    measure: StandardMeasure
    minimum: Decimal
    effective_from: dt.date
    source: str
    confirmed: bool


def parse_standard(data: Mapping[str, Any] | None) -> StandardInput:
    form = FormReader(data)
    level = form.choice("level", BaseLevel)
    if level is BaseLevel.NONE:
        form.error("level", N_("Choose a recognition level."))
    measure = form.choice("measure", StandardMeasure)
    minimum = form.decimal("minimum", maximum=Decimal("1000000"))
    if minimum is not None and measure in PERCENT_MEASURES and minimum > 100:
        form.error("minimum", N_("A percentage is at most 100."))
    elif minimum is not None and measure is not None and measure not in PERCENT_MEASURES and minimum % 1:
        form.error("minimum", N_("This measure counts in whole numbers."))
    effective_from = form.date("effective_from", not_before=dt.date(FIRST_YEAR, 1, 1))
    source = form.text("source", max_length=300)
    confirmed = form.boolean("confirmed")
    form.done()
    assert level is not None and measure is not None and minimum is not None and effective_from is not None
    return StandardInput(level, measure, minimum.quantize(CENT), effective_from, source, confirmed)
