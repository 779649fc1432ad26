"""The committed migrations describe the models exactly."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from incubator.db import tortoise_config


async def test_it_has_no_model_change_without_a_migration(app):
    apps_config = tortoise_config()["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    writers = await detector.changes()
    pending = [op for writer in writers for op in writer.operations]
    assert not pending, f"run `tortoise -c incubator.db.TORTOISE_ORM makemigrations`: {pending}"
