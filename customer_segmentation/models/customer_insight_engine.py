"""What every Customer Insight engine shares: who may call it, the per-company lock and the
per-company scheduled loop on Odoo's cron progress API."""

import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.base.models import ir_cron

from ..tools import MANAGER_GROUP

_logger = logging.getLogger(__name__)


class CustomerInsightEngine(models.AbstractModel):
    _name = "customer.insight.engine"
    _description = "Customer Insight Engine"

    # Each engine sets its own key: runs of one engine and company are serialised, runs of
    # different engines or companies go on side by side.
    _lock_key = 0
    # Odoo calls a job at least ten times per pass, however long each call takes, and a
    # pass is killed beyond limit_time_real (120 s by default): a call that begins after
    # this many seconds of its pass does nothing, so that Odoo ends the pass and calls the
    # job again in a new one. A long step (most of a pass on its own) begins only in the
    # first seconds of a pass.
    _pass_seconds = 60
    _long_step_seconds = 10

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
    def _pass_elapsed(self):
        """Seconds since the scheduled job's current pass began (0 outside the job)."""
        end = self.env.context.get("cron_end_time")  # the pass's start + MIN_TIME_PER_JOB
        return time.monotonic() - (end - ir_cron.MIN_TIME_PER_JOB) if end else 0.0

    @api.private
    def _long_step_may_start(self):
        """Whether a long step may begin now: outside the job or early in a pass. When not,
        the step returns None and begins the next pass."""
        return self._pass_elapsed() < self._long_step_seconds

    @api.private
    def _cron_per_company(self, companies, step):
        """Scheduled work over ``companies``: call the engine method ``step`` for the first
        company (in ``env.company`` = that company) until it returns 0, then the next one.

        ``step`` does one bounded unit of work in the current transaction and returns how
        many units remain for its company (0: done), or None when another run holds the
        company's lock or when its next unit is long and waits for the next pass
        (``_long_step_may_start``). Each unit is committed through
        ``ir.cron._commit_progress`` with the work that remains, so that Odoo calls the job
        again until everything is done; a unit that fails is rolled back and logged, and its
        company waits for the next run. A call late in a pass does nothing (``_pass_seconds``).
        """
        cron = self.env["ir.cron"]
        todo = list(companies)
        if todo and self._pass_elapsed() > self._pass_seconds:
            cron._commit_progress(0, remaining=len(todo))
            return
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
