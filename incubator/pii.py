"""Personal data at rest (PIPL): resident ID numbers are encrypted, found through a keyed
hash (blind index) and shown masked. Both keys are derived from FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from incubator.identifiers import normalise_id_number
from incubator.settings import get_settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode("utf-8"))


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    # Separate keys for encryption and lookup, so the index never helps decrypt.
    fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"incubator id-number encryption v1")))
    return fernet, _derive(secret, b"incubator id-number blind index v1")


def _current_keys() -> tuple[Fernet, bytes]:
    return _keys(get_settings().field_encryption_key)


def mask_id_number(number: str) -> str:
    """540102**********1X: the region code and the last two characters only."""
    return number[:6] + "*" * (len(number) - 8) + number[-2:]


def id_index(number: str) -> str:
    """The keyed hash under which a normalised ID number is looked up and de-duplicated."""
    _, key = _current_keys()
    return hmac.new(key, normalise_id_number(number).encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SealedIdNumber:
    index: str
    cipher: str
    masked: str


def seal_id_number(number: str) -> SealedIdNumber:
    """Encrypt a valid ID number for storage, with its blind index and masked form."""
    fernet, _ = _current_keys()
    normalised = normalise_id_number(number)
    cipher = fernet.encrypt(normalised.encode("ascii")).decode("ascii")
    return SealedIdNumber(index=id_index(normalised), cipher=cipher, masked=mask_id_number(normalised))


def open_id_number(cipher: str) -> str:
    """The full ID number; callers check the reveal permission and write the audit event."""
    fernet, _ = _current_keys()
    try:
        return fernet.decrypt(cipher.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise RuntimeError("ID number cannot be decrypted: FIELD_ENCRYPTION_KEY has changed") from exc


@lru_cache(maxsize=4)
def _parking_key(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret, b"incubator parked uploads v1")))


def seal_bytes(data: bytes) -> bytes:
    """Encrypt a file that holds personal data (a social insurance roster) while it waits on disk."""
    return _parking_key(get_settings().field_encryption_key).encrypt(data)


def open_bytes(token: bytes, ttl: int) -> bytes | None:
    """The file sealed at most `ttl` seconds ago, else None."""
    try:
        return _parking_key(get_settings().field_encryption_key).decrypt(token, ttl=ttl)
    except InvalidToken:
        return None
