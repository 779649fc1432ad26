"""The one place in incubator/ that knows the other packages: their routes and demo data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.routing import BaseRoute

from incubator.models import Base


def routes() -> list[BaseRoute]:
    from grants.routes import routes as grant_routes
    from incubator.routes import routes as platform_routes
    from tenants.routes import routes as tenant_routes

    return [*platform_routes, *tenant_routes, *grant_routes]


def tenant_demo_loader() -> Callable[[dict[str, Base]], Awaitable[dict[str, int]]]:
    from tenants.demo import load_tenants

    return load_tenants


def grants_demo_loader() -> Callable[[dict[str, Base]], Awaitable[dict[str, int]]]:
    from grants.demo import load_grants

    return load_grants
