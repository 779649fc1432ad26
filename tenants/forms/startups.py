"""Parsing startups, founders, people and lifecycle steps into plain values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incubator.forms import PHONE, FormReader
from incubator.i18n import N_
from incubator.identifiers import id_number_error, normalise_id_number, uscc_error
from incubator.regions import is_region_code
from tenants.models import ExitReason, FounderRole, Industry, LegalForm, StartupStatus

MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
DEFAULT_TERM_YEARS = 3


@dataclass(frozen=True)
class ContactInput:
    contact_name: str
    contact_phone: str
    contact_email: str


@dataclass(frozen=True)
class StartupInput:
    name: str
    legal_form: LegalForm
    uscc: str | None
    registered_on: dt.date | None
    industry: Industry
    contact: ContactInput
    description: str
    applied_on: dt.date


def _contact(form: FormReader) -> ContactInput:
    name = form.text("contact_name", required=False, max_length=50)
    phone = form.text("contact_phone", required=False, max_length=32)
    if phone and not PHONE.match(phone):
        form.error("contact_phone", N_("Enter a mobile number (11 digits) or a landline with area code."))
    email = form.text("contact_email", required=False, max_length=100)
    # Only an address within the limit is matched: the pattern backtracks on a long run of dots.
    if email and "contact_email" not in form.errors and not EMAIL.match(email):
        form.error("contact_email", N_("Enter an e-mail address such as name@example.com."))
    return ContactInput(name, phone, email)


def parse_contact(data: Mapping[str, Any] | None) -> ContactInput:
    form = FormReader(data)
    contact = _contact(form)
    form.done()
    return contact


def parse_startup(data: Mapping[str, Any] | None, *, today: dt.date) -> StartupInput:
    form = FormReader(data)
    name = form.text("name", max_length=100)
    legal_form = form.choice("legal_form", LegalForm)
    uscc: str | None = form.text("uscc", required=False, max_length=18).upper() or None
    if legal_form is LegalForm.UNREGISTERED_TEAM:
        if uscc:
            form.error("uscc", N_("An unregistered team has no credit code; choose its legal form instead."))
    elif legal_form is not None:
        if not uscc:
            form.error("uscc", N_("A registered business needs its unified social credit code."))
        elif message := uscc_error(uscc):
            form.error("uscc", message)
    registered_on = form.date("registered_on", required=False, not_after=today)
    if legal_form is not None and legal_form is not LegalForm.UNREGISTERED_TEAM and registered_on is None:
        form.error("registered_on", N_("Enter the date the business was registered."))
    industry = form.choice("industry", Industry)
    contact = _contact(form)
    description = form.text("description", required=False, max_length=2000, multiline=True)
    applied_on = form.date("applied_on", required=False, not_after=today) or today
    form.done()
    assert legal_form is not None and industry is not None
    return StartupInput(name, legal_form, uscc, registered_on, industry, contact, description, applied_on)


@dataclass(frozen=True)
class TransitionInput:
    to: StartupStatus
    on: dt.date
    reason: ExitReason | None
    note: str
    incubation_ends_on: dt.date | None


def parse_transition(data: Mapping[str, Any] | None, *, today: dt.date) -> TransitionInput:
    form = FormReader(data)
    to = form.choice("to", StartupStatus)
    if to is StartupStatus.APPLIED:
        form.error("to", N_("Choose one of the listed values."))
    on = form.date("on", not_after=today)
    reason = form.choice("reason", ExitReason, required=to is StartupStatus.EXITED)
    note = form.text("note", required=reason is ExitReason.OTHER, max_length=500, multiline=True)
    ends = form.date("incubation_ends_on", required=False, not_before=dt.date(2000, 1, 1))
    if ends is not None and on is not None and ends <= on:
        form.error("incubation_ends_on", N_("The end of incubation must come after the admission date."))
    form.done()
    assert to is not None and on is not None
    if to is StartupStatus.INCUBATING and ends is None:
        ends = _years_later(on, DEFAULT_TERM_YEARS) - dt.timedelta(days=1)
    return TransitionInput(to, on, reason if to is StartupStatus.EXITED else None, note, ends)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class PersonInput:
    """What an operator types about a person; birth date and sex come from the ID number."""

    id_number: str
    name: str
    phone: str
    hukou_region_code: str | None
    is_graduate: bool
    school: str
    graduation_year: int | None
    is_farmer_herder: bool
    is_veteran: bool
    is_poverty_alleviated: bool
    is_disabled: bool
    has_employment_difficulty: bool

    def details(self) -> dict[str, Any]:
        """The person's fields other than the ID number (for create and update)."""
        return {
            "name": self.name,
            "phone": self.phone,
            "is_graduate": self.is_graduate,
            "school": self.school if self.is_graduate else "",
            "graduation_year": self.graduation_year if self.is_graduate else None,
            "is_farmer_herder": self.is_farmer_herder,
            "is_veteran": self.is_veteran,
            "is_poverty_alleviated": self.is_poverty_alleviated,
            "is_disabled": self.is_disabled,
            "has_employment_difficulty": self.has_employment_difficulty,
        }


def read_person(form: FormReader, *, today: dt.date, with_id: bool) -> PersonInput:
    number = ""
    if with_id:
        number = normalise_id_number(form.text("id_number", max_length=18))
        if number and (message := id_number_error(number, today=today)):
            form.error("id_number", message)
    name = form.text("name", max_length=50)
    phone = form.text("phone", required=False, max_length=11)
    if phone and not MOBILE.match(phone):
        form.error("phone", N_("Enter an 11-digit mainland mobile number, e.g. 13908901234."))
    hukou = form.text("hukou_region_code", required=False, max_length=6) or None
    if hukou and not is_region_code(hukou):
        form.error("hukou_region_code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    graduate = form.boolean("is_graduate")
    school = form.text("school", required=graduate, max_length=100)
    year = form.integer("graduation_year", required=graduate, minimum=1950, maximum=today.year + 1)
    return PersonInput(
        id_number=number,
        name=name,
        phone=phone,
        hukou_region_code=hukou,
        is_graduate=graduate,
        school=school,
        graduation_year=year,
        is_farmer_herder=form.boolean("is_farmer_herder"),
        is_veteran=form.boolean("is_veteran"),
        is_poverty_alleviated=form.boolean("is_poverty_alleviated"),
        is_disabled=form.boolean("is_disabled"),
        has_employment_difficulty=form.boolean("has_employment_difficulty"),
    )


def parse_person(data: Mapping[str, Any] | None, *, today: dt.date, with_id: bool = True) -> PersonInput:
    form = FormReader(data)
    person = read_person(form, today=today, with_id=with_id)
    form.done()
    return person


@dataclass(frozen=True)
class FounderInput:
    person: PersonInput
    role: FounderRole
    joined_on: dt.date


def parse_founder(data: Mapping[str, Any] | None, *, today: dt.date) -> FounderInput:
    form = FormReader(data)
    person = read_person(form, today=today, with_id=True)
    role = form.choice("role", FounderRole)
    joined_on = form.date("joined_on", not_after=today)
    form.done()
    assert role is not None and joined_on is not None
    return FounderInput(person, role, joined_on)


def parse_left_on(data: Mapping[str, Any] | None, *, today: dt.date) -> dt.date:
    form = FormReader(data)
    left_on = form.date("left_on", not_after=today)
    form.done()
    assert left_on is not None
    return left_on
