"""HTTP clients for tests: an HTML browser with CSRF handling, and the ASGI transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from incubator import auth


@dataclass
class Browser:
    """An HTML client with a session cookie; post() adds the CSRF token to forms."""

    client: httpx.AsyncClient
    key: str

    @property
    def csrf(self) -> str:
        return auth.csrf_token(self.key)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return await self.client.post(url, data=form, **kwargs)

    async def request(self, method: str, url: str, *, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return await self.client.request(method, url, headers=headers, **kwargs)


def http_client(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", follow_redirects=False, **kwargs
    )
