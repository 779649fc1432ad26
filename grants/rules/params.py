"""The parameters of each kind of policy: their names, types, bounds and typed views for the rules.

A PolicyVersion stores parameters as JSON (money as strings). `SCHEMA` lists, per kind, each
parameter with its type, so the edit form, the validator and the rules read them one way.
`ELIGIBLE_GROUPS` are the 十类人员 of the guaranteed-loan and start-up policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from grants.models.policies import PolicyKind
from incubator.i18n import N_

# The ten groups (十类人员), as codes; labels are registered under "eligible_group".
ELIGIBLE_GROUPS = (
    "registered_unemployed",  # 城镇登记失业人员
    "employment_difficulty",  # 就业困难人员
    "veteran",  # 退役军人
    "released_prisoner",  # 刑满释放人员
    "graduate",  # 高校毕业生 (within N years of graduation)
    "overcapacity_worker",  # 化解过剩产能企业职工
    "returning_migrant",  # 返乡创业农民工
    "online_merchant",  # 网络商户
    "poverty_alleviated",  # 脱贫人口
    "rural_entrepreneur",  # 农村自主创业农民
)
# Groups a person's record shows (tenants' Person flags); the others are declared on an application.
RECORDED_GROUPS = {
    "veteran": "is_veteran",
    "poverty_alleviated": "is_poverty_alleviated",
    "employment_difficulty": "has_employment_difficulty",
    "rural_entrepreneur": "is_farmer_herder",
}
DECLARABLE_GROUPS = tuple(g for g in ELIGIBLE_GROUPS if g not in RECORDED_GROUPS and g != "graduate")


class ParamType(StrEnum):
    MONEY = "money"  # CNY, two places, ≥ 0
    INT = "int"  # whole number ≥ 0
    PERCENT = "percent"  # a share or a rate in percent, up to four places
    GROUPS = "groups"  # a list of ELIGIBLE_GROUPS codes
    MODE = "mode"  # the interest subsidy mode


class InterestMode(StrEnum):
    FULL = "full"  # the whole interest (Tibet, for graduates)
    SHARE = "share"  # a share of the actual interest
    ABOVE_LPR = "above_lpr"  # the part of the rate above LPR minus a spread (2020 national rule)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    label: str  # message id
    maximum: Decimal | None = None


SCHEMA: dict[PolicyKind, tuple[ParamSpec, ...]] = {
    PolicyKind.STARTUP_GRANT: (
        ParamSpec("amount_per_founder", ParamType.MONEY, N_("Amount per eligible founder")),
        ParamSpec("max_founders", ParamType.INT, N_("Founders counted per enterprise, at most"), Decimal(50)),
        ParamSpec("min_registered_months", ParamType.INT, N_("Registered at least (months)"), Decimal(600)),
        ParamSpec("max_registered_months", ParamType.INT, N_("Registered at most (months)"), Decimal(600)),
        ParamSpec("graduate_years", ParamType.INT, N_("Graduates: years since graduation, at most"), Decimal(50)),
        ParamSpec("eligible_groups", ParamType.GROUPS, N_("Eligible groups")),
    ),
    PolicyKind.RENT_SUBSIDY: (
        ParamSpec("annual_cap", ParamType.MONEY, N_("Subsidy per year, at most")),
        ParamSpec("max_years", ParamType.INT, N_("Years subsidised per startup, at most"), Decimal(50)),
    ),
    PolicyKind.LOAN_INTEREST: (
        ParamSpec("individual_cap", ParamType.MONEY, N_("Subsidised principal, individual, at most")),
        ParamSpec("partnership_percent", ParamType.PERCENT, N_("Partnership cap, percent of the partners' caps")),
        ParamSpec("enterprise_cap", ParamType.MONEY, N_("Subsidised principal, small or micro enterprise, at most")),
        ParamSpec("individual_term_months", ParamType.INT, N_("Subsidised term, individual (months)"), Decimal(600)),
        ParamSpec("enterprise_term_months", ParamType.INT, N_("Subsidised term, enterprise (months)"), Decimal(600)),
        ParamSpec("mode", ParamType.MODE, N_("Subsidy mode")),
        ParamSpec("share_percent", ParamType.PERCENT, N_("Share of the interest subsidised (share mode)")),
        ParamSpec("lpr_spread_bp", ParamType.INT, N_("Borrower pays up to LPR minus (basis points)"), Decimal(1000)),
        ParamSpec("graduate_years", ParamType.INT, N_("Graduates: years since graduation, at most"), Decimal(50)),
        ParamSpec("eligible_groups", ParamType.GROUPS, N_("Eligible groups")),
    ),
}


class ParamError(ValueError):
    """A parameter value that cannot be used; `msgid` says why, for the parameter `name`."""

    def __init__(self, name: str, msgid: str) -> None:
        super().__init__(f"{name}: {msgid}")
        self.name = name
        self.msgid = msgid


def clean_value(spec: ParamSpec, raw: Any) -> Any:
    """One parameter's value in its stored JSON form, or ParamError."""
    if spec.type is ParamType.GROUPS:
        items = raw if isinstance(raw, (list, tuple)) else [raw] if raw else []
        groups = [str(g) for g in items]
        if not groups:
            raise ParamError(spec.name, N_("Choose at least one group."))
        if any(g not in ELIGIBLE_GROUPS for g in groups):
            raise ParamError(spec.name, N_("Unknown group."))
        return [g for g in ELIGIBLE_GROUPS if g in groups]
    if spec.type is ParamType.MODE:
        try:
            return InterestMode(str(raw)).value
        except ValueError:
            raise ParamError(spec.name, N_("Choose a mode.")) from None
    text = str(raw).strip().replace(",", "").replace("，", "") if raw is not None else ""
    if not text:
        raise ParamError(spec.name, N_("Enter a value."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ParamError(spec.name, N_("Enter a number.")) from None
    if not value.is_finite() or value < 0:
        raise ParamError(spec.name, N_("Enter a number that is zero or more."))
    value = value.copy_abs()  # "-0" is zero: never store "-0.00"
    if spec.type is ParamType.INT:
        if value != value.to_integral_value():
            raise ParamError(spec.name, N_("Enter a whole number."))
        if spec.maximum is not None and value > spec.maximum:
            raise ParamError(spec.name, N_("The number is too large."))
        return int(value)
    if spec.type is ParamType.MONEY:
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ParamError(spec.name, N_("Enter an amount to the fen (two decimal places at most)."))
        if value >= Decimal("1000000000000"):
            raise ParamError(spec.name, N_("The amount is too large."))
        return str(value.quantize(Decimal("0.01")))
    # PERCENT
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ParamError(spec.name, N_("Enter a percentage with at most four decimal places."))
    if value > 1000:
        raise ParamError(spec.name, N_("The number is too large."))
    return str(value.normalize()) if value != value.to_integral_value() else str(int(value))


def clean_params(kind: PolicyKind, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """All parameters of a kind in stored form, and the errors by parameter name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in SCHEMA[kind]:
        try:
            values[spec.name] = clean_value(spec, raw.get(spec.name))
        except ParamError as error:
            errors[spec.name] = error.msgid
    if kind is PolicyKind.STARTUP_GRANT and not errors:
        if values["min_registered_months"] > values["max_registered_months"]:
            errors["max_registered_months"] = N_("The longest registration is shorter than the shortest.")
    return values, errors


# --- Typed views the rules take ---------------------------------------------------------


@dataclass(frozen=True)
class GrantParams:
    amount_per_founder: Decimal
    max_founders: int
    min_registered_months: int
    max_registered_months: int
    graduate_years: int
    eligible_groups: frozenset[str]

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> GrantParams:
        return cls(
            amount_per_founder=Decimal(params["amount_per_founder"]),
            max_founders=int(params["max_founders"]),
            min_registered_months=int(params["min_registered_months"]),
            max_registered_months=int(params["max_registered_months"]),
            graduate_years=int(params["graduate_years"]),
            eligible_groups=frozenset(params["eligible_groups"]),
        )


@dataclass(frozen=True)
class RentParams:
    annual_cap: Decimal
    max_years: int

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> RentParams:
        return cls(annual_cap=Decimal(params["annual_cap"]), max_years=int(params["max_years"]))


@dataclass(frozen=True)
class InterestParams:
    individual_cap: Decimal
    partnership_percent: Decimal
    enterprise_cap: Decimal
    individual_term_months: int
    enterprise_term_months: int
    mode: InterestMode
    share_percent: Decimal
    lpr_spread_bp: int
    graduate_years: int
    eligible_groups: frozenset[str]

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> InterestParams:
        return cls(
            individual_cap=Decimal(params["individual_cap"]),
            partnership_percent=Decimal(params["partnership_percent"]),
            enterprise_cap=Decimal(params["enterprise_cap"]),
            individual_term_months=int(params["individual_term_months"]),
            enterprise_term_months=int(params["enterprise_term_months"]),
            mode=InterestMode(params["mode"]),
            share_percent=Decimal(params["share_percent"]),
            lpr_spread_bp=int(params["lpr_spread_bp"]),
            graduate_years=int(params["graduate_years"]),
            eligible_groups=frozenset(params["eligible_groups"]),
        )
