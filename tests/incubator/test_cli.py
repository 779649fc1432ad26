"""The incubator command: help, demo, audit verify (in a subprocess, on its own database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys


def _run(tmp_path, *args: str, password: str = "admin2026pw") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
        "INCUBATOR_VAR_DIR": str(tmp_path),
        "INCUBATOR_ADMIN_PASSWORD": password,
    }
    return subprocess.run(
        [sys.executable, "-m", "incubator.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_lists_its_commands(tmp_path):
    result = _run(tmp_path, "--help")
    assert result.returncode == 0
    for command in ["serve", "migrate", "demo", "createadmin", "audit", "billing"]:
        assert command in result.stdout


def test_it_creates_the_demo_once_and_verifies_the_audit_chain(tmp_path):
    first = _run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "demo installation created" in first.stdout
    again = _run(tmp_path, "demo")
    assert again.returncode == 1
    assert "not empty" in again.stdout
    admin = _run(tmp_path, "createadmin", "--username", "root.admin")
    assert admin.returncode == 0, admin.stderr
    verify = _run(tmp_path, "audit", "verify")
    assert verify.returncode == 0
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        # The demo's own events (loading it, the Chamdo job audit) and creating the admin.
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        assert events > 2 and verify.stdout.strip() == f"ok ({events} events)"
        conn.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1")
    broken = _run(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert broken.stdout.strip() == "broken at event 1: content altered"


def test_it_refuses_a_weak_admin_password(tmp_path):
    result = _run(tmp_path, "createadmin", "--username", "root.admin", password="short")
    assert result.returncode == 2
    assert "at least 8" in result.stderr


def test_it_verifies_each_bases_billing_chain_and_finds_an_altered_bill(tmp_path):
    assert _run(tmp_path, "demo").returncode == 0
    verify = _run(tmp_path, "billing", "verify")
    assert verify.returncode == 0, verify.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        documents = dict(
            conn.execute(
                "SELECT base.code, max(profile.chain_seq) FROM billing_profile AS profile"
                " JOIN base ON base.id = profile.base_id GROUP BY base.code"
            ).fetchall()
        )
        assert documents["DSJ"] > 12 and documents["CDCK"] > 12
        assert sorted(verify.stdout.splitlines()) == sorted(
            f"{code}: ok ({count} documents)" for code, count in documents.items()
        )
        bill = conn.execute(
            "SELECT b.chain_seq, b.id FROM bill AS b JOIN base ON base.id = b.base_id"
            " WHERE base.code = 'CDCK' ORDER BY b.chain_seq LIMIT 1 OFFSET 3"
        ).fetchone()
        conn.execute("UPDATE bill SET total = total + 100 WHERE id = ?", (bill[1],))
    broken = _run(tmp_path, "billing", "verify")
    assert broken.returncode == 1
    assert f"CDCK: broken at document {bill[0]}: content altered" in broken.stdout.splitlines()
