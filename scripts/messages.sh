#!/usr/bin/env bash
# Extract translatable messages into incubator/locale/messages.pot and merge them into the
# zh_CN catalog (created on first run). Existing translations are kept; entries whose msgid
# disappeared are dropped. New or changed entries must then be translated in
# incubator/locale/zh_CN/LC_MESSAGES/messages.po (tests/incubator/test_catalog.py checks).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYBABEL="$ROOT/.venv/bin/pybabel"
LOCALE_DIR="incubator/locale"
POT="$LOCALE_DIR/messages.pot"
LOCALES=(zh_CN)
WIDTH=100

mkdir -p "$LOCALE_DIR"

"$PYBABEL" extract \
    --mapping-file=babel.cfg \
    --keyword=N_ \
    --add-comments=Translators: \
    --project=incubator \
    --version="$("$ROOT/.venv/bin/python" -c 'import importlib.metadata as m; print(m.version("incubator"))' 2>/dev/null || echo 0.1.0)" \
    --width="$WIDTH" \
    --output-file="$POT" \
    .

for locale in "${LOCALES[@]}"; do
    po="$LOCALE_DIR/$locale/LC_MESSAGES/messages.po"
    if [[ -f "$po" ]]; then
        "$PYBABEL" update \
            --input-file="$POT" \
            --output-dir="$LOCALE_DIR" \
            --locale="$locale" \
            --ignore-obsolete --no-fuzzy-matching \
            --width="$WIDTH"
    else
        "$PYBABEL" init \
            --input-file="$POT" \
            --output-dir="$LOCALE_DIR" \
            --locale="$locale" \
            --width="$WIDTH"
    fi
done
