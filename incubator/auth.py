"""Accounts: login with throttling, browser sessions, API tokens, passwords."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from functools import lru_cache

from itsdangerous import BadSignature, TimestampSigner
from starlette.concurrency import run_in_threadpool
from tortoise.transactions import in_transaction

from incubator import audit
from incubator.access import MEMBERSHIP_RELATED, Principal, principal_for
from incubator.errors import Forbidden, Throttled, TokenExpired, ValidationFailed
from incubator.i18n import N_
from incubator.models import ApiToken, LoginAttempt, Membership, User, UserSession
from incubator.passwords import hash_password, needs_rehash, policy_error, verify_password
from incubator.settings import get_settings

SESSION_COOKIE = "incubator_session"
# What a session or token row needs loaded to build its principal in one query.
CREDENTIAL_RELATED = ("user", "membership", "membership__bureau", "membership__base", "membership__startup")
TOKEN_PREFIX = "inc_"  # noqa: S105 - a visible prefix, not a secret


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _signer() -> TimestampSigner:
    return TimestampSigner(get_settings().secret_key, salt="incubator.session")


def sign_key(key: str) -> str:
    return _signer().sign(key).decode("ascii")


def unsign_key(cookie: str | None) -> str | None:
    """The session key in a cookie, or None if it is missing, forged or too old."""
    if not cookie:
        return None
    try:
        return _signer().unsign(cookie, max_age=get_settings().session_max_age).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None


def sign_value(value: str) -> str:
    return TimestampSigner(get_settings().secret_key, salt="incubator.flash").sign(value).decode("utf-8")


def unsign_value(signed: str) -> str | None:
    try:
        signer = TimestampSigner(get_settings().secret_key, salt="incubator.flash")
        return signer.unsign(signed, max_age=300).decode("utf-8")
    except (BadSignature, UnicodeDecodeError):
        return None


def csrf_token(key: str) -> str:
    """The CSRF token bound to a browser's session key."""
    secret = get_settings().secret_key.encode("utf-8")
    return hmac.new(secret, b"csrf|" + key.encode("ascii"), hashlib.sha256).hexdigest()


def csrf_valid(key: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(key), token or "")


def normalise_username(username: str) -> str:
    return username.strip().lower()


