"""Startup pages (the founder's landing page; grown by the startups issue)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import get_visible
from incubator.models import Role
from incubator.pages import page_principal
from incubator.templating import render
from tenants.models import Startup


async def startup_detail(request: Request) -> Response:
    principal = page_principal(request)
    startup = await get_visible(principal, Startup, request.path_params["startup_id"], related=("base",))
    nav = "startup" if principal.role is Role.FOUNDER else "bases"
    return render(request, "tenants/startup_detail.html", {"startup": startup, "nav": nav})
