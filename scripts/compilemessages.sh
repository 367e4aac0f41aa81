#!/usr/bin/env bash
# Compile every Russian catalogue (.po → .mo) with gettext's msgfmt.
set -euo pipefail
cd "$(dirname "$0")/.."
find . \( -path ./.venv -o -path ./node_modules \) -prune -o -name django.po -print | while read -r po; do
  msgfmt --check-format -o "${po%.po}.mo" "$po"
done
