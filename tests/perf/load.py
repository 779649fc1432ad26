"""Load test: N users of mixed roles on a real server for T seconds (not collected by pytest).

    python -m tests.perf.load --users 100 --seconds 60 [--database-url postgres://postgres@127.0.0.1:5432/postgres]

It creates a fresh database (a SQLite file in a temporary folder, or a new database on the
PostgreSQL server of --database-url, dropped afterwards), migrates it, loads the demo (or,
with --data world, the small test world), adds a base outside Tibet and one account per
virtual user (operators, founders, bureau officers and admins, round-robin over the bases,
startups and bureaus), and serves the app with uvicorn on a free port of 127.0.0.1 in a
subprocess. Each virtual user logs in through the login page (with its CSRF token) in its
own httpx client, then walks its role's journey over and over, pausing a random 0 to 2 ×
--think seconds between pages, until the time is up. Every page must answer 200 and must
not name a base or startup the user may not see (an isolation violation). The report gives
the requests, errors, violations and the p50/p95/p99 latency per page kind; the exit status
is 0 only with zero errors, zero violations and at least one request per user.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load-test-2026"  # the virtual users' password, in a throw-away database
# Who the virtual users are, in turn: 3 operators, 3 founders, 3 bureau officers, 1 admin in 10.
ROLES = ("operator", "founder", "bureau", "operator", "founder", "bureau", "operator", "founder", "bureau", "admin")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class VirtualUser:
    username: str
    role: str
    scope: str  # what the user acts for, for the report
    forbidden: tuple[str, ...]  # names that must never appear on the user's pages


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    requests_by_user: Counter[str] = field(default_factory=Counter)

    def error(self, what: str) -> None:
        self.errors[what] += 1
        if len(self.samples) < 20:
            self.samples.append(what)


# -- the database ------------------------------------------------------------------------


async def _pg_admin(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(server: str | None, workdir: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file in workdir, or a uniquely named database on the server."""
    if not server:
        yield f"sqlite://{workdir / 'load.sqlite3'}"
        return
    name = f"incubator_load_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def prepare(database_url: str, data: str, users: int) -> list[VirtualUser]:
    """Migrate, load the data, add a foreign base and the virtual users' accounts."""
    from incubator import db

    await db.apply_migrations(database_url)
    await db.open_db(database_url)
    try:
        if data == "world":
            from tests.personas import build_world

            await build_world()
        else:
            from incubator import demo

            await demo.load_demo()
        await _foreign_base()
        return await _accounts(users)
    finally:
        await db.close_db()


async def _foreign_base() -> None:
    """A base outside Tibet, so that even the autonomous region's officers have one they must not see."""
    from incubator.models import Base, BaseKind, BaseLevel, Region, RegionLevel
    from tenants.models import LegalForm, Startup, StartupStatus

    if await Base.exclude(region_id__startswith="54").exists():
        return
    for code, name, level, parent in (
        ("630000", "青海省", RegionLevel.PROVINCE, None),
        ("630100", "西宁市", RegionLevel.PREFECTURE, "630000"),
        ("630102", "城东区", RegionLevel.COUNTY, "630100"),
    ):
        if not await Region.exists(code=code):
            await Region.create(code=code, name=name, level=level, parent_id=parent)
    base = await Base.create(
        name="西宁青创空间", code="XNQC", kind=BaseKind.MAKER_SPACE, level=BaseLevel.PREFECTURE, region_id="630102"
    )
    await Startup.create(
        base=base, name="西宁牦牛绒创业有限公司", legal_form=LegalForm.LIMITED_COMPANY, status=StartupStatus.INCUBATING
    )


