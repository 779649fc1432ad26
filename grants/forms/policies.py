"""Parsing policies, their dated parameter versions, LPR rates and regional holidays into plain values.

A version arrives as a JSON object {"valid_from", "valid_until", "note", "params": {name: value},
"sources": {name: {"ref": text, "confirmed": bool}}}; the HTML form's flat fields
(`params.<name>`, `sources.<name>`, `confirmed.<name>`) are turned into that shape first, so
both faces validate one way. Errors of a parameter are reported on `params.<name>` and of its
source on `sources.<name>`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData

from grants.models import PolicyKind
from grants.rules.params import SCHEMA, ParamType, clean_params
from incubator.forms import FormReader
from incubator.i18n import N_
from incubator.regions import is_region_code

EARLIEST = dt.date(2000, 1, 1)
MAX_HOLIDAY_DAYS = 31
SOURCE_LENGTH = 500


@dataclass(frozen=True)
class PolicyInput:
    name: str
    name_en: str
    issuing_body: str
    document_number: str
    summary: str
    is_active: bool


@dataclass(frozen=True)
class VersionInput:
    valid_from: dt.date
    valid_until: dt.date | None
    params: dict[str, Any]
    sources: dict[str, dict[str, Any]]
    note: str
    # On an edit: move the neighbouring versions' boundaries along with this one's dates.
    adjust_neighbours: bool = False


@dataclass(frozen=True)
class NewPolicyInput:
    region_code: str
    kind: PolicyKind
    policy: PolicyInput
    version: VersionInput


@dataclass(frozen=True)
class LprInput:
    effective_on: dt.date
    one_year: Decimal
    five_year: Decimal | None
    source: str


@dataclass(frozen=True)
class HolidayInput:
    region_code: str
    name: str
    starts_on: dt.date
    ends_on: dt.date


def _read_policy(form: FormReader, *, creating: bool = False) -> PolicyInput:
    name = form.text("name", max_length=100)
    name_en = form.text("name_en", required=False, max_length=200)
    issuing_body = form.text("issuing_body", max_length=100)
    document_number = form.text("document_number", required=False, max_length=100)
    summary = form.text("summary", required=False, max_length=2000, multiline=True)
    # A form without the box (an API body leaving it out, a new policy) keeps the policy active.
    active = form.boolean("is_active") if form.present("is_active") and not creating else True
    return PolicyInput(name, name_en, issuing_body, document_number, summary, active)


def parse_policy(data: Mapping[str, Any] | None) -> PolicyInput:
    form = FormReader(data)
    policy = _read_policy(form)
    form.done()
    return policy


def _read_version(form: FormReader, kind: PolicyKind) -> VersionInput:
    valid_from = form.date("valid_from", not_before=EARLIEST)
    valid_until = form.date("valid_until", required=False, not_before=EARLIEST)
    if valid_from and valid_until and valid_until < valid_from:
        form.error("valid_until", N_("The last day cannot be before the first day."))
    note = form.text("note", required=False, max_length=500)
    raw_params = form.data.get("params")
    raw_sources = form.data.get("sources")
    if not isinstance(raw_params, Mapping):
        form.error("params", N_("Give the parameters as an object."))
        raw_params = {}
    if not isinstance(raw_sources, Mapping):
        form.error("sources", N_("Give the sources as an object."))
        raw_sources = {}
    params, errors = clean_params(kind, raw_params)
    for name, message in errors.items():
        form.error(f"params.{name}", message)
    sources: dict[str, dict[str, Any]] = {}
    for spec in SCHEMA[kind]:
        source = raw_sources.get(spec.name)
        if not isinstance(source, Mapping):
            source = {}
        reader = FormReader(source)
        ref = reader.text("ref", max_length=SOURCE_LENGTH)
        if reader.errors:
            form.error(f"sources.{spec.name}", N_("Enter where this value comes from (document and article)."))
        sources[spec.name] = {"ref": ref, "confirmed": reader.boolean("confirmed")}
    assert valid_from is not None or form.errors
    return VersionInput(
        valid_from or EARLIEST,
        valid_until,
        params,
        sources,
        note,
        adjust_neighbours=form.boolean("adjust_neighbours"),
    )


def parse_version(kind: PolicyKind, data: Mapping[str, Any] | None) -> VersionInput:
    """A version's dates, parameters (validated by the kind's schema) and their sources."""
    form = FormReader(data)
    version = _read_version(form, kind)
    form.done()
    return version


def version_data(kind: PolicyKind, form: FormData) -> dict[str, Any]:
    """The HTML form's flat fields in the JSON shape `parse_version` reads."""
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and "." not in k}
    params: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    for spec in SCHEMA[kind]:
        if spec.type is ParamType.GROUPS:
            params[spec.name] = [str(v) for v in form.getlist(f"params.{spec.name}")]
        else:
            params[spec.name] = form.get(f"params.{spec.name}")
        sources[spec.name] = {
            "ref": form.get(f"sources.{spec.name}", ""),
            "confirmed": form.get(f"confirmed.{spec.name}", "") in {"1", "on", "true"},
        }
    data["params"] = params
    data["sources"] = sources
    return data


