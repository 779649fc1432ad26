"""Platform services: regions, bases, bureaus, users and memberships (admin work)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import Principal, require
from incubator.audit import snapshot
from incubator.errors import ValidationFailed
from incubator.forms import BaseInput, BureauInput, MembershipInput, RegionInput, UserInput
from incubator.i18n import N_
from incubator.models import (
    ApiToken,
    Base,
    Bureau,
    Membership,
    Region,
    Role,
    User,
    UserSession,
    related_model,
)
from incubator.passwords import hash_password
from incubator.regions import level_of, parent_code

REGION_FIELDS = ("code", "name", "name_en", "level", "parent_id")
BASE_FIELDS = (
    "name",
    "code",
    "kind",
    "level",
    "region_id",
    "address",
    "area_m2",
    "opened_on",
    "contact_phone",
    "is_active",
)
BUREAU_FIELDS = ("name", "region_id")
USER_FIELDS = ("username", "display_name", "is_active", "locale")
MEMBERSHIP_FIELDS = ("user_id", "role", "bureau_id", "base_id", "startup_id")


async def _region_or_error(code: str, field: str) -> Region:
    region = await Region.get_or_none(code=code)
    if region is None:
        raise ValidationFailed({field: N_("No region has this code.")})
    return region


async def create_region(principal: Principal, data: RegionInput) -> Region:
    """Add a region; its level and parent follow from its GB/T 2260 code."""
    require(principal, "region.manage")
    if await Region.exists(code=data.code):
        raise ValidationFailed({"code": N_("A region with this code exists already.")})
    parent = parent_code(data.code)
    if parent is not None and not await Region.exists(code=parent):
        raise ValidationFailed(
            {"code": N_("Add the parent region %(code)s first.")}, field_params={"code": {"code": parent}}
        )
    async with in_transaction():
        region = await Region.create(
            code=data.code, name=data.name, name_en=data.name_en, level=level_of(data.code), parent_id=parent
        )
        await audit.record(
            principal, "region.created", region, region_code=region.code, after=snapshot(region, REGION_FIELDS)
        )
    return region


async def update_region(principal: Principal, region: Region, data: RegionInput) -> Region:
    """Rename a region (its code is its identity and never changes)."""
    require(principal, "region.manage", region)
    before = snapshot(region, REGION_FIELDS)
    async with in_transaction():
        region.name, region.name_en = data.name, data.name_en
        await region.save(update_fields=["name", "name_en"])
        await audit.record(
            principal,
            "region.updated",
            region,
            region_code=region.code,
            before=before,
            after=snapshot(region, REGION_FIELDS),
        )
    return region


async def _check_base_unique(data: BaseInput, exclude_id: int | None = None) -> None:
    errors: dict[str, str] = {}
    query = Base.all() if exclude_id is None else Base.exclude(id=exclude_id)
    if await query.filter(name=data.name).exists():
        errors["name"] = N_("A base with this name exists already.")
    if await query.filter(code=data.code).exists():
        errors["code"] = N_("A base with this code exists already.")
    if errors:
        raise ValidationFailed(errors)


def _base_values(data: BaseInput) -> dict[str, Any]:
    return {
        "name": data.name,
        "code": data.code,
        "kind": data.kind,
        "level": data.level,
        "region_id": data.region_code,
        "address": data.address,
        "area_m2": data.area_m2,
        "opened_on": data.opened_on,
        "contact_phone": data.contact_phone,
    }


async def create_base(principal: Principal, data: BaseInput) -> Base:
    """Register a base (the tenant) in a region."""
    require(principal, "base.manage")
    await _region_or_error(data.region_code, "region_code")
    await _check_base_unique(data)
    async with in_transaction():
        base = await Base.create(**_base_values(data))
        await audit.record(
            principal,
            "base.created",
            base,
            base_id=base.id,
            region_code=base.region_id,
            after=snapshot(base, BASE_FIELDS),
        )
    return base


async def update_base(principal: Principal, base: Base, data: BaseInput, *, is_active: bool) -> Base:
    """Change a base's profile; deactivating keeps its records."""
    require(principal, "base.manage", base)
    await _region_or_error(data.region_code, "region_code")
    await _check_base_unique(data, exclude_id=base.id)
    before = snapshot(base, BASE_FIELDS)
    async with in_transaction():
        for name, value in _base_values(data).items():
            setattr(base, name, value)
        base.is_active = is_active
        await base.save()
        await audit.record(
            principal,
            "base.updated",
            base,
            base_id=base.id,
            region_code=base.region_id,
            before=before,
            after=snapshot(base, BASE_FIELDS),
        )
    return base


async def create_bureau(principal: Principal, data: BureauInput) -> Bureau:
    """Add a bureau whose officers see the region's whole subtree."""
    require(principal, "bureau.manage")
    await _region_or_error(data.region_code, "region_code")
    if await Bureau.exists(name=data.name):
        raise ValidationFailed({"name": N_("A bureau with this name exists already.")})
    async with in_transaction():
        bureau = await Bureau.create(name=data.name, region_id=data.region_code)
        await audit.record(
            principal, "bureau.created", bureau, region_code=data.region_code, after=snapshot(bureau, BUREAU_FIELDS)
        )
    return bureau


