"""Jinja2 environment and page rendering (full pages, or fragments for htmx)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from incubator import formatting, labels
from incubator.i18n import LOCALE_NAMES, LOCALES, gettext, html_lang, ngettext_raw
from incubator.settings import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


def _static_url(path: str) -> str:
    # The file's modification time busts caches when a static file changes.
    file = STATIC_DIR / path
    version = int(file.stat().st_mtime) if file.exists() else 0
    return f"/static/{path}?v={version}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext_raw, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        money=formatting.money,
        money_in_words=formatting.money_in_words,
        date=formatting.date,
        datetime=formatting.datetime,
        number=formatting.number,
        area=formatting.area,
        percent=formatting.percent,
    )
    env.globals.update(
        static_url=_static_url,
        LOCALES=LOCALES,
        LOCALE_NAMES=LOCALE_NAMES,
        html_lang=html_lang,
        role_label=labels.role,
        label=labels.label,
    )
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def context_for(request: Request, extra: dict[str, Any]) -> dict[str, Any]:
    state = request.state
    return {
        "request": request,
        "principal": getattr(state, "principal", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "locale": getattr(state, "locale", "zh_CN"),
        "memberships": getattr(state, "memberships", []),
        "unread": getattr(state, "unread", 0),
        "flash": getattr(state, "flash", None),
        "nav": getattr(state, "nav", ""),
        **extra,
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with the request's principal, locale and CSRF token."""
    html = environment().get_template(template).render(context_for(request, context or {}))
    return HTMLResponse(html, status_code=status_code, headers=headers)


def template_path(name: str) -> Path:
    return TEMPLATE_DIR / name
