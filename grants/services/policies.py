"""Subsidy policies, their dated parameter versions, the LPR table and regional holidays.

The rules take the parameters of the version in force on the relevant date, from the most
specific region's policy (a 地市's own policy overrides the 自治区's). A policy's versions
follow each other without a gap or an overlap: each ends the day before the next starts and
only the last may stay open, so a date always finds at most one version. Every change goes
through these functions, checks the principal's region, and is audited with before/after.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from grants.defaults import DEFAULT_POLICIES, LPR_HISTORY, LPR_SOURCE, TIBET, TIBET_HOLIDAYS
from grants.forms.policies import HolidayInput, LprInput, PolicyInput, VersionInput
from grants.models import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday
from grants.rules.params import clean_params
from grants.rules.workdays import Calendar
from incubator import audit
from incubator.access import Principal, get_visible, require, require_region
from incubator.audit import snapshot
from incubator.errors import NotFound, ValidationFailed
from incubator.i18n import N_
from incubator.models import Region
from incubator.regions import lineage

DAY = dt.timedelta(days=1)
POLICY_FIELDS = ("kind", "region_id", "name", "name_en", "issuing_body", "document_number", "summary", "is_active")
VERSION_FIELDS = ("policy_id", "valid_from", "valid_until", "params", "sources", "note")
LPR_FIELDS = ("effective_on", "one_year", "five_year", "source")
HOLIDAY_FIELDS = ("region_id", "name", "starts_on", "ends_on")


# -- reading --------------------------------------------------------------------------------


async def in_force(kind: PolicyKind, region_code: str, on: dt.date) -> tuple[Policy, PolicyVersion] | None:
    """The policy of `kind` that applies in the region on a day, and its version in force then.

    Among the active policies of the region and every region above it, the most specific
    one that has a version in force on `on` wins; a city's policy whose first version starts
    later leaves the autonomous region's in force until then. One query.
    """
    chain = lineage(region_code)
    versions = (
        await PolicyVersion.filter(
            policy__kind=kind, policy__is_active=True, policy__region_id__in=chain, valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("policy")
    )
    if not versions:
        return None
    best = max(versions, key=lambda v: chain.index(v.policy.region_id))
    return best.policy, best


async def lpr_on(day: dt.date) -> LprRate | None:
    """The LPR row in force on a day: the latest published on or before it."""
    return await LprRate.filter(effective_on__lte=day).order_by("-effective_on").first()


async def regional_holidays(region_code: str) -> list[tuple[dt.date, dt.date]]:
    """The days off (first, last) of the region and of every region above it."""
    rows = (
        await RegionHoliday.filter(region_id__in=lineage(region_code))
        .order_by("starts_on")
        .values_list("starts_on", "ends_on")
    )
    return [(start, end) for start, end in rows]


async def calendar_for(region_code: str) -> Calendar:
    """Working days in a region: the national calendar plus its own and its parents' holidays."""
    return Calendar.with_holidays(await regional_holidays(region_code))


# -- defaults --------------------------------------------------------------------------------


async def defaults_missing() -> bool:
    """Whether the shipped policies of 540000 could still be installed (the region exists, a kind lacks one)."""
    if not await Region.exists(code=TIBET):
        return False
    return await Policy.filter(region_id=TIBET, kind__in=list(DEFAULT_POLICIES)).count() < len(DEFAULT_POLICIES)


