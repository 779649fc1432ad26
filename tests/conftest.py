"""Test fixtures: one database per run (SQLite, or PostgreSQL with --db=postgres),
emptied before each test, a world of two bases in two prefectures, and personas per role."""

from __future__ import annotations

import os
import tempfile
import uuid

# Settings are read once per process: fix them before the app is imported.
_VAR = tempfile.mkdtemp(prefix="incubator-test-")
os.environ.update(
    INCUBATOR_VAR_DIR=_VAR,
    SECRET_KEY="test-secret-key-" + "x" * 32,
    FIELD_ENCRYPTION_KEY="test-field-key-" + "y" * 32,
    ARGON2_TIME_COST="1",
    ARGON2_MEMORY_COST="8192",
)

from collections.abc import AsyncIterator  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from tortoise import Tortoise, connections  # noqa: E402

from incubator import auth, db  # noqa: E402
from incubator.app import create_app  # noqa: E402
from incubator.audit import GENESIS_HASH  # noqa: E402
from incubator.models import AuditHead  # noqa: E402
from tests.clients import Browser, http_client  # noqa: E402

pytest_plugins = ["tests.personas"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="run the suite on SQLite (default) or on PostgreSQL at TEST_DATABASE_URL",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"incubator database: {config.getoption('--db')}"


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    backend = request.config.getoption("--db")
    if backend == "sqlite":
        yield f"sqlite://{_VAR}/test.sqlite3"
        return
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: TEST_DATABASE_URL must point at a PostgreSQL server")
        pytest.skip("PostgreSQL run: TEST_DATABASE_URL is not set")
    name = f"incubator_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(server, f'CREATE DATABASE "{name}"')
    base, _sep, _old = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        await Tortoise.close_connections()
        await _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgres")


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Starlette]:
    await db.apply_migrations(database_url)
    application = create_app(database_url)
    async with LifespanManager(application):
        yield application


# Reference data seeded by migrations survives the per-test wipe.
SEEDED_TABLES = {"recognition_standard"}


def _tables() -> list[str]:
    return [m._meta.db_table for m in Tortoise.apps["models"].values() if m._meta.db_table not in SEEDED_TABLES]


async def _wipe(is_postgres: bool) -> None:
    conn = connections.get("default")
    tables = _tables()
    if is_postgres:
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script("PRAGMA foreign_keys=OFF")
        for table in tables:
            await conn.execute_script(f'DELETE FROM "{table}"')
        await conn.execute_script("DELETE FROM sqlite_sequence")
        await conn.execute_script("PRAGMA foreign_keys=ON")
    await AuditHead.create(id=1, seq=0, last_hash=GENESIS_HASH)


@pytest.fixture(autouse=True)
async def clean_db(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table before a test that uses the database (not between `shared_demo` tests)."""
    if "app" not in request.fixturenames or request.node.get_closest_marker("shared_demo"):
        yield
        return
    app = request.getfixturevalue("app")
    del app
    await _wipe(request.getfixturevalue("is_postgres"))
    yield


@pytest.fixture(scope="module")
async def demo_installation(app: Starlette, is_postgres: bool) -> AsyncIterator[None]:
    """The demo installation, loaded once for a module whose tests only read it.

    Such a module sets `pytestmark = [pytest.mark.shared_demo, pytest.mark.usefixtures("demo_installation")]`;
    a test that changes the demo loads its own instead.
    """
    from incubator import demo

    await _wipe(is_postgres)
    await demo.load_demo()
    yield


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[Browser]:
    """A browser that has a valid anonymous session key (so CSRF passes) and no login."""
    key = auth.new_key()
    async with http_client(app, cookies={auth.SESSION_COOKIE: auth.sign_key(key)}) as client:
        yield Browser(client, key)


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A JSON client with no credentials."""
    async with http_client(app) as client:
        yield client
