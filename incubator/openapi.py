"""The OpenAPI 3.1 document, built from the routes and their operation metadata."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

from incubator.apikit import SCHEMAS, Operation
from incubator.convertors import MAX_ID

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}

_PARAM = re.compile(r"{([a-z_]+)(?::([a-z]+))?}")


def api_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    """Every (full path, route) under the given routes, descending into mounts."""
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found.extend(api_routes(list(route.routes), prefix + route.path))
        elif isinstance(route, Route):
            found.append((prefix + route.path, route))
    return found


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build(routes: list[BaseRoute]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, route in api_routes(routes):
        if not path.startswith("/api/"):
            continue
        op: Operation | None = getattr(route.endpoint, "__openapi__", None)
        if op is None:
            continue
        params: list[dict[str, Any]] = []
        for name, kind in _PARAM.findall(path):
            type_ = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if kind == "int" else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True, "schema": type_})
        params.extend(op.params)
        clean = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        responses: dict[str, Any] = {
            str(op.status): {
                "description": "OK",
                **({"content": {op.media_type: {"schema": op.response}}} if op.response else {}),
            },
            "400": _error("Malformed request"),
        }
        if op.authenticated:
            responses["401"] = _error("Missing, expired or revoked token")
        if params and any(p["in"] == "path" for p in params):
            responses["404"] = _error("Not found or not visible to you")
        if op.request is not None:
            responses["422"] = _error("Invalid fields")
            responses["413"] = _error("Request too large")
        for status in op.errors:
            responses[str(status)] = _error("Error")
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": list(op.tags),
            "operationId": route.endpoint.__name__,
            "responses": responses,
        }
        if params:
            entry["parameters"] = params
        if op.request is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": op.request}},
            }
        if not op.authenticated:
            entry["security"] = []
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(clean, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Incubator platform API",
            "version": "1",
            "description": "Scoped JSON API for incubation bases, startups and subsidies.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **SCHEMAS},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
