"""Settings read from the environment, with development secrets kept under var/."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    secret_key: str
    field_encryption_key: str
    session_max_age: int
    cookie_secure: bool
    api_token_days: int
    login_max_failures_per_account: int
    login_max_failures_per_address: int
    login_window_seconds: int
    max_form_bytes: int
    max_upload_bytes: int
    argon2_time_cost: int
    argon2_memory_cost: int
    trusted_proxies: bool
    log_level: str
    # Outgoing mail for notifications; off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_tls: bool = True

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)


def _dev_secrets(var_dir: Path) -> dict[str, str]:
    """Create once and keep the development secrets so sessions survive restarts."""
    path = var_dir / "secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = {}
    changed = False
    for key in ("secret_key", "field_encryption_key"):
        if key not in data:
            data[key] = secrets.token_urlsafe(48)
            changed = True
    if changed:
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return data


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (or the given mapping)."""
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("INCUBATOR_VAR_DIR") or PROJECT_ROOT / "var").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite://{var_dir / 'incubator.sqlite3'}"
    secret_key = env.get("SECRET_KEY", "")
    field_key = env.get("FIELD_ENCRYPTION_KEY", "")
    if not secret_key or not field_key:
        dev = _dev_secrets(var_dir)
        secret_key = secret_key or dev["secret_key"]
        field_key = field_key or dev["field_encryption_key"]
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        secret_key=secret_key,
        field_encryption_key=field_key,
        session_max_age=int(env.get("SESSION_MAX_AGE", str(12 * 3600))),
        cookie_secure=_bool(env.get("COOKIE_SECURE")),
        api_token_days=int(env.get("API_TOKEN_DAYS", "30")),
        login_max_failures_per_account=int(env.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        login_max_failures_per_address=int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        login_window_seconds=int(env.get("LOGIN_WINDOW_SECONDS", "900")),
        max_form_bytes=int(env.get("MAX_FORM_BYTES", str(1024 * 1024))),
        max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        argon2_time_cost=int(env.get("ARGON2_TIME_COST", "3")),
        argon2_memory_cost=int(env.get("ARGON2_MEMORY_COST", str(64 * 1024))),
        trusted_proxies=_bool(env.get("TRUST_PROXY_HEADERS")),
        log_level=env.get("LOG_LEVEL", "INFO"),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=int(env.get("SMTP_PORT", "587")),
        smtp_user=env.get("SMTP_USER", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_from=env.get("SMTP_FROM", ""),
        smtp_tls=_bool(env.get("SMTP_TLS"), default=True),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
