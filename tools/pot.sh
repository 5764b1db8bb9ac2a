#!/usr/bin/env bash
# `make pot`: export each addon's i18n/<addon>.pot, then merge new terms into i18n/zh_CN.po
# (untranslated ones are listed: translate them before committing). The scratch database
# customer_insight_pot is kept between runs and updated (`POT_FRESH=1` recreates it).
set -euo pipefail
source "$(dirname "$0")/common.sh"
DB=customer_insight_pot
check_odoo_tree
ensure_venv
check_postgres
CONF=$(mktemp /tmp/customer_insight_pot.XXXXXX.conf)
trap 'rm -f "$CONF"' EXIT
printf '[options]\naddons_path = %s\n' "$(addons_path)" > "$CONF"
if [ -n "${POT_FRESH:-}" ]; then odoo_db drop "$DB" >/dev/null 2>&1 || true; fi
if psql -d "$DB" -Atqc 'SELECT 1' >/dev/null 2>&1; then
    odoo_bin -d "$DB" -i "$MODULES" -u "$MODULES" --stop-after-init --log-level=warn
else
    odoo_bin -d "$DB" -i "$MODULES" --stop-after-init --log-level=warn --without-demo
fi
"$VENV/bin/python" "$ODOO_PATH/odoo-bin" i18n export -c "$CONF" -d "$DB" ${MODULES//,/ }
"$VENV/bin/python" "$REPO/tools/po_merge.py" ${MODULES//,/ }
