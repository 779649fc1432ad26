"""Routes of tenants/: startups and people, spaces and leases, base figures, import/export."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenants import labels as _labels  # noqa: F401 - registers display names
from tenants.views import startups

GET, POST = ["GET"], ["POST"]

# -- startups, founders, people --------------------------------------------------------
startup_routes: list[BaseRoute] = [
    Route("/startups/{startup_id:int}", startups.startup_detail, methods=GET),
]

# -- spaces and leases ------------------------------------------------------------------
space_routes: list[BaseRoute] = []

# -- base figures and recognition standards ---------------------------------------------
figure_routes: list[BaseRoute] = []

# -- spreadsheet import and export ------------------------------------------------------
transfer_routes: list[BaseRoute] = []

routes: list[BaseRoute] = [*startup_routes, *space_routes, *figure_routes, *transfer_routes]
