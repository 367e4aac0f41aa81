#!/bin/sh
# Run once by the postgres image when the primary's data directory is created
# (/docker-entrypoint-initdb.d): let the replica stream the WAL with the same password.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
