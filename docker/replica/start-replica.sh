#!/bin/sh
# First start: copy the primary with pg_basebackup (-R writes the standby settings), then
# run as a hot standby that follows the primary's WAL stream.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pg_basebackup --host=db --username=odoo --pgdata="$PGDATA" --write-recovery-conf \
        --wal-method=stream --checkpoint=fast
    chmod 700 "$PGDATA"
fi
exec postgres
