"""The one place in incubator/ that knows the other packages: their routes and demo data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

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


def tenants_billing_demo_loader() -> Callable[[dict[str, Base]], Awaitable[dict[str, int]]]:
    from tenants.demo.billing import load_billing

    return load_billing


def grants_demo_loader() -> Callable[[dict[str, Base]], Awaitable[dict[str, int]]]:
    from grants.demo import load_grants

    return load_grants


def billing_chain_check() -> Callable[[], Awaitable[list[Any]]]:
    """Checks every base's chain of bills, credit notes and payments (results print as one line each)."""
    from tenants.services.ledger import verify_all

    return verify_all


def policy_defaults_installer() -> Callable[[], Awaitable[dict[str, int]]]:
    """Installs the shipped subsidy policies, LPR history and regional holidays where missing."""
    from grants.services.policies import install_defaults

    return install_defaults
