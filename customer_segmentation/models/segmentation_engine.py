"""Set-based classification of every customer of a company, in a handful of SQL statements.

1. ``_build_result`` aggregates the transactions per commercial entity, scores the RFM
   population, maps scores to segments, derives tier and lifecycle stage, keeps the pins,
   and stores in a temporary table only the profiles that differ from what is stored.
2. ``_apply_batch`` writes that difference in batches (upsert, delete, history lines).
3. A full run then snapshots the counts per class and records its as-of date.

A run killed between batches leaves whole rows behind; the next run computes the remaining
difference and finishes the job. Runs of one company are serialised by an advisory lock.
"""

import logging
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

RESULT_TABLE = SQL.identifier("customer_segmentation_result")
PROFILE_VALUE_COLUMNS = (
    "first_order_date",
    "last_order_date",
    "order_count",
    "total_revenue",
    "avg_order_value",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_r_score",
    "rfm_f_score",
    "rfm_m_score",
    "rfm_score",
    "segment_id",
    "value_tier",
    "lifecycle_stage",
)


def tune_transaction(cr):
    """Settings for the rest of the transaction of an engine's large statements: JIT
    compilation costs seconds per statement and buys nothing here; sorts and hashes of a
    whole population deserve more than the default 4 MB."""
    cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))


def contacts_scope(column, partner_ids):
    """``AND column`` is a contact of one of these commercial entities (index friendly);
    nothing when ``partner_ids`` is None."""
    if partner_ids is None:
        return SQL()
    return SQL(
        "AND %s IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
        SQL(column),
        partner_ids,
    )


