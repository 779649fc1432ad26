"""Input parsing: every form and JSON body becomes plain values or field errors."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from incubator.errors import ValidationFailed
from incubator.i18n import N_
from incubator.models import BaseKind, BaseLevel, Role
from incubator.regions import is_region_code

E = TypeVar("E", bound=Enum)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
BASE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", re.ASCII)
# Unicode's control characters (category Cc), without and with the line breaks and tabs of multiline text.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROLS_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates: JSON's "\ud800" escapes carry them, and no database can store them.
SURROGATES = re.compile("[\ud800-\udfff]")


class FormReader:
    """Reads fields from a form or JSON object, collecting one error per field."""

    def __init__(self, data: Mapping[str, Any] | None) -> None:
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.errors: dict[str, str] = {}
        self.params: dict[str, dict[str, object]] = {}
        if data is not None and not isinstance(data, Mapping):
            self.errors["__all__"] = N_("The request body must be an object.")

    def error(self, name: str, message: str, **params: object) -> None:
        self.errors.setdefault(name, message)
        if params:
            self.params.setdefault(name, params)

    def raw(self, name: str) -> str:
        value = self.data.get(name)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, str, Decimal)):
            return str(value).strip()
        if isinstance(value, float):
            return repr(value)
        return ""

    def _filled(self, name: str, required: bool) -> str | None:
        """The raw value, or None when blank (an error if the field is required)."""
        value = self.raw(name)
        if value:
            return value
        if required:
            self.error(name, N_("This field is required."))
        return None

    def present(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, *, required: bool = True, max_length: int = 100, multiline: bool = False) -> str:
        value = self.raw(name)
        if value and not isinstance(self.data.get(name), (str, int, Decimal)):
            self.error(name, N_("This value has the wrong type."))
            return ""
        value = unicodedata.normalize("NFC", value)
        if (CONTROLS_BUT_LINES if multiline else CONTROLS).search(value):
            self.error(name, N_("This field contains control characters."))
            return ""
        if SURROGATES.search(value):
            self.error(name, N_("This field contains characters that cannot be stored."))
            return ""
        if required and not value:
            self.error(name, N_("This field is required."))
        elif len(value) > max_length:
            self.error(name, N_("At most %(max)d characters."), max=max_length)
        return value

    def pattern(self, name: str, regex: re.Pattern[str], message: str, *, required: bool = True) -> str:
        value = self.text(name, required=required, max_length=64)
        if value and not regex.match(value):
            self.error(name, message)
        return value

    def choice(self, name: str, enum: type[E], *, required: bool = True) -> E | None:
        value = self._filled(name, required)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            self.error(name, N_("Choose one of the listed values."))
            return None

    def decimal(
        self,
        name: str,
        *,
        required: bool = True,
        places: int = 2,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = Decimal("9999999999.99"),
    ) -> Decimal | None:
        filled = self._filled(name, required)
        if filled is None:
            return None
        value = filled.replace(",", "")
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.error(name, N_("Enter a number."))
            return None
        if not number.is_finite():
            self.error(name, N_("Enter a number."))
            return None
        if number.is_zero():
            number = number.copy_abs()  # "-0" is zero, not a negative zero (负零元 on a receipt)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            self.error(name, N_("At most %(places)d decimal places."), places=places)
            return None
        if number < minimum or number > maximum:
            self.error(name, N_("Enter a number between %(low)s and %(high)s."), low=minimum, high=maximum)
            return None
        return number

    def integer(self, name: str, *, required: bool = True, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        value = self._filled(name, required)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d{1,12}", value, flags=re.ASCII):
            self.error(name, N_("Enter a whole number."))
            return None
        number = int(value)
        if number < minimum or number > maximum:
            self.error(name, N_("Enter a number between %(low)s and %(high)s."), low=minimum, high=maximum)
            return None
        return number

    def date(
        self,
        name: str,
        *,
        required: bool = True,
        not_after: dt.date | None = None,
        not_before: dt.date = dt.date(1900, 1, 1),
    ) -> dt.date | None:
        value = self._filled(name, required)
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(name, N_("Enter a date as YYYY-MM-DD."))
            return None
        if day < not_before:
            self.error(name, N_("The date is too far in the past."))
            return None
        if not_after is not None and day > not_after:
            self.error(name, N_("The date cannot be in the future."))
            return None
        return day

    def boolean(self, name: str) -> bool:
        return self.raw(name).lower() in {"1", "true", "on", "yes"}

    def done(self) -> None:
        """Raise ValidationFailed with every collected error; change nothing before this."""
        if self.errors:
            raise ValidationFailed(self.errors, field_params=self.params)


@dataclass(frozen=True)
class RegionInput:
    code: str
    name: str
    name_en: str


def parse_region(data: Mapping[str, Any] | None, *, code: str | None = None) -> RegionInput:
    form = FormReader(data)
    if code is None:
        code = form.text("code", max_length=6)
        if code and not is_region_code(code):
            form.error("code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    name = form.text("name", max_length=64)
    name_en = form.text("name_en", required=False, max_length=64)
    form.done()
    return RegionInput(code=code, name=name, name_en=name_en)


@dataclass(frozen=True)
class BaseInput:
    name: str
    code: str
    kind: BaseKind
    level: BaseLevel
    region_code: str
    address: str
    area_m2: Decimal | None
    opened_on: dt.date | None
    contact_phone: str


def parse_base(data: Mapping[str, Any] | None, *, today: dt.date) -> BaseInput:
    form = FormReader(data)
    name = form.text("name", max_length=100)
    code = form.pattern("code", BASE_CODE, N_("2 to 16 capital letters, digits or hyphens, e.g. DSJ."))
    kind = form.choice("kind", BaseKind)
    level = form.choice("level", BaseLevel)
    region_code = form.text("region_code", max_length=6)
    if region_code and not is_region_code(region_code):
        form.error("region_code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    address = form.text("address", required=False, max_length=200)
    area = form.decimal("area_m2", required=False, maximum=Decimal("10000000"))
    opened_on = form.date("opened_on", required=False, not_after=today)
    phone = form.text("contact_phone", required=False, max_length=32)
    if phone and not PHONE.match(phone):
        form.error("contact_phone", N_("Enter a mobile number (11 digits) or a landline with area code."))
    form.done()
    assert kind is not None and level is not None
    return BaseInput(name, code, kind, level, region_code, address, area, opened_on, phone)


@dataclass(frozen=True)
class BureauInput:
    name: str
    region_code: str


def parse_bureau(data: Mapping[str, Any] | None) -> BureauInput:
    form = FormReader(data)
    name = form.text("name", max_length=100)
    region_code = form.text("region_code", max_length=6)
    if region_code and not is_region_code(region_code):
        form.error("region_code", N_("A region code has six digits (GB/T 2260), e.g. 540102."))
    form.done()
    return BureauInput(name, region_code)


@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    password: str | None
    is_active: bool


def parse_user(data: Mapping[str, Any] | None, *, creating: bool) -> UserInput:
    from incubator.passwords import policy_error

    form = FormReader(data)
    username = ""
    if creating:
        username = form.text("username", max_length=64).lower()
        if username and not USERNAME.match(username):
            form.error(
                "username",
                N_("3 to 64 lower-case letters, digits, dots, hyphens or underscores."),
            )
    display_name = form.text("display_name", max_length=64)
    password: str | None = None
    if creating:
        password = form.text("password", max_length=200)
        if password and (message := policy_error(password, username)):
            form.error("password", message)
    is_active = form.boolean("is_active") if form.present("is_active") or not creating else True
    form.done()
    return UserInput(username, display_name, password, is_active)


def parse_new_password(data: Mapping[str, Any] | None, username: str) -> str:
    from incubator.passwords import policy_error

    form = FormReader(data)
    password = form.text("password", max_length=200)
    if password and (message := policy_error(password, username)):
        form.error("password", message)
    form.done()
    return password


@dataclass(frozen=True)
class MembershipInput:
    role: Role
    bureau_id: int | None
    base_id: int | None
    startup_id: int | None


def parse_membership(data: Mapping[str, Any] | None) -> MembershipInput:
    form = FormReader(data)
    role = form.choice("role", Role)
    bureau_id = base_id = startup_id = None
    if role is Role.BUREAU:
        bureau_id = form.integer("bureau_id", minimum=1)
    elif role is Role.OPERATOR:
        base_id = form.integer("base_id", minimum=1)
    elif role is Role.FOUNDER:
        startup_id = form.integer("startup_id", minimum=1)
    form.done()
    assert role is not None
    return MembershipInput(role, bureau_id, base_id, startup_id)