async def install_defaults(principal: Principal | None = None) -> dict[str, int]:
    """Create the shipped policies of 西藏自治区, the LPR history and Tibet's holidays where missing.

    Idempotent: what exists (a policy of the kind for 540000, an LPR row of the date, a
    holiday overlapping the day) is kept as it is. Policies and holidays need the region
    540000. Returns how many policies, LPR rows and holidays it created.
    """
    if principal is not None:
        require(principal, "rates.manage")
    counts = {"policies": 0, "lpr_rates": 0, "holidays": 0}
    user_id = principal.user_id if principal is not None else None
    async with in_transaction():
        tibet = await Region.get_or_none(code=TIBET)
        if tibet is not None:
            existing = {PolicyKind(p.kind) for p in await Policy.filter(region_id=TIBET)}
            for kind, default in DEFAULT_POLICIES.items():
                if kind in existing:
                    continue
                policy = await Policy.create(kind=kind, region_id=TIBET, **default["policy"])
                version = await PolicyVersion.create(
                    policy=policy,
                    valid_from=default["valid_from"],
                    valid_until=None,
                    params=default["params"],
                    sources=default["sources"],
                    created_by_id=user_id,
                )
                after = {**snapshot(policy, POLICY_FIELDS), "version": snapshot(version, VERSION_FIELDS)}
                await audit.record(principal, "policy.installed", policy, region_code=TIBET, after=after)
                counts["policies"] += 1
        added_rates = []
        known = set(await LprRate.all().values_list("effective_on", flat=True))
        for day, one_year, five_year in LPR_HISTORY:
            if day not in known:
                await LprRate.create(effective_on=day, one_year=one_year, five_year=five_year, source=LPR_SOURCE)
                added_rates.append(day)
        added_holidays = []
        if tibet is not None:
            for name, start, end in TIBET_HOLIDAYS:
                if not await RegionHoliday.exists(region_id=TIBET, starts_on__lte=end, ends_on__gte=start):
                    await RegionHoliday.create(region_id=TIBET, name=name, starts_on=start, ends_on=end)
                    added_holidays.append({"name": name, "starts_on": start, "ends_on": end})
        counts["lpr_rates"], counts["holidays"] = len(added_rates), len(added_holidays)
        if added_rates or added_holidays:
            await audit.record(
                principal,
                "reference_data.installed",
                object_type="LprRate",
                object_id="defaults",
                region_code=TIBET if added_holidays else None,
                after={"lpr_rates": added_rates, "holidays": added_holidays},
            )
    return counts


# -- policies -----------------------------------------------------------------------------


async def update_policy(principal: Principal, policy: Policy, data: PolicyInput) -> Policy:
    """Change a policy's name, issuing body, 文号, summary or whether it is in use."""
    require_region(principal, "policy.manage", policy.region_id)
    async with in_transaction():
        locked = await Policy.select_for_update().get(id=policy.id)
        before = snapshot(locked, POLICY_FIELDS)
        locked.update_from_dict(
            {
                "name": data.name,
                "name_en": data.name_en,
                "issuing_body": data.issuing_body,
                "document_number": data.document_number,
                "summary": data.summary,
                "is_active": data.is_active,
            }
        )
        after = snapshot(locked, POLICY_FIELDS)
        if after != before:
            await locked.save()
            await audit.record(
                principal, "policy.updated", locked, region_code=locked.region_id, before=before, after=after
            )
    return locked


async def create_policy(
    principal: Principal, region_code: str, kind: PolicyKind, data: PolicyInput, first: VersionInput
) -> Policy:
    """A region's own policy of a kind (overriding the one above it there), with its first version."""
    require_region(principal, "policy.manage", region_code)
    params = _clean(kind, first)
    try:
        region = await get_visible(principal, Region, region_code)
    except NotFound:
        raise ValidationFailed({"region_code": N_("No region has this code.")}) from None
    if await Policy.exists(region_id=region.code, kind=kind):
        raise _taken(region)
    try:
        async with in_transaction():
            policy = await Policy.create(
                kind=kind,
                region_id=region.code,
                name=data.name,
                name_en=data.name_en,
                issuing_body=data.issuing_body,
                document_number=data.document_number,
                summary=data.summary,
                is_active=data.is_active,
            )
            version = await _create_version(principal, policy, first, params)
            after = {**snapshot(policy, POLICY_FIELDS), "version": snapshot(version, VERSION_FIELDS)}
            await audit.record(principal, "policy.created", policy, region_code=region.code, after=after)
    except IntegrityError:
        # Two officers creating the same region's policy at once: the second is told.
        raise _taken(region) from None
    return policy