async def _check_throttle(username: str, address: str) -> None:
    settings = get_settings()
    since = _now() - dt.timedelta(seconds=settings.login_window_seconds)
    minutes = max(1, settings.login_window_seconds // 60)
    by_account = await LoginAttempt.filter(username=username, succeeded=False, at__gte=since).count()
    if by_account >= settings.login_max_failures_per_account:
        raise Throttled(minutes=minutes)
    by_address = await LoginAttempt.filter(address=address, succeeded=False, at__gte=since).count()
    if by_address >= settings.login_max_failures_per_address:
        raise Throttled(minutes=minutes)


async def _verify(password_hash: str, password: str) -> bool:
    # argon2 takes tens of milliseconds of CPU (with the GIL released): in a thread, other requests go on.
    return await run_in_threadpool(verify_password, password_hash, password)


@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def authenticate(username: str, password: str, address: str) -> User:
    """The active user with these credentials; failures are counted and throttled."""
    username = normalise_username(username)[:64]
    await _check_throttle(username, address)
    user = await User.get_or_none(username=username)
    # An unknown name costs the same hash as a known one, so the time taken tells no one which names exist.
    known = user.password_hash if user is not None else await run_in_threadpool(_unknown_user_hash)
    ok = await _verify(known, password)
    ok = ok and user is not None
    await LoginAttempt.create(username=username, address=address[:64], succeeded=ok, at=_now())
    if not ok or user is None:
        raise ValidationFailed({}, N_("Wrong username or password."))
    if not user.is_active:
        raise ValidationFailed({}, N_("This account has been deactivated."))
    if not await Membership.exists(user_id=user.id):
        raise ValidationFailed({}, N_("This account has no role yet. Ask the platform administrator."))
    if needs_rehash(user.password_hash):
        user.password_hash = await run_in_threadpool(hash_password, password)
        await user.save(update_fields=["password_hash"])
    return user


async def memberships_of(user_id: int) -> list[Membership]:
    """A user's own memberships, with what a principal needs loaded."""
    return await Membership.filter(user_id=user_id).select_related("bureau", "base", "startup").order_by("id")


async def start_session(user: User, address: str) -> str:
    """Create a fresh session (a new key at every login) and return its key."""
    key = new_key()
    first = await Membership.filter(user_id=user.id).order_by("id").first()
    now = _now()
    async with in_transaction():
        await UserSession.create(
            key_hash=digest(key),
            user=user,
            membership=first,
            last_seen_at=now,
            expires_at=now + dt.timedelta(seconds=get_settings().session_max_age),
            address=address[:64],
        )
        user.last_login_at = now
        await user.save(update_fields=["last_login_at"])
        principal = await principal_of_user(user, first, address)
        await audit.record(principal, "user.login", user, object_type="User")
    return key


async def principal_of_user(user: User, membership: Membership | None, address: str) -> Principal:
    if membership is None:
        raise ValidationFailed({}, N_("This account has no role yet. Ask the platform administrator."))
    membership = await Membership.get(id=membership.id).select_related(*MEMBERSHIP_RELATED)
    return principal_for(membership, address=address)


async def session_principal(key: str, address: str) -> tuple[UserSession, Principal] | None:
    """The live session for a key and its principal, or None."""
    session = await UserSession.get_or_none(key_hash=digest(key)).select_related(*CREDENTIAL_RELATED)
    if session is None:
        return None
    now = _now()
    if session.expires_at <= now or not session.user.is_active:
        await session.delete()
        return None
    if now - session.last_seen_at > dt.timedelta(minutes=5):
        session.last_seen_at = now
        await session.save(update_fields=["last_seen_at"])
    membership = session.membership
    if membership is None:
        # The active membership was removed: fall back to another one, or end the session.
        membership = await Membership.filter(user_id=session.user_id).order_by("id").first()
        if membership is None:
            await session.delete()
            return None
        session.membership = membership
        await session.save(update_fields=["membership_id"])
        return session, await principal_of_user(session.user, membership, address)
    membership.user = session.user
    return session, principal_for(membership, address=address)


async def end_session(key: str, principal: Principal | None) -> None:
    """Log out: the session row is deleted, so a copied cookie no longer works."""
    async with in_transaction():
        deleted = await UserSession.filter(key_hash=digest(key)).delete()
        if deleted and principal is not None:
            await audit.record(principal, "user.logout", object_type="User", object_id=principal.user_id)


async def switch_membership(key: str, principal: Principal, membership_id: int) -> None:
    """Make another of the user's own memberships the active one."""
    membership = await Membership.get_or_none(id=membership_id, user_id=principal.user_id)
    if membership is None:
        raise Forbidden()
    async with in_transaction():
        await UserSession.filter(key_hash=digest(key)).update(membership_id=membership.id)
        await audit.record(
            principal,
            "user.membership_switched",
            object_type="User",
            object_id=principal.user_id,
            before={"membership_id": principal.membership_id},
            after={"membership_id": membership.id},
        )


async def change_password(principal: Principal, key: str | None, old: str, new: str, confirm: str) -> None:
    """Change one's own password; every other session and token of the user ends."""
    user = await User.get(id=principal.user_id)
    errors: dict[str, str] = {}
    if not await _verify(user.password_hash, old):
        errors["old_password"] = N_("The current password is wrong.")
    if message := policy_error(new, user.username):
        errors["new_password"] = message
    elif new != confirm:
        errors["confirm_password"] = N_("The two new passwords differ.")
    if errors:
        raise ValidationFailed(errors)
    password_hash = await run_in_threadpool(hash_password, new)
    async with in_transaction():
        user.password_hash = password_hash
        user.password_changed_at = _now()
        await user.save(update_fields=["password_hash", "password_changed_at"])
        others = UserSession.filter(user_id=user.id)
        if key:
            others = others.exclude(key_hash=digest(key))
        await others.delete()
        await ApiToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=_now())
        await audit.record(principal, "user.password_changed", user, object_type="User")


async def issue_token(user: User, name: str = "", membership_id: int | None = None) -> str:
    """A new API token for one of the user's memberships; only its hash is stored."""
    query = Membership.filter(user_id=user.id)
    membership = await (query.filter(id=membership_id) if membership_id else query.order_by("id")).first()
    if membership_id and membership is None:
        raise ValidationFailed({"membership_id": N_("This membership does not belong to you.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    async with in_transaction():
        await ApiToken.create(
            token_hash=digest(raw),
            user=user,
            membership=membership,
            name=name[:64],
            expires_at=now + dt.timedelta(days=get_settings().api_token_days),
        )
        principal = await principal_of_user(user, membership, "")
        await audit.record(principal, "api_token.issued", user, object_type="User")
    return raw


async def token_principal(raw: str, address: str) -> tuple[ApiToken, Principal]:
    """The principal of a bearer token; expired, revoked or unknown tokens are refused."""
    token = await ApiToken.get_or_none(token_hash=digest(raw)).select_related(*CREDENTIAL_RELATED)
    now = _now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.is_active
        or token.membership is None
    ):
        raise TokenExpired()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        token.last_used_at = now
        await token.save(update_fields=["last_used_at"])
    membership = token.membership
    membership.user = token.user
    return token, principal_for(membership, address=address)


async def revoke_token(token: ApiToken, principal: Principal) -> None:
    async with in_transaction():
        token.revoked_at = _now()
        await token.save(update_fields=["revoked_at"])
        await audit.record(principal, "api_token.revoked", object_type="ApiToken", object_id=token.id)
