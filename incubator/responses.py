"""Error rendering: one handler turns typed errors into HTML pages or JSON objects."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from incubator.errors import (
    AppError,
    MethodNotAllowed,
    NotFound,
    ServerError,
    Unauthorized,
    ValidationFailed,
)
from incubator.i18n import gettext

log = logging.getLogger("incubator")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _message(exc: AppError) -> str:
    return gettext(exc.message, **exc.params)


def error_json(exc: AppError) -> JSONResponse:
    body: dict[str, object] = {"code": exc.code, "message": _message(exc)}
    if isinstance(exc, ValidationFailed):
        body["fields"] = {name: gettext(msg, **exc.field_params.get(name, {})) for name, msg in exc.fields.items()}
    headers = {"www-authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse({"error": body}, status_code=exc.status_code, headers=headers)


def error_response(request: Request, exc: AppError) -> Response:
    """The response for a typed error: JSON under /api, otherwise an HTML page."""
    if wants_json(request):
        return error_json(exc)
    if isinstance(exc, Unauthorized):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    from incubator.templating import render

    return render(
        request,
        "incubator/error.html",
        {"status": exc.status_code, "message": _message(exc)},
        status_code=exc.status_code,
    )


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(request, exc)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(request, NotFound())
    if exc.status_code == 405:
        return error_response(request, MethodNotAllowed())
    return error_response(request, AppError())


async def server_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    try:
        return error_response(request, ServerError())
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        return Response("Internal Server Error", status_code=500)
