"""Parsing the query strings of account pages: a statement's period, an as-of date, an export's dates.

These are filters, not forms: a wrong value is a 422 whose message names the problem, so that
the error page (or the API's error object) says what to change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from incubator.errors import ValidationFailed
from incubator.forms import FormReader
from incubator.i18n import N_

EARLIEST = dt.date(2000, 1, 1)
MAX_STATEMENT_YEARS = 3


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February), at most the last day there is."""
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _done(form: FormReader) -> None:
    """Like FormReader.done, with the first problem as the message a page shows."""
    if form.errors:
        name, first = next(iter(form.errors.items()))
        failure = ValidationFailed(form.errors, message=first, field_params=form.params)
        failure.params = dict(form.params.get(name, {}))
        raise failure


def _day(form: FormReader, name: str) -> dt.date | None:
    return form.date(name, required=False, not_before=EARLIEST)


def parse_statement_period(data: Mapping[str, Any], *, today: dt.date) -> tuple[dt.date, dt.date]:
    """(start, end) of a statement: by default the twelve months up to today; at most 3 years."""
    form = FormReader(data)
    end = _day(form, "end") or today
    start = _day(form, "start") or years_after(end, -1) + dt.timedelta(days=1)
    _done(form)
    check_statement_period(start, end)
    return start, end


def check_statement_period(start: dt.date, end: dt.date) -> None:
    """Refuse a period that ends before it starts or spans more than three years."""
    if end < start:
        message = N_("The end date cannot be before the start date.")
        raise ValidationFailed({"end": message}, message=message)
    if end >= years_after(start, MAX_STATEMENT_YEARS):
        message = N_("A statement covers at most 3 years: choose a shorter period.")
        raise ValidationFailed({"end": message}, message=message)


def parse_as_of(data: Mapping[str, Any], *, today: dt.date) -> dt.date:
    """?as_of=YYYY-MM-DD, by default today."""
    form = FormReader(data)
    day = _day(form, "as_of")
    _done(form)
    return day or today


def parse_export_period(data: Mapping[str, Any], *, today: dt.date) -> tuple[dt.date, dt.date]:
    """?start=&end= of an export (issue or receipt dates), by default the current year."""
    form = FormReader(data)
    start = _day(form, "start") or dt.date(today.year, 1, 1)
    end = _day(form, "end") or dt.date(today.year, 12, 31)
    _done(form)
    if end < start:
        message = N_("The end date cannot be before the start date.")
        raise ValidationFailed({"end": message}, message=message)
    return start, end


def parse_base(data: Mapping[str, Any]) -> int | None:
    """?base=<id>, or None when absent."""
    form = FormReader(data)
    base_id = form.integer("base", required=False, minimum=1)
    _done(form)
    return base_id