def _taken(region: Region) -> ValidationFailed:
    return ValidationFailed(
        {"kind": N_("%(region)s already has its own policy of this kind: open it and add a version instead.")},
        field_params={"kind": {"region": region.name}},
    )


# -- versions -----------------------------------------------------------------------------


def _clean(kind: PolicyKind, data: VersionInput) -> dict[str, Any]:
    """The version's parameters in stored form; a caller that skipped the form still gets field errors."""
    params, errors = clean_params(kind, data.params)
    if errors:
        raise ValidationFailed({f"params.{name}": message for name, message in errors.items()})
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise _refuse("valid_until", N_("The last day cannot be before the first day."))
    return params


async def _create_version(
    principal: Principal, policy: Policy, data: VersionInput, params: dict[str, Any]
) -> PolicyVersion:
    return await PolicyVersion.create(
        policy_id=policy.id,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        params=params,
        sources=data.sources,
        note=data.note,
        created_by_id=principal.user_id,
    )


def _refuse(field: str, message: str, **params: object) -> ValidationFailed:
    values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
    return ValidationFailed({field: message}, field_params={field: values})


async def add_version(principal: Principal, policy: Policy, data: VersionInput) -> PolicyVersion:
    """New parameters of a policy from a date on; the open version before it ends the day before.

    A new version follows the latest one: it may not start on or before the latest version's
    first day, and after a version that already has a last day it must start the day after.
    """
    require_region(principal, "policy.manage", policy.region_id)
    params = _clean(policy.kind, data)
    async with in_transaction():
        # One edit of a policy's dates at a time.
        await Policy.select_for_update().get(id=policy.id)
        last = await PolicyVersion.filter(policy_id=policy.id).order_by("-valid_from").first()
        closing: dict[str, Any] | None = None
        if last is not None:
            if data.valid_from <= last.valid_from:
                raise _refuse(
                    "valid_from",
                    N_(
                        "The latest version starts on %(start)s: a new version must start later."
                        " To change an earlier version, edit it."
                    ),
                    start=last.valid_from,
                )
            if last.valid_until is not None and last.valid_until >= data.valid_from:
                raise _refuse(
                    "valid_from",
                    N_("The latest version runs from %(start)s until %(end)s: the new one would overlap it."),
                    start=last.valid_from,
                    end=last.valid_until,
                )
            if last.valid_until is not None and last.valid_until + DAY < data.valid_from:
                raise _refuse(
                    "valid_from",
                    N_(
                        "The latest version ends on %(end)s: the new one must start on %(next)s,"
                        " or the days between would have no parameters."
                    ),
                    end=last.valid_until,
                    next=last.valid_until + DAY,
                )
            if last.valid_until is None:
                closing = snapshot(last, VERSION_FIELDS)
                last.valid_until = data.valid_from - DAY
                await last.save(update_fields=["valid_until", "updated_at"])
                await audit.record(
                    principal,
                    "policy_version.updated",
                    last,
                    region_code=policy.region_id,
                    before=closing,
                    after=snapshot(last, VERSION_FIELDS),
                )
        version = await _create_version(principal, policy, data, params)
        await audit.record(
            principal,
            "policy_version.created",
            version,
            region_code=policy.region_id,
            after=snapshot(version, VERSION_FIELDS),
        )
    return version


@dataclass
class _Span:
    id: int
    valid_from: dt.date
    valid_until: dt.date | None


