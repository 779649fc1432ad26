"""Subsidy policy pages: the policies in scope, one policy with every version, version forms,
the LPR table and regional holidays."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from grants.forms.policies import (
    parse_holiday,
    parse_lpr,
    parse_new_policy,
    parse_policy,
    parse_version,
    version_data,
    version_values,
)
from grants.models import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday
from grants.rules.params import ELIGIBLE_GROUPS, SCHEMA, ParamSpec, ParamType
from grants.services import policies as service
from incubator.access import Principal, can, can_region, get_visible, require, require_region, visible
from incubator.convertors import parse_id
from incubator.errors import ValidationFailed
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.labels import choices, label
from incubator.models import Region, Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.regions import is_region_code, subtree_filter
from incubator.templating import render

NAV = "policies"


@dataclass(frozen=True)
class ParamRow:
    """One parameter of a version as a page shows it: its label, value and source."""

    spec: ParamSpec
    value: Any
    ref: str
    confirmed: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        # Translated here: a label may contain "%", which template gettext would try to format.
        return gettext(self.spec.label)

    @property
    def type(self) -> str:
        return self.spec.type.value

    @property
    def number(self) -> Decimal | None:
        """The value of a money, whole-number or percent parameter, for formatting."""
        try:
            return Decimal(str(self.value))
        except InvalidOperation:
            return None


def param_rows(kind: PolicyKind, version: PolicyVersion) -> list[ParamRow]:
    """Every parameter of the kind, in the schema's order, with the version's value and source."""
    rows = []
    for spec in SCHEMA[kind]:
        source = (version.sources or {}).get(spec.name) or {}
        rows.append(
            ParamRow(
                spec, (version.params or {}).get(spec.name), str(source.get("ref", "")), bool(source.get("confirmed"))
            )
        )
    return rows


def _titled(kind: PolicyKind) -> list[tuple[ParamSpec, str]]:
    """The kind's parameters with their translated labels, for the version form."""
    return [(spec, gettext(spec.label)) for spec in SCHEMA[kind]]


def reader(request: Request) -> Principal:
    principal = page_principal(request)
    require(principal, "policy.view")
    return principal


async def _managed_regions(principal: Principal) -> list[tuple[str, str]]:
    """The regions whose policies and holidays the principal may change, for a select."""
    if not can(principal, "policy.manage"):
        return []
    query = visible(principal, Region).filter(level__in=["province", "prefecture", "county"]).order_by("code")
    if principal.role is Role.BUREAU and principal.region_code:
        query = query.filter(**subtree_filter("code", principal.region_code))
    return [(r.code, f"{r.code} {r.name}") for r in await query.limit(500)]


# -- the list -----------------------------------------------------------------------------


async def policy_list(request: Request) -> Response:
    principal = reader(request)
    limit, offset = window(request.query_params)
    page = await paginate(
        visible(principal, Policy).select_related("region").order_by("kind", "region_id"), limit, offset
    )
    day = today()
    current = {
        v.policy_id: v
        for v in await PolicyVersion.filter(policy_id__in=[p.id for p in page.items], valid_from__lte=day).order_by(
            "valid_from"
        )
        if v.valid_until is None or v.valid_until >= day
    }
    groups: dict[str, list[tuple[Policy, PolicyVersion | None]]] = {kind.value: [] for kind in PolicyKind}
    for policy in page.items:
        groups[PolicyKind(policy.kind).value].append((policy, current.get(policy.id)))
    groups = {kind: rows for kind, rows in groups.items() if rows}
    return render(
        request,
        "grants/policies.html",
        {
            "page": page,
            "groups": groups,
            "day": day,
            "can_install": can(principal, "rates.manage") and await service.defaults_missing(),
            "can_create": can(principal, "policy.manage"),
            "nav": NAV,
        },
    )


async def install_defaults(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "rates.manage")
    counts = await service.install_defaults(principal)
    message = gettext(
        "Installed %(policies)d policies, %(rates)d LPR rates and %(holidays)d regional holidays.",
        policies=counts["policies"],
        rates=counts["lpr_rates"],
        holidays=counts["holidays"],
    )
    return redirect("/policies", message, request)


