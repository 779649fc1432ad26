"""Parsing spaces, leases, rent concessions, and ending, renewing or moving a lease."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from incubator.formatting import today as today_in_china
from incubator.forms import FormReader
from incubator.i18n import N_
from tenants.models import BillingCycle, SpaceKind, SpaceStatus

MAX_AREA = Decimal("100000")
MAX_SPACES_PER_LEASE = 100
YEARS_AHEAD = 30
ID = re.compile(r"^\d{1,10}$", re.ASCII)


class ConcessionKind(StrEnum):
    FREE = "free"
    DISCOUNT = "discount"


@dataclass(frozen=True)
class SpaceInput:
    code: str
    kind: SpaceKind
    floor: str
    area_m2: Decimal
    list_rent: Decimal
    status: SpaceStatus
    note: str


@dataclass(frozen=True)
class LeaseInput:
    startup_id: int
    space_ids: tuple[int, ...]
    start_on: dt.date
    end_on: dt.date
    monthly_rent: Decimal
    deposit: Decimal
    billing_cycle: BillingCycle
    note: str


@dataclass(frozen=True)
class ConcessionInput:
    start_on: dt.date
    end_on: dt.date
    kind: ConcessionKind
    monthly_rent: Decimal
    note: str


@dataclass(frozen=True)
class EndInput:
    ended_on: dt.date
    reason: str


@dataclass(frozen=True)
class RenewInput:
    end_on: dt.date
    monthly_rent: Decimal | None


@dataclass(frozen=True)
class MoveInput:
    on: dt.date
    space_ids: tuple[int, ...]
    monthly_rent: Decimal | None


def _horizon(today: dt.date) -> dt.date:
    """The latest date a lease may name: thirty years from today."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _day(form: FormReader, name: str, today: dt.date | None, *, required: bool = True) -> dt.date | None:
    day = form.date(name, required=required)
    if day is not None and day > _horizon(today or today_in_china()):
        form.error(name, N_("The date is more than %(years)d years ahead."), years=YEARS_AHEAD)
        return None
    return day


def _ordered(form: FormReader, start: dt.date | None, end: dt.date | None, end_name: str) -> None:
    if start is not None and end is not None and end < start:
        form.error(end_name, N_("The end date cannot be before the start date."))


def _money(form: FormReader, name: str, *, required: bool = True) -> Decimal | None:
    return form.decimal(name, required=required, maximum=Decimal("9999999.99"))


def _space_ids(form: FormReader, name: str = "space_ids") -> tuple[int, ...]:
    """A form's repeated values, or a JSON list; at least one, each a positive id."""
    data = form.data
    getlist = getattr(data, "getlist", None)
    raw: Any = getlist(name) if callable(getlist) else data.get(name)
    if raw is None or raw == "":
        raw = []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    ids: list[int] = []
    for item in raw:
        text = str(item).strip() if isinstance(item, (int, str)) and not isinstance(item, bool) else None
        if text == "":
            continue
        if text is None or not ID.match(text) or int(text) < 1:
            form.error(name, N_("Choose spaces from the list."))
            return ()
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        form.error(name, N_("Choose at least one space."))
    elif len(ids) > MAX_SPACES_PER_LEASE:
        form.error(name, N_("At most %(max)d spaces in one lease."), max=MAX_SPACES_PER_LEASE)
    return tuple(ids)


def parse_space(data: Mapping[str, Any] | None) -> SpaceInput:
    form = FormReader(data)
    code = form.text("code", max_length=32)
    kind = form.choice("kind", SpaceKind)
    floor = form.text("floor", required=False, max_length=16)
    area = form.decimal("area_m2", maximum=MAX_AREA)
    if area is not None and area <= 0:
        form.error("area_m2", N_("The area must be more than zero."))
    list_rent = _money(form, "list_rent")
    status = form.choice("status", SpaceStatus, required=False) or SpaceStatus.IN_SERVICE
    note = form.text("note", required=False, max_length=200)
    form.done()
    assert kind is not None and area is not None and list_rent is not None
    return SpaceInput(code, kind, floor, area, list_rent, status, note)


def parse_lease(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> LeaseInput:
    form = FormReader(data)
    startup_id = form.integer("startup_id", minimum=1)
    space_ids = _space_ids(form)
    start_on = _day(form, "start_on", today)
    end_on = _day(form, "end_on", today)
    _ordered(form, start_on, end_on, "end_on")
    monthly_rent = _money(form, "monthly_rent")
    deposit = _money(form, "deposit", required=False) or Decimal("0.00")
    cycle = form.choice("billing_cycle", BillingCycle, required=False) or BillingCycle.MONTHLY
    note = form.text("note", required=False, max_length=500, multiline=True)
    form.done()
    assert startup_id is not None and start_on is not None and end_on is not None and monthly_rent is not None
    return LeaseInput(startup_id, space_ids, start_on, end_on, monthly_rent, deposit, cycle, note)


def parse_concession(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> ConcessionInput:
    form = FormReader(data)
    start_on = _day(form, "start_on", today)
    end_on = _day(form, "end_on", today)
    _ordered(form, start_on, end_on, "end_on")
    kind = form.choice("kind", ConcessionKind)
    rent: Decimal | None = Decimal("0.00")
    if kind is ConcessionKind.DISCOUNT:
        rent = _money(form, "monthly_rent")
    note = form.text("note", required=False, max_length=200)
    form.done()
    assert start_on is not None and end_on is not None and kind is not None and rent is not None
    return ConcessionInput(start_on, end_on, kind, rent, note)


def parse_end(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> EndInput:
    form = FormReader(data)
    ended_on = _day(form, "ended_on", today)
    reason = form.text("reason", max_length=200)
    form.done()
    assert ended_on is not None
    return EndInput(ended_on, reason)


def parse_renew(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> RenewInput:
    form = FormReader(data)
    end_on = _day(form, "end_on", today)
    rent = _money(form, "monthly_rent", required=False)
    form.done()
    assert end_on is not None
    return RenewInput(end_on, rent)


def parse_move(data: Mapping[str, Any] | None, *, today: dt.date | None = None) -> MoveInput:
    form = FormReader(data)
    on = _day(form, "on", today)
    space_ids = _space_ids(form)
    rent = _money(form, "monthly_rent", required=False)
    form.done()
    assert on is not None
    return MoveInput(on, space_ids, rent)
