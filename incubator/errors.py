"""Typed errors a user can cause; one handler renders each as HTML or JSON."""

from __future__ import annotations

from collections.abc import Mapping

from incubator.i18n import N_


class AppError(Exception):
    """An error with a status, a stable code and a message id translated at render time."""

    status_code = 400
    code = "bad_request"
    message = N_("The request could not be processed.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.params = params


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = N_("The page or object was not found.")


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = N_("You are not allowed to do this.")


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    message = N_("Please log in.")


class TokenExpired(Unauthorized):
    code = "token_expired"
    message = N_("The access token has expired or was revoked.")


class CsrfFailed(AppError):
    status_code = 403
    code = "csrf_failed"
    message = N_("The form has expired. Please reload the page and try again.")


class Throttled(AppError):
    status_code = 429
    code = "throttled"
    message = N_("Too many failed attempts. Please wait %(minutes)d minutes and try again.")


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    message = N_("The request is too large.")


class MalformedBody(AppError):
    status_code = 400
    code = "malformed_body"
    message = N_("The request body is not valid JSON.")


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = N_("Someone else changed this in the meantime. Reload and try again.")


class ValidationFailed(AppError):
    """Field errors: a mapping from field name to a message id (with optional params)."""

    status_code = 422
    code = "validation_failed"
    message = N_("Please correct the marked fields.")

    def __init__(
        self,
        fields: Mapping[str, str],
        message: str | None = None,
        field_params: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        super().__init__(message)
        self.fields = dict(fields)
        self.field_params = {k: dict(v) for k, v in (field_params or {}).items()}


class MethodNotAllowed(AppError):
    status_code = 405
    code = "method_not_allowed"
    message = N_("This method is not allowed here.")


class ServerError(AppError):
    status_code = 500
    code = "server_error"
    message = N_("Something went wrong on our side. The error has been logged.")
