"""Routes of tenants/: startups (and, later, people, spaces, leases, jobs, billing)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenants import views

routes: list[BaseRoute] = [
    Route("/startups/{startup_id:int}", views.startup_detail, methods=["GET"]),
]
