"""Backups and restores of the whole database, each with a manifest that the restore verifies.

SQLite is copied with the online backup API (consistent while the app writes), PostgreSQL with
`pg_dump --format=custom` inside an exported snapshot, so the manifest's row counts and audit
head describe exactly what the file holds. A restore goes into an empty database only (or one
wiped on purpose), then checks row counts, the audit chain and every base's billing chain.
"""

# ruff: noqa: S608 - table names come from the database's own catalog and are quoted; there are no values

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from incubator.models import AuditHead

MANIFEST_FORMAT = 1
MIGRATIONS_TABLE = "tortoise_migrations"
# Tables the migrations fill by themselves: a database holding only these rows is empty.
SEEDED_TABLES = frozenset({MIGRATIONS_TABLE, "recognition_standard", AuditHead._meta.db_table})
PG_CLIENT_PACKAGE = "postgresql-client"

# Exit statuses: refused with nothing changed, a missing tool, restored but not verified.
REFUSED, MISSING_TOOL, NOT_VERIFIED = 1, 2, 3

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; `status` is the command's exit status."""

    def __init__(self, message: str, status: int = REFUSED) -> None:
        super().__init__(message)
        self.status = status


def app_version() -> str:
    try:
        return importlib.metadata.version("incubator")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def conninfo_value(value: str) -> str:
    """A value quoted for a libpq connection string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


@dataclass(frozen=True)
class Contents:
    """What a database (or a backup of it) holds: rows per table, the audit head, the last migration."""

    tables: dict[str, int]
    audit_head: dict[str, Any] | None
    migration: str | None

    def holds_data(self) -> bool:
        if any(count for table, count in self.tables.items() if table not in SEEDED_TABLES):
            return True
        return bool(self.audit_head and self.audit_head["seq"])

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# -- SQLite ------------------------------------------------------------------------------


class SqliteDatabase:
    kind = "sqlite"
    suffix = ".sqlite3"

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"SQLite database {self.path}"

    def require_tools(self) -> None:
        """Python's sqlite3 is all a SQLite backup needs."""

    def _open(self, path: Path, *, read_only: bool = False) -> sqlite3.Connection:
        # mode=rw never creates a missing file; a backup file is opened immutable and read-only.
        mode = "ro&immutable=1" if read_only else "rw"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @staticmethod
    def contents_of(conn: sqlite3.Connection) -> Contents:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {name: conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0] for name in names}
        head = None
        if AuditHead._meta.db_table in tables:
            row = conn.execute(f"SELECT seq, last_hash FROM {quote(AuditHead._meta.db_table)} WHERE id = 1").fetchone()
            head = {"seq": row[0], "hash": row[1]} if row else None
        migration = None
        if MIGRATIONS_TABLE in tables:
            row = conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1").fetchone()
            migration = row[0] if row else None
        return Contents(tables, head, migration)

    async def contents(self) -> Contents:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return Contents({}, None, None)
        try:
            conn = self._open(self.path)
            try:
                return self.contents_of(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{self.path} is not a readable SQLite database: {error}") from None

    async def dump(self, target: Path, say: Say) -> tuple[Contents, dict[str, Any]]:
        if not self.path.is_file():
            raise BackupError(f"there is no database at {self.path}")
        try:
            source = self._open(self.path)
            copy = sqlite3.connect(target)
            try:
                # One step: the whole copy is read in a single read transaction, so it is consistent.
                source.backup(copy)
                # A single self-contained file, without -wal and -shm companions.
                copy.execute("PRAGMA journal_mode = DELETE")
                contents = self.contents_of(copy)
            finally:
                copy.close()
                source.close()
        except sqlite3.Error as error:
            raise BackupError(f"the backup of {self.path} failed: {error}") from None
        return contents, {"sqlite_version": sqlite3.sqlite_version}

    def check_file(self, path: Path) -> None:
        try:
            conn = self._open(path, read_only=True)
            try:
                result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
        if result != "ok":
            raise BackupError(f"{path} is damaged: SQLite's integrity check says {result}")

    async def load(self, path: Path, say: Say) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        source = self._open(path, read_only=True)
        target = sqlite3.connect(self.path, timeout=30)
        try:
            # The copy replaces every page of the target in one write transaction.
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"the restore failed, the target is unchanged: {error}") from None
        finally:
            target.close()
            source.close()


