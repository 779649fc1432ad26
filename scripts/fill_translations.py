"""Fill zh_CN translations from JSON files of {msgid: msgstr} (after scripts/messages.sh).

Usage: python scripts/fill_translations.py translations.json [more.json ...]
Prints the msgids that are still untranslated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parents[1] / "incubator/locale/zh_CN/LC_MESSAGES/messages.po"


def main(paths: list[str]) -> int:
    table: dict[str, str] = {}
    for path in paths:
        table.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in table:
            text = table[key]
            message.string = (text, text) if isinstance(message.id, tuple) else text
            message.flags.discard("fuzzy")
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(key)
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, width=100)
    for key in missing:
        print(f"untranslated: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
