#!/usr/bin/env bash
# `make test`: lint, a fresh database with the three addons, every test through pytest-odoo
# (browser tests included), then the database is dropped. Ends with pytest's summary line.
set -uo pipefail
source "$(dirname "$0")/common.sh"

DB=${TEST_DB:-customer_insight_test}
BASE_DB=${DB}_base
LOG_DIR=$(mktemp -d /tmp/customer_insight_test.XXXXXX)

check_odoo_tree
ensure_venv
check_postgres
ensure_chromium

cleanup() {
    for db in "$DB" "$BASE_DB" $(psql -d postgres -Atqc "SELECT datname FROM pg_database WHERE datname LIKE '${DB}_tmp%'"); do
        odoo_db drop "$db" >/dev/null 2>&1 || true
    done
    rm -rf "$LOG_DIR"
}
cleanup_and_stop() {
    cleanup
    stop_private_postgres
}
trap cleanup_and_stop EXIT

echo "Lint: ruff and pylint-odoo ..."
"$REPO/tools/lint.sh" || exit 1

# Run odoo-bin and fail on a non-zero exit or on any ERROR/CRITICAL line in its log.
odoo_step() {
    local what=$1 log=$LOG_DIR/$2.log
    shift 2
    echo "$what ..."
    if ! odoo_bin --stop-after-init --log-level=warn --logfile="$log" "$@" \
        || grep -Eq ' (ERROR|CRITICAL) ' "$log"; then
        grep -E -A20 ' (ERROR|CRITICAL) ' "$log" | head -60
        die "$what failed (full log: $log)"
    fi
}

cleanup
mkdir -p "$LOG_DIR"
odoo_step "Creating $BASE_DB with Odoo's $ODOO_DEPENDENCIES" base -d "$BASE_DB" -i "$ODOO_DEPENDENCIES" --without-demo
odoo_db duplicate "$BASE_DB" "$DB" >/dev/null 2>&1 || die "cannot duplicate $BASE_DB into $DB"
odoo_step "Installing $MODULES into $DB" install -d "$DB" -i "$MODULES" --without-demo

echo "Running the tests ..."
cd "$REPO" || exit 2
CUSTOMER_INSIGHT_BASE_DB=$BASE_DB "$VENV/bin/pytest" -p no:cacheprovider \
    --odoo-database="$DB" --odoo-addons-path="$(addons_path)" --odoo-http \
    ${MODULES//,/ } tests "$@"
