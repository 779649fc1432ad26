"""Routes of grants/ (subsidies); filled by the subsidies issue."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
