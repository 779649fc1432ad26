"""`incubator backup` and `incubator restore`, run as commands on the test database while the app
holds it open: a round trip into an empty database compared table by table and row for row
through a second connection, the chains verified on the copy, a database holding data refused
unless forced, damaged backups refused with nothing changed, and a tampered chain caught."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grants.services.policies import install_defaults
from incubator.backup import SEEDED_TABLES, BackupError, PostgresDatabase, database_of, restore_backup
from incubator.models import AuditEvent, AuditHead, StoredFile
from incubator.settings import get_settings
from tenants.forms.billing import parse_payment
from tenants.models import Bill, BillingProfile
from tenants.services import bills, payments
from tests.personas import World, principal_of

NOV = dt.date(2026, 11, 1)


@dataclass
class Run:
    status: int
    out: str
    err: str


async def incubator(database_url: str, *args: str, **env: str) -> Run:
    """The command in its own process, on the given database."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "incubator.cli",
        *args,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


async def with_history(world: World) -> None:
    """The world plus audited work: a billing run in two bases, a payment, the shipped policies."""
    for key, base in (("dsj", "dsj"), ("chamdo", "chamdo")):
        operator = await principal_of(world, f"operator_{base}")
        await bills.issue_run(operator, world.bases[base].id, NOV, issued_on=dt.date(2026, 11, 5))
        await payments.record_payment(
            operator,
            parse_payment(
                {
                    "startup_id": str(world.startups[key].id),
                    "received_on": "2026-11-09",
                    "amount": "1234.56",
                    "method": "bank_transfer",
                    "payer": world.startups[key].name,
                    "reference": f"NOV-{key}",
                },
                today=dt.date(2026, 11, 9),
            ),
        )
    await install_defaults()


# -- a second connection to any database, outside the app's ------------------------------


