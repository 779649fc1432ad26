"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from incubator.i18n import N_
from incubator.settings import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def policy_error(password: str, username: str = "") -> str | None:
    """The message id of the first rule the password breaks, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return N_("The password must have at least 8 characters.")
    if len(password) > MAX_LENGTH:
        return N_("The password must have at most 128 characters.")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return N_("The password must contain letters and digits.")
    if username and password.lower() == username.lower():
        return N_("The password must not be the username.")
    return None
