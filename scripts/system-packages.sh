#!/usr/bin/env bash
# Debian packages the test suite needs besides Python: WeasyPrint's pango, HarfBuzz's font
# subsetter (fast PDFs), a CJK font for Chinese PDFs, and pg_dump/pg_restore for the backup tests.
# Installs only what is missing, and only as root (CI, containers); elsewhere it names what to
# install and goes on.
set -euo pipefail
libs="$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)"
missing=()
grep -q 'libpango-1\.0\.so' <<<"$libs" || missing+=(libpango-1.0-0)
grep -q 'libpangoft2-1\.0\.so' <<<"$libs" || missing+=(libpangoft2-1.0-0)
grep -q 'libharfbuzz-subset\.so' <<<"$libs" || missing+=(libharfbuzz-subset0)
zh_fonts="$(fc-list :lang=zh 2>/dev/null || true)"
[[ -n "$zh_fonts" ]] || missing+=(fontconfig fonts-wqy-microhei)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
((${#missing[@]})) || exit 0
if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "PDF and backup tests need these Debian packages: ${missing[*]} (apt-get install them as root)" >&2
fi
