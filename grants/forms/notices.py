"""Parsing what a bureau officer enters for public notices (公示) and disbursements (拨付)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incubator.forms import FormReader
from incubator.i18n import N_

DEFAULT_WORKING_DAYS = 5
MAX_WORKING_DAYS = 30
# At most this many applications in one notice or one batch (a page, a transfer list).
MAX_BATCH = 500
YEAR = dt.timedelta(days=366)


@dataclass(frozen=True)
class NoticeInput:
    # None: every approved application the officer sees.
    application_ids: tuple[int, ...] | None
    title: str  # empty: the default title
    published_on: dt.date
    working_days: int
    contact: str


@dataclass(frozen=True)
class ObjectionInput:
    application_id: int
    received_on: dt.date
    objector: str
    content: str


@dataclass(frozen=True)
class DisbursementInput:
    pay_on: dt.date
    application_ids: tuple[int, ...]


@dataclass(frozen=True)
class PaidInput:
    paid_on: dt.date
    bank_reference: str


def _id_list(form: FormReader, name: str) -> tuple[int, ...] | None:
    """The ids of a field given as a JSON list, repeated form fields, or None when absent."""
    data = form.data
    getlist = getattr(data, "getlist", None)
    raw: Any = list(getlist(name)) if callable(getlist) else data.get(name)
    if raw is None or (callable(getlist) and not raw and name not in data):
        return None
    if not isinstance(raw, list):
        form.error(name, N_("This value has the wrong type."))
        return ()
    ids: list[int] = []
    for item in raw:
        text = str(item).strip() if isinstance(item, (int, str)) and not isinstance(item, bool) else ""
        if not re.fullmatch(r"\d{1,9}", text, flags=re.ASCII) or int(text) < 1:
            form.error(name, N_("Choose from the listed applications."))
            return ()
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) > MAX_BATCH:
        form.error(name, N_("At most %(max)d applications at once."), max=MAX_BATCH)
    return tuple(ids)


def _within_a_year(form: FormReader, name: str, day: dt.date | None, today: dt.date, past: str) -> None:
    if day is not None and day < today:
        form.error(name, past)
    elif day is not None and day > today + YEAR:
        form.error(name, N_("At most a year from today."))


def parse_notice(data: Mapping[str, Any] | None, *, today: dt.date) -> NoticeInput:
    """A notice to publish: which applications (all approved ones unless chosen), from when, for how long."""
    form = FormReader(data)
    ids = _id_list(form, "application_ids")
    # The page always sends its checkboxes: nothing ticked there is a choice of none, not of all.
    if ids is None and form.raw("selection") == "chosen":
        ids = ()
    if ids == () and "application_ids" not in form.errors:
        form.error("application_ids", N_("Choose at least one application."))
    title = form.text("title", required=False, max_length=200)
    published_on = form.date("published_on", required=False)
    if published_on is None and not form.raw("published_on"):
        published_on = today
    _within_a_year(form, "published_on", published_on, today, N_("A notice is published today or later."))
    days = form.integer("working_days", required=False, minimum=1, maximum=MAX_WORKING_DAYS)
    contact = form.text("contact", max_length=200)
    form.done()
    assert published_on is not None
    return NoticeInput(ids, title, published_on, days or DEFAULT_WORKING_DAYS, contact)


def parse_objection(data: Mapping[str, Any] | None, *, today: dt.date) -> ObjectionInput:
    form = FormReader(data)
    application_id = form.integer("application_id", minimum=1)
    received_on = form.date("received_on", required=False, not_after=today)
    if received_on is None and not form.raw("received_on"):
        received_on = today
    objector = form.text("objector", max_length=100)
    content = form.text("content", max_length=2000, multiline=True)
    form.done()
    assert application_id is not None and received_on is not None
    return ObjectionInput(application_id, received_on, objector, content)


def parse_disbursement(data: Mapping[str, Any] | None, *, today: dt.date) -> DisbursementInput:
    form = FormReader(data)
    pay_on = form.date("pay_on")
    _within_a_year(form, "pay_on", pay_on, today, N_("The payment date cannot be in the past."))
    ids = _id_list(form, "application_ids")
    if not ids and "application_ids" not in form.errors:
        form.error("application_ids", N_("Choose at least one application."))
    form.done()
    assert pay_on is not None and ids is not None
    return DisbursementInput(pay_on, ids)


def parse_paid(data: Mapping[str, Any] | None, *, today: dt.date) -> PaidInput:
    form = FormReader(data)
    paid_on = form.date("paid_on", not_after=today)
    reference = form.text("bank_reference", max_length=64)
    form.done()
    assert paid_on is not None
    return PaidInput(paid_on, reference)


def parse_removal(data: Mapping[str, Any] | None) -> int:
    form = FormReader(data)
    application_id = form.integer("application_id", minimum=1)
    form.done()
    assert application_id is not None
    return application_id
