"""The one Starlette application: routes of every package, middleware, lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from incubator import db, packages, tasks
from incubator.errors import AppError
from incubator.middleware import RequestContext
from incubator.responses import app_error_handler, http_error_handler, server_error_handler
from incubator.settings import get_settings
from incubator.templating import STATIC_DIR


def all_routes() -> list[BaseRoute]:
    return [
        *packages.routes(),
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]


def create_app(database_url: str | None = None, *, manage_db: bool = True) -> Starlette:
    """Build the app; with manage_db the lifespan opens and closes the database."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.open_db(database_url)
            await tasks.recover()
        try:
            yield
        finally:
            if manage_db:
                await db.close_db()

    return Starlette(
        routes=all_routes(),
        middleware=[Middleware(GZipMiddleware, minimum_size=1024), Middleware(RequestContext)],
        exception_handlers={
            AppError: app_error_handler,
            HTTPException: http_error_handler,
            Exception: server_error_handler,
        },
        lifespan=lifespan,
    )


def asgi() -> Starlette:
    """Factory for uvicorn (`uvicorn --factory incubator.app:asgi`)."""
    logging.basicConfig(level=get_settings().log_level.upper())
    return create_app()