def parse_breakpoints(text):
    """Four increasing numbers written "a,b,c,d", as floats; ValueError otherwise."""
    values = [float(part) for part in (text or "").split(",") if part.strip()]
    if len(values) != 4 or any(a >= b for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(text)
    return values


class CustomerSegmentationEngine(models.AbstractModel):
    _name = "customer.segmentation.engine"
    _description = "Customer Segmentation Engine"

    _batch_size = 50000
    _lock_key = 1129530695  # arbitrary constant shared by every run ("CSEG")

    # ------------------------------------------------------------------ entry point

    @api.model
    def run(self, as_of=None, partner_ids=None, commit=False):
        """Classify the customers of ``env.company`` as of ``as_of`` (default today).

        :param partner_ids: commercial partners to reclassify (scored against the stored
            population); ``None`` reclassifies everyone and snapshots the counts.
        :param commit: commit after each batch (scheduled actions); otherwise the whole run
            is one transaction.
        :return: dict of row counts, or ``False`` if another run holds the company's lock.
        """
        company = self.env.company
        as_of = fields.Date.to_date(as_of) or fields.Date.today()
        self.env.flush_all()
        if not self._try_lock(company, commit):
            _logger.info("Segmentation of %s already running, skipped", company.name)
            return False
        try:
            stats = {"changed": self._build_result(company, as_of, partner_ids)}
            stats.update(self._apply_result(company, as_of, commit))
            if partner_ids is None and stats["complete"]:
                stats["snapshot"] = self._snapshot(company, as_of)
                company.sudo().write(
                    {
                        "customer_segmentation_as_of": as_of,
                        "customer_segmentation_last_run": fields.Datetime.now(),
                    }
                )
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", RESULT_TABLE))
            if commit:
                self.env["ir.cron"]._commit_progress(remaining=0)
        except Exception:
            if commit:
                self.env.cr.rollback()
            raise
        finally:
            if commit:
                self.env.cr.execute(
                    SQL("SELECT pg_advisory_unlock(%s, %s)", self._lock_key, company.id)
                )
            self.env.invalidate_all()
        _logger.info("Segmentation of %s as of %s: %s", company.name, as_of, stats)
        return stats

    def _try_lock(self, company, commit):
        # Committing runs outlive their transaction, so they take a session lock.
        function = "pg_try_advisory_lock" if commit else "pg_try_advisory_xact_lock"
        self.env.cr.execute(SQL("SELECT %s(%s, %s)", SQL(function), self._lock_key, company.id))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ SQL pieces

    def _transactions_sql(self, company, as_of, partner_ids):
        """(partner_id, tx_date, amount, n): one row per transaction of the company; n is 1
        for a sale (order or invoice) and 0 for a credit note, whose amount is negative."""
        if company.customer_transaction_source == "invoice":
            scope = (
                SQL("AND am.commercial_partner_id = ANY(%s)", partner_ids)
                if partner_ids is not None
                else SQL()
            )  # stored on the move and indexed
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
                scope=scope,
            )
        scope = contacts_scope("so.partner_id", partner_ids)
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
            scope=scope,
        )

    def _metrics_sql(self, company, as_of, partner_ids):
        """Per commercial entity: all-history figures and the RFM window figures."""
        digits = company.currency_id.decimal_places
        in_window = (
            SQL("tx_date > %s", as_of - timedelta(days=company.rfm_window_days))
            if company.rfm_window_days
            else SQL("TRUE")
        )
        fresh = SQL(
            """
            SELECT partner_id,
                   MIN(tx_date) FILTER (WHERE n = 1) AS first_date,
                   MAX(tx_date) FILTER (WHERE n = 1) AS last_date,
                   SUM(n)::int AS order_count,
                   ROUND(SUM(amount), %(digits)s) AS total_revenue,
                   COALESCE(SUM(n) FILTER (WHERE %(in_window)s), 0)::int AS frequency,
                   ROUND(COALESCE(SUM(amount) FILTER (WHERE %(in_window)s), 0), %(digits)s)
                       AS monetary
              FROM (%(transactions)s) tx
             GROUP BY partner_id
            HAVING SUM(n) > 0
            """,
            digits=digits,
            in_window=in_window,
            transactions=self._transactions_sql(company, as_of, partner_ids),
        )
        if partner_ids is None:
            return fresh
        # Partial run: the others keep their stored figures, so the queued customers are
        # scored against the population as it stands.
        return SQL(
            """
            %(fresh)s
            UNION ALL
            SELECT partner_id, first_order_date, last_order_date, order_count, total_revenue,
                   rfm_frequency, rfm_monetary
              FROM customer_profile
             WHERE company_id = %(company)s AND order_count > 0
               AND partner_id <> ALL(%(partners)s)
            """,
            fresh=fresh,
            company=company.id,
            partners=partner_ids,
        )

    def _scores_sql(self, company, as_of):
        """R, F and M scores of the RFM population (customers with a transaction in the
        window), read from the ``metrics`` CTE."""
        if company.rfm_scoring_method == "threshold":
            r_points = parse_breakpoints(company.rfm_r_thresholds)
            f_points = parse_breakpoints(company.rfm_f_thresholds)
            m_points = parse_breakpoints(company.rfm_m_thresholds)

            def position(expr, points, op):
                return SQL(" + ").join(SQL("(%s %s %s)::int", expr, SQL(op), p) for p in points)

            recency = SQL("(%s::date - last_date)", as_of)
            r_score = SQL("5 - (%s)", position(recency, r_points, ">"))
            f_score = SQL("1 + %s", position(SQL("frequency"), f_points, ">="))
            m_score = SQL("1 + %s", position(SQL("monetary"), m_points, ">="))
        else:
            # k = 1 + number of customers strictly worse = RANK() in "worst first" order;
            # score = ceil(5k / n) in integers.
            def quantile(order):
                return SQL(
                    "(5 * RANK() OVER (ORDER BY %s) + COUNT(*) OVER () - 1) / COUNT(*) OVER ()",
                    SQL(order),
                )

            r_score = quantile("last_date")
            f_score = quantile("frequency")
            m_score = quantile("monetary")
        return SQL(
            """
            SELECT partner_id, (%s)::int AS r_score, (%s)::int AS f_score, (%s)::int AS m_score
              FROM metrics WHERE frequency > 0
            """,
            r_score,
            f_score,
            m_score,
        )

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
        """Commercial entities with an open opportunity or an unconfirmed quotation."""
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id
              FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
             WHERE l.type = 'opportunity' AND l.active AND l.won_status = 'pending'
               AND (l.company_id = %(company)s OR l.company_id IS NULL)
               AND l.create_date < %(end)s %(lead_scope)s
            UNION
            SELECT rp.commercial_partner_id
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.state IN ('draft', 'sent') AND so.company_id = %(company)s
               AND so.date_order < %(end)s %(order_scope)s
            """,
            company=company.id,
            end=as_of + timedelta(days=1),
            lead_scope=contacts_scope("l.partner_id", partner_ids),
            order_scope=contacts_scope("so.partner_id", partner_ids),
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
        """[(condition, stage)] in order, over ``m`` (metrics) and ``t.tier``; the first
        condition that holds gives the stage of a customer with transactions."""
        since_last = SQL("%s::date - m.last_date", as_of)
        return [
            (SQL("%s > %s", since_last, company.customer_churn_days), "churned"),
            (SQL("%s > %s", since_last, company.customer_at_risk_days), "at_risk"),
            (SQL("%s::date - m.first_date <= %s", as_of, company.customer_new_days), "new"),
            (SQL("t.tier = 'high'"), "vip"),
        ]

    def _lifecycle_stage_sql(self, company, as_of):
        """Lifecycle stage from ``m`` (metrics), ``t.tier`` and ``pot`` (potential)."""
        rules = SQL(" ").join(
            SQL("WHEN %s THEN %s", condition, stage)
            for condition, stage in self._lifecycle_rules(company, as_of)
        )
        return SQL(
            """CASE WHEN m.last_date IS NULL THEN
                        CASE WHEN pot.partner_id IS NOT NULL THEN 'potential' END
                    %s
                    ELSE 'active' END""",
            rules,
        )

    def _extra_joins_sql(self, company, as_of):
        """More LEFT JOINs on ``u.partner_id`` for the classification, for extensions."""
        return SQL()

    # ------------------------------------------------------------------ steps

    def _build_result(self, company, as_of, partner_ids):
        """Store in a temporary table the profiles to write or delete; return their count."""
        cr = self.env.cr
        tune_transaction(cr)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", RESULT_TABLE))
        if partner_ids is None:
            # A full run compares every stored profile: plan it on fresh statistics.
            cr.execute(SQL("ANALYZE customer_profile"))
        universe_scope = (
            SQL("WHERE partner_id = ANY(%s)", partner_ids) if partner_ids is not None else SQL()
        )
        old_scope = (
            SQL("AND old.partner_id = ANY(%s)", partner_ids) if partner_ids is not None else SQL()
        )
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE %(result)s AS
                WITH metrics AS (%(metrics)s),
                scores AS (%(scores)s),
                segment_map AS (%(segment_map)s),
                potential AS (%(potential)s),
                universe AS (
                    SELECT partner_id FROM (
                        SELECT partner_id FROM metrics
                        UNION SELECT partner_id FROM potential
                        UNION SELECT partner_id FROM customer_profile
                               WHERE company_id = %(company)s
                                 AND (pinned_stage IS NOT NULL OR pinned_segment_id IS NOT NULL)
                    ) u %(universe_scope)s
                ),
                classified AS (
                    SELECT u.partner_id,
                           m.first_date, m.last_date, COALESCE(m.order_count, 0) AS order_count,
                           m.total_revenue,
                           ROUND(m.total_revenue / NULLIF(m.order_count, 0), %(digits)s)
                               AS avg_order_value,
                           COALESCE(m.frequency, 0) AS frequency, m.monetary,
                           s.r_score, s.f_score, s.m_score,
                           s.r_score::text || s.f_score::text || s.m_score::text AS rfm_score,
                           sm.segment_id, t.tier, %(stage)s AS stage
                      FROM universe u
                      LEFT JOIN metrics m ON m.partner_id = u.partner_id
                      LEFT JOIN scores s ON s.partner_id = u.partner_id
                      LEFT JOIN segment_map sm
                             ON (sm.r, sm.f, sm.m) = (s.r_score, s.f_score, s.m_score)
                      LEFT JOIN (SELECT DISTINCT partner_id FROM potential) pot
                             ON pot.partner_id = u.partner_id
                      %(extra_joins)s
                      CROSS JOIN LATERAL (SELECT %(tier)s AS tier) t
                ),
                final AS (
                    SELECT c.*,
                           COALESCE(old.pinned_stage, c.stage) AS new_stage,
                           COALESCE(old.pinned_segment_id, c.segment_id) AS new_segment_id,
                           old.id AS old_id, old.lifecycle_stage AS old_stage,
                           old.segment_id AS old_segment_id, old.value_tier AS old_tier,
                           (old.first_order_date, old.last_order_date, old.order_count,
                            old.total_revenue, old.avg_order_value, old.rfm_frequency,
                            old.rfm_monetary, old.rfm_r_score, old.rfm_f_score, old.rfm_m_score,
                            old.rfm_score::text, old.segment_id, old.value_tier::text,
                            old.lifecycle_stage::text) AS old_values
                      FROM classified c
                      LEFT JOIN customer_profile old
                             ON old.partner_id = c.partner_id AND old.company_id = %(company)s
                )
                SELECT partner_id, FALSE AS is_delete,
                       first_date AS first_order_date, last_date AS last_order_date,
                       order_count, total_revenue, avg_order_value,
                       frequency AS rfm_frequency, monetary AS rfm_monetary,
                       r_score AS rfm_r_score, f_score AS rfm_f_score, m_score AS rfm_m_score,
                       rfm_score, new_segment_id AS segment_id, tier AS value_tier,
                       new_stage AS lifecycle_stage,
                       old_stage, old_segment_id, old_tier
                  FROM final
                 WHERE old_id IS NULL
                    OR old_values IS DISTINCT FROM (
                           first_date, last_date, order_count, total_revenue, avg_order_value,
                           frequency, monetary, r_score, f_score, m_score, rfm_score::text,
                           new_segment_id, tier::text, new_stage::text)
                UNION ALL
                SELECT old.partner_id, TRUE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       old.lifecycle_stage, old.segment_id, old.value_tier
                  FROM customer_profile old
                 WHERE old.company_id = %(company)s %(old_scope)s
                   AND NOT EXISTS (SELECT 1 FROM universe u WHERE u.partner_id = old.partner_id)
                """,
                result=RESULT_TABLE,
                metrics=self._metrics_sql(company, as_of, partner_ids),
                scores=self._scores_sql(company, as_of),
                segment_map=self._segment_map_sql(company),
                potential=self._potential_sql(company, as_of, partner_ids),
                company=company.id,
                universe_scope=universe_scope,
                old_scope=old_scope,
                digits=company.currency_id.decimal_places,
                stage=self._lifecycle_stage_sql(company, as_of),
                tier=self._value_tier_sql(company),
                extra_joins=self._extra_joins_sql(company, as_of),
            )
        )
        count = cr.rowcount
        cr.execute(SQL("ANALYZE %s", RESULT_TABLE))  # temporary tables get no statistics
        return count

    def _apply_result(self, company, as_of, commit):
        """Write the stored difference in batches of ``_batch_size`` customers."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT partner_id FROM (
                    SELECT partner_id, row_number() OVER (ORDER BY partner_id) AS rn,
                           COUNT(*) OVER () AS total
                      FROM %s) r
                 WHERE rn %% %s = 0 OR rn = total
                 ORDER BY partner_id
                """,
                RESULT_TABLE,
                self._batch_size,
            )
        )
        bounds = [row[0] for row in cr.fetchall()]
        stats = {"written": 0, "deleted": 0, "history": 0, "complete": True}
        low = 0
        for done, high in enumerate(bounds, start=1):
            for key, count in self._apply_batch(company, low, high, as_of).items():
                stats[key] += count
            low = high
            if commit and done < len(bounds):
                time_left = self.env["ir.cron"]._commit_progress(1, remaining=len(bounds) - done)
                if not time_left:
                    # Out of time: the next run computes what is left and finishes it.
                    stats["complete"] = False
                    break
        return stats

    def _apply_batch(self, company, low, high, as_of):
        cr = self.env.cr
        now = fields.Datetime.now()
        changed_at = datetime.combine(as_of, now.time())  # history is dated by the as-of date
        in_batch = SQL("r.partner_id > %s AND r.partner_id <= %s", low, high)
        columns = SQL(", ").join(SQL.identifier(name) for name in PROFILE_VALUE_COLUMNS)
        cr.execute(
            SQL(
                """
                INSERT INTO customer_segment_history (
                    partner_id, company_id, date, cause, stage_from, stage_to,
                    segment_from_id, segment_to_id, tier_from, tier_to)
                SELECT r.partner_id, %(company)s, %(changed_at)s, 'run', r.old_stage,
                       r.lifecycle_stage, r.old_segment_id, r.segment_id, r.old_tier, r.value_tier
                  FROM %(result)s r
                 WHERE %(in_batch)s
                   AND (r.old_stage, r.old_segment_id, r.old_tier)
                       IS DISTINCT FROM (r.lifecycle_stage, r.segment_id, r.value_tier)
                """,
                company=company.id,
                changed_at=changed_at,
                result=RESULT_TABLE,
                in_batch=in_batch,
            )
        )
        history = cr.rowcount
        cr.execute(
            SQL(
                """
                DELETE FROM customer_profile p USING %(result)s r
                 WHERE %(in_batch)s AND r.is_delete
                   AND p.partner_id = r.partner_id AND p.company_id = %(company)s
                """,
                result=RESULT_TABLE,
                in_batch=in_batch,
                company=company.id,
            )
        )
        deleted = cr.rowcount
        cr.execute(
            SQL(
                """
                INSERT INTO customer_profile (partner_id, company_id, %(columns)s, segmented_at)
                SELECT r.partner_id, %(company)s, %(r_columns)s, %(now)s
                  FROM %(result)s r
                 WHERE %(in_batch)s AND NOT r.is_delete
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET %(updates)s, segmented_at = EXCLUDED.segmented_at
                """,
                columns=columns,
                r_columns=SQL(", ").join(
                    SQL.identifier("r", name) for name in PROFILE_VALUE_COLUMNS
                ),
                updates=SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in PROFILE_VALUE_COLUMNS
                ),
                company=company.id,
                now=now,
                result=RESULT_TABLE,
                in_batch=in_batch,
            )
        )
        return {"written": cr.rowcount, "deleted": deleted, "history": history}

    def _snapshot(self, company, as_of):
        """Count customers per (stage, segment, tier) for ``as_of``; rewrite only the counts
        that changed. Return the number of snapshot rows written or deleted."""
        self.env.cr.execute(
            SQL(
                """
                WITH counts AS (
                    SELECT lifecycle_stage, segment_id, value_tier, COUNT(*) AS customer_count
                      FROM customer_profile WHERE company_id = %(company)s
                     GROUP BY lifecycle_stage, segment_id, value_tier
                ),
                old AS (
                    SELECT id, lifecycle_stage, segment_id, value_tier, customer_count
                      FROM customer_segment_snapshot
                     WHERE company_id = %(company)s AND date = %(as_of)s
                ),
                removed AS (
                    DELETE FROM customer_segment_snapshot s USING old o
                     WHERE s.id = o.id AND NOT EXISTS (
                           SELECT 1 FROM counts c
                            WHERE (c.lifecycle_stage, c.segment_id, c.value_tier, c.customer_count)
                                  IS NOT DISTINCT FROM
                                  (o.lifecycle_stage, o.segment_id, o.value_tier, o.customer_count))
                    RETURNING 1
                ),
                added AS (
                    INSERT INTO customer_segment_snapshot (
                        date, company_id, lifecycle_stage, segment_id, value_tier, customer_count)
                    SELECT %(as_of)s, %(company)s, c.lifecycle_stage, c.segment_id, c.value_tier,
                           c.customer_count
                      FROM counts c
                     WHERE NOT EXISTS (
                           SELECT 1 FROM old o
                            WHERE (c.lifecycle_stage, c.segment_id, c.value_tier, c.customer_count)
                                  IS NOT DISTINCT FROM
                                  (o.lifecycle_stage, o.segment_id, o.value_tier, o.customer_count))
                    RETURNING 1
                )
                SELECT (SELECT COUNT(*) FROM removed) + (SELECT COUNT(*) FROM added)
                """,
                company=company.id,
                as_of=as_of,
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ queue

    @api.model
    def _process_partners(self, partner_ids):
        """Bring everything derived from these customers' documents up to date in
        ``env.company``; False when a run holds the lock. Other addons extend it."""
        return self.run(partner_ids=partner_ids) is not False

    @api.model
    def process_queue(self, commit=False):
        """Process the queued customers of ``env.company`` (see ``_process_partners``);
        return how many, or False if a run of the company holds the lock (the queue then
        waits for the next call)."""
        company = self.env.company
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT array_agg(partner_id) FROM customer_segmentation_queue "
                "WHERE company_id = %s",
                company.id,
            )
        )
        partner_ids = self.env.cr.fetchone()[0]
        if not partner_ids:
            return 0
        if not self._process_partners(partner_ids):
            return False
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_segmentation_queue "
                "WHERE company_id = %s AND partner_id = ANY(%s)",
                company.id,
                partner_ids,
            )
        )
        if commit:
            self.env["ir.cron"]._commit_progress(len(partner_ids))
        return len(partner_ids)
