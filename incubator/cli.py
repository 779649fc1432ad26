"""The `incubator` command: serve, migrate, demo, createadmin, audit verify, billing verify, policies defaults,
backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from incubator import db


async def _with_db(action: Callable[[], Awaitable[Any]]) -> Any:
    await db.open_db()
    try:
        return await action()
    finally:
        await db.close_db()


async def _load_demo_if_empty() -> bool:
    from incubator import demo

    if not await demo.is_empty():
        return False
    await demo.load_demo()
    return True


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(db.apply_migrations(quiet=False))
    print("database is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    asyncio.run(db.apply_migrations())
    if asyncio.run(_with_db(_load_demo_if_empty)):
        print("demo installation created: log in as admin / demo1234 (see the login page)")
        return 0
    print("the database is not empty: the demo installation is only created in an empty one")
    return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    asyncio.run(db.apply_migrations())
    if args.demo and asyncio.run(_with_db(_load_demo_if_empty)):
        print("demo installation created")
    print(f"serving on http://{args.host}:{args.port}/")
    uvicorn.run(
        "incubator.app:asgi",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
    )
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    from incubator.forms import USERNAME
    from incubator.models import Membership, Role, User
    from incubator.passwords import hash_password, policy_error

    username = args.username.strip().lower()
    if not USERNAME.match(username):
        print("the username must be 3 to 64 lower-case letters, digits, dots, hyphens or underscores", file=sys.stderr)
        return 2
    password = os.environ.get("INCUBATOR_ADMIN_PASSWORD") or getpass.getpass("password: ")
    if message := policy_error(password, username):
        print(message, file=sys.stderr)
        return 2

    async def create() -> int:
        from tortoise.transactions import in_transaction

        from incubator import audit

        if await User.exists(username=username):
            print(f"user {username} exists already", file=sys.stderr)
            return 1
        async with in_transaction():
            user = await User.create(
                username=username, display_name=args.name or username, password_hash=hash_password(password)
            )
            await Membership.create(user=user, role=Role.ADMIN)
            await audit.record(None, "user.created", user, actor="cli", after={"username": username, "role": "admin"})
        print(f"platform admin {username} created")
        return 0

    asyncio.run(db.apply_migrations())
    result: int = asyncio.run(_with_db(create))
    return result


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from incubator.audit import verify_chain

    report = asyncio.run(_with_db(verify_chain))
    print(report)
    return 0 if report.ok else 1


def cmd_billing_verify(args: argparse.Namespace) -> int:
    from incubator.packages import billing_chain_check

    checks = asyncio.run(_with_db(billing_chain_check()))
    for check in checks:
        print(check)
    return 0 if all(check.ok for check in checks) else 1


def cmd_policies_defaults(args: argparse.Namespace) -> int:
    from incubator.packages import policy_defaults_installer

    asyncio.run(db.apply_migrations())
    counts = asyncio.run(_with_db(policy_defaults_installer()))
    print(
        f"policies: {counts['policies']} created, LPR rates: {counts['lpr_rates']} created,"
        f" regional holidays: {counts['holidays']} created"
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from incubator import backup
    from incubator.settings import get_settings

    settings = get_settings()
    try:
        result = asyncio.run(backup.create_backup(settings.database_url, args.output, settings.var_dir / "backups"))
    except backup.BackupError as error:
        print(error, file=sys.stderr)
        return error.status
    manifest = result.manifest
    print(f"backup: {result.path} ({manifest['bytes']} bytes, sha256 {manifest['sha256']})")
    print(f"manifest: {result.manifest_path}")
    width = max((len(table) for table in manifest["tables"]), default=0)
    for table, count in manifest["tables"].items():
        print(f"  {table:<{width}}  {count:>9}")
    head = manifest["audit_head"] or {"seq": 0}
    print(f"{manifest['rows']} rows in {len(manifest['tables'])} tables; audit chain head at event {head['seq']}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from incubator import backup
    from incubator.settings import get_settings

    try:
        verified = asyncio.run(backup.restore_backup(get_settings().database_url, args.path, force=args.force))
    except backup.BackupError as error:
        print(error, file=sys.stderr)
        return error.status
    if not verified:
        print("the restored database differs from the backup: see the FAILED lines above", file=sys.stderr)
        return backup.NOT_VERIFIED
    print("restore verified")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="incubator", description="Incubation-base management platform")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations and serve the app")
    serve.add_argument("--demo", action="store_true", help="create the demo installation if the database is empty")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="create the demo installation in an empty database").set_defaults(func=cmd_demo)
    admin = sub.add_parser(
        "createadmin", help="create a platform admin (password from INCUBATOR_ADMIN_PASSWORD or a prompt)"
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", default="")
    admin.set_defaults(func=cmd_createadmin)
    audit_cmd = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the audit chain; prints ok or the first broken event").set_defaults(
        func=cmd_audit_verify
    )
    billing = sub.add_parser("billing", help="billing tools")
    billing_sub = billing.add_subparsers(dest="billing_command", required=True)
    billing_sub.add_parser(
        "verify", help="check each base's chain of bills, credit notes and payments; prints one line per base"
    ).set_defaults(func=cmd_billing_verify)
    policies = sub.add_parser("policies", help="subsidy policy tools")
    policies_sub = policies.add_subparsers(dest="policies_command", required=True)
    policies_sub.add_parser(
        "defaults",
        help="install the shipped subsidy policies of 540000, the LPR history and Tibet's holidays where missing",
    ).set_defaults(func=cmd_policies_defaults)
    backup = sub.add_parser(
        "backup", help="copy the database (SQLite backup API / pg_dump) with a manifest into var/backups/"
    )
    backup.add_argument("--output", type=Path, help="the backup file, or a folder for it (default var/backups/)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore", help="restore a backup into the empty database at DATABASE_URL, then verify rows and chains"
    )
    restore.add_argument("path", type=Path, help="the backup file (its manifest PATH.json lies next to it)")
    restore.add_argument("--force", action="store_true", help="wipe a database that holds data and replace it")
    restore.set_defaults(func=cmd_restore)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