async def update_bureau(principal: Principal, bureau: Bureau, data: BureauInput) -> Bureau:
    """Rename a bureau or move it to another region."""
    require(principal, "bureau.manage", bureau)
    await _region_or_error(data.region_code, "region_code")
    if await Bureau.exclude(id=bureau.id).filter(name=data.name).exists():
        raise ValidationFailed({"name": N_("A bureau with this name exists already.")})
    before = snapshot(bureau, BUREAU_FIELDS)
    async with in_transaction():
        bureau.name = data.name
        bureau.region_id = data.region_code
        await bureau.save()
        await audit.record(
            principal,
            "bureau.updated",
            bureau,
            region_code=data.region_code,
            before=before,
            after=snapshot(bureau, BUREAU_FIELDS),
        )
    return bureau


async def create_user(principal: Principal, data: UserInput) -> User:
    """Create an account; it can log in once it has a membership."""
    require(principal, "user.manage")
    if await User.exists(username=data.username):
        raise ValidationFailed({"username": N_("This username is taken.")})
    assert data.password is not None
    async with in_transaction():
        user = await User.create(
            username=data.username,
            display_name=data.display_name,
            password_hash=hash_password(data.password),
            is_active=data.is_active,
            password_changed_at=dt.datetime.now(dt.UTC),
        )
        await audit.record(principal, "user.created", user, after=snapshot(user, USER_FIELDS))
    return user


async def update_user(principal: Principal, user: User, data: UserInput) -> User:
    """Change a user's name or deactivate them (which ends their sessions and tokens)."""
    require(principal, "user.manage", user)
    if user.id == principal.user_id and not data.is_active:
        raise ValidationFailed({"is_active": N_("You cannot deactivate your own account.")})
    before = snapshot(user, USER_FIELDS)
    async with in_transaction():
        user.display_name = data.display_name
        user.is_active = data.is_active
        await user.save(update_fields=["display_name", "is_active"])
        if not user.is_active:
            await _end_access(user)
        await audit.record(principal, "user.updated", user, before=before, after=snapshot(user, USER_FIELDS))
    return user


async def _end_access(user: User) -> None:
    await UserSession.filter(user_id=user.id).delete()
    await ApiToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=dt.datetime.now(dt.UTC))


async def reset_password(principal: Principal, user: User, password: str) -> None:
    """Set a new password for a user; their sessions and tokens end."""
    require(principal, "user.manage", user)
    async with in_transaction():
        user.password_hash = hash_password(password)
        user.password_changed_at = dt.datetime.now(dt.UTC)
        await user.save(update_fields=["password_hash", "password_changed_at"])
        await _end_access(user)
        await audit.record(principal, "user.password_reset", user)


async def set_locale(principal: Principal, locale: str | None) -> None:
    """Save the user's language choice (None: follow the browser)."""
    user = await User.get(id=principal.user_id)
    before = snapshot(user, ("locale",))
    async with in_transaction():
        user.locale = locale
        await user.save(update_fields=["locale"])
        await audit.record(principal, "user.locale_changed", user, before=before, after=snapshot(user, ("locale",)))


async def add_membership(principal: Principal, user: User, data: MembershipInput) -> Membership:
    """Give a user a role in a bureau, a base or a startup (or make them an admin)."""
    require(principal, "user.manage", user)
    errors: dict[str, str] = {}
    if data.role is Role.BUREAU and not await Bureau.exists(id=data.bureau_id):
        errors["bureau_id"] = N_("Choose a bureau.")
    if data.role is Role.OPERATOR and not await Base.exists(id=data.base_id):
        errors["base_id"] = N_("Choose a base.")
    if data.role is Role.FOUNDER:
        # The startup model lives in tenants/, reached through the relation, not an import.
        startup_model = related_model(Membership, "startup")
        if not await startup_model.exists(id=data.startup_id):
            errors["startup_id"] = N_("Choose a startup.")
    if errors:
        raise ValidationFailed(errors)
    duplicate = await Membership.exists(
        user_id=user.id, role=data.role, bureau_id=data.bureau_id, base_id=data.base_id, startup_id=data.startup_id
    )
    if duplicate:
        raise ValidationFailed({"role": N_("The user has this membership already.")})
    async with in_transaction():
        membership = await Membership.create(
            user_id=user.id, role=data.role, bureau_id=data.bureau_id, base_id=data.base_id, startup_id=data.startup_id
        )
        await audit.record(
            principal,
            "membership.added",
            membership,
            base_id=data.base_id,
            after=snapshot(membership, MEMBERSHIP_FIELDS),
        )
    return membership


async def remove_membership(principal: Principal, membership: Membership) -> None:
    """Take a role away; sessions in it move to another membership or end."""
    require(principal, "user.manage", membership)
    if membership.user_id == principal.user_id and membership.id == principal.membership_id:
        raise ValidationFailed({"role": N_("You cannot remove the membership you are acting in.")})
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    membership_id = membership.id
    async with in_transaction():
        await ApiToken.filter(membership_id=membership_id).delete()
        await membership.delete()
        await audit.record(
            principal,
            "membership.removed",
            object_type="Membership",
            object_id=membership_id,
            base_id=membership.base_id,
            before=before,
        )