# -- PostgreSQL --------------------------------------------------------------------------


class PostgresDatabase:
    kind = "postgresql"
    suffix = ".dump"

    def __init__(self, url: str) -> None:
        parts = urlparse(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.host = unquote(parts.hostname or "") or query.get("host", "")
        self.port = parts.port
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.database = unquote(parts.path.lstrip("/"))
        self.ssl = query.get("ssl", "").lower() in {"1", "true", "yes", "on"}
        if not self.database:
            raise BackupError("DATABASE_URL names no database")

    def describe(self) -> str:
        where = f"{self.host or 'local socket'}{f':{self.port}' if self.port else ''}"
        return f"PostgreSQL database {self.database} on {where}"

    def environment(self) -> dict[str, str]:
        """libpq's variables for pg_dump and pg_restore: nothing of the URL goes on a command line."""
        env = {**os.environ, "PGDATABASE": self.database, "PGCONNECT_TIMEOUT": "10"}
        for name, value in (("PGHOST", self.host), ("PGUSER", self.user), ("PGPASSWORD", self.password)):
            if value:
                env[name] = value
        if self.port:
            env["PGPORT"] = str(self.port)
        if self.ssl:
            env["PGSSLMODE"] = "require"
        return env

    async def connect(self) -> Any:
        import asyncpg  # type: ignore[import-untyped]

        try:
            return await asyncpg.connect(
                host=self.host or None,
                port=self.port,
                user=self.user or None,
                password=self.password or None,
                database=self.database,
                ssl="require" if self.ssl else None,
                timeout=10,
            )
        except (OSError, asyncpg.PostgresError) as error:
            raise BackupError(f"cannot connect to the {self.describe()}: {error}") from None

    def require_tools(self) -> None:
        for name in ("pg_dump", "pg_restore"):
            self.tool(name)

    @staticmethod
    def tool(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            raise BackupError(
                f"{name} is not installed: install the Debian package {PG_CLIENT_PACKAGE}"
                f" (apt-get install {PG_CLIENT_PACKAGE}), of the server's major version or newer",
                MISSING_TOOL,
            )
        return path

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        # The arguments are ours (tool paths, option names, file paths); credentials go through the environment.
        return subprocess.run(args, env=self.environment(), capture_output=True, text=True, check=False)  # noqa: S603

    @staticmethod
    async def contents_of(conn: Any) -> Contents:
        names = [
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        tables = {name: await conn.fetchval(f"SELECT count(*) FROM {quote(name)}") for name in names}
        head = None
        if AuditHead._meta.db_table in tables:
            row = await conn.fetchrow(f"SELECT seq, last_hash FROM {quote(AuditHead._meta.db_table)} WHERE id = 1")
            head = {"seq": row["seq"], "hash": row["last_hash"]} if row else None
        migration = None
        if MIGRATIONS_TABLE in tables:
            migration = await conn.fetchval(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1")
        return Contents(tables, head, migration)

    async def contents(self) -> Contents:
        conn = await self.connect()
        try:
            return await self.contents_of(conn)
        finally:
            await conn.close()

    async def dump(self, target: Path, say: Say) -> tuple[Contents, dict[str, Any]]:
        pg_dump = self.tool("pg_dump")
        conn = await self.connect()
        try:
            # pg_dump reads the very snapshot in which the rows were counted.
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
                contents = await self.contents_of(conn)
                args = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"]
                say(f"running {' '.join(args)}")
                result = await asyncio.to_thread(self.run, args)
            server = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        version = self.run([pg_dump, "--version"]).stdout.strip()
        return contents, {"server_version": server, "pg_dump": version}

    def archive_tables(self, path: Path) -> set[tuple[str, str]]:
        """(schema, table) of every table in a pg_dump archive."""
        listing = self.run([self.tool("pg_restore"), "--list", str(path)])
        if listing.returncode != 0:
            raise BackupError(f"{path} is not a readable pg_dump archive: {listing.stderr.strip()}")
        tables = set()
        for line in listing.stdout.splitlines():
            # "215; 1259 16390 TABLE public audit_event postgres" (and not "... TABLE DATA public ...")
            fields = line.split()
            if not line.startswith(";") and len(fields) >= 6 and fields[3] == "TABLE" and fields[4] != "DATA":
                tables.add((fields[4], fields[5]))
        return tables

    def check_file(self, path: Path) -> None:
        # Reading the whole archive into nothing finds an unreadable table of contents or data block.
        replay = self.run([self.tool("pg_restore"), f"--file={os.devnull}", str(path)])
        if replay.returncode != 0:
            raise BackupError(f"{path} is damaged: {replay.stderr.strip()}")

    async def load(self, path: Path, say: Say) -> None:
        pg_restore = self.tool("pg_restore")
        archived = self.archive_tables(path)
        conn = await self.connect()
        try:
            present = {
                (row["schemaname"], row["tablename"])
                for row in await conn.fetch(
                    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            }
            # Tables the backup does not have would survive --clean: they go first (empty, or --force).
            for _schema, table in sorted(present - archived):
                say(f"dropping table {table}, which the backup does not have")
                await conn.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
        finally:
            await conn.close()
        args = [
            pg_restore,
            "--no-owner",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname=dbname={conninfo_value(self.database)}",
            str(path),
        ]
        say(f"running {' '.join(args)}")
        result = await asyncio.to_thread(self.run, args)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed, its transaction was rolled back: {result.stderr.strip()}")


Database = SqliteDatabase | PostgresDatabase


def database_of(url: str) -> Database:
    """The database a Tortoise URL names (sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/NAME)."""
    scheme = url.partition("://")[0]
    if scheme == "sqlite":
        # Tortoise reads sqlite://PATH as the netloc and path together.
        parts = urlparse(url)
        path = parts.netloc + parts.path
        if not path or path == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up or restored")
        return SqliteDatabase(Path(path))
    if scheme in {"postgres", "postgresql", "asyncpg"}:
        return PostgresDatabase(url)
    raise BackupError(f"backups support SQLite and PostgreSQL, not {scheme}")


# -- backup ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: dict[str, Any]


def backup_target(database: Database, output: Path | None, backups_dir: Path, now: dt.datetime) -> Path:
    name = f"incubator-{now:%Y%m%d-%H%M%S}{database.suffix}"
    if output is None:
        path = backups_dir / name
    elif output.is_dir():
        path = output / name
    else:
        path = output
    if path.exists() or manifest_path(path).exists():
        raise BackupError(f"{path} exists already: a backup never overwrites a file")
    return path


async def create_backup(database_url: str, output: Path | None, backups_dir: Path, say: Say = print) -> BackupResult:
    """Copy the database into a backup file and write its manifest next to it."""
    database = database_of(database_url)
    database.require_tools()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = backup_target(database, output, backups_dir, now)
    # Backups hold password hashes and sealed ID numbers: only the owner may read them.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        contents, tool = await database.dump(partial, say)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "app_version": app_version(),
        "database": database.kind,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "file": path.name,
        "bytes": path.stat().st_size,
        "sha256": sha256_of(path),
        "migration": contents.migration,
        "audit_head": contents.audit_head,
        "rows": contents.rows,
        "tables": contents.tables,
        **tool,
    }
    target = manifest_path(path)
    target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    target.chmod(0o600)
    return BackupResult(path, target, manifest)


# -- restore -----------------------------------------------------------------------------


def read_manifest(path: Path) -> tuple[Path, dict[str, Any]]:
    """(backup file, manifest) for the path of either."""
    if path.name.endswith(".json"):
        path = path.with_name(path.name.removesuffix(".json"))
    source = manifest_path(path)
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    if not source.is_file():
        raise BackupError(f"the manifest {source} is missing: without it the restore cannot be verified")
    try:
        manifest: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
        if manifest["format"] != MANIFEST_FORMAT or not isinstance(manifest["tables"], dict):
            raise ValueError("unknown format")
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"the manifest {source} is not readable: {error}") from None
    return path, manifest


def check_backup(database: Database, path: Path, manifest: dict[str, Any]) -> None:
    """Refuse a backup of the other database kind, or one whose file is not what was written."""
    if manifest.get("database") != database.kind:
        raise BackupError(f"this is a backup of a {manifest.get('database')} database, the target is {database.kind}")
    if path.stat().st_size != manifest.get("bytes") or sha256_of(path) != manifest.get("sha256"):
        raise BackupError(f"{path} is damaged or incomplete: its size or SHA-256 differs from the manifest's")
    database.check_file(path)


async def uploaded_files_note() -> str:
    """Uploaded files live under var/files, outside the database: say whether the restored rows find theirs."""
    from incubator.models import StoredFile
    from incubator.settings import get_settings

    # incubator.files.files_dir(), without importing the upload machinery (openpyxl) into the command.
    files_dir = get_settings().var_dir / "files"
    names = await StoredFile.all().values_list("sha256", flat=True)
    missing = sum(1 for name in set(names) if not (files_dir / str(name)).is_file())
    if missing:
        return f"note: {missing} of {len(set(names))} uploaded files are not under {files_dir}: copy them back"
    return f"uploaded files: all {len(set(names))} under {files_dir}"


async def verify_restored(database_url: str, manifest: dict[str, Any]) -> list[tuple[bool, str]]:
    """Compare the restored rows with the manifest, then walk the audit chain and each billing chain."""
    from incubator import db
    from incubator.audit import verify_chain
    from incubator.packages import billing_chain_check

    findings: list[tuple[bool, str]] = []
    contents = await database_of(database_url).contents()
    expected: dict[str, int] = manifest["tables"]
    differing = [
        f"{table}: {contents.tables.get(table, 'no table')} rows, the manifest says {expected.get(table, 'no table')}"
        for table in sorted(set(expected) | set(contents.tables))
        if contents.tables.get(table) != expected.get(table)
    ]
    findings += [(False, f"rows differ in {line}") for line in differing]
    if not differing:
        findings.append((True, f"rows: ok ({contents.rows} in {len(expected)} tables, as in the manifest)"))
    if contents.audit_head != manifest.get("audit_head"):
        findings.append((False, f"audit head: {contents.audit_head}, the manifest says {manifest.get('audit_head')}"))
    await db.open_db(database_url)
    try:
        report = await verify_chain()
        findings.append((report.ok, f"audit chain: {report}"))
        findings += [(check.ok, f"billing chain {check}") for check in await billing_chain_check()()]
        findings.append((True, await uploaded_files_note()))
    except Exception as error:  # noqa: BLE001 - a schema the models do not know is a finding, not a crash
        findings.append((False, f"the chains could not be read: {error}"))
    finally:
        await db.close_db()
    return findings


async def restore_backup(database_url: str, path: Path, *, force: bool = False, say: Say = print) -> bool:
    """Restore a backup into the (empty) database and verify it; True when everything matches."""
    database = database_of(database_url)
    database.require_tools()
    path, manifest = read_manifest(path)
    check_backup(database, path, manifest)
    say(f"backup {path.name} of {manifest['created_at']}: {manifest.get('rows')} rows, checksum ok")
    if manifest.get("app_version") != app_version():
        say(f"note: the backup was made by version {manifest.get('app_version')}, this is {app_version()}")
    present = await database.contents()
    if present.holds_data():
        held = {table: count for table, count in present.tables.items() if count and table not in SEEDED_TABLES}
        summary = f"{sum(held.values())} rows in {len(held)} tables"
        if not force:
            raise BackupError(
                f"refused: the {database.describe()} is not empty ({summary});"
                " restore into an empty database, or pass --force to replace everything in it"
            )
        say(f"--force: WIPING the {database.describe()} ({summary}): everything in it is replaced by the backup")
    await database.load(path, say)
    say(f"restored into the {database.describe()}; verifying")
    findings = await verify_restored(database_url, manifest)
    for ok, line in findings:
        say(line if ok else f"FAILED {line}")
    return all(ok for ok, _line in findings)
