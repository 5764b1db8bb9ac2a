"""Set-based classification of every customer of a company, in a handful of SQL statements.

``_difference_sql`` aggregates the transactions per commercial entity, scores the RFM
population, maps scores to segments, derives tier and lifecycle stage, keeps the pins, and
returns only the profiles that differ from what is stored. ``_apply_sql`` writes such rows:
profiles upserted or deleted, history lines for the changes of class, in one statement.

An interactive run applies the difference directly, in one transaction. The scheduled job
stages it in ``customer.segmentation.result`` (``_build_result``) and writes one batch per
transaction (``_apply_batch``), so that it finishes at any size; a run killed between
batches leaves whole rows behind and the next call goes on where it stopped. A full run
ends with ``_finish_full_run`` (counts per class, as-of date). Runs of one company are
serialised by the engine lock.
"""

import logging
import math
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import (
    analyze_if_company_misjudged,
    analyze_if_stale,
    contacts_scope,
    partner_scope,
    rewrite_rows,
    tune_transaction,
)

_logger = logging.getLogger(__name__)

# How the customer pays, aggregated from the invoices by ``_payments_sql``.
PAYMENT_COLUMNS = (
    "paid_invoice_count",
    "avg_days_to_pay",
    "p90_days_to_pay",
    "late_payment_rate",
    "overdue_amount",
    "overdue_count",
    "oldest_overdue_date",
    "open_receivable",
)
# How the customer buys, aggregated from the confirmed orders by ``_behaviour_sql``.
BEHAVIOUR_COLUMNS = (
    "preferred_weekday",
    "preferred_hour",
    "preferred_team_id",
    "avg_days_between_orders",
    "order_interval_deviation",
    "discount_order_rate",
    "top_category_1_id",
    "top_category_2_id",
    "top_category_3_id",
)
# How often the customer is in touch, from messages, meetings and orders (``_interactions_sql``).
INTERACTION_COLUMNS = ("last_interaction_date", "interaction_count_90d", "interactions_expire_on")
INTERACTION_DAYS = 90
# The figures a classification takes as they are from its joins: alias, CTE, columns (the
# first is never null in a row: a profile stores it when its customer had one).
JOINED_FIGURES = (
    ("pay", "payments", PAYMENT_COLUMNS),
    ("b", "behaviour", BEHAVIOUR_COLUMNS),
    ("i", "interactions", INTERACTION_COLUMNS),
)
# What the passing of time changes for a customer whose documents did not, by reason it is
# aggregated again (``_take_stale_partners``): the CTE of figures aggregated again.
AGED = {"window": "fresh_metrics", "interactions": "interactions"}
# (metric of the ``metrics`` CTE, its profile column, its score column) of quantile scoring.
QUANTILE_DIMENSIONS = (
    ("last_date", "last_order_date", "rfm_r_score"),
    ("frequency", "rfm_frequency", "rfm_f_score"),
    ("monetary", "rfm_monetary", "rfm_m_score"),
)
# The ``metrics`` CTE's figures and the profile columns that store them.
STORED_METRICS = {
    "first_date": "first_order_date",
    "last_date": "last_order_date",
    "order_count": "order_count",
    "total_revenue": "total_revenue",
    "frequency": "rfm_frequency",
    "monetary": "rfm_monetary",
}
# The columns of the class that a classification gives from the figures, against the
# population and the date: all that may change for a customer whose figures have not.
CLASS_COLUMNS = (
    "rfm_r_score",
    "rfm_f_score",
    "rfm_m_score",
    "rfm_score",
    "segment_id",
    "value_tier",
    "lifecycle_stage",
    "high_value",
    "payment_class",
)
PROFILE_VALUE_COLUMNS = (
    *STORED_METRICS.values(),
    "avg_order_value",
    *CLASS_COLUMNS,
    "country_id",
    "state_id",
    "city",
    *PAYMENT_COLUMNS,
    *BEHAVIOUR_COLUMNS,
    *INTERACTION_COLUMNS,
)
# The rows of ``_difference_sql``, as staged in customer.segmentation.result.
RESULT_COLUMNS = (
    "company_id",
    "partner_id",
    "as_of",
    "is_delete",
    *PROFILE_VALUE_COLUMNS,
    "aggregated_at",
    "aggregated_as_of",
    "old_stage",
    "old_segment_id",
    "old_tier",
)
# Profile columns referring to records that may be deleted between staging and writing.
REFERENCES = {
    "segment_id": "customer_rfm_segment",
    "top_category_1_id": "product_category",
    "top_category_2_id": "product_category",
    "top_category_3_id": "product_category",
    "preferred_team_id": "crm_team",
}
# The rows of customer.region.summary: a region and stage, its customers and revenue.
REGION_SUMMARY_COLUMNS = (
    "country_id",
    "state_id",
    "city",
    "lifecycle_stage",
    "customer_count",
    "total_revenue",
)
# A manager's pin wins over what a run staged before it.
PINS = {"lifecycle_stage": "pinned_stage", "segment_id": "pinned_segment_id"}


