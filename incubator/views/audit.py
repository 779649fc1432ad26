"""The audit log browser (admins: everything, bureau officers: their region)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import get_visible, require, visible
from incubator.models import AuditEvent
from incubator.pages import page_principal
from incubator.pagination import paginate, window
from incubator.templating import render


async def audit_log(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "audit.browse")
    query = visible(principal, AuditEvent).order_by("-seq")
    params = request.query_params
    if action := params.get("action", "").strip()[:64]:
        query = query.filter(action__startswith=action)
    if actor := params.get("actor", "").strip()[:64]:
        query = query.filter(actor=actor)
    if object_type := params.get("object_type", "").strip()[:64]:
        query = query.filter(object_type=object_type)
    limit, offset = window(params)
    page = await paginate(query, limit, offset)
    filters = {"action": action, "actor": actor, "object_type": object_type}
    query_string = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "incubator/audit.html",
        {"page": page, "filters": filters, "query_string": query_string, "nav": "audit"},
    )


async def audit_event(request: Request) -> Response:
    principal = page_principal(request)
    require(principal, "audit.browse")
    event = await get_visible(principal, AuditEvent, request.path_params["event_id"])
    return render(request, "incubator/audit_event.html", {"event": event, "nav": "audit"})
