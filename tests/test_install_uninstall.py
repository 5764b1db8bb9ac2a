"""Each addon installs on its own with its dependencies and uninstalls without leftovers."""

import psycopg2
import pytest

from .odoo_cli import drop_database, odoo_bin, scratch_database

LEFTOVER_QUERIES = {
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    "columns": """SELECT table_name || '.' || column_name FROM information_schema.columns
                   WHERE table_schema = 'public'""",
    "menus": "SELECT id FROM ir_ui_menu",
    "crons": "SELECT id FROM ir_cron",
    "parameters": "SELECT key FROM ir_config_parameter",
    "views": "SELECT id FROM ir_ui_view",
    "groups": "SELECT id FROM res_groups",
    "modules": "SELECT name FROM ir_module_module WHERE state = 'installed'",
}


def snapshot(dbname):
    with psycopg2.connect(dbname=dbname) as connection, connection.cursor() as cr:
        result = {}
        for key, query in LEFTOVER_QUERIES.items():
            cr.execute(query)
            result[key] = {row[0] for row in cr.fetchall()}
        return result


def module_state(dbname, module):
    with psycopg2.connect(dbname=dbname) as connection, connection.cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [module])
        return cr.fetchone()[0]


@pytest.fixture(scope="module")
def scratch_db():
    name = scratch_database()
    yield name
    drop_database(name)


@pytest.mark.parametrize(
    "module, installs",
    [
        ("customer_segmentation", ["customer_segmentation"]),
        ("channel_attribution", ["channel_attribution", "customer_segmentation"]),
        ("customer_care", ["customer_care", "customer_segmentation"]),
        ("customer_clv", ["customer_clv", "channel_attribution", "customer_segmentation"]),
        (
            "customer_care_loyalty",
            ["customer_care_loyalty", "customer_care", "customer_segmentation"],
        ),
        (
            "customer_care_mass_mailing",
            ["customer_care_mass_mailing", "customer_care", "customer_clv"],
        ),
        # with Email Marketing there, the bridge comes by itself with the two addons it joins
        (
            "customer_care,customer_clv",
            ["customer_care_mass_mailing", "customer_care", "customer_clv"],
        ),
    ],
)
def test_install_then_uninstall_leaves_nothing(scratch_db, module, installs):
    before = snapshot(scratch_db)
    odoo_bin("-d", scratch_db, "-i", module, "--stop-after-init", "--log-level=warn")
    for name in installs:
        assert module_state(scratch_db, name) == "installed"
    installed = snapshot(scratch_db)
    assert installed["tables"] - before["tables"], "the install created no table"
    assert installed["menus"] - before["menus"], "the install created no menu"
    # Uninstall every module the install brought, Odoo dependencies (rating) included.
    odoo_bin("module", "uninstall", "-d", scratch_db, *(installed["modules"] - before["modules"]))
    for name in installs:
        assert module_state(scratch_db, name) == "uninstalled"
    after = snapshot(scratch_db)
    for key, values in after.items():
        assert values - before[key] == set(), f"{module} left {key} behind"
