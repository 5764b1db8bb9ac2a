"""History from day one: the classification replayed at past month-ends from the transactions.

A replay classifies the company's customers as of each month-end before its first observed
classification (``customer_history_observed_from``), then as of that date, with the same SQL
as a run (``_classified_sql``, every customer aggregated again, pins left out), and writes
what a run at each of these dates in turn would have written: the history lines of the
changes of class (cause ``replay``) and the snapshot of the counts per class (``replayed``).
Nothing of the customers' current profiles changes. One date per step: the scheduled job
commits each and goes on where it stopped.
"""

import logging
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import tune_transaction
from .res_company import MAX_REPLAY_MONTHS

_logger = logging.getLogger(__name__)

# The state replayed last, kept between the steps of one connection (session temp table).
STATE_TABLE = "customer_replay_state"


class CustomerSegmentationEngine(models.AbstractModel):
    _inherit = "customer.segmentation.engine"

    @api.private
    def _request_replay(self, company, months):
        """Forget the company's replayed history and plan a replay of ``months``
        month-ends; the company must have been classified once."""
        if not 1 <= months <= MAX_REPLAY_MONTHS:
            raise UserError(
                self.env._("Replay between 1 and %(max)s months of history.", max=MAX_REPLAY_MONTHS)
            )
        if not company.customer_segmentation_as_of:
            raise UserError(
                self.env._("Classify the customers of %(company)s first.", company=company.name)
            )
        self._drop_kept_state()
        observed = company.customer_history_observed_from or self._first_observed(company)
        first = observed.replace(day=1) - relativedelta(months=months - 1) - timedelta(days=1)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_segment_history
                 WHERE company_id = %(company)s AND cause = 'replay';
                DELETE FROM customer_segment_snapshot
                 WHERE company_id = %(company)s AND replayed
                """,
                company=company.id,
            )
        )
        company.sudo().write(
            {
                "customer_history_observed_from": observed,
                "customer_history_replayed_from": first,
                "customer_history_replay_next": first,
            }
        )
        self.env["customer.segment.history"].invalidate_model()
        self.env["customer.segment.snapshot"].invalidate_model()

    def _first_observed(self, company):
        """Date of the company's first observed snapshot."""
        self.env.cr.execute(
            SQL(
                "SELECT MIN(date) FROM customer_segment_snapshot "
                "WHERE company_id = %s AND NOT replayed",
                company.id,
            )
        )
        return self.env.cr.fetchone()[0] or company.customer_segmentation_as_of

    def _replay_dates(self, company):
        """The dates of the planned replay, oldest first: the month-ends from the first
        replayed one, then the first observed date."""
        day, observed = (
            company.customer_history_replayed_from,
            company.customer_history_observed_from,
        )
        dates = []
        while day and day < observed:
            dates.append(day)
            day = day + timedelta(days=1) + relativedelta(months=1) - timedelta(days=1)
        return [*dates, observed]

    @api.private
    def _step_replay(self):
        """Replay the next date of ``env.company``'s planned replay; return the dates
        left, or None when another run holds the company's lock."""
        company = self.env.company
        self.env.flush_all()
        if not self._try_lock(company):
            return None
        day = company.customer_history_replay_next
        if not day:
            return 0
        dates = self._replay_dates(company)
        index = dates.index(day)
        self._replay_date(company, dates[index - 1] if index else None, day)
        following = dates[index + 1] if index + 1 < len(dates) else False
        company.sudo().customer_history_replay_next = following
        if not following:
            self._drop_kept_state()
        return len(dates) - index - 1

    def _replay_date(self, company, previous, day):
        """History lines from the state of ``previous`` (recomputed unless it is the state
        kept from the last step) to the state of ``day``, and the snapshot of ``day``
        unless it was observed."""
        cr = self.env.cr
        if previous and self._kept_state() != (company.id, previous):
            self._classify_into(company, previous, STATE_TABLE)
        self._classify_into(company, day, "customer_replay_next")
        if previous:
            cr.execute(self._replay_history_sql(company, day))
        if day < company.customer_history_observed_from:
            cr.execute(self._replay_snapshot_sql(company, day))
        cr.execute(
            SQL(
                "DROP TABLE IF EXISTS %s; ALTER TABLE customer_replay_next RENAME TO %s",
                SQL.identifier(STATE_TABLE),
                SQL.identifier(STATE_TABLE),
            )
        )
        _logger.info("History of %s replayed as of %s", company.name, day)

    def _kept_state(self):
        """(company id, date) of the state kept from the last step, if any."""
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", f"pg_temp.{STATE_TABLE}"))
        if not self.env.cr.fetchone()[0]:
            return None
        self.env.cr.execute(
            SQL("SELECT company_id, as_of FROM %s LIMIT 1", SQL.identifier(STATE_TABLE))
        )
        return self.env.cr.fetchone()

    def _drop_kept_state(self):
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(STATE_TABLE)))

    def _classify_into(self, company, day, table):
        """(Re)create the session temp table ``table`` with the classes of the company's
        customers as of ``day``, computed from the transactions."""
        tune_transaction(self.env.cr)
        self.env.cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS %(table)s;
                CREATE TEMP TABLE %(table)s AS
                %(classified)s
                SELECT %(company)s AS company_id, %(day)s::date AS as_of, partner_id,
                       lifecycle_stage, segment_id, value_tier
                  FROM classified WHERE lifecycle_stage IS NOT NULL
                """,
                table=SQL.identifier(table),
                company=company.id,
                classified=self._classified_sql(company, day, None, None),
                day=day,
            )
        )

    def _replay_history_sql(self, company, day):
        """The history lines of the customers whose class differs between the kept state
        and the next one (a run's ``_history_insert_sql``, cause ``replay``)."""
        return SQL(
            """
            INSERT INTO customer_segment_history (
                partner_id, company_id, date, cause, stage_from, stage_to,
                segment_from_id, segment_to_id, tier_from, tier_to)
            SELECT COALESCE(n.partner_id, o.partner_id), %(company)s, %(date)s, 'replay',
                   o.lifecycle_stage, n.lifecycle_stage, o.segment_id, n.segment_id,
                   o.value_tier, n.value_tier
              FROM %(old)s o FULL JOIN customer_replay_next n ON n.partner_id = o.partner_id
             WHERE (o.lifecycle_stage, o.segment_id, o.value_tier)
                   IS DISTINCT FROM (n.lifecycle_stage, n.segment_id, n.value_tier)
            """,
            company=company.id,
            date=datetime.combine(day, datetime.min.time()),
            old=SQL.identifier(STATE_TABLE),
        )

    def _replay_snapshot_sql(self, company, day):
        return SQL(
            """
            DELETE FROM customer_segment_snapshot WHERE company_id = %(company)s
               AND date = %(day)s AND replayed;
            INSERT INTO customer_segment_snapshot (
                date, company_id, lifecycle_stage, segment_id, value_tier, customer_count,
                replayed)
            SELECT %(day)s, %(company)s, lifecycle_stage, segment_id, value_tier, COUNT(*), TRUE
              FROM customer_replay_next GROUP BY lifecycle_stage, segment_id, value_tier
            """,
            company=company.id,
            day=day,
        )

    @api.model
    def _cron_replay_history(self):
        """Replay the planned history of every classified company, one date per step."""
        companies = self.env["res.company"].search(
            [
                ("customer_history_replay_next", "!=", False),
                ("customer_segmentation_as_of", "!=", False),
            ]
        )
        self._cron_per_company(companies, "_step_replay")

    @api.private
    def _finish_full_run(self, company, as_of):
        """The company's first classification starts its observed history and plans the
        replay of the months before it (Settings), replayed by the scheduled job."""
        first = not company.customer_history_observed_from
        snapshot = super()._finish_full_run(company, as_of)
        if first:  # the first snapshot: this one, or one recorded before this field existed
            company.sudo().customer_history_observed_from = self._first_observed(company)
            if company.customer_history_replay_months:
                self._request_replay(company, company.customer_history_replay_months)
                self.env.ref("customer_segmentation.ir_cron_replay_customer_history")._trigger()
        return snapshot

    @api.model
    def _replay_now(self, months):
        """Replay ``months`` of ``env.company``'s history at once, in this transaction."""
        company = self.env.company
        if not company.customer_segmentation_as_of:
            self._run()
        self._request_replay(company, months)
        while (left := self._step_replay()) is not None and left:
            pass
        if left is None:
            raise UserError(
                self.env._("A classification of %(company)s is running.", company=company.name)
            )
        return {
            "replayed_from": company.customer_history_replayed_from,
            "dates": len(self._replay_dates(company)),
        }