async def _accounts(count: int) -> list[VirtualUser]:
    """One account per virtual user, with the names each must never see."""
    from incubator.models import Base, Bureau, Membership, Role, User
    from incubator.passwords import hash_password
    from incubator.regions import prefix_of
    from tenants.models import Startup

    bases = {b.id: b for b in await Base.all().order_by("id")}
    startups = await Startup.all().order_by("base_id", "id")
    bureaus = await Bureau.all().order_by("region_id", "id")
    by_base: dict[int, list[Startup]] = defaultdict(list)
    for startup in startups:
        by_base[startup.base_id].append(startup)
    base_ids = [base_id for base_id in bases if by_base[base_id]]
    founders = [s for column in _interleave([by_base[b] for b in base_ids]) for s in column]
    password_hash = hash_password(PASSWORD)

    def foreign(see_base: Callable[[int], bool], see_startup: Callable[[Startup], bool]) -> tuple[str, ...]:
        names = [b.name for b in bases.values() if not see_base(b.id)]
        names += [s.name for s in startups if not see_startup(s)]
        allowed = [b.name for b in bases.values() if see_base(b.id)] + [s.name for s in startups if see_startup(s)]
        # A name inside a visible one (a startup named after its district) cannot be told apart.
        return tuple(sorted(n for n in set(names) if not any(n in a for a in allowed)))

    made: list[VirtualUser] = []
    counters: Counter[str] = Counter()
    for n in range(count):
        role = ROLES[n % len(ROLES)]
        turn = counters[role]
        counters[role] += 1
        user = await User.create(
            username=f"load.{role}.{turn + 1}", display_name=f"Load {role} {turn + 1}", password_hash=password_hash
        )
        if role == "operator":
            base = bases[base_ids[turn % len(base_ids)]]
            await Membership.create(user=user, role=Role.OPERATOR, base=base)
            forbidden = foreign(lambda b, base=base: b == base.id, lambda s, base=base: s.base_id == base.id)
            scope = base.name
        elif role == "founder":
            startup = founders[turn % len(founders)]
            await Membership.create(user=user, role=Role.FOUNDER, startup=startup)
            # A founder sees its own base (its name is on the page) but no other startup, except
            # where the base's staff named one in the startup's own documents (a credit note's reason).
            forbidden = foreign(lambda b, s0=startup: b == s0.base_id, lambda s, s0=startup: s.id == s0.id)
            typed = " ".join(await _texts_typed_for(startup.id))
            forbidden = tuple(name for name in forbidden if name not in typed)
            scope = startup.name
        elif role == "bureau":
            bureau = bureaus[turn % len(bureaus)]
            await Membership.create(user=user, role=Role.BUREAU, bureau=bureau)
            prefix = prefix_of(bureau.region_id)
            inside = {b.id for b in bases.values() if b.region_id.startswith(prefix)}
            forbidden = foreign(lambda b, inside=inside: b in inside, lambda s, inside=inside: s.base_id in inside)
            scope = bureau.name
        else:
            await Membership.create(user=user, role=Role.ADMIN)
            forbidden, scope = (), "the installation"
        made.append(VirtualUser(user.username, role, scope, forbidden))
    return made


async def _texts_typed_for(startup_id: int) -> list[str]:
    """Free text the base's staff wrote on a startup's own bills, credit notes and payments."""
    from tenants.models import Bill, CreditNote, Payment

    texts: list[str] = []
    for model, name in ((Bill, "note"), (CreditNote, "reason"), (Payment, "note")):
        texts += [str(t) for t in await model.filter(startup_id=startup_id).values_list(name, flat=True) if t]
    return texts


