"""Every setting and every permission is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

from incubator.access import PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]


def test_it_documents_every_setting():
    source = (ROOT / "incubator/settings.py").read_text(encoding="utf-8") + (ROOT / "incubator/cli.py").read_text(
        encoding="utf-8"
    )
    names = set(re.findall(r"""env(?:iron)?\.get\(\s*["']([A-Z_0-9]+)["']""", source))
    assert len(names) > 10
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"document these settings in README.md: {missing}"


def test_it_documents_every_permission():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(action for action in PERMISSIONS if f"`{action}`" not in readme)
    assert not missing, f"document these permissions in README.md: {missing}"
