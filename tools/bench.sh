#!/usr/bin/env bash
# `make bench SIZE=10k|100k|1m`: a new database with the addons, a generated population of
# that size, then every engine measured against the plain SQL floor (bench/benchmark.py).
# BENCH_REUSE=1 keeps an existing database (its population is generated again on top).
set -euo pipefail
source "$(dirname "$0")/common.sh"
SIZE=${1:-10k}
case "$SIZE" in tiny|10k|100k|1m) ;; *) die "SIZE must be tiny, 10k, 100k or 1m" ;; esac
DB=${BENCH_DB:-customer_insight_bench_$SIZE}
check_odoo_tree
ensure_venv
check_postgres
if [ -z "${BENCH_REUSE:-}" ]; then
    odoo_db drop "$DB" >/dev/null 2>&1 || true
    echo "Creating $DB with $MODULES ..."
    odoo_bin -d "$DB" -i "$MODULES" --stop-after-init --log-level=warn --without-demo \
        || die "installing the addons into $DB failed"
fi
echo "Benchmark $SIZE on $DB:"
cd "$REPO"
"$VENV/bin/python" -m bench.benchmark "$DB" "$SIZE" "$(addons_path)"
