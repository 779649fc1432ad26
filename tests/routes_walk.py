"""Walking every registered route: the paths, their methods and their parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.applications import Starlette

from incubator.openapi import api_routes

PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")

# Routes anyone may call without logging in.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/language"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/token"),
    # A public notice (公示) and its PDF: masked names, meant for everyone.
    ("GET", "/public/notices/{notice_id:int}"),
    ("GET", "/public/notices/{notice_id:int}.pdf"),
}


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, values: dict[str, str]) -> str:
        return PARAM.sub(lambda m: values[m.group(1)], self.path)


def route_cases(app: Starlette) -> Iterator[RouteCase]:
    for path, route in api_routes(list(app.routes)):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            yield RouteCase(method, path)