async def pg_admin(database_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        database_url.rpartition("/")[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite://"))


def sqlite_snapshot(path: Path) -> dict[str, Any]:
    """Schema and every row of every table (sqlite_sequence too), ordered by primary key."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
            info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            keys = [column[1] for column in sorted(info, key=lambda c: c[5]) if column[5]] or [c[1] for c in info]
            order = ", ".join(f'"{key}"' for key in keys)
            tables[name] = conn.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
    return {"schema": schema, "tables": tables}


PG_SCHEMA = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position"
    " FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 6",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
}
PG_KEY = (
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
    " WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)"
)


async def pg_snapshot(database_url: str) -> dict[str, Any]:
    """Schema, sequences and every row of every table, ordered by primary key."""
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        snapshot: dict[str, Any] = {
            name: [tuple(row) for row in await conn.fetch(sql)] for name, sql in PG_SCHEMA.items()
        }
        tables: dict[str, list[tuple[Any, ...]]] = {}
        names = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        for (name,) in names:
            keys = [row[0] for row in await conn.fetch(PG_KEY, f'"{name}"')]
            order = ", ".join(f'"{key}"' for key in keys) or "1"
            tables[name] = [tuple(row) for row in await conn.fetch(f'SELECT * FROM "{name}" ORDER BY {order}')]
        snapshot["tables"] = tables
        return snapshot
    finally:
        await conn.close()


def where(database_url: str) -> str:
    """How the commands name a database: its file, or its name and server."""
    return database_of(database_url).describe().split(" database ", 1)[1]


async def snapshot_of(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        return sqlite_snapshot(sqlite_path(database_url))
    return await pg_snapshot(database_url)


async def execute(database_url: str, *statements: str) -> None:
    """Change a database behind the app's back, as an intruder (or a stale copy) would."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(database_url)) as conn:
            for sql in statements:
                conn.execute(sql)
        return
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def empty_database(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second, empty database of the same kind: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite://{tmp_path}/restored.sqlite3"
        return
    name = f"incubator_restore_{uuid.uuid4().hex[:12]}"
    await pg_admin(database_url, f'CREATE DATABASE "{name}"')
    try:
        yield f"{database_url.rpartition('/')[0]}/{name}"
    finally:
        await pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backup_in(folder: Path) -> tuple[Path, dict[str, Any]]:
    """The one backup file in a folder, and its manifest."""
    (path,) = [p for p in folder.iterdir() if p.name.startswith("incubator-") and not p.name.endswith(".json")]
    return path, json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))


def make_folder(folder: Path) -> None:
    folder.mkdir(exist_ok=True)


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def write_manifest(path: Path, manifest: dict[str, Any] | None) -> None:
    """Replace (or, with None, remove) the manifest of a backup file."""
    target = Path(f"{path}.json")
    if manifest is None:
        target.unlink()
    else:
        target.write_text(json.dumps(manifest), encoding="utf-8")


async def backup(database_url: str, folder: Path) -> tuple[Path, dict[str, Any], Run]:
    """`incubator backup --output FOLDER`: the file it made, its manifest, what it printed."""
    make_folder(folder)
    run = await incubator(database_url, "backup", "--output", str(folder))
    assert run.status == 0, run.err
    return (*backup_in(folder), run)


# -- the round trip ----------------------------------------------------------------------


async def test_it_round_trips_every_table_row_for_row_and_refuses_a_database_holding_data(
    app, world: World, database_url: str, is_postgres: bool, empty_database: str, tmp_path: Path
) -> None:
    await with_history(world)
    source = await snapshot_of(database_url)
    # A password in the URL goes to pg_dump through PGPASSWORD, never on a command line or in the output.
    url = database_url.replace("postgres://postgres@", "postgres://postgres:Pw-n0t-in-logs@", 1)
    path, manifest, made = await backup(url, tmp_path)
    assert "Pw-n0t-in-logs" not in made.out + made.err + json.dumps(manifest)

    assert path.name.endswith(".dump" if is_postgres else ".sqlite3")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert manifest["database"] == ("postgresql" if is_postgres else "sqlite")
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["tables"] == {
        name: len(rows) for name, rows in source["tables"].items() if name != "sqlite_sequence"
    }
    events = await AuditEvent.all().count()
    head = await AuditHead.get(id=1)
    assert events > 10 and manifest["audit_head"] == {"seq": events, "hash": head.last_hash}
    assert manifest["migration"] and manifest["app_version"] and manifest["created_at"].endswith("Z")
    assert f"backup: {path} ({manifest['bytes']} bytes" in made.out
    assert (
        f"{manifest['rows']} rows in {len(manifest['tables'])} tables; audit chain head at event {events}" in made.out
    )

    restored = await incubator(empty_database, "restore", str(path))
    assert restored.status == 0, restored.out + restored.err
    # The restore checks the copy by itself, with the app's own verifications, on the copy alone.
    documents = {
        code: seq for code, seq in await BillingProfile.all().order_by("base_id").values_list("base__code", "chain_seq")
    }
    assert documents == {"DSJ": 9, "CDCK": 9, "XNQC": 3}
    # The world's evidence rows have no files on disk: the restore says so, without failing.
    uploads = len(set(await StoredFile.all().values_list("sha256", flat=True)))
    assert restored.out.splitlines()[-8:] == [
        f"restored into the {'PostgreSQL' if is_postgres else 'SQLite'} database {where(empty_database)}; verifying",
        f"rows: ok ({manifest['rows']} in {len(manifest['tables'])} tables, as in the manifest)",
        f"audit chain: ok ({events} events)",
        *(f"billing chain {code}: ok ({count} documents)" for code, count in documents.items()),
        f"note: {uploads} of {uploads} uploaded files are not under {get_settings().var_dir / 'files'}: copy them back",
        "restore verified",
    ]

    copy = await snapshot_of(empty_database)
    assert copy.keys() == source.keys()
    for part in source:
        if part != "tables":
            assert copy[part] == source[part], part
    assert copy["tables"].keys() == source["tables"].keys()
    for table, rows in source["tables"].items():
        assert copy["tables"][table] == rows, table
    rows = sum(len(rows) for rows in source["tables"].values())
    filled = sum(1 for rows in source["tables"].values() if rows)
    assert filled > 40
    print(
        f"backup round trip ({manifest['database']}): {len(source['tables'])} tables ({filled} with rows),"
        f" {rows} rows identical; audit chain {events} events; billing chains {documents}"
    )

    # Now the copy holds data (and a table of its own): a second restore is refused, and changes nothing.
    await execute(empty_database, "CREATE TABLE leftover (id INTEGER PRIMARY KEY)", "INSERT INTO leftover VALUES (1)")
    before = await snapshot_of(empty_database)
    held = {table: count for table, count in manifest["tables"].items() if count and table not in SEEDED_TABLES}
    refused = await incubator(empty_database, "restore", str(path))
    assert refused.status == 1
    assert refused.err.strip().endswith(
        f"database {where(empty_database)} is not empty ({sum(held.values()) + 1} rows in {len(held) + 1} tables);"
        " restore into an empty database, or pass --force to replace everything in it"
    )
    assert await snapshot_of(empty_database) == before
    # Forced, it is wiped and replaced: the same as the source again, without the table the backup has not.
    forced = await incubator(empty_database, "restore", "--force", str(path))
    assert forced.status == 0, forced.out + forced.err
    assert f"--force: WIPING the {'PostgreSQL' if is_postgres else 'SQLite'} database" in forced.out
    assert forced.out.splitlines()[-1] == "restore verified"
    assert await snapshot_of(empty_database) == source


# -- refused backups ---------------------------------------------------------------------


async def test_it_refuses_a_damaged_backup_and_changes_nothing(
    app, world: World, database_url: str, is_postgres: bool, empty_database: str, tmp_path: Path
) -> None:
    path, manifest, _run = await backup(database_url, tmp_path)
    whole = path.read_bytes()
    half = whole[: len(whole) // 2]
    before = await snapshot_of(empty_database) if is_postgres else None

    # Refused before anything is touched, so these run in this process (the command's exit status is 1).
    async def refusal() -> str:
        with pytest.raises(BackupError) as refused:
            await restore_backup(empty_database, path, say=lambda line: None)
        assert refused.value.status == 1
        return str(refused.value)

    path.write_bytes(half)
    assert await refusal() == f"{path} is damaged or incomplete: its size or SHA-256 differs from the manifest's"
    # The same truncated file with a manifest made to match it: the file's own format gives it away.
    write_manifest(path, {**manifest, "bytes": len(half), "sha256": hashlib.sha256(half).hexdigest()})
    if is_postgres:
        message = await refusal()
        assert message.startswith(f"{path} is ") and message.endswith("could not read from input file: end of file")
    else:
        assert (await refusal()).startswith(f"{path} is not a readable SQLite database: ")
    write_manifest(path, None)
    path.write_bytes(whole)
    assert await refusal() == f"the manifest {path}.json is missing: without it the restore cannot be verified"
    # A backup of the other kind of database.
    write_manifest(path, {**manifest, "database": "sqlite" if is_postgres else "postgresql"})
    assert (await refusal()).startswith("this is a backup of a ")

    if before is None:
        assert names_in(tmp_path) == sorted([path.name, f"{path.name}.json"])
    else:
        assert await snapshot_of(empty_database) == before


async def test_it_finds_an_altered_row_after_the_restore(
    app, world: World, database_url: str, empty_database: str, tmp_path: Path
) -> None:
    await install_defaults()  # audited: the chain has events
    # Altered behind the app's back before the backup: the copy is faithful, so the restore finds it.
    bill = await Bill.filter(base_id=world.bases["chamdo"].id).order_by("chain_seq").first()
    assert bill is not None
    await execute(
        database_url,
        "UPDATE audit_event SET actor = 'mallory' WHERE seq = 2",
        f"UPDATE bill SET total = total + 100 WHERE id = {bill.id}",
    )
    # Without --output, under var/backups/ (a folder only its owner may enter), named by the time in UTC.
    made = await incubator(database_url, "backup", INCUBATOR_VAR_DIR=str(tmp_path))
    assert made.status == 0, made.err
    path, manifest = backup_in(tmp_path / "backups")
    assert re.fullmatch(r"incubator-\d{8}-\d{6}\.(sqlite3|dump)", path.name)
    assert path.name[10:25] == dt.datetime.fromisoformat(manifest["created_at"]).strftime("%Y%m%d-%H%M%S")
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    # And a manifest that does not match what was restored.
    manifest["tables"]["startup"] += 1
    write_manifest(path, manifest)

    restored = await incubator(empty_database, "restore", str(path))
    assert restored.status == 3
    lines = restored.out.splitlines()
    assert "FAILED rows differ in startup: 5 rows, the manifest says 6" in lines
    assert "FAILED audit chain: broken at event 2: content altered" in lines
    assert f"FAILED billing chain CDCK: broken at document {bill.chain_seq}: content altered" in lines
    assert "the restored database differs from the backup" in restored.err


async def test_it_names_the_debian_package_when_pg_dump_is_missing(tmp_path: Path) -> None:
    run = await incubator(
        "postgres://backup:S3cret-pw@127.0.0.1:1/nowhere", "backup", "--output", str(tmp_path), PATH=str(tmp_path)
    )
    assert run.status == 2
    assert "pg_dump is not installed: install the Debian package postgresql-client" in run.err
    assert "S3cret-pw" not in run.out + run.err
    assert names_in(tmp_path) == []


def test_it_hands_the_password_to_libpq_through_the_environment() -> None:
    database = PostgresDatabase("postgres://app:p%40ss%27word@db.internal:5433/incubator?ssl=true")
    env = database.environment()
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"]) == (
        "p@ss'word",
        "app",
        "db.internal",
        "5433",
    )
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("incubator", "require")
    assert "p@ss" not in database.describe()