# -- one policy ---------------------------------------------------------------------------


def _policy_values(policy: Policy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "name_en": policy.name_en,
        "issuing_body": policy.issuing_body,
        "document_number": policy.document_number,
        "summary": policy.summary,
        "is_active": "1" if policy.is_active else "",
    }


async def _detail_context(principal: Principal, policy: Policy) -> dict[str, Any]:
    versions = await PolicyVersion.filter(policy_id=policy.id).order_by("-valid_from").limit(200)
    day = today()
    in_force = next(
        (v.id for v in versions if v.valid_from <= day and (v.valid_until is None or v.valid_until >= day)), None
    )
    return {
        "policy": policy,
        "versions": [(v, param_rows(policy.kind, v)) for v in versions],
        "in_force": in_force,
        "day": day,
        "can_edit": can_region(principal, "policy.manage", policy.region_id),
        "values": _policy_values(policy),
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def policy_detail(request: Request) -> Response:
    principal = reader(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"], related=("region",))
    return render(request, "grants/policy_detail.html", await _detail_context(principal, policy))


async def policy_update(request: Request) -> Response:
    principal = page_principal(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"], related=("region",))
    require_region(principal, "policy.manage", policy.region_id)
    try:
        await service.update_policy(principal, policy, parse_policy(form_of(request)))
    except ValidationFailed as exc:
        context = await _detail_context(principal, policy)
        return rejected(request, "grants/policy_detail.html", exc, context)
    return redirect(f"/policies/{policy.id}", gettext("The policy was saved."), request)


# -- version forms ------------------------------------------------------------------------


def _groups_of(values: dict[str, Any], form: FormData | None = None) -> dict[str, list[str]]:
    """The checked groups of each group parameter: from what was posted, else from `values`."""
    names = [s.name for specs in SCHEMA.values() for s in specs if s.type is ParamType.GROUPS]
    if form is not None:
        return {name: [str(v) for v in form.getlist(f"params.{name}")] for name in names}
    return {name: list(values.get(f"params.{name}") or []) for name in names}


def _form_context(policy: Policy, action: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "policy": policy,
        "kind": policy.kind,
        "specs": _titled(policy.kind),
        "groups": [(g, label("eligible_group", g)) for g in ELIGIBLE_GROUPS],
        "modes": choices("interest_mode"),
        "checked": _groups_of(values),
        "action": action,
        "values": values,
        "errors": {},
        "message": "",
        "nav": NAV,
        **extra,
    }


def _rejected_version(request: Request, exc: ValidationFailed, context: dict[str, Any]) -> Response:
    return rejected(
        request, "grants/policy_version_form.html", exc, {**context, "checked": _groups_of({}, form_of(request))}
    )


async def version_new(request: Request) -> Response:
    principal = page_principal(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"], related=("region",))
    require_region(principal, "policy.manage", policy.region_id)
    latest = await PolicyVersion.filter(policy_id=policy.id).order_by("-valid_from").first()
    values = version_values(policy.kind, {"params": latest.params, "sources": latest.sources} if latest else {})
    context = _form_context(policy, f"/policies/{policy.id}/versions", values, version=None, latest=latest)
    return render(request, "grants/policy_version_form.html", context)


async def version_create(request: Request) -> Response:
    principal = page_principal(request)
    policy = await get_visible(principal, Policy, request.path_params["policy_id"], related=("region",))
    require_region(principal, "policy.manage", policy.region_id)
    try:
        data = parse_version(policy.kind, version_data(policy.kind, form_of(request)))
        await service.add_version(principal, policy, data)
    except ValidationFailed as exc:
        latest = await PolicyVersion.filter(policy_id=policy.id).order_by("-valid_from").first()
        context = _form_context(policy, f"/policies/{policy.id}/versions", {}, version=None, latest=latest)
        return _rejected_version(request, exc, context)
    return redirect(f"/policies/{policy.id}", gettext("The new version was saved."), request)


async def _version_of(request: Request, principal: Principal) -> PolicyVersion:
    return await get_visible(
        principal, PolicyVersion, request.path_params["version_id"], related=("policy", "policy__region")
    )


async def version_edit(request: Request) -> Response:
    principal = page_principal(request)
    version = await _version_of(request, principal)
    require_region(principal, "policy.manage", version.policy.region_id)
    values = version_values(
        version.policy.kind,
        {
            "valid_from": version.valid_from,
            "valid_until": version.valid_until,
            "note": version.note,
            "params": version.params,
            "sources": version.sources,
        },
    )
    context = _form_context(version.policy, f"/policy-versions/{version.id}", values, version=version, latest=None)
    return render(request, "grants/policy_version_form.html", context)


async def version_update(request: Request) -> Response:
    principal = page_principal(request)
    version = await _version_of(request, principal)
    policy = version.policy
    require_region(principal, "policy.manage", policy.region_id)
    try:
        data = parse_version(policy.kind, version_data(policy.kind, form_of(request)))
        await service.update_version(principal, version, data)
    except ValidationFailed as exc:
        context = _form_context(policy, f"/policy-versions/{version.id}", {}, version=version, latest=None)
        return _rejected_version(request, exc, context)
    return redirect(f"/policies/{policy.id}#version-{version.id}", gettext("The version was saved."), request)


# -- a region's own policy ----------------------------------------------------------------


async def _new_policy_context(principal: Principal, kind: PolicyKind, region_code: str) -> dict[str, Any]:
    values: dict[str, Any] = {"kind": kind.value, "region_code": region_code}
    above = await service.in_force(kind, region_code, today()) if region_code else None
    if above is not None:
        parent, version = above
        values.update(version_values(kind, {"params": version.params, "sources": version.sources}))
        values.update(issuing_body=parent.issuing_body, name=parent.name, name_en=parent.name_en)
    return {
        "kind": kind,
        "kinds": choices("policy_kind"),
        "specs": _titled(kind),
        "regions": await _managed_regions(principal),
        "groups": [(g, label("eligible_group", g)) for g in ELIGIBLE_GROUPS],
        "modes": choices("interest_mode"),
        "checked": _groups_of(values),
        "above": above,
        "values": values,
        "errors": {},
        "message": "",
        "nav": NAV,
    }


def _kind_of(raw: str) -> PolicyKind:
    try:
        return PolicyKind(raw)
    except ValueError:
        return PolicyKind.STARTUP_GRANT


async def policy_new(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "policy.manage")
    kind = _kind_of(request.query_params.get("kind", ""))
    code = request.query_params.get("region_code", "") or principal.region_code or ""
    regions = {c for c, _ in await _managed_regions(principal)}
    context = await _new_policy_context(principal, kind, code if code in regions else "")
    return render(request, "grants/policy_new.html", context)


async def policy_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "policy.manage")
    form = form_of(request)
    kind = _kind_of(str(form.get("kind", "")))
    code = str(form.get("region_code", ""))
    if is_region_code(code):
        require_region(principal, "policy.manage", code)
    try:
        data = parse_new_policy(version_data(kind, form))
        policy = await service.create_policy(principal, data.region_code, data.kind, data.policy, data.version)
    except ValidationFailed as exc:
        context = await _new_policy_context(principal, kind, "")
        return rejected(request, "grants/policy_new.html", exc, {**context, "checked": _groups_of({}, form)})
    return redirect(f"/policies/{policy.id}", gettext("The policy was created."), request)


# -- LPR ----------------------------------------------------------------------------------


async def _lpr_context(request: Request, principal: Principal, editing: LprRate | None) -> dict[str, Any]:
    limit, offset = window(request.query_params)
    page = await paginate(visible(principal, LprRate).order_by("-effective_on"), limit, offset)
    values: dict[str, Any] = {"source": ""}
    if editing is not None:
        values = {
            "effective_on": editing.effective_on.isoformat(),
            "one_year": str(editing.one_year),
            "five_year": "" if editing.five_year is None else str(editing.five_year),
            "source": editing.source,
        }
    return {
        "page": page,
        "editing": editing,
        "can_manage": can(principal, "rates.manage"),
        "values": values,
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def lpr_list(request: Request) -> Response:
    principal = reader(request)
    editing = None
    raw = request.query_params.get("edit", "")
    if (lpr_id := parse_id(raw)) is not None and can(principal, "rates.manage"):
        editing = await get_visible(principal, LprRate, lpr_id)
    return render(request, "grants/lpr.html", await _lpr_context(request, principal, editing))


async def lpr_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "rates.manage")
    try:
        await service.add_lpr(principal, parse_lpr(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "grants/lpr.html", exc, await _lpr_context(request, principal, None))
    return redirect("/policies/lpr", gettext("The rate was saved."), request)


async def lpr_update(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "rates.manage")
    rate = await get_visible(principal, LprRate, request.path_params["lpr_id"])
    try:
        await service.update_lpr(principal, rate, parse_lpr(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "grants/lpr.html", exc, await _lpr_context(request, principal, rate))
    return redirect("/policies/lpr", gettext("The rate was saved."), request)


async def lpr_delete(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "rates.manage")
    rate = await get_visible(principal, LprRate, request.path_params["lpr_id"])
    await service.delete_lpr(principal, rate)
    return redirect("/policies/lpr", gettext("The rate was deleted."), request)


# -- regional holidays --------------------------------------------------------------------


async def _holiday_context(request: Request, principal: Principal, editing: RegionHoliday | None) -> dict[str, Any]:
    limit, offset = window(request.query_params)
    query = visible(principal, RegionHoliday).select_related("region").order_by("region_id", "-starts_on")
    page = await paginate(query, limit, offset)
    regions = await _managed_regions(principal)
    values: dict[str, Any] = {"region_code": principal.region_code or (regions[0][0] if regions else "")}
    if editing is not None:
        values = {
            "region_code": editing.region_id,
            "name": editing.name,
            "starts_on": editing.starts_on.isoformat(),
            "ends_on": editing.ends_on.isoformat(),
        }
    editable = {h.id for h in page.items if can_region(principal, "policy.manage", h.region_id)}
    return {
        "page": page,
        "editing": editing,
        "editable": editable,
        "regions": regions,
        "values": values,
        "errors": {},
        "message": "",
        "nav": NAV,
    }


async def holiday_list(request: Request) -> Response:
    principal = reader(request)
    editing = None
    raw = request.query_params.get("edit", "")
    if (holiday_id := parse_id(raw)) is not None and can(principal, "policy.manage"):
        editing = await get_visible(principal, RegionHoliday, holiday_id)
        require_region(principal, "policy.manage", editing.region_id)
    return render(request, "grants/holidays.html", await _holiday_context(request, principal, editing))


async def holiday_create(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "policy.manage")
    try:
        await service.add_holiday(principal, parse_holiday(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "grants/holidays.html", exc, await _holiday_context(request, principal, None))
    return redirect("/policies/holidays", gettext("The holiday was saved."), request)


async def _holiday_of(request: Request, principal: Principal) -> RegionHoliday:
    holiday = await get_visible(principal, RegionHoliday, request.path_params["holiday_id"])
    require_region(principal, "policy.manage", holiday.region_id)
    return holiday


async def holiday_update(request: Request) -> Response:
    principal = page_principal(request)
    holiday = await _holiday_of(request, principal)
    try:
        await service.update_holiday(principal, holiday, parse_holiday(form_of(request)))
    except ValidationFailed as exc:
        return rejected(request, "grants/holidays.html", exc, await _holiday_context(request, principal, holiday))
    return redirect("/policies/holidays", gettext("The holiday was saved."), request)


async def holiday_delete(request: Request) -> Response:
    principal = page_principal(request)
    holiday = await _holiday_of(request, principal)
    await service.delete_holiday(principal, holiday)
    return redirect("/policies/holidays", gettext("The holiday was deleted."), request)
