#!/usr/bin/env bash
# Update the Russian catalogues: one per app (<app>/locale) and one for config/, core/ and
# templates/ (locale/).  Usage: scripts/makemessages.sh [app …]   (no argument: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN="$PWD/.venv/bin/django-admin"
APPS="accounts schools curators roadmaps events assessment reports core"
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(root $APPS)
for t in "${targets[@]}"; do
  if [ "$t" = root ]; then
    ignores=(-i .venv -i node_modules -i static -i tests -i bench -i scripts)
    for a in $APPS; do ignores+=(-i "$a"); done
    "$ADMIN" makemessages -l ru --no-obsolete --no-location "${ignores[@]}"
  else
    (cd "$t" && "$ADMIN" makemessages -l ru --no-obsolete --no-location -i "locale")
  fi
done
