"""Uploaded files (signed agreements, evidence): checked by content, kept under var/files by SHA-256.

A file is accepted only when its first bytes say it is a PDF, JPEG or PNG, whatever its name
or declared type. It is read back only through the record it belongs to (a lease's agreement),
as an attachment that browsers do not sniff or cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

from incubator.access import Principal
from incubator.errors import NotFound, ValidationFailed
from incubator.i18n import N_
from incubator.models import StoredFile
from incubator.pii import open_bytes, seal_bytes
from incubator.settings import get_settings
from incubator.spreadsheets import XLSX_TYPE

log = logging.getLogger("incubator.files")


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    magic: bytes


ACCEPTED = (
    FileType("application/pdf", ".pdf", b"%PDF-"),
    FileType("image/jpeg", ".jpg", b"\xff\xd8\xff"),
    FileType("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
)
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff/\\:*?\"<>|]+")


def files_dir() -> Path:
    return get_settings().var_dir / "files"


def path_of(stored: StoredFile) -> Path:
    return files_dir() / stored.sha256


def file_type(head: bytes) -> FileType | None:
    """The accepted type whose magic bytes start the content, else None."""
    return next((kind for kind in ACCEPTED if head.startswith(kind.magic)), None)


EXTENSIONS = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def safe_filename(name: str | None, kind: FileType) -> str:
    """The name without directories or control characters, ending in an extension of its real type."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = UNSAFE_NAME.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not (dot and EXTENSIONS.get(ext.lower()) == kind.content_type):
        stem, ext = base, kind.extension[1:]
    return f"{stem[:190] or 'file'}.{ext.lower()}"


def _write(target: Path, content: bytes) -> None:
    """Write to a temporary file in the same directory, then rename, so no reader sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return  # same content, same name
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


async def store_upload(
    principal: Principal, upload: UploadFile, *, base_id: int | None, field: str = "file"
) -> StoredFile:
    """Check an upload (PDF, JPEG or PNG by content; not empty; within the size limit), keep it, record it.

    Call inside the service's transaction: the row is created there, and a refused file
    raises ValidationFailed on `field` before anything is written.
    """
    limit = get_settings().max_upload_bytes
    content = await upload.read(limit + 1)
    if not content:
        raise ValidationFailed({field: N_("The file is empty.")})
    if len(content) > limit:
        raise ValidationFailed(
            {field: N_("The file is larger than %(size)s MB.")},
            field_params={field: {"size": f"{limit / (1024 * 1024):.3g}"}},
        )
    kind = file_type(content[:16])
    if kind is None:
        raise ValidationFailed({field: N_("Upload a PDF, JPEG or PNG file.")})
    digest = hashlib.sha256(content).hexdigest()
    await run_in_threadpool(_write, files_dir() / digest, content)
    return await StoredFile.create(
        sha256=digest,
        size=len(content),
        content_type=kind.content_type,
        filename=safe_filename(upload.filename, kind),
        base_id=base_id,
        uploaded_by_id=principal.user_id,
    )


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = re.sub(r'[\x00-\x1f\x7f"\\?]', "_", filename.encode("ascii", "replace").decode("ascii"))
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='', errors='replace')}"


def file_response(stored: StoredFile) -> Response:
    """The stored file as a download: its own type, never sniffed, never cached."""
    path = path_of(stored)
    if not path.is_file():
        log.error("stored file %s (%s) is missing from %s", stored.id, stored.sha256, path.parent)
        raise NotFound()
    return FileResponse(
        path,
        media_type=stored.content_type,
        headers={
            "content-disposition": content_disposition(stored.filename),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )


# -- uploads parked between two requests ----------------------------------------------------

PARK_SECONDS = 3600
PARK_TOKEN = re.compile(r"[0-9a-f]{32}")


def _parked_dir() -> Path:
    return get_settings().var_dir / "parked"


def park_upload(data: bytes, owner: str) -> str:
    """Keep an upload, encrypted, for an hour (while the user answers a question about it).

    Returns a token; only the same owner (e.g. "audit 12 user 3") can claim it back.
    """
    folder = _parked_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > PARK_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    _write(folder / f"{token}-{hashlib.sha256(owner.encode()).hexdigest()[:16]}", seal_bytes(data))
    return token


def claim_upload(token: str, owner: str) -> bytes | None:
    """The parked upload of this owner, or None when the token is unknown, foreign or expired."""
    if not PARK_TOKEN.fullmatch(token):
        return None
    path = _parked_dir() / f"{token}-{hashlib.sha256(owner.encode()).hexdigest()[:16]}"
    try:
        sealed = path.read_bytes()
    except OSError:
        return None
    return open_bytes(sealed, PARK_SECONDS)


def release_upload(token: str, owner: str) -> None:
    if PARK_TOKEN.fullmatch(token):
        (_parked_dir() / f"{token}-{hashlib.sha256(owner.encode()).hexdigest()[:16]}").unlink(missing_ok=True)


def xlsx_response(content: bytes, name: str) -> Response:
    """An .xlsx attachment that is neither sniffed nor kept in any cache."""
    return Response(
        content,
        media_type=XLSX_TYPE,
        headers={
            "content-disposition": content_disposition(name),
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
        },
    )
