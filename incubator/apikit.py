"""The JSON API's shared parts: responses, principal, pagination and operation metadata."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from incubator.access import Principal
from incubator.audit import jsonable
from incubator.errors import Unauthorized
from incubator.middleware import json_body

Endpoint = Callable[[Request], Awaitable[Any]]

# Component schemas contributed by every package's api.py.
SCHEMAS: dict[str, dict[str, Any]] = {}


class ApiResponse(JSONResponse):
    """JSON with Decimal amounts as strings and dates in ISO 8601."""

    def render(self, content: Any) -> bytes:
        return json.dumps(jsonable(content), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Operation:
    summary: str
    tags: tuple[str, ...]
    response: dict[str, Any] | None = None
    request: dict[str, Any] | None = None
    params: tuple[dict[str, Any], ...] = ()
    status: int = 200
    authenticated: bool = True
    errors: tuple[int, ...] = field(default_factory=tuple)
    # The success response's content type; a binary one (a PDF) describes its body as a binary string.
    media_type: str = "application/json"


def operation(
    summary: str,
    *,
    tags: tuple[str, ...],
    response: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    params: tuple[dict[str, Any], ...] = (),
    status: int = 200,
    authenticated: bool = True,
    errors: tuple[int, ...] = (),
    media_type: str = "application/json",
) -> Callable[[Endpoint], Endpoint]:
    """Describe an API endpoint for the OpenAPI document."""

    def mark(fn: Endpoint) -> Endpoint:
        fn.__openapi__ = Operation(  # type: ignore[attr-defined]
            summary, tags, response, request, params, status, authenticated, errors, media_type
        )
        return fn

    return mark


def schema(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Register a component schema and return a reference to it."""
    SCHEMAS[name] = body
    return ref(name)


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 1},
            "offset": {"type": "integer", "minimum": 0},
        },
    }


def query_param(name: str, schema_: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema_, "description": description}


PAGE_PARAMS = (
    query_param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
    query_param("offset", {"type": "integer", "minimum": 0, "default": 0}),
)


def api_principal(request: Request) -> Principal:
    """The bearer token's principal; 401 without one."""
    principal: Principal | None = request.state.principal
    if principal is None:
        raise Unauthorized()
    return principal


def body_of(request: Request) -> Any:
    return json_body(request.scope["state"])


NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "CNY, two decimals"}