def _interleave(columns: list[list[T]]) -> list[list[T]]:
    """Rows taking one startup of each base in turn, so founders spread over the bases."""
    longest = max((len(c) for c in columns), default=0)
    return [[c[i] for c in columns if i < len(c)] for i in range(longest)]


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """uvicorn on a free port of 127.0.0.1, in a subprocess, until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "incubator.app:asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, url, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


# -- the virtual users -------------------------------------------------------------------


def ids_in(text: str | None, prefix: str) -> list[str]:
    return re.findall(rf'href="{re.escape(prefix)}(\d+)"', text or "")


class Session:
    """One virtual user's browser: its client, its journey, its share of the figures."""

    def __init__(self, user: VirtualUser, client: httpx.AsyncClient, stats: Stats, think: float) -> None:
        self.user, self.client, self.stats, self.think = user, client, stats, think
        self.home = "/"

    async def login(self) -> bool:
        page = await self.client.get("/login")
        token = CSRF.search(page.text)
        if page.status_code != 200 or token is None:
            self.stats.error(f"login page {page.status_code}")
            return False
        form = {"username": self.user.username, "password": PASSWORD, "csrf_token": token.group(1)}
        done = await self.client.post("/login", data=form)
        if done.status_code != 303:
            self.stats.error(f"login {self.user.username}: {done.status_code}")
            return False
        landing = await self.client.get("/")
        self.home = landing.headers.get("location", "/")
        return landing.status_code == 303

    async def fetch(self, kind: str, url: str) -> str | None:
        """One page view: timed, checked for its status and for names the user must not see."""
        started = time.perf_counter()
        try:
            response = await self.client.get(url)
        except httpx.HTTPError as exc:
            self.stats.error(f"{kind} {url}: {type(exc).__name__}")
            return None
        self.stats.latencies[kind].append(time.perf_counter() - started)
        self.stats.requests_by_user[self.user.username] += 1
        if response.status_code != 200:
            self.stats.error(f"{kind} {url}: {response.status_code} {response.headers.get('location', '')}")
            return None
        for name in self.user.forbidden:
            if name in response.text:
                self.stats.violations[f"{self.user.username} {url}: {name}"] += 1
        return response.text

    async def pause(self) -> None:
        await asyncio.sleep(random.uniform(0, 2 * self.think))

    async def walk(self, deadline: float) -> None:
        journey = JOURNEYS[self.user.role]
        while time.monotonic() < deadline:
            for step in journey(self):
                if time.monotonic() >= deadline:
                    return
                await step()
                await self.pause()


def _pick(text: str | None, prefix: str) -> str | None:
    found = ids_in(text, prefix)
    return f"{prefix}{random.choice(found)}" if found else None


async def _list_then_one(session: Session, list_kind: str, url: str, one_kind: str, prefix: str) -> None:
    text = await session.fetch(list_kind, url)
    if (one := _pick(text, prefix)) is not None:
        await session.pause()
        await session.fetch(one_kind, one)


Step = Callable[[], Awaitable[object]]


def _operator(s: Session) -> list[Step]:
    return [
        lambda: _list_then_one(s, "startup list", "/startups", "startup page", "/startups/"),
        lambda: _list_then_one(s, "bill list", "/bills", "bill page", "/bills/"),
        lambda: s.fetch("notifications", "/notifications"),
    ]


def _founder(s: Session) -> list[Step]:
    return [
        lambda: s.fetch("own startup", s.home),
        lambda: s.fetch("subsidies", "/subsidies"),
        lambda: _list_then_one(s, "bill list", "/bills", "bill page", "/bills/"),
        lambda: s.fetch("notifications", "/notifications"),
    ]


def _bureau(s: Session) -> list[Step]:
    return [
        lambda: _list_then_one(s, "applications", "/applications", "application page", "/applications/"),
        lambda: s.fetch("region figures", "/region/figures"),
        lambda: s.fetch("notices", "/notices"),
        lambda: s.fetch("notifications", "/notifications"),
    ]


def _admin(s: Session) -> list[Step]:
    return [
        lambda: s.fetch("admin", "/admin"),
        lambda: s.fetch("bases", "/bases"),
        lambda: s.fetch("users", "/admin/users"),
        lambda: s.fetch("notifications", "/notifications"),
    ]


JOURNEYS: dict[str, Callable[[Session], list[Step]]] = {
    "operator": _operator,
    "founder": _founder,
    "bureau": _bureau,
    "admin": _admin,
}


async def drive(url: str, users: list[VirtualUser], seconds: float, think: float, stats: Stats) -> dict[str, float]:
    """Log every user in (a few at a time, as people arrive), then let them all walk until the time is up."""
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=2)
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for _ in users]
    sessions = [Session(user, client, stats, think) for user, client in zip(users, clients, strict=True)]
    gate = asyncio.Semaphore(10)
    login_times: list[float] = []

    async def log_in(session: Session) -> bool:
        async with gate:
            started = time.perf_counter()
            try:
                ok = await session.login()
            except httpx.HTTPError as exc:
                stats.error(f"login {session.user.username}: {type(exc).__name__}")
                ok = False
            login_times.append(time.perf_counter() - started)
            return ok

    try:
        started = time.monotonic()
        logged_in = await asyncio.gather(*(log_in(s) for s in sessions))
        login_seconds = time.monotonic() - started
        deadline = time.monotonic() + seconds
        walking = time.monotonic()
        await asyncio.gather(*(s.walk(deadline) for s, ok in zip(sessions, logged_in, strict=True) if ok))
        elapsed = time.monotonic() - walking
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {
        "login_seconds": login_seconds,
        "login_p50": _quantile(login_times, 50),
        "login_p95": _quantile(login_times, 95),
        "logged_in": float(sum(logged_in)),
        "elapsed": elapsed,
    }