def _check_dates(spans: Sequence[_Span], edited: int) -> None:
    """Refuse dates that leave a day without a version, two versions on one day, or a version without days."""
    for span in spans:
        if span.valid_until is not None and span.valid_until < span.valid_from:
            if span.id == edited:
                raise _refuse("valid_until", N_("The last day cannot be before the first day."))
            raise _refuse(
                "valid_from",
                N_("The version from %(start)s would be left without a single day."),
                start=span.valid_from,
            )
    ordered = sorted(spans, key=lambda s: s.valid_from)
    for first, second in itertools.pairwise(ordered):
        field = "valid_until" if first.id == edited else "valid_from"
        if first.valid_until is None or first.valid_until >= second.valid_from:
            raise _refuse(
                field,
                N_("The versions from %(first)s and from %(second)s would overlap: one day would have two versions."),
                first=first.valid_from,
                second=second.valid_from,
            )
        if first.valid_until + DAY < second.valid_from:
            raise _refuse(
                field,
                N_(
                    "No version would be in force from %(gap_start)s to %(gap_end)s:"
                    " versions must follow each other without a gap."
                ),
                gap_start=first.valid_until + DAY,
                gap_end=second.valid_from - DAY,
            )


async def update_version(principal: Principal, version: PolicyVersion, data: VersionInput) -> PolicyVersion:
    """Correct a version's parameters, sources, note or dates.

    Dates may only change so that the policy's versions still follow each other without a
    gap or an overlap; with `adjust_neighbours` the version before ends the day before the
    new first day and the version after starts the day after the new last day.
    """
    policy = await Policy.get(id=version.policy_id)
    require_region(principal, "policy.manage", policy.region_id)
    params = _clean(policy.kind, data)
    async with in_transaction():
        await Policy.select_for_update().get(id=policy.id)
        versions = await PolicyVersion.filter(policy_id=policy.id).order_by("valid_from")
        position = next(i for i, v in enumerate(versions) if v.id == version.id)
        spans = {v.id: _Span(v.id, v.valid_from, v.valid_until) for v in versions}
        spans[version.id] = _Span(version.id, data.valid_from, data.valid_until)
        before_row = versions[position - 1] if position > 0 else None
        after_row = versions[position + 1] if position + 1 < len(versions) else None
        if data.adjust_neighbours:
            if before_row is not None:
                spans[before_row.id].valid_until = data.valid_from - DAY
            if after_row is not None:
                if data.valid_until is None:
                    raise _refuse(
                        "valid_until",
                        N_("A later version starts on %(start)s: give this version a last day."),
                        start=after_row.valid_from,
                    )
                spans[after_row.id].valid_from = data.valid_until + DAY
        _check_dates(list(spans.values()), version.id)
        current = versions[position]
        changes = {
            "valid_from": data.valid_from,
            "valid_until": data.valid_until,
            "params": params,
            "sources": data.sources,
            "note": data.note,
        }
        # The unique (policy, first day) must hold after each single update: the version after
        # goes first, unless it moves back onto the edited version's old first day.
        rows = [current, *([before_row] if before_row is not None else [])]
        if after_row is not None:
            if spans[after_row.id].valid_from == current.valid_from:
                rows.append(after_row)
            else:
                rows.insert(0, after_row)
        for row in rows:
            span = spans[row.id]
            values = changes if row is current else {"valid_from": span.valid_from, "valid_until": span.valid_until}
            before = snapshot(row, VERSION_FIELDS)
            row.update_from_dict(values)
            after = snapshot(row, VERSION_FIELDS)
            if after != before:
                await row.save()
                await audit.record(
                    principal, "policy_version.updated", row, region_code=policy.region_id, before=before, after=after
                )
    return current


# -- LPR ---------------------------------------------------------------------------------


async def add_lpr(principal: Principal, data: LprInput) -> LprRate:
    """Record the LPR published on a date (one row per date)."""
    require(principal, "rates.manage")
    async with in_transaction():
        if await LprRate.exists(effective_on=data.effective_on):
            raise _refuse("effective_on", N_("The table already has a rate from %(day)s."), day=data.effective_on)
        rate = await LprRate.create(
            effective_on=data.effective_on, one_year=data.one_year, five_year=data.five_year, source=data.source
        )
        await audit.record(principal, "lpr_rate.created", rate, after=snapshot(rate, LPR_FIELDS))
    return rate


