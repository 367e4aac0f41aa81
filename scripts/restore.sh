#!/usr/bin/env bash
# Restore an Opora backup made by scripts/backup.sh into DATABASE_URL and OPORA_VAR_DIR.
#   scripts/restore.sh BACKUP_DIR
# The target database must exist (it may be empty); existing objects are replaced.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: scripts/restore.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
var_dir=${OPORA_VAR_DIR:-$PWD/var}
( cd "$src" && sha256sum --check --quiet SHA256SUMS )
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/database.dump"
mkdir -p "$var_dir"
rm -rf "$var_dir/media"
tar -C "$var_dir" -xzf "$src/media.tar.gz"
echo "Restored $src"
