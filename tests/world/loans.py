"""Test world: the loans part (see tests/world/__init__.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.personas import World


async def add(world: World) -> None:
    """Nothing yet."""