async def update_lpr(principal: Principal, rate: LprRate, data: LprInput) -> LprRate:
    """Correct an LPR row."""
    require(principal, "rates.manage")
    async with in_transaction():
        if await LprRate.filter(effective_on=data.effective_on).exclude(id=rate.id).exists():
            raise _refuse("effective_on", N_("The table already has a rate from %(day)s."), day=data.effective_on)
        before = snapshot(rate, LPR_FIELDS)
        rate.update_from_dict(
            {
                "effective_on": data.effective_on,
                "one_year": data.one_year,
                "five_year": data.five_year,
                "source": data.source,
            }
        )
        after = snapshot(rate, LPR_FIELDS)
        if after != before:
            await rate.save()
            await audit.record(principal, "lpr_rate.updated", rate, before=before, after=after)
    return rate


async def delete_lpr(principal: Principal, rate: LprRate) -> None:
    """Remove an LPR row entered by mistake."""
    require(principal, "rates.manage")
    async with in_transaction():
        before = snapshot(rate, LPR_FIELDS)
        await rate.delete()
        await audit.record(principal, "lpr_rate.deleted", object_type="LprRate", object_id=rate.id, before=before)


# -- regional holidays ----------------------------------------------------------------------


async def _holiday_region(principal: Principal, code: str) -> Region:
    require_region(principal, "policy.manage", code)
    try:
        return await get_visible(principal, Region, code)
    except NotFound:
        raise ValidationFailed({"region_code": N_("No region has this code.")}) from None


async def _refuse_overlap(data: HolidayInput, holiday_id: int | None = None) -> None:
    query = RegionHoliday.filter(region_id=data.region_code, starts_on__lte=data.ends_on, ends_on__gte=data.starts_on)
    if holiday_id is not None:
        query = query.exclude(id=holiday_id)
    other = await query.first()
    if other is not None:
        raise _refuse(
            "starts_on",
            N_("This overlaps %(name)s (%(start)s to %(end)s) of the same region."),
            name=other.name,
            start=other.starts_on,
            end=other.ends_on,
        )


async def add_holiday(principal: Principal, data: HolidayInput) -> RegionHoliday:
    """A region's own days off (both days included), beyond the national calendar."""
    region = await _holiday_region(principal, data.region_code)
    async with in_transaction():
        await _refuse_overlap(data)
        holiday = await RegionHoliday.create(
            region_id=region.code, name=data.name, starts_on=data.starts_on, ends_on=data.ends_on
        )
        await audit.record(
            principal, "holiday.created", holiday, region_code=region.code, after=snapshot(holiday, HOLIDAY_FIELDS)
        )
    return holiday


async def update_holiday(principal: Principal, holiday: RegionHoliday, data: HolidayInput) -> RegionHoliday:
    """Correct a regional holiday (its region too, within the principal's own)."""
    require_region(principal, "policy.manage", holiday.region_id)
    region = await _holiday_region(principal, data.region_code)
    async with in_transaction():
        await _refuse_overlap(data, holiday.id)
        before = snapshot(holiday, HOLIDAY_FIELDS)
        holiday.update_from_dict(
            {"region_id": region.code, "name": data.name, "starts_on": data.starts_on, "ends_on": data.ends_on}
        )
        after = snapshot(holiday, HOLIDAY_FIELDS)
        if after != before:
            await holiday.save()
            await audit.record(
                principal, "holiday.updated", holiday, region_code=region.code, before=before, after=after
            )
    return holiday


async def delete_holiday(principal: Principal, holiday: RegionHoliday) -> None:
    """Remove a regional holiday entered by mistake."""
    require_region(principal, "policy.manage", holiday.region_id)
    async with in_transaction():
        before = snapshot(holiday, HOLIDAY_FIELDS)
        await holiday.delete()
        await audit.record(
            principal,
            "holiday.deleted",
            object_type="RegionHoliday",
            object_id=holiday.id,
            region_code=holiday.region_id,
            before=before,
        )
