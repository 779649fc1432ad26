"""Tortoise configuration, migrations and connection lifecycle."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as tortoise_migrate

from incubator.settings import get_settings

# One app label listing every package's models (house style rule 3).
MODEL_MODULES = ["incubator.models", "tenants.models", "grants.models"]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise config for a database URL (default: the settings' DATABASE_URL)."""
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # For the `tortoise` CLI (`tortoise -c incubator.db.TORTOISE_ORM makemigrations`),
    # built on access so importing this module reads no settings.
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)


async def apply_migrations(database_url: str | None = None, *, quiet: bool = True) -> None:
    """Apply every pending migration, then leave no connection open."""
    progress = None if quiet else _print_progress
    try:
        await tortoise_migrate(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()


def _print_progress(event: str, app_label: str, name: str) -> None:
    if event == "apply_done":
        print(f"applied {app_label}.{name}")


async def open_db(database_url: str | None = None) -> None:
    """Open the connections for this process; usable from every task."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()
