"""Run odoo-bin in subprocesses against scratch databases, for install/uninstall tests."""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import odoo
from odoo.tools import config

ODOO_BIN = Path(odoo.__path__[0]).parent / "odoo-bin"
DEPENDENCIES = "sale_management,crm,contacts,sale_loyalty,mass_mailing"


def _config_file():
    """An odoo.conf with this run's addons path, for the odoo-bin sub-commands."""
    path = Path(tempfile.gettempdir()) / f"customer_insight_{os.getpid()}.conf"
    path.write_text("[options]\naddons_path = " + ",".join(config["addons_path"]) + "\n")
    return str(path)


def odoo_bin(*args):
    """Run odoo-bin with the test run's addons path; fail with its log on any error."""
    conf = ["-c", _config_file()]
    if args[0] == "module":  # odoo-bin module <sub-command> -c CONF ...
        args = (*args[:2], *conf, *args[2:])
    elif args[0] == "db":  # odoo-bin db -c CONF <sub-command> ...
        args = (args[0], *conf, *args[1:])
    else:
        args = (*conf, *args)
    result = subprocess.run(
        [sys.executable, str(ODOO_BIN), *args], capture_output=True, text=True, check=False
    )
    errors = [
        line for line in result.stderr.splitlines() if " ERROR " in line or " CRITICAL " in line
    ]
    if result.returncode or errors:
        raise AssertionError(f"odoo-bin {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result


def scratch_database():
    """A new database with Odoo's dependencies of the addons and none of ours: a copy of the
    database `make test` prepared (CUSTOMER_INSIGHT_BASE_DB), else a new one (minutes)."""
    name = f"{config['db_name'][0]}_tmp{uuid.uuid4().hex[:8]}"
    base = os.environ.get("CUSTOMER_INSIGHT_BASE_DB")
    if base:
        odoo_bin("db", "duplicate", base, name)
    else:
        odoo_bin("-d", name, "-i", DEPENDENCIES, "--stop-after-init", "--log-level=warn")
    return name


def drop_database(name):
    odoo_bin("db", "drop", name)
