#!/usr/bin/env bash
# `make lint`: ruff (lint and format check), the OCA mandatory pylint-odoo checks and the
# OCA module checks (XML, CSV, manifest, PO files).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_venv
cd "$REPO"
ADDONS=${MODULES//,/ }
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory $ADDONS
# README.md and static/description/index.html are generated from readme/ (tools/readme.py).
"$VENV/bin/oca-checks-odoo-module" --no-verbose --disable=prefer-readme-rst $ADDONS
PO_FILES=$(ls */i18n/*.po* 2>/dev/null || true)
[ -z "$PO_FILES" ] || "$VENV/bin/oca-checks-po" --no-verbose --disable=po-pretty-format $PO_FILES
"$VENV/bin/python" tools/readme.py --check $ADDONS