def version_values(kind: PolicyKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """Flat form values of a version in JSON shape (a stored version, or one to show again)."""
    values: dict[str, Any] = {
        "valid_from": _iso(data.get("valid_from")),
        "valid_until": _iso(data.get("valid_until")),
        "note": data.get("note") or "",
    }
    params = data.get("params") or {}
    sources = data.get("sources") or {}
    for spec in SCHEMA[kind]:
        value = params.get(spec.name)
        if spec.type is ParamType.GROUPS:
            values[f"params.{spec.name}"] = list(value) if isinstance(value, (list, tuple)) else []
        else:
            values[f"params.{spec.name}"] = "" if value is None else str(value)
        source = sources.get(spec.name) or {}
        values[f"sources.{spec.name}"] = source.get("ref", "")
        if source.get("confirmed"):
            values[f"confirmed.{spec.name}"] = "1"
    return values


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def parse_new_policy(data: Mapping[str, Any] | None) -> NewPolicyInput:
    """A region's own policy of a kind with its first version (which may be left open)."""
    form = FormReader(data)
    region_code = form.text("region_code", max_length=6)
    if region_code and not is_region_code(region_code):
        form.error("region_code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    kind = form.choice("kind", PolicyKind)
    policy = _read_policy(form, creating=True)
    version = _read_version(form, kind) if kind is not None else None
    form.done()
    assert kind is not None and version is not None
    return NewPolicyInput(region_code, kind, policy, version)


def parse_lpr(data: Mapping[str, Any] | None) -> LprInput:
    form = FormReader(data)
    effective_on = form.date("effective_on", not_before=dt.date(2019, 8, 20))
    one_year = form.decimal("one_year", places=4, minimum=Decimal("0.0001"), maximum=Decimal(100))
    five_year = form.decimal("five_year", required=False, places=4, minimum=Decimal("0.0001"), maximum=Decimal(100))
    source = form.text("source", required=False, max_length=200)
    form.done()
    assert effective_on is not None and one_year is not None
    return LprInput(effective_on, one_year, five_year, source)


def parse_holiday(data: Mapping[str, Any] | None) -> HolidayInput:
    form = FormReader(data)
    region_code = form.text("region_code", max_length=6)
    if region_code and not is_region_code(region_code):
        form.error("region_code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    name = form.text("name", max_length=50)
    starts_on = form.date("starts_on", not_before=EARLIEST)
    ends_on = form.date("ends_on", not_before=EARLIEST)
    if starts_on and ends_on:
        if ends_on < starts_on:
            form.error("ends_on", N_("The last day cannot be before the first day."))
        elif (ends_on - starts_on).days + 1 > MAX_HOLIDAY_DAYS:
            form.error("ends_on", N_("A holiday lasts at most %(days)d days."), days=MAX_HOLIDAY_DAYS)
    form.done()
    assert starts_on is not None and ends_on is not None
    return HolidayInput(region_code, name, starts_on, ends_on)
