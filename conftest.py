"""Project-wide pytest hooks: a skipped browser test is a failed test.

Odoo skips an HttpCase when Chromium or websocket-client is missing and still
reports success; here such a skip turns into a failure with the skip reason.
"""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    from odoo.tests import HttpCase

    if isinstance(getattr(item, "instance", None), HttpCase):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser test skipped, which counts as a failure: {reason}"
