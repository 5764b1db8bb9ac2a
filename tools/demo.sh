#!/usr/bin/env bash
# `make demo`: a new database customer_insight_demo (Chinese company, zh_CN interface) with the
# three addons and their demo data, then Odoo served on 127.0.0.1:8069 (admin / admin).
set -euo pipefail
source "$(dirname "$0")/common.sh"

DB=${DEMO_DB:-customer_insight_demo}
LANGUAGE=${DEMO_LANG:-zh_CN}
PORT=${DEMO_PORT:-8069}

check_odoo_tree
ensure_venv
check_postgres

echo "Creating $DB (language $LANGUAGE) ..."
odoo_db drop "$DB" >/dev/null 2>&1 || true
odoo_db init "$DB" --with-demo --country CN --language "$LANGUAGE" \
    --username admin --password admin >/dev/null 2>&1 || die "cannot create database $DB"
# Beijing time for the company and the administrator: order hours in the reports are local.
psql -d "$DB" -qc "UPDATE res_partner SET tz = 'Asia/Shanghai'
     WHERE id IN (SELECT partner_id FROM res_company WHERE id = 1
                  UNION SELECT partner_id FROM res_users WHERE login = 'admin');" \
    || die "cannot set the demo company's time zone"
echo "Installing $MODULES with demo data (a few minutes) ..."
odoo_bin -d "$DB" -i "$MODULES" --stop-after-init --log-level=warn \
    || die "installing $MODULES into $DB failed"
echo "Serving $DB on http://127.0.0.1:$PORT (admin / admin); Ctrl-C stops."
exec "$VENV/bin/python" "$ODOO_PATH/odoo-bin" --addons-path="$(addons_path)" -d "$DB" \
    --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT"
