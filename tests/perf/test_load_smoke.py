"""The load script itself works: five users for five seconds on the small test world (SQLite run only)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_load_script_drives_five_users_without_errors_or_isolation_violations(request: pytest.FixtureRequest):
    if request.config.getoption("--db") != "sqlite":
        pytest.skip("the load script's smoke run is part of the SQLite run")
    started = time.monotonic()
    command = "-m tests.perf.load --users 5 --seconds 5 --data world --think 0.2".split()
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        # The test settings' cheap argon2 parameters are inherited: logins stay fast.
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    figures = re.search(r"requests: (\d+) .*errors: (\d+), isolation violations: (\d+)", output)
    assert figures, output
    requests, errors, violations = (int(n) for n in figures.groups())
    assert requests >= 10 and errors == 0 and violations == 0
    assert "logins: 5 of 5" in output
    assert re.search(r"names each user must not see: bureau [1-9]", output), "the isolation check has names to look for"
    print(f"load smoke: {requests} requests, 0 errors, 0 violations in {time.monotonic() - started:.1f} s")
