"""What every Customer Insight engine shares: who may call it, the per-company lock and the
per-company scheduled loop on Odoo's cron progress API."""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools import MANAGER_GROUP

_logger = logging.getLogger(__name__)


class CustomerInsightEngine(models.AbstractModel):
    _name = "customer.insight.engine"
    _description = "Customer Insight Engine"

    # Each engine sets its own key: runs of one engine and company are serialised, runs of
    # different engines or companies go on side by side.
    _lock_key = 0

    @api.private
    def _check_access_manager(self):
        """Entry points that run an engine are for Customer Insight managers (and the
        superuser, e.g. scheduled actions); anybody else gets an AccessError."""
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "Only Customer Insight managers can run the %(engine)s.",
                    engine=self._description,
                )
            )

    @api.private
    def _try_lock(self, company):
        """Take the engine's lock on ``company`` until the end of the transaction; False when
        another transaction holds it. Transaction-scoped: a crash never leaves it behind."""
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", self._lock_key, company.id)
        )
        return self.env.cr.fetchone()[0]

    @api.private
    def _cron_run_key(self):
        """Which run of its scheduled job the current call belongs to (a string to store
        and compare): every call of a run gets the same ``lastcall``, which Odoo moves when
        the run completes. Not a time to compare with: it is the start of the last pass of
        the run before, earlier than what that pass did. False outside the job."""
        if "cron_id" not in self.env.context:
            return False
        lastcall = self.env.context.get("lastcall")
        return fields.Datetime.to_string(lastcall) if lastcall else "first"

    @api.private
    def _done_in_run(self, run_key):
        """Whether ``run_key``, the ``_cron_run_key`` a company's work stored, is that of the
        scheduled job's current run: the company is done for this run. False outside it."""
        run = self._cron_run_key()
        return bool(run) and run_key == run

    @api.private
    def _cron_per_company(self, companies, step):
        """Scheduled work over ``companies``: call the engine method ``step`` for the first
        company (in ``env.company`` = that company) until it returns 0, then the next one.

        ``step`` does one bounded unit of work in the current transaction and returns how
        many units remain for its company (0: done), or None when another run holds the
        company's lock. Each unit is committed through ``ir.cron._commit_progress`` with the
        work that remains, so that Odoo calls the job again until everything is done; a
        unit that fails is rolled back and logged, and its company waits for the next run.
        """
        cron = self.env["ir.cron"]
        todo = list(companies)
        waiting = 0  # companies locked by another run: retried by the next call
        while todo:
            company = todo[0]
            try:
                remaining = getattr(self.with_company(company), step)()
            except Exception:
                self.env.cr.rollback()
                _logger.exception("%s: %s failed for %s", self._description, step, company.name)
                todo.pop(0)
                continue
            if remaining is None:
                waiting += 1
            if not remaining:
                todo.pop(0)
            left = (remaining or 0) + len(todo) - bool(remaining) + waiting
            if not cron._commit_progress(int(remaining is not None), remaining=left) and todo:
                break
        self.env.invalidate_all()
