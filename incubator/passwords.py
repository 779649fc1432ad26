"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from incubator.i18n import N_
from incubator.settings import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128
# Passwords that pass the other rules yet are among the first any attacker tries: the top of
# leaked-password lists, keyboard walks, and this installation's published demo password.
COMMON = frozenset(
    {
        "1234abcd", "123456789a", "12345678a", "123456aa", "123456abc", "123qweasd", "1234qwer", "1q2w3e4r",
        "1q2w3e4r5t", "1qaz2wsx", "1qaz2wsx3edc", "a1234567", "a12345678", "a123456789", "aa123456", "aa12345678",
        "abc12345", "abc123456", "abcd1234", "admin123", "admin1234", "admin12345", "asd12345", "asdf1234",
        "changeme1", "demo1234", "iloveyou1", "letmein1", "p@ssw0rd", "passw0rd", "password1", "password12",
        "password123", "q1w2e3r4", "q1w2e3r4t5", "qwe12345", "qwer1234", "qwerty12", "qwerty123", "test1234",
        "welcome1", "woaini1314", "woaini520", "zaq12wsx", "zxcv1234",
    }
)  # fmt: skip


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
    if password.lower() in COMMON:
        return N_("This password is too common: choose one that is harder to guess.")
    if username and password.lower() == username.lower():
        return N_("The password must not be the username.")
    return None
