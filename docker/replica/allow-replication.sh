#!/bin/sh
# Let the replica connect for streaming replication (the primary's superuser, password).
set -e
grep -q "^host replication" "$PGDATA/pg_hba.conf" \
    || echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