# -- the report --------------------------------------------------------------------------


def _quantile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(args: argparse.Namespace, users: list[VirtualUser], stats: Stats, run: dict[str, float]) -> tuple[str, bool]:
    roles = Counter(u.role for u in users)
    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values())
    violations = sum(stats.violations.values())
    idle = [u.username for u in users if stats.requests_by_user[u.username] == 0]
    database = "PostgreSQL" if args.database_url else "SQLite"
    lines = [
        f"load: {len(users)} users ({', '.join(f'{n} {r}' for r, n in sorted(roles.items()))}) for {args.seconds:g} s "
        f"on {database}, data {args.data}, think time 0-{2 * args.think:g} s, {args.workers} worker(s)",
        f"logins: {int(run['logged_in'])} of {len(users)} in {run['login_seconds']:.1f} s "
        f"(p50 {run['login_p50'] * 1000:.0f} ms, p95 {run['login_p95'] * 1000:.0f} ms)",
        "names each user must not see: "
        + ", ".join(
            f"{role} {min(len(u.forbidden) for u in users if u.role == role)}"
            f"-{max(len(u.forbidden) for u in users if u.role == role)}"
            for role in sorted(roles)
        ),
        f"requests: {total} in {run['elapsed']:.1f} s ({total / max(run['elapsed'], 1e-9):.1f}/s), "
        f"errors: {errors}, isolation violations: {violations}",
        f"{'page kind':<18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    everything: list[float] = []
    for kind in sorted(stats.latencies):
        values = stats.latencies[kind]
        everything += values
        lines.append(_row(kind, values))
    lines.append(_row("all", everything))
    for sample in stats.samples:
        lines.append(f"error: {sample}")
    for what, n in stats.violations.most_common(20):
        lines.append(f"violation ({n}×): {what}")
    if idle:
        lines.append(f"users without a single page: {len(idle)}")
    ok = errors == 0 and violations == 0 and not idle and total > 0
    return "\n".join(lines), ok


def _row(kind: str, values: list[float]) -> str:
    ms = [_quantile(values, q) * 1000 for q in (50, 95, 99)]
    return f"{kind:<18} {len(values):>8} {ms[0]:>8.0f} {ms[1]:>8.0f} {ms[2]:>8.0f}"


# -- the command -------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="virtual users (default 100)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they walk (default 60)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL (postgres://user@host:port/db) on which to create a fresh database; "
        "default: a SQLite file in a temporary folder",
    )
    parser.add_argument(
        "--data", choices=["demo", "world"], default="demo", help="the demo (default) or the test world"
    )
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's pages (default 1 s)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="incubator-load-"))
    env = {
        **os.environ,
        "INCUBATOR_VAR_DIR": str(workdir),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    try:
        with fresh_database(args.database_url, workdir) as database_url:
            env["DATABASE_URL"] = database_url
            # Settings are read once per process: this process prepares the data with the server's.
            os.environ.update(env)
            prepared = time.monotonic()
            users = asyncio.run(prepare(database_url, args.data, args.users))
            print(f"prepared {args.data} data and {len(users)} accounts in {time.monotonic() - prepared:.1f} s")
            stats = Stats()
            with serve(env, args.workers, workdir / "server.log") as url:
                run = asyncio.run(drive(url, users, args.seconds, args.think, stats))
            text, ok = report(args, users, stats, run)
            print(text)
            if not ok:
                log = (workdir / "server.log").read_text(errors="replace")
                print(f"server log (last 3000 characters):\n{log[-3000:]}")
            return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
