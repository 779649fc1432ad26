"""What every HTML view needs: the principal, the form, redirects, flashes, re-rendering."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from incubator.access import Principal
from incubator.errors import Unauthorized, ValidationFailed
from incubator.i18n import gettext
from incubator.templating import render


def page_principal(request: Request) -> Principal:
    """The logged-in principal; anonymous visitors are sent to the login page."""
    principal: Principal | None = request.state.principal
    if principal is None:
        raise Unauthorized()
    return principal


def form_of(request: Request) -> FormData:
    """The form the middleware parsed (and CSRF-checked) for this unsafe request."""
    form = request.scope["state"].get("form")
    return form if isinstance(form, FormData) else FormData()


def values_of(form: FormData) -> dict[str, Any]:
    """The typed values to show again when a form is rejected (never passwords)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and "password" not in k and k != "csrf_token"}


def redirect(url: str, flash: str | None = None, request: Request | None = None) -> Response:
    """POST/redirect/GET, optionally carrying a one-time success message."""
    if flash and request is not None:
        request.scope["state"]["set_flash"] = flash
    return RedirectResponse(url, status_code=303)


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    return {name: gettext(msg, **exc.field_params.get(name, {})) for name, msg in exc.fields.items()}


def rejected(request: Request, template: str, exc: ValidationFailed, context: dict[str, Any]) -> Response:
    """Show the form again with what was typed and a message on every wrong field."""
    return render(
        request,
        template,
        {
            **context,
            # The failure and what was typed win over a page's defaults.
            "errors": field_errors(exc),
            "message": gettext(exc.message, **exc.params),
            "values": values_of(form_of(request)),
        },
        status_code=exc.status_code,
    )
