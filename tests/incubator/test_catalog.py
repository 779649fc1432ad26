"""The zh_CN catalog translates every message in the code and templates, placeholders intact.

Messages are extracted in-process with the mapping in babel.cfg and the keywords that
scripts/messages.sh uses (Babel's defaults plus N_), so a message added to the code without
running the script and translating it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from incubator.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
CATALOG = ROOT / "incubator" / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
# Named %-placeholders such as %(name)s, %(num)d, %(share).1f (the only style the project uses).
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")

MessageKey = tuple[str | None, str | tuple[str, ...]]


def _catalog() -> Catalog:
    with CATALOG.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def _extracted() -> dict[MessageKey, list[str]]:
    """(context, id) of every message in the sources, with where it occurs."""
    with MAPPING.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(MAPPING))
    found: dict[MessageKey, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = (context, tuple(message) if isinstance(message, (list, tuple)) else message)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _untranslated(catalog: Catalog, context: str | None, msgid: str | tuple[str, ...]) -> str | None:
    """Why the message has no usable translation, or None if it has one."""
    singular = msgid[0] if isinstance(msgid, tuple) else msgid
    entry = catalog.get(singular, context=context)
    if entry is None:
        return "missing"
    entry_id = tuple(entry.id) if isinstance(entry.id, (list, tuple)) else entry.id
    if entry_id != msgid:
        return "plural form differs"
    if entry.fuzzy:
        return "fuzzy"
    if not all(_strings(entry)):
        return "empty"
    return None


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_it_translates_every_extracted_message() -> None:
    catalog = _catalog()
    extracted = _extracted()
    files = {where.rsplit(":", 1)[0] for places in extracted.values() for where in places}
    assert any(f.endswith(".py") for f in files) and any(f.endswith(".html") for f in files), (
        f"Extraction with {MAPPING.name} found no Python or no template messages: {sorted(files)}"
    )

    problems = []
    for (context, msgid), places in sorted(extracted.items(), key=repr):
        if reason := _untranslated(catalog, context, msgid):
            label = " / ".join(msgid) if isinstance(msgid, tuple) else msgid
            prefix = f"[{context}] " if context else ""
            problems.append(f"  {prefix}{label!r} ({reason}; {', '.join(places[:3])})")
    assert not problems, (
        f"{len(problems)} message(s) lack a zh_CN translation. Run scripts/messages.sh, then translate "
        f"them (no empty msgstr, no '#, fuzzy') in {CATALOG.relative_to(ROOT)}:\n" + "\n".join(problems)
    )


def test_it_has_a_final_header_with_one_plural_form() -> None:
    catalog = _catalog()
    assert not catalog.fuzzy, f"Remove '#, fuzzy' from the header of {CATALOG.relative_to(ROOT)}"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr.strip() == "0"


def test_it_keeps_the_placeholders_of_every_message() -> None:
    wrong = []
    for entry in _catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, (list, tuple)) else (entry.id,)
        expected = set().union(*(_placeholders(msgid) for msgid in ids))
        for text in _strings(entry):
            if _placeholders(text) != expected:
                wrong.append(
                    f"  {ids[0]!r} -> {text!r}: expected {sorted(expected)}, got {sorted(_placeholders(text))}"
                )
    assert not wrong, "Translations whose %-placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_it_translates_at_runtime_from_the_po_file() -> None:
    assert translations("zh_CN").gettext("Log in") == "登录"