class CustomerSegmentationEngine(models.AbstractModel):
    _name = "customer.segmentation.engine"
    _inherit = ["customer.insight.engine"]
    _description = "Customer Segmentation Engine"

    _batch_size = 50000  # staged profiles written per transaction by the scheduled job
    _queue_batch_size = 5000  # queued customers processed per transaction
    _lock_key = 1129530695  # arbitrary constant ("CSEG")

    # ------------------------------------------------------------------ entry points

    @api.model
    def run(self, as_of=None, partner_ids=None):
        """Classify the customers of ``env.company`` as of ``as_of`` (default today), in
        one transaction; Customer Insight managers only.

        :param partner_ids: commercial partners to reclassify (scored against the stored
            population); ``None`` reclassifies everyone and snapshots the counts.
        :return: dict of row counts, or ``False`` if another run holds the company's lock.
        """
        self._check_access_manager()
        return self._run(as_of, partner_ids)

    @api.model
    def process_queue(self):
        """Process the queued customers of ``env.company`` now (see ``_process_partners``);
        return how many, or False if a run of the company holds the lock (the queue then
        waits for the next call). Customer Insight managers only."""
        self._check_access_manager()
        processed = 0
        while True:
            count = self._process_queue_batch()
            if count is None:
                return False
            if not count:
                return processed
            processed += count

    @api.model
    def _run(self, as_of=None, partner_ids=None):
        """``run`` without the access check, for the addons' own callers."""
        company = self.env.company
        as_of = fields.Date.to_date(as_of) or fields.Date.today()
        self.env.flush_all()
        if not self._try_lock(company):
            _logger.info("Segmentation of %s already running, skipped", company.name)
            return False
        full = partner_ids is None
        fresh_ids, kept = partner_ids, None
        if full:
            stale_ids, fresh_ids, kept = self._take_stale_partners(company, as_of)
            self._prepare_full_run(company, as_of, stale_ids)
        self._unstage(company, partner_ids)  # what a scheduled run staged is superseded
        stats = self._apply_difference(company, as_of, partner_ids, fresh_ids, kept)
        if stats["written"] or stats["deleted"]:
            self._profiles_changed(company, partner_ids)
        if full:
            stats["snapshot"] = self._finish_full_run(company, as_of)
        self.env.invalidate_all()
        _logger.info("Segmentation of %s as of %s: %s", company.name, as_of, stats)
        return stats

    # ------------------------------------------------------------------ scheduled jobs

    @api.model
    def _cron_classify(self):
        """Nightly: classify every company's customers as of today, one step at a time."""
        today = fields.Date.today()
        companies = self.env["res.company"].search([])
        todo = companies.filtered(
            lambda c: c.customer_segmentation_as_of != today or self._pending_as_of(c)
        )
        self._cron_per_company(todo, "_step_classify")

    @api.private
    def _step_classify(self):
        """One transaction of the nightly run of ``env.company``: stage the new
        classification (first call, a long step) or write one batch of it; the last batch
        finishes the run. Returns the batches left, or None when another run holds the lock
        or the long step waits for the next pass."""
        company = self.env.company
        self.env.flush_all()
        if not self._try_lock(company):
            return None
        as_of = self._pending_as_of(company)
        if not as_of:
            if not self._long_step_may_start():
                return None
            as_of = fields.Date.today()
            stale_ids, fresh_ids, kept = self._take_stale_partners(company, as_of)
            self._prepare_full_run(company, as_of, stale_ids)
            self._build_result(company, as_of, None, fresh_ids, kept)
        applied = self._apply_batch(company, as_of)
        left = self._staged_count(company)
        if not left:
            if applied:  # the last batch of a run that staged anything
                self._profiles_changed(company)
            self._finish_full_run(company, as_of)
        return math.ceil(left / self._batch_size)

    @api.model
    def _cron_process_queue(self):
        companies = self.env["customer.segmentation.queue"].sudo().search([]).company_id
        self._cron_per_company(companies, "_step_process_queue")

    @api.private
    def _step_process_queue(self):
        """One batch of the queue of ``env.company``; the batches left, or None if locked."""
        count = self._process_queue_batch()
        if count is None:
            return None
        left = self.env["customer.segmentation.queue"]._count(self.env.company)
        return math.ceil(left / self._queue_batch_size)

    @api.private
    def _process_queue_batch(self):
        """Bring up to ``_queue_batch_size`` queued customers of ``env.company`` up to date;
        return how many, or None when a run holds the lock. A customer queued again while
        this batch runs stays queued."""
        queue = self.env["customer.segmentation.queue"]
        rows = queue._next_batch(self.env.company, self._queue_batch_size)
        if not rows:
            return 0
        if not self._process_partners([partner_id for partner_id, _queued_at in rows]):
            return None
        queue._dequeue(self.env.company, rows)
        return len(rows)

    @api.private
    def _process_partners(self, partner_ids):
        """Bring everything derived from these customers' documents up to date in
        ``env.company``; False when a run holds the lock. Other addons extend it."""
        return self._run(partner_ids=partner_ids) is not False

    # ------------------------------------------------------------------ steps

    @api.private
    def _prepare_full_run(self, company, as_of, fresh_ids):
        """Hook run before a full classification (other addons refresh its inputs), once
        the customers to aggregate again are known (``fresh_ids``, everyone if None)."""

    @api.private
    def _take_stale_partners(self, company, as_of):
        """(stale, fresh, kept) commercial partners, all None when everyone must be
        aggregated again (first run, a run back in time, or a change of the settings the
        figures depend on). Stale: those whose stored figures may differ from their
        documents as of ``as_of`` (see ``_stale_documents_sql``), contacts edited and
        customers queued since the last full run began (the watermark), customers with an
        interaction leaving the 90-day window. Fresh: those of them to aggregate again, that
        is less the customers whose figures a run aggregated since (the queue, as of its
        date) and whose documents did not change after it. Kept: {CTE of figures: the fresh
        customers whose stored figures of that CTE stay right}, those whose documents did
        not change: only what the passing of time changes (AGED) is aggregated again.
        Moves the watermark to now."""
        since, last = company.customer_segmentation_watermark, company.customer_segmentation_as_of
        company.sudo().customer_segmentation_watermark = self.env.cr.now()
        if not since or not last or as_of < last:
            return None, None, None
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, array_agg(DISTINCT reason) FILTER (WHERE fresh) FROM (
                    %(documents)s
                    UNION ALL
                    SELECT rp.commercial_partner_id,
                           rp.write_date >= GREATEST(%(since)s, p.aggregated_at), 'changed'
                      FROM res_partner rp
                      LEFT JOIN customer_profile p ON p.partner_id = rp.commercial_partner_id
                                                  AND p.company_id = %(company)s
                     WHERE rp.write_date >= %(since)s
                    UNION ALL
                    SELECT partner_id, TRUE, 'changed' FROM customer_segmentation_queue
                     WHERE company_id = %(company)s
                    UNION ALL
                    SELECT partner_id, TRUE, 'interactions' FROM customer_profile
                     WHERE company_id = %(company)s AND interactions_expire_on <= %(as_of)s
                ) stale GROUP BY partner_id
                """,
                documents=self._stale_documents_sql(company, as_of, since, last),
                since=since,
                company=company.id,
                as_of=as_of,
            )
        )
        rows = self.env.cr.fetchall()
        kept = {cte: [] for cte in ("fresh_metrics", *(cte for _a, cte, _c in JOINED_FIGURES))}
        for partner_id, reasons in rows:
            if reasons and "changed" not in reasons:
                aged = {AGED[reason] for reason in reasons}
                for cte, partner_ids in kept.items():
                    if cte not in aged:
                        partner_ids.append(partner_id)
        return (
            [partner_id for partner_id, _reasons in rows],
            [partner_id for partner_id, reasons in rows if reasons],
            kept,
        )

    def _stale_documents_sql(self, company, as_of, since, last):
        """(commercial partner, fresh, reason) of the orders and invoices written since
        ``since``, dated since the last as-of date ``last`` or leaving the RFM window since
        (a payment rewrites its invoice), and of the unpaid invoices falling due since
        ``last``. Fresh: the same holds with the time and date the customer's profile was
        aggregated (``aggregated_at``, ``aggregated_as_of``) where they are later. Reason:
        "window" when the document only leaves the RFM window (of a customer with a
        profile), else "changed"."""
        orders, invoices = self._stale_conditions(company, as_of, since, last)
        fresh_orders, fresh_invoices = self._stale_conditions(
            company,
            as_of,
            SQL("GREATEST(%s, p.aggregated_at)", since),
            SQL("GREATEST(%s::date, p.aggregated_as_of)", last),
        )

        def flags(changed, leaving):
            return SQL(
                """(%s OR %s) AS fresh,
                   CASE WHEN p.id IS NOT NULL AND NOT %s THEN 'window' ELSE 'changed' END
                       AS reason""",
                changed,
                leaving,
                changed,
            )

        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id, %(fresh_orders)s
              FROM sale_order so
              JOIN res_partner rp ON rp.id = so.partner_id
              LEFT JOIN customer_profile p
                ON p.partner_id = rp.commercial_partner_id AND p.company_id = %(company)s
             WHERE so.company_id = %(company)s AND %(orders)s
            UNION ALL
            SELECT am.commercial_partner_id, %(fresh_invoices)s FROM account_move am
              LEFT JOIN customer_profile p
                ON p.partner_id = am.commercial_partner_id AND p.company_id = %(company)s
             WHERE am.company_id = %(company)s AND am.move_type IN ('out_invoice', 'out_refund')
               AND %(invoices)s""",
            company=company.id,
            orders=SQL("(%s OR %s)", *orders),
            invoices=SQL("(%s OR %s)", *invoices),
            fresh_orders=flags(*fresh_orders),
            fresh_invoices=flags(*fresh_invoices),
        )

    def _stale_conditions(self, company, as_of, since, last):
        """(orders, invoices): the conditions on ``so`` and ``am`` of ``_stale_documents_sql``
        for a write time ``since`` and a last as-of date ``last`` (values or SQL), each as
        (changed, leaving): written, dated since ``last`` or an unpaid invoice falling due;
        dated in what ``last`` to ``as_of`` takes from the RFM window."""
        window = company.rfm_window_days

        def dated(alias, date_column, shift):
            column = SQL.identifier(alias, date_column)
            return SQL(
                "(%s >= %s + %s AND %s < %s)",
                column,
                last,
                1 - shift,
                column,
                as_of + timedelta(days=1 - shift),
            )

        def changes(alias, date_column):
            written = SQL("%s >= %s", SQL.identifier(alias, "write_date"), since)
            if not date_column:
                return written, SQL("FALSE")
            leaving = dated(alias, date_column, window) if window else SQL("FALSE")
            return SQL("(%s OR %s)", written, dated(alias, date_column, 0)), leaving

        falling_due = SQL(
            """(am.move_type = 'out_invoice' AND am.state = 'posted'
                AND am.payment_state IN ('not_paid', 'partial')
                AND am.invoice_date_due >= %s AND am.invoice_date_due < %s)""",
            last,
            as_of,
        )
        source = "invoice_date" if company.customer_transaction_source == "invoice" else None
        # The behaviour profile reads the orders whatever the transaction source.
        invoice_changed, invoice_leaving = changes("am", source)
        return (
            changes("so", "date_order"),
            (SQL("(%s OR %s)", invoice_changed, falling_due), invoice_leaving),
        )

    @api.private
    def _build_result(self, company, as_of, partner_ids, fresh_ids, kept=None):
        """Stage the profiles to write or delete; return their count."""
        cr = self.env.cr
        self._unstage(company, partner_ids)
        tune_transaction(self.env.cr)
        cr.execute(
            SQL(
                "INSERT INTO customer_segmentation_result (%s) %s",
                SQL(", ").join(SQL.identifier(name) for name in RESULT_COLUMNS),
                self._difference_sql(company, as_of, partner_ids, fresh_ids, kept),
            )
        )
        count = cr.rowcount
        if partner_ids is None:
            cr.execute(SQL("ANALYZE customer_segmentation_result"))
        return count

    @api.private
    def _apply_difference(self, company, as_of, partner_ids, fresh_ids, kept=None):
        """Compute and write the classification of ``partner_ids`` (everyone if None) in
        one statement; return the counts."""
        tune_transaction(self.env.cr)
        batch = SQL(
            "SELECT * FROM (%s) AS d(%s)",
            self._difference_sql(company, as_of, partner_ids, fresh_ids, kept),
            SQL(", ").join(SQL.identifier(name) for name in RESULT_COLUMNS),
        )
        self.env.cr.execute(self._apply_sql(company, as_of, batch))
        changed, written, deleted, history = self.env.cr.fetchone()
        return {"changed": changed, "written": written, "deleted": deleted, "history": history}

    @api.private
    def _apply_batch(self, company, as_of):
        """Write up to ``_batch_size`` staged profiles of ``company`` with their history
        lines, and unstage them; return how many."""
        batch = SQL(
            """
            DELETE FROM customer_segmentation_result r
             WHERE r.company_id = %(company)s AND r.partner_id IN (
                   SELECT partner_id FROM customer_segmentation_result
                    WHERE company_id = %(company)s
                    ORDER BY partner_id LIMIT %(limit)s)
            RETURNING r.*
            """,
            company=company.id,
            limit=self._batch_size,
        )
        self.env.cr.execute(self._apply_sql(company, as_of, batch))
        return self.env.cr.fetchone()[0]

    def _apply_sql(self, company, as_of, batch):
        """Write the rows of the ``batch`` query (staged-result columns): profiles upserted
        or deleted, history lines; selects the counts (batch, written, deleted, history)."""
        now = fields.Datetime.now()
        return SQL(
            """
            WITH batch AS (%(batch)s),
            history AS (%(history)s),
            removed AS (
                DELETE FROM customer_profile p USING batch b
                 WHERE b.is_delete AND p.partner_id = b.partner_id
                   AND p.company_id = %(company)s
                RETURNING 1
            ),
            written AS (%(upsert)s)
            SELECT (SELECT COUNT(*) FROM batch), (SELECT COUNT(*) FROM written),
                   (SELECT COUNT(*) FROM removed), (SELECT COUNT(*) FROM history)
            """,
            batch=batch,
            company=company.id,
            history=self._history_insert_sql(company, as_of, now),
            upsert=self._profile_upsert_sql(company, now),
        )

    @api.private
    def _finish_full_run(self, company, as_of):
        """Snapshot the counts per class and record ``as_of``; return the snapshot rows."""
        # After a run that wrote many profiles (the first one writes them all), the reports,
        # the care rules and the next runs plan on their new statistics; the profiles other
        # transactions wrote (the queue, earlier batches of the scheduled job) are left to
        # autovacuum: a run no longer analyzes them when it starts. A company whose profiles
        # the statistics do not know yet (a second company's first run) is analyzed too, and
        # so are the segments that the reports group by.
        analyze_if_stale(
            self.env.cr,
            "customer_profile",
            "customer_rfm_segment",
            "customer_rfm_segment_preset",
            committed=False,
        )
        analyze_if_company_misjudged(self.env.cr, "customer_profile", company.id)
        snapshot = self._snapshot(company, as_of)
        company.sudo().write(
            {
                "customer_segmentation_as_of": as_of,
                "customer_segmentation_last_run": fields.Datetime.now(),
            }
        )
        return snapshot

    @api.private
    def _pending_as_of(self, company):
        """As-of date of the full run staged for ``company`` and not written yet, if any."""
        self.env.cr.execute(
            SQL(
                "SELECT as_of FROM customer_segmentation_result WHERE company_id = %s LIMIT 1",
                company.id,
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    @api.private
    def _unstage(self, company, partner_ids):
        """Forget what a pending run staged for these customers (everyone if None)."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_segmentation_result WHERE company_id = %s %s",
                company.id,
                partner_scope(SQL.identifier("partner_id"), partner_ids),
            )
        )

    @api.private
    def _staged_count(self, company):
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM customer_segmentation_result WHERE company_id = %s",
                company.id,
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ SQL pieces

    def _transactions_sql(self, company, as_of, partner_ids):
        """(partner_id, tx_date, amount, n): one row per transaction of the company; n is 1
        for a sale (order or invoice) and 0 for a credit note, whose amount is negative."""
        if company.customer_transaction_source == "invoice":
            return SQL(
                """
                SELECT am.commercial_partner_id AS partner_id, am.invoice_date AS tx_date,
                       am.amount_untaxed_signed::numeric AS amount,
                       (am.move_type = 'out_invoice')::int AS n
                  FROM account_move am
                 WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.company_id = %(company)s AND am.invoice_date <= %(as_of)s %(scope)s
                """,
                company=company.id,
                as_of=as_of,
                # stored on the move and indexed
                scope=partner_scope(SQL.identifier("am", "commercial_partner_id"), partner_ids),
            )
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id, so.date_order::date AS tx_date,
                   (so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))::numeric
                       AS amount,
                   1 AS n
              FROM sale_order so
              JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s
               AND so.date_order < %(end)s %(scope)s
            """,
            company=company.id,
            end=as_of + timedelta(days=1),
            scope=contacts_scope(SQL.identifier("so", "partner_id"), partner_ids),
        )

    def _fresh_metrics_sql(self, company, as_of, fresh_ids):
        """Per active commercial entity of ``fresh_ids`` (everyone if None): all-history
        figures and the RFM window figures, aggregated from its transactions."""
        digits = company.currency_id.decimal_places
        in_window = (
            SQL("tx_date > %s", as_of - timedelta(days=company.rfm_window_days))
            if company.rfm_window_days
            else SQL("TRUE")
        )
        return SQL(
            """
            SELECT tx.* FROM (
                SELECT partner_id,
                       MIN(tx_date) FILTER (WHERE n = 1) AS first_date,
                       MAX(tx_date) FILTER (WHERE n = 1) AS last_date,
                       SUM(n)::int AS order_count,
                       ROUND(SUM(amount), %(digits)s) AS total_revenue,
                       COALESCE(SUM(n) FILTER (WHERE %(in_window)s), 0)::int AS frequency,
                       ROUND(COALESCE(SUM(amount) FILTER (WHERE %(in_window)s), 0), %(digits)s)
                           AS monetary
                  FROM (%(transactions)s) t
                 GROUP BY partner_id
                HAVING SUM(n) > 0
            ) tx
             WHERE %(active)s
            """,
            digits=digits,
            in_window=in_window,
            transactions=self._transactions_sql(company, as_of, fresh_ids),
            active=SQL("tx.partner_id IN (SELECT id FROM res_partner WHERE active)")
            if fresh_ids is None
            # Looked up one by one: joined, the planner scanned every partner for a batch.
            else SQL("(SELECT cp.active FROM res_partner cp WHERE cp.id = tx.partner_id)"),
        )

    def _metrics_sql(self, company, fresh_ids, with_stored=True):
        """The RFM population's figures: the ``fresh_metrics`` CTE, and as stored for the
        other customers (unless not ``with_stored``: nothing ranks them)."""
        if fresh_ids is None or not with_stored:
            return SQL("SELECT * FROM fresh_metrics")
        return SQL(
            """
            SELECT * FROM fresh_metrics
            UNION ALL
            SELECT partner_id, %(stored)s
              FROM customer_profile
             WHERE company_id = %(company)s AND order_count > 0
               AND partner_id NOT IN (SELECT partner_id FROM fresh)
            """,
            stored=SQL(", ").join(SQL.identifier(name) for name in STORED_METRICS.values()),
            company=company.id,
        )

    def _invoices_sql(self, company, as_of, partner_ids):
        """One row per posted customer invoice or credit note of ``partner_ids`` (everyone if
        None): due date, residual in the company currency, whether it is open or overdue,
        and for a paid invoice when it was paid and in how many days. An invoice is paid
        when Odoo says paid or in payment, on the latest date of what settled it: the lines
        reconciled with its receivable line (payments, credit notes) and the payments
        matched without a journal entry."""
        return SQL(
            """
            SELECT am.commercial_partner_id AS partner_id, am.move_type,
                   am.invoice_date_due AS due, am.amount_residual_signed AS residual,
                   am.payment_state IN ('not_paid', 'partial') AS is_open,
                   am.payment_state IN ('not_paid', 'partial') AND am.move_type = 'out_invoice'
                       AND am.invoice_date_due < %(as_of)s AS overdue,
                   settled.paid_on,
                   -- GREATEST skips NULLs: unpaid invoices need the CASE
                   CASE WHEN settled.paid_on IS NOT NULL
                        THEN GREATEST(settled.paid_on - am.invoice_date, 0) END AS days_to_pay
              FROM account_move am
              LEFT JOIN LATERAL (
                SELECT GREATEST(
                    (SELECT MAX(counterpart.date)
                       FROM account_move_line line
                       JOIN account_partial_reconcile part ON part.debit_move_id = line.id
                       JOIN account_move_line counterpart ON counterpart.id = part.credit_move_id
                      WHERE line.move_id = am.id AND line.display_type = 'payment_term'),
                    (SELECT MAX(pay.date)
                       FROM account_move__account_payment matched
                       JOIN account_payment pay ON pay.id = matched.payment_id
                      WHERE matched.invoice_id = am.id AND pay.move_id IS NULL
                        AND pay.state IN ('in_process', 'paid'))
                ) AS paid_on
              ) settled ON am.move_type = 'out_invoice'
                       AND am.payment_state IN ('paid', 'in_payment')
             WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
               AND am.company_id = %(company)s AND am.invoice_date <= %(as_of)s %(scope)s
            """,
            as_of=as_of,
            company=company.id,
            scope=partner_scope(SQL.identifier("am", "commercial_partner_id"), partner_ids),
        )

    def _payments_sql(self, company, as_of, fresh_ids):
        """Per commercial entity of ``fresh_ids`` (everyone if None) with a posted customer
        invoice: how it pays (PAYMENT_COLUMNS), aggregated from its invoices."""
        return SQL(
            """
            SELECT partner_id,
                   COUNT(paid_on)::int AS paid_invoice_count,
                   ROUND(AVG(days_to_pay), 1) AS avg_days_to_pay,
                   ROUND((PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY days_to_pay))::numeric, 1)
                       AS p90_days_to_pay,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE paid_on > due)
                         / NULLIF(COUNT(paid_on), 0), 1) AS late_payment_rate,
                   ROUND(COALESCE(SUM(residual) FILTER (WHERE overdue), 0), %(digits)s)
                       AS overdue_amount,
                   COUNT(*) FILTER (WHERE overdue)::int AS overdue_count,
                   MIN(due) FILTER (WHERE overdue) AS oldest_overdue_date,
                   ROUND(COALESCE(SUM(residual) FILTER (WHERE is_open), 0), %(digits)s)
                       AS open_receivable
              FROM (%(invoices)s) invoice
             GROUP BY partner_id
            HAVING bool_or(move_type = 'out_invoice')
            """,
            digits=company.currency_id.decimal_places,
            invoices=self._invoices_sql(company, as_of, fresh_ids),
        )

    def _payment_class_sql(self, company, as_of):
        """Payment class of a customer from ``pay`` (payments), by the thresholds of Settings."""
        return SQL(
            """CASE WHEN pay.partner_id IS NULL THEN NULL
                    WHEN pay.oldest_overdue_date < %(risky_since)s THEN 'risky'
                    WHEN pay.overdue_count > 0 OR pay.late_payment_rate >= %(late_rate)s
                        THEN 'late'
                    WHEN pay.avg_days_to_pay <= %(prompt_days)s THEN 'prompt'
                    ELSE 'normal' END""",
            risky_since=as_of - timedelta(days=company.customer_payment_risky_days),
            late_rate=company.customer_payment_late_rate,
            prompt_days=company.customer_payment_prompt_days,
        )

    def _orders_sql(self, company, as_of, partner_ids):
        """(partner_id, order_id, team_id, local): the confirmed sale orders of
        ``partner_ids`` (everyone if None), with their date in the company's time zone."""
        tz = company.partner_id.tz or self.env.user.tz or "UTC"
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id, so.id AS order_id, so.team_id,
                   (so.date_order AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s AS local
              FROM sale_order so
              JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s
               AND so.date_order < %(end)s %(scope)s
            """,
            tz=tz,
            company=company.id,
            end=as_of + timedelta(days=1),
            scope=contacts_scope(SQL.identifier("so", "partner_id"), partner_ids),
        )

    def _order_habits_sql(self):
        """Per partner of the ``orders`` CTE: preferred weekday, hour and sales team, the
        gaps between order days, the share of orders with a discount (see the profile's
        help). One sort of the orders by customer and time serves the gaps and the
        grouping: the positive day differences between consecutive orders are the gaps
        between the distinct order days."""
        return SQL(
            """
            SELECT o.partner_id,
                   (MODE() WITHIN GROUP (ORDER BY EXTRACT(ISODOW FROM o.local)::int - 1))::text
                       AS preferred_weekday,
                   MODE() WITHIN GROUP (ORDER BY EXTRACT(HOUR FROM o.local)::int)
                       AS preferred_hour,
                   MODE() WITHIN GROUP (ORDER BY o.team_id) AS preferred_team_id,
                   ROUND(AVG(o.gap) FILTER (WHERE o.gap > 0), 1) AS avg_days_between_orders,
                   ROUND(STDDEV_SAMP(o.gap) FILTER (WHERE o.gap > 0), 1)
                       AS order_interval_deviation,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE o.discounted) / COUNT(*), 1)
                       AS discount_order_rate
              FROM (
                SELECT orders.partner_id, orders.local, orders.team_id,
                       discounted.order_id IS NOT NULL AS discounted,
                       orders.local::date - LAG(orders.local::date) OVER (
                           PARTITION BY orders.partner_id ORDER BY orders.local) AS gap
                  FROM orders
                  LEFT JOIN (
                    SELECT DISTINCT sol.order_id FROM sale_order_line sol
                      JOIN orders ON orders.order_id = sol.order_id
                     WHERE sol.discount > 0 OR sol.price_subtotal < 0
                  ) discounted ON discounted.order_id = orders.order_id
              ) o
             GROUP BY o.partner_id
            """
        )

    def _top_categories_sql(self):
        """Per partner of the ``orders`` CTE: the three product categories with the most
        untaxed revenue (company currency), ties to the lowest id."""
        return SQL(
            """
            SELECT partner_id,
                   MIN(categ_id) FILTER (WHERE rank = 1) AS top_category_1_id,
                   MIN(categ_id) FILTER (WHERE rank = 2) AS top_category_2_id,
                   MIN(categ_id) FILTER (WHERE rank = 3) AS top_category_3_id
              FROM (
                SELECT o.partner_id, pt.categ_id,
                       ROW_NUMBER() OVER (
                           PARTITION BY o.partner_id
                           ORDER BY SUM(sol.price_subtotal
                                        / COALESCE(NULLIF(so.currency_rate, 0), 1)) DESC,
                                    pt.categ_id) AS rank
                  FROM orders o
                  JOIN sale_order so ON so.id = o.order_id
                  JOIN sale_order_line sol ON sol.order_id = o.order_id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE sol.display_type IS NULL AND pt.categ_id IS NOT NULL
                 GROUP BY o.partner_id, pt.categ_id
                HAVING SUM(sol.price_subtotal) > 0
              ) ranked
             WHERE rank <= 3
             GROUP BY partner_id
            """
        )

    def _behaviour_sql(self, company, as_of, fresh_ids):
        """Per commercial entity of ``fresh_ids`` (everyone if None) with a confirmed
        order: how it buys (BEHAVIOUR_COLUMNS), aggregated from its orders."""
        return SQL(
            """
            WITH orders AS (%(orders)s)
            SELECT h.partner_id, %(columns)s
              FROM (%(habits)s) h
              LEFT JOIN (%(categories)s) c ON c.partner_id = h.partner_id
            """,
            orders=self._orders_sql(company, as_of, fresh_ids),
            columns=SQL(", ").join(SQL.identifier(name) for name in BEHAVIOUR_COLUMNS),
            habits=self._order_habits_sql(),
            categories=self._top_categories_sql(),
        )

    def _interaction_events_sql(self, company, as_of, scope, fresh_ids):
        """(partner_id, day): the interactions of the commercial partners that ``scope``
        (SQL over ``rp``, a contact) selects, up to ``as_of``: messages, e-mails and done
        activities on the customer's contacts, orders and opportunities, meetings its
        contacts attend, confirmed orders (only those of ``fresh_ids`` have new ones, read
        by index). Days are UTC, like the order dates."""
        talk = SQL(
            "(m.message_type IN ('comment', 'email') OR m.mail_activity_type_id IS NOT NULL)"
        )
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id, m.date::date AS day
              FROM mail_message m JOIN res_partner rp ON rp.id = m.res_id
             WHERE m.model = 'res.partner' AND %(talk)s AND m.date < %(end)s AND %(scope)s
            UNION ALL
            SELECT rp.commercial_partner_id, m.date::date
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
              JOIN mail_message m ON m.model = 'sale.order' AND m.res_id = so.id
             WHERE so.company_id = %(company)s AND %(talk)s AND m.date < %(end)s AND %(scope)s
            UNION ALL
            SELECT rp.commercial_partner_id, m.date::date
              FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
              JOIN mail_message m ON m.model = 'crm.lead' AND m.res_id = l.id
             WHERE (l.company_id = %(company)s OR l.company_id IS NULL) AND %(talk)s
               AND m.date < %(end)s AND %(scope)s
            UNION ALL
            SELECT rp.commercial_partner_id, e.start::date
              FROM calendar_event e
              JOIN calendar_event_res_partner_rel a ON a.calendar_event_id = e.id
              JOIN res_partner rp ON rp.id = a.res_partner_id
             WHERE e.active AND e.start < %(end)s AND %(scope)s
            UNION ALL
            SELECT rp.commercial_partner_id, so.date_order::date
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.company_id = %(company)s AND so.state = 'sale'
               AND so.date_order < %(end)s AND %(scope)s %(fresh_orders)s
            """,
            fresh_orders=contacts_scope(SQL.identifier("so", "partner_id"), fresh_ids),
            talk=talk,
            end=as_of + timedelta(days=1),
            company=company.id,
            scope=scope,
        )

    def _interactions_sql(self, company, as_of, fresh_ids, kept_ids=None):
        """Per commercial entity: the last interaction, the interactions in the 90 days to
        ``as_of`` and when the oldest of these leaves the window (the customer is then
        aggregated again), for everyone, or in an incremental run (``fresh_ids`` given)
        for the customers of the ``universe`` CTE (new messages and meetings queue a
        classified customer or prospect) but the ``kept_ids``."""
        scope = SQL("TRUE")
        if fresh_ids is not None:
            scope = SQL("rp.commercial_partner_id IN (SELECT partner_id FROM universe)")
        but_kept = SQL()
        if kept_ids:
            # Left out of the events as a whole: a filter of each kind of event made the
            # planner expect a single order and join them to the universe in a loop.
            but_kept = SQL(
                "WHERE NOT EXISTS (SELECT FROM unnest(%s::int[]) k(id) WHERE k.id = e.partner_id)",
                list(kept_ids),
            )
        start = as_of - timedelta(days=INTERACTION_DAYS)
        return SQL(
            """
            SELECT partner_id, MAX(day) AS last_interaction_date,
                   COUNT(*) FILTER (WHERE day > %(start)s)::int AS interaction_count_90d,
                   MIN(day) FILTER (WHERE day > %(start)s) + %(days)s AS interactions_expire_on
              FROM (%(events)s) e %(but_kept)s
             GROUP BY partner_id
            """,
            start=start,
            days=INTERACTION_DAYS,
            events=self._interaction_events_sql(company, as_of, scope, fresh_ids),
            but_kept=but_kept,
        )

    def _scores_sql(self, company, as_of, fresh_ids, by_stored_quantiles=False):
        """R, F and M scores of the RFM population (customers with a transaction in the
        window), read from the ``metrics`` CTE; in a run that aggregates nobody again
        (``fresh_ids`` empty), quantile scores are the stored ones: the population's
        figures, hence its ranks, are those they were given from. ``by_stored_quantiles``:
        see ``_stored_quantiles_sql``."""
        if by_stored_quantiles:
            return self._quantile_scores_sql(self._stored_quantiles_sql(company))
        if company.rfm_scoring_method == "quantile" and fresh_ids is not None and not fresh_ids:
            return SQL(
                """
                SELECT partner_id, rfm_r_score AS r_score, rfm_f_score AS f_score,
                       rfm_m_score AS m_score
                  FROM customer_profile WHERE company_id = %s AND rfm_frequency > 0
                """,
                company.id,
            )
        if company.rfm_scoring_method == "quantile":
            return self._quantile_scores_sql(self._population_quantiles_sql())
        r_points, f_points, m_points = company._rfm_breakpoints()

        def position(expr, points, op):
            return SQL(" + ").join(SQL("(%s %s %s)::int", expr, SQL(op), p) for p in points)

        recency = SQL("(%s::date - last_date)", as_of)
        return SQL(
            """
            SELECT partner_id, (5 - (%s))::int AS r_score, (1 + %s)::int AS f_score,
                   (1 + %s)::int AS m_score
              FROM metrics WHERE frequency > 0
            """,
            position(recency, r_points, ">"),
            position(SQL.identifier("frequency"), f_points, ">="),
            position(SQL.identifier("monetary"), m_points, ">="),
        )

    def _quantile_scores_sql(self, boundaries):
        """Quantile scores of the ``metrics`` CTE's population from the quintile
        ``boundaries`` (a query of one row: per score column and bound 1 to 4, the largest
        value scored at most that bound, or NULL when none is): one more for each boundary
        the value is above. OFFSET 0 computes the boundaries once: pulled up into the join,
        they were computed again for every row (33 s instead of 0.17 s at 100k)."""
        scores = SQL(", ").join(
            SQL(
                "1 + %s AS %s",
                SQL(" + ").join(
                    SQL(
                        "COALESCE(%s > %s, TRUE)::int",
                        SQL.identifier("m", metric),
                        SQL.identifier("b", f"{score}_{bound}"),
                    )
                    for bound in range(1, 5)
                ),
                SQL.identifier(score.removeprefix("rfm_")),
            )
            for metric, _column, score in QUANTILE_DIMENSIONS
        )
        return SQL(
            """
            SELECT m.partner_id, %s
              FROM metrics m CROSS JOIN (%s OFFSET 0) b
             WHERE m.frequency > 0
            """,
            scores,
            boundaries,
        )

    def _population_quantiles_sql(self):
        """Quintile boundaries of the ``metrics`` CTE's population. A customer's score is
        ceil(5 k / n), where k is 1 + the number of customers strictly worse (RANK in
        "worst first" order) and n the population; it exceeds s exactly when the value is
        above the floor(s n / 5)-th smallest value, the boundary of s (none when that rank is
        0: every value is above it). One sort of each figure, not of the rows."""
        return SQL(
            "SELECT %s FROM (SELECT COUNT(*) AS n, %s FROM metrics WHERE frequency > 0) a",
            SQL(", ").join(
                SQL(
                    "%s[(%s * a.n) / 5] AS %s",
                    SQL.identifier("a", metric),
                    bound,
                    SQL.identifier(f"{score}_{bound}"),
                )
                for metric, _column, score in QUANTILE_DIMENSIONS
                for bound in range(1, 5)
            ),
            SQL(", ").join(
                SQL(
                    "array_agg(%s ORDER BY %s) AS %s",
                    SQL.identifier(metric),
                    SQL.identifier(metric),
                    SQL.identifier(metric),
                )
                for metric, _column, _score in QUANTILE_DIMENSIONS
            ),
        )

    def _stored_quantiles_sql(self, company):
        """Quintile boundaries of the population as stored (see ``_quantile_scores_sql``),
        without ranking it: a stored score is at most s exactly when the value is at most
        the largest stored value scored at most s. The queue scores its customers so in the
        time of their own rows, not of a sort of the population."""
        return SQL(
            """SELECT %s FROM customer_profile
                WHERE company_id = %s AND rfm_frequency > 0""",
            SQL(", ").join(
                SQL(
                    "MAX(%s) FILTER (WHERE %s <= %s) AS %s",
                    SQL.identifier(column),
                    SQL.identifier(score),
                    bound,
                    SQL.identifier(f"{score}_{bound}"),
                )
                for _metric, column, score in QUANTILE_DIMENSIONS
                for bound in range(1, 5)
            ),
            company.id,
        )

    def _scored_by_stored_quantiles(self, company, partner_ids):
        """Whether a run of ``partner_ids`` scores them against the stored population's
        quintile boundaries (``_stored_quantiles_sql``) rather than ranking everyone:
        quantile scoring, some customers, and a stored population to score against."""
        if partner_ids is None or company.rfm_scoring_method != "quantile":
            return False
        self.env.cr.execute(
            SQL(
                """SELECT 1 FROM customer_profile
                    WHERE company_id = %s AND rfm_frequency > 0 LIMIT 1""",
                company.id,
            )
        )
        return bool(self.env.cr.fetchone())

    def _segment_map_sql(self, company):
        """The segment of each of the 125 (R, F, M) combinations: first match by sequence."""
        return SQL(
            """
            SELECT DISTINCT ON (r, f, m) r, f, m, s.id AS segment_id
              FROM generate_series(1, 5) r
             CROSS JOIN generate_series(1, 5) f
             CROSS JOIN generate_series(1, 5) m
              JOIN customer_rfm_segment s
                ON s.preset_id = %s AND s.active
               AND r BETWEEN s.r_min AND s.r_max
               AND f BETWEEN s.f_min AND s.f_max
               AND m BETWEEN s.m_min AND s.m_max
             ORDER BY r, f, m, s.sequence, s.id
            """,
            company.rfm_segment_preset_id.id or 0,
        )

    def _potential_sql(self, company, as_of, partner_ids):
        """Commercial entities with an open opportunity or an unconfirmed quotation, and
        whether it shows intent (a sent quotation, or the probability set in Settings)."""
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id,
                   l.probability >= %(probability)s AS intent
              FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
             WHERE l.type = 'opportunity' AND l.active AND l.won_status = 'pending'
               AND (l.company_id = %(company)s OR l.company_id IS NULL)
               AND l.create_date < %(end)s %(lead_scope)s
            UNION
            SELECT rp.commercial_partner_id, so.state = 'sent'
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.state IN ('draft', 'sent') AND so.company_id = %(company)s
               AND so.date_order < %(end)s %(order_scope)s
            """,
            company=company.id,
            probability=company.customer_intent_probability,
            end=as_of + timedelta(days=1),
            lead_scope=contacts_scope(SQL.identifier("l", "partner_id"), partner_ids),
            order_scope=contacts_scope(SQL.identifier("so", "partner_id"), partner_ids),
        )

    def _value_tier_sql(self, company):
        """Value tier of a scored customer, from columns ``s.m_score`` and ``m.monetary``."""
        if company.customer_value_tier_method == "amount":
            return SQL(
                """CASE WHEN s.partner_id IS NULL THEN NULL
                        WHEN m.monetary >= %s THEN 'high'
                        WHEN m.monetary >= %s THEN 'medium' ELSE 'low' END""",
                company.customer_high_value_amount,
                company.customer_medium_value_amount,
            )
        return SQL(
            """CASE WHEN s.m_score = 5 THEN 'high'
                    WHEN s.m_score >= 3 THEN 'medium'
                    WHEN s.m_score IS NOT NULL THEN 'low' END"""
        )

    def _lifecycle_rules(self, company, as_of):
        """[(name, condition, stage)] in order, over ``m`` (metrics) and ``t.tier``; the
        first condition that holds gives the stage of a customer with transactions.
        Extensions add theirs with :func:`insert_rule_after`."""
        since_last = SQL("%s::date - m.last_date", as_of)
        return [
            ("churned", SQL("%s > %s", since_last, company.customer_churn_days), "churned"),
            ("at_risk", SQL("%s > %s", since_last, company.customer_at_risk_days), "at_risk"),
            ("new", SQL("%s::date - m.first_date <= %s", as_of, company.customer_new_days), "new"),
            ("vip", self._vip_sql(company), "vip"),
        ]

    def _vip_sql(self, company):
        """The VIP criterion of Settings, over ``t.tier`` and ``s.f_score``: whoever meets
        it is of high value, VIP unless an earlier lifecycle rule applies."""
        if company.customer_vip_criterion == "tier_frequency":
            return SQL("t.tier = 'high' AND s.f_score >= %s", company.customer_vip_min_f_score)
        return SQL("t.tier = 'high'")

    def _lifecycle_stage_sql(self, company, as_of):
        """Lifecycle stage from ``m`` (metrics), ``t.tier``, ``s`` (scores) and ``pot``
        (potential)."""
        rules = SQL(" ").join(
            SQL("WHEN %s THEN %s", condition, stage)
            for _name, condition, stage in self._lifecycle_rules(company, as_of)
        )
        return SQL(
            """CASE WHEN m.last_date IS NULL THEN
                        CASE WHEN pot.intent THEN 'intent'
                             WHEN pot.partner_id IS NOT NULL THEN 'potential' END
                    %s
                    ELSE 'active' END""",
            rules,
        )

    def _extra_joins_sql(self, company, as_of):
        """More LEFT JOINs on ``u.partner_id`` for the classification, for extensions."""
        return SQL()

    def _universe_sql(self, company, partner_ids, fresh_ids):
        """The active customers in scope (``partner_ids``, everyone if None) to classify
        from their documents, with their region: those of the ``fresh_metrics`` and
        ``potential`` CTEs and the pinned. In an incremental run (``fresh_ids`` given), only
        the fresh ones and those without a profile: the others are ``_restored_sql``."""
        only = {"potential": SQL(), "pinned": SQL()}
        partner = SQL("JOIN res_partner cp ON cp.id = u.partner_id")
        if fresh_ids is not None:
            # A few customers: read by id (joined, the planner hashed every partner).
            partner = SQL(
                """CROSS JOIN LATERAL (
                       SELECT country_id, state_id, city, active FROM res_partner
                        WHERE id = u.partner_id OFFSET 0) cp"""
            )
            fresh = SQL("partner_id IN (SELECT partner_id FROM fresh)")
            only["pinned"] = SQL("AND %s", fresh)
            only["potential"] = SQL(
                """WHERE %s OR NOT EXISTS (
                       SELECT 1 FROM customer_profile st
                        WHERE st.partner_id = potential.partner_id AND st.company_id = %s)""",
                fresh,
                company.id,
            )
        return SQL(
            """
            SELECT u.partner_id, cp.country_id, cp.state_id, cp.city FROM (
                SELECT partner_id FROM fresh_metrics
                UNION SELECT partner_id FROM potential %(potential)s
                UNION SELECT partner_id FROM customer_profile
                       WHERE company_id = %(company)s
                         AND (pinned_stage IS NOT NULL OR pinned_segment_id IS NOT NULL)
                         %(pinned)s
            ) u %(partner)s
             WHERE cp.active %(scope)s
            """,
            partner=partner,
            company=company.id,
            scope=partner_scope(SQL.identifier("partner_id"), partner_ids),
            **only,
        )

    def _restored_sql(self):
        """FROM clause of the stored profiles ``st`` with what a classification needs of
        their stored figures: ``u``, ``m`` as the ``metrics`` CTE has them, ``pay``."""
        return SQL(
            """
            FROM customer_profile st
            CROSS JOIN LATERAL (SELECT st.partner_id) u
            LEFT JOIN LATERAL (SELECT st.partner_id, %s) m ON st.order_count > 0
            LEFT JOIN LATERAL (SELECT st.partner_id, %s) pay ON st.payment_class IS NOT NULL
            """,
            SQL(", ").join(
                SQL("%s AS %s", SQL.identifier("st", column), SQL.identifier(name))
                for name, column in STORED_METRICS.items()
            ),
            SQL(", ").join(SQL.identifier("st", name) for name in PAYMENT_COLUMNS),
        )

    def _classification_sql(self, company, as_of, source, figures):
        """SELECT of the classification of the customers of ``source`` (a FROM clause
        giving ``u``, ``m`` (metrics), ``pay`` and what the ``figures`` read), scored with
        the ``scores``, ``segment_map`` and ``potential`` CTEs; a WHERE clause may follow.
        ``figures``: more columns, as ``, expression AS name...``."""
        return SQL(
            """
            SELECT u.partner_id,
                   m.first_date AS first_order_date, m.last_date AS last_order_date,
                   COALESCE(m.order_count, 0) AS order_count, m.total_revenue,
                   ROUND(m.total_revenue / NULLIF(m.order_count, 0), %(digits)s)
                       AS avg_order_value,
                   COALESCE(m.frequency, 0) AS rfm_frequency, m.monetary AS rfm_monetary,
                   s.r_score AS rfm_r_score, s.f_score AS rfm_f_score, s.m_score AS rfm_m_score,
                   s.r_score::text || s.f_score::text || s.m_score::text AS rfm_score,
                   sm.segment_id, t.tier AS value_tier, %(stage)s AS lifecycle_stage,
                   COALESCE(%(vip)s, FALSE) AS high_value,
                   %(payment_class)s AS payment_class %(figures)s
              %(source)s
              LEFT JOIN scores s ON s.partner_id = u.partner_id
              LEFT JOIN segment_map sm ON (sm.r, sm.f, sm.m) = (s.r_score, s.f_score, s.m_score)
              LEFT JOIN (SELECT partner_id, bool_or(intent) AS intent
                           FROM potential GROUP BY partner_id) pot
                     ON pot.partner_id = u.partner_id
              %(extra_joins)s
              CROSS JOIN LATERAL (SELECT %(tier)s AS tier) t
            """,
            source=source,
            figures=figures,
            payment_class=self._payment_class_sql(company, as_of),
            digits=company.currency_id.decimal_places,
            stage=self._lifecycle_stage_sql(company, as_of),
            vip=self._vip_sql(company),
            tier=self._value_tier_sql(company),
            extra_joins=self._extra_joins_sql(company, as_of),
        )

    def _classified_sql(self, company, as_of, partner_ids, fresh_ids, kept=None):
        """WITH ... classified: the new classification of the customers in scope
        (``partner_ids``, everyone if None) whose figures are aggregated again (``fresh_ids``,
        everyone if None) or who have no profile yet; and in an incremental run, restored:
        that of the other profiles in scope, from their stored figures, with their stored
        row (``stored``) for the difference. Of the fresh customers, those ``kept`` under a
        CTE of figures keep their stored figures of it (``_take_stale_partners``)."""
        stored_quantiles = self._scored_by_stored_quantiles(company, partner_ids)
        restored = SQL()
        if fresh_ids is not None:
            restored = SQL(
                """, restored AS (%s
                    WHERE st.company_id = %s %s
                      AND st.partner_id NOT IN (SELECT partner_id FROM fresh))""",
                self._classification_sql(
                    company, as_of, self._restored_sql(), SQL(", st AS stored")
                ),
                company.id,
                partner_scope(SQL.identifier("st", "partner_id"), partner_ids),
            )
        return SQL(
            """
            WITH fresh AS (SELECT DISTINCT unnest(%(fresh)s::int[]) AS partner_id),
            fresh_metrics AS (%(fresh_metrics)s),
            metrics AS (%(metrics)s),
            scores AS (%(scores)s),
            segment_map AS (%(segment_map)s),
            potential AS (%(potential)s),
            universe AS (%(universe)s),
            payments AS (%(payments)s),
            behaviour AS (%(behaviour)s),
            interactions AS (%(interactions)s),
            classified AS (%(classified)s) %(restored)s
            """,
            fresh=list(fresh_ids or ()),
            **self._figures_sql(company, as_of, fresh_ids, kept or {}),
            metrics=self._metrics_sql(company, fresh_ids, with_stored=not stored_quantiles),
            scores=self._scores_sql(company, as_of, fresh_ids, stored_quantiles),
            segment_map=self._segment_map_sql(company),
            potential=self._potential_sql(company, as_of, partner_ids),
            universe=self._universe_sql(company, partner_ids, fresh_ids),
            classified=self._universe_classification_sql(company, as_of),
            restored=restored,
        )

    def _figures_sql(self, company, as_of, fresh_ids, kept):
        """{CTE: query} of the figures of the ``fresh_ids`` (everyone if None) that a
        classification aggregates: ``fresh_metrics`` and the JOINED_FIGURES, each aggregated
        again but for the customers ``kept`` under it, whose stored figures are taken."""

        def aggregated(cte):
            if not kept.get(cte):
                return fresh_ids
            return sorted(set(fresh_ids) - set(kept[cte]))

        figures = {
            "fresh_metrics": self._fresh_metrics_sql(company, as_of, aggregated("fresh_metrics")),
            "payments": self._payments_sql(company, as_of, aggregated("payments")),
            "behaviour": self._behaviour_sql(company, as_of, aggregated("behaviour")),
            "interactions": self._interactions_sql(
                company, as_of, aggregated("interactions"), kept.get("interactions")
            ),
        }
        columns = {"fresh_metrics": STORED_METRICS.values()}
        columns.update((cte, names) for _alias, cte, names in JOINED_FIGURES)
        return {
            cte: self._kept_too(company, columns[cte], kept.get(cte), query)
            for cte, query in figures.items()
        }

    def _kept_too(self, company, columns, kept_ids, figures):
        """The rows of a CTE of figures: ``figures`` (the query of its profile ``columns``
        for the customers aggregated again), and the stored ones of the ``kept_ids`` that
        had a row (the first column is never null in a row)."""
        if not kept_ids:
            return figures
        return SQL(
            """(%(figures)s) UNION ALL
               SELECT partner_id, %(columns)s FROM customer_profile
                WHERE company_id = %(company)s AND partner_id = ANY(%(kept)s)
                  AND %(first)s IS NOT NULL""",
            figures=figures,
            columns=SQL(", ").join(SQL.identifier(name) for name in columns),
            company=company.id,
            kept=list(kept_ids),
            first=SQL.identifier(next(iter(columns))),
        )

    def _universe_classification_sql(self, company, as_of):
        """The classification of the ``universe`` CTE's customers from their figures
        aggregated again (``fresh_metrics`` and the JOINED_FIGURES CTEs), with their region."""
        joins = SQL(" ").join(
            SQL(
                "LEFT JOIN %s %s ON %s = u.partner_id",
                SQL.identifier(cte),
                SQL.identifier(alias),
                SQL.identifier(alias, "partner_id"),
            )
            for alias, cte, _names in JOINED_FIGURES
        )
        figures = SQL(", ").join(
            SQL.identifier(alias, name) for alias, _cte, names in JOINED_FIGURES for name in names
        )
        return self._classification_sql(
            company,
            as_of,
            SQL(
                "FROM universe u LEFT JOIN fresh_metrics m ON m.partner_id = u.partner_id %s",
                joins,
            ),
            SQL(", u.country_id, u.state_id, u.city, %s", figures),
        )

    def _difference_sql(self, company, as_of, partner_ids, fresh_ids, kept=None):
        """(company, partner, as_of, is_delete, values..., old stage, segment, tier) of the
        profiles whose values change (a manager's pins kept) and of the stored profiles to
        delete (in scope, no longer classified)."""
        old_scope = partner_scope(SQL.identifier("partner_id"), partner_ids)
        if fresh_ids is not None:  # the others are restored
            old_scope = SQL("%s AND partner_id IN (SELECT partner_id FROM fresh)", old_scope)
        changes = [
            self._changes_sql(
                company,
                as_of,
                SQL(
                    """FROM classified c
                       FULL JOIN (SELECT * FROM customer_profile
                                   WHERE company_id = %s %s) old
                              ON old.partner_id = c.partner_id""",
                    company.id,
                    old_scope,
                ),
                SQL("c.partner_id IS NOT NULL"),
                PROFILE_VALUE_COLUMNS,
                SQL("%s::timestamp, %s::date", self.env.cr.now(), as_of),
            )
        ]
        if fresh_ids is not None:
            # Their figures are the stored ones: only their class may change.
            changes.append(
                self._changes_sql(
                    company,
                    as_of,
                    SQL("FROM restored c CROSS JOIN LATERAL (SELECT (c.stored).*) old"),
                    SQL(
                        """c.lifecycle_stage IS NOT NULL OR old.pinned_stage IS NOT NULL
                           OR old.pinned_segment_id IS NOT NULL"""
                    ),
                    CLASS_COLUMNS,
                    SQL("old.aggregated_at, old.aggregated_as_of"),
                )
            )
        return SQL(
            "%s %s",
            self._classified_sql(company, as_of, partner_ids, fresh_ids, kept),
            SQL(" UNION ALL ").join(changes),
        )

    def _changes_sql(self, company, as_of, source, classified, compared, aggregated):
        """The difference rows of ``source`` (a FROM clause of the new classification
        ``c`` beside the stored profile ``old``): a delete where the customer is no longer
        ``classified``, else an upsert where ``old`` is missing or one of the ``compared``
        columns of ``c`` differs (the others are kept as stored). ``aggregated``: when and
        as of which date the figures of ``c`` were aggregated (two SQL expressions)."""
        new = {
            name: SQL.identifier("c" if name in compared else "old", name)
            for name in PROFILE_VALUE_COLUMNS
        }
        for name, pin in PINS.items():
            new[name] = SQL("COALESCE(%s, %s)", SQL.identifier("old", pin), new[name])
        return SQL(
            """
            SELECT %(company)s, COALESCE(c.partner_id, old.partner_id), %(as_of)s::date,
                   NOT (%(classified)s), %(values)s, %(aggregated)s,
                   old.lifecycle_stage, old.segment_id, old.value_tier
              %(source)s
             WHERE NOT (%(classified)s) OR old.id IS NULL OR %(changed)s
            """,
            company=company.id,
            as_of=as_of,
            classified=classified,
            values=SQL(", ").join(
                SQL("CASE WHEN %s THEN %s END", classified, new[name])
                for name in PROFILE_VALUE_COLUMNS
            ),
            source=source,
            aggregated=aggregated,
            changed=SQL(" OR ").join(
                SQL("%s IS DISTINCT FROM %s", SQL.identifier("old", name), new[name])
                for name in compared
            ),
        )

    def _history_insert_sql(self, company, as_of, now):
        """INSERT of the history lines of the ``batch`` CTE's changes of class. History
        shows transitions: the company's first classification writes none."""
        if not company.customer_segmentation_as_of:
            return SQL("SELECT 1 WHERE FALSE")
        changed_at = datetime.combine(as_of, now.time())  # history is dated by the as-of date
        return SQL(
            """
            INSERT INTO customer_segment_history (
                partner_id, company_id, date, cause, stage_from, stage_to,
                segment_from_id, segment_to_id, tier_from, tier_to)
            SELECT b.partner_id, %(company)s, %(changed_at)s, 'run', b.old_stage,
                   b.lifecycle_stage, old_seg.id, seg.id, b.old_tier, b.value_tier
              FROM batch b
              JOIN res_partner rp ON rp.id = b.partner_id
              LEFT JOIN customer_rfm_segment seg ON seg.id = b.segment_id
              LEFT JOIN customer_rfm_segment old_seg ON old_seg.id = b.old_segment_id
             WHERE (b.old_stage, b.old_segment_id, b.old_tier)
                   IS DISTINCT FROM (b.lifecycle_stage, b.segment_id, b.value_tier)
            RETURNING 1
            """,
            company=company.id,
            changed_at=changed_at,
        )

    def _profile_upsert_sql(self, company, now):
        """INSERT ... ON CONFLICT of the profiles of the ``batch`` CTE (partners deleted
        since the rows were staged are skipped, records of REFERENCES left empty)."""
        values = [
            SQL.identifier(f"ref_{name}", "id") if name in REFERENCES else SQL.identifier("b", name)
            for name in PROFILE_VALUE_COLUMNS
        ]
        references = SQL(" ").join(
            SQL(
                "LEFT JOIN %s ON %s = %s",
                SQL(f"{table} ref_{name}"),
                SQL.identifier(f"ref_{name}", "id"),
                SQL.identifier("b", name),
            )
            for name, table in REFERENCES.items()
        )
        return SQL(
            """
            INSERT INTO customer_profile (
                partner_id, company_id, %(columns)s, aggregated_at, aggregated_as_of,
                segmented_at)
            SELECT b.partner_id, %(company)s, %(values)s, b.aggregated_at, b.aggregated_as_of,
                   %(now)s
              FROM batch b
              JOIN res_partner rp ON rp.id = b.partner_id
              %(references)s
             WHERE NOT b.is_delete
            ON CONFLICT (partner_id, company_id) DO UPDATE
               SET %(updates)s, aggregated_at = EXCLUDED.aggregated_at,
                   aggregated_as_of = EXCLUDED.aggregated_as_of,
                   segmented_at = EXCLUDED.segmented_at
            RETURNING 1
            """,
            columns=SQL(", ").join(SQL.identifier(name) for name in PROFILE_VALUE_COLUMNS),
            values=SQL(", ").join(values),
            references=references,
            updates=SQL(", ").join(
                SQL(
                    "%s = COALESCE(customer_profile.%s, EXCLUDED.%s)",
                    SQL.identifier(name),
                    SQL.identifier(PINS[name]),
                    SQL.identifier(name),
                )
                if name in PINS
                else SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                for name in PROFILE_VALUE_COLUMNS
            ),
            company=company.id,
            now=now,
        )

    def _snapshot(self, company, as_of):
        """Count customers per (stage, segment, tier) for ``as_of``; rewrite only the counts
        that changed. Return the number of snapshot rows written or deleted."""
        return rewrite_rows(
            self.env.cr,
            "customer_segment_snapshot",
            {"company_id": company.id, "date": as_of},
            ("lifecycle_stage", "segment_id", "value_tier", "customer_count"),
            SQL(
                """SELECT lifecycle_stage, segment_id, value_tier, COUNT(*) AS customer_count
                     FROM customer_profile WHERE company_id = %s
                    GROUP BY lifecycle_stage, segment_id, value_tier""",
                company.id,
            ),
        )

    @api.private
    def _profiles_changed(self, company, partner_ids=None):
        """Hook run once the profiles of ``partner_ids`` (any of ``company``'s if None) may
        have changed, by a run that wrote some or a pin: what is kept of them elsewhere is
        brought up to date (the regional summary here, the value predictions' classes in
        customer_clv). A run that writes nothing skips it (no scan of every profile)."""
        self._summarize_regions(company)

    @api.private
    def _summarize_regions(self, company):
        """Rewrite the customers and revenue per region and stage of ``company`` that
        changed (customer.region.summary); return the rows written or deleted."""
        count = rewrite_rows(
            self.env.cr,
            "customer_region_summary",
            {"company_id": company.id},
            REGION_SUMMARY_COLUMNS,
            SQL(
                """SELECT country_id, state_id, city, lifecycle_stage,
                          COUNT(*) AS customer_count, SUM(total_revenue) AS total_revenue
                     FROM customer_profile WHERE company_id = %s
                    GROUP BY country_id, state_id, city, lifecycle_stage""",
                company.id,
            ),
        )
        self.env["customer.region.summary"].invalidate_model()
        return count
