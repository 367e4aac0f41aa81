#!/usr/bin/env bash
# Back up Opora: the database (pg_dump custom format) and the uploaded/generated files.
#   scripts/backup.sh BACKUP_DIR
# Reads DATABASE_URL (postgres://…) and OPORA_VAR_DIR (default ./var) like the portal does.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/backup.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
var_dir=${OPORA_VAR_DIR:-$PWD/var}
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" "$DATABASE_URL"
if [ -d "$var_dir/media" ]; then
  tar -C "$var_dir" -czf "$dest/media.tar.gz" media
else
  tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi
( cd "$dest" && sha256sum database.dump media.tar.gz > SHA256SUMS )
echo "Backup written to $dest"
