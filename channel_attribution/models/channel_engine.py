"""Set-based acquisition and revenue attribution over touchpoints, per company.

A touchpoint is a lead/opportunity or a sale order that carries UTM data, dated by its
creation (leads) or order date (orders), and belongs to the commercial entity of its
partner. Its channel is the channel mapping its source, else its medium, else Unassigned.

An interactive run recomputes everyone (or some customers) in one transaction. The
scheduled job is incremental: it queues the customers whose orders or leads changed since its
last run (the watermark) for the freshness queue, which re-attributes them in batches. A full
recomputation (first run, or a setting that changes every share) walks the customers in
ranges of ids, one range per transaction, so that it finishes at any size. The daily revenue
per channel is maintained from the difference each run makes, and so is the daily sales
volume (orders, units, revenue), where each whole order counts in its own channel, and so
are the daily leads and new customers (channel_funnel_engine.py).
"""

import logging
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from odoo.addons.customer_segmentation.tools import (
    IdRange,
    analyze_if_stale,
    contacts_scope,
    partner_scope,
    tune_transaction,
)

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


def attribution_model_selection(records):
    """The attribution models, for the fields that store one."""
    return records.env["customer.channel.engine"]._attribution_model_selection()


NEW_ATTRIBUTION = SQL.identifier("customer_channel_attribution_new")
OLD_ATTRIBUTION = SQL.identifier("customer_channel_attribution_old")
NEW_VOLUME = SQL.identifier("customer_channel_order_new")
OLD_VOLUME = SQL.identifier("customer_channel_order_old")
# Time decay weighs a touchpoint 2^-(days / half-life); beyond this many half-lives every
# weight is the same negligible one instead of an underflow.
MAX_HALF_LIVES = 1000
MAX_ID = 2**31 - 1
# Days of daily revenue that one call of the scheduled job rebuilds at the end of a full run.
# At 1m, the benchmark's second company (a tenth of the customers) took 52 s in one
# statement, 3-7 s per 92 days: the first company's would take minutes at once.
REVENUE_REBUILD_DAYS = 31


def _from_day(since, partner, day):
    """(join, condition) keeping, of a customer in ``since`` ({commercial partner id: day}),
    only the rows whose ``day`` column is that day or later."""
    if not since:
        return SQL(), SQL()
    return (
        SQL(
            "LEFT JOIN unnest(%s::int[], %s::date[]) AS since(partner_id, day) "
            "ON since.partner_id = %s",
            list(since),
            list(since.values()),
            partner,
        ),
        SQL("AND (since.day IS NULL OR %s >= since.day)", day),
    )


class CustomerChannelEngine(models.AbstractModel):
    _name = "customer.channel.engine"
    _inherit = ["customer.insight.engine"]
    _description = "Channel Attribution Engine"

    _lock_key = 1129334868  # arbitrary constant ("CATT")
    _batch_partners = 5000  # customers per transaction of the scheduled job

    # ------------------------------------------------------------------ entry points

    @api.model
    def recompute(self, partner_ids=None):
        """Acquisition, attribution and sales volume of ``env.company`` (of these customers
        only, when given), in one transaction; Customer Insight managers only. False if another run
        holds the company's lock."""
        self._check_access_manager()
        return self._recompute(partner_ids)

    @api.model
    def _recompute(self, partners=None, changed_from=None):
        """``recompute`` without the access check; ``partners`` as in ``partner_scope``.
        ``changed_from`` ({commercial partner id: day or None}, the queue's) tells from
        which day each customer's history changed: their orders before it are left as
        they are attributed (see ``_unchanged_before``)."""
        company = self.env.company
        self.env.flush_all()
        if not self._try_lock(company):
            _logger.info("Channel attribution of %s already running", company.name)
            return False
        if partners is None:
            self._start_full_run(company)
        acquisition = self._recompute_acquisition(partners)
        since = self._unchanged_before(company, changed_from)
        result = {
            "acquisition": acquisition,
            **self._recompute_attribution(partners, since=since),
            "volume": self._recompute_volume(partners, since),
        }
        result["funnel"] = self._recompute_funnel(partners)
        if partners is None:
            self._rebuild_revenue(company)
            self._finish_full_run(company)
        return result

    @api.private
    def _unchanged_before(self, company, changed_from):
        """{customer: day} of the customers of ``changed_from`` whose orders before that day
        keep their attribution: each of their touchpoints on or after it sways only orders
        on or after it. Not if the customer's acquisition, where the orders without a
        touchpoint may go, was just written or is gone."""
        days = {partner: day for partner, day in (changed_from or {}).items() if day}
        if not days or company.channel_attribution_fallback != "acquisition":
            return days
        self.env.cr.execute(
            SQL(
                """SELECT a.partner_id FROM customer_acquisition a
                    WHERE a.company_id = %s AND a.partner_id = ANY(%s)
                      AND a.write_date < now() AT TIME ZONE 'UTC'""",
                company.id,
                list(days),
            )
        )
        return {partner: days[partner] for (partner,) in self.env.cr.fetchall()}

    @api.model
    def _cron_attribute(self):
        """Nightly, for every company: re-attribute what changed since the last run, or go
        on with a full recomputation when one is due. A company whose changes were queued
        in the job's current run is done for this run."""
        run = self._cron_run_key()

        def due(company):
            if company.channel_attribution_cursor or not (
                company.channel_attribution_as_of and company.channel_attribution_watermark
            ):
                return True  # a full recomputation is under way or due
            return bool(run) and not self._done_in_run(company.channel_attribution_queued_run)

        companies = self.env["res.company"].search([])
        self._cron_per_company(companies.filtered(due), "_step_attribute")

    @api.private
    def _step_attribute(self):
        """One transaction of the scheduled job for ``env.company``; returns 1 while a full
        recomputation has customers left, 0 when done, None if another run holds the lock."""
        company = self.env.company
        self.env.flush_all()
        if not self._try_lock(company):
            return None
        incremental = company.channel_attribution_as_of and company.channel_attribution_watermark
        if incremental and not company.channel_attribution_cursor:
            self._queue_changed_customers(company)
            return 0
        return self._step_full_run(company)

    @api.private
    def _queue_changed_customers(self, company):
        """Queue the customers whose orders or leads were written since the watermark, so
        that the freshness queue re-attributes them, and move the watermark to now. Orders
        confirmed and leads edited through Odoo are queued at once; this catches the rest
        (amounts edited, documents written by imports or by SQL). A confirmed order changed
        its customer's history from the earlier of its day and the day of its stored row,
        or from its day if it is new since the watermark (an older one without a row, a
        quotation or a lead may have been anything before: all of its customer's history)."""
        since = company.channel_attribution_watermark
        self.env["customer.segmentation.queue"]._enqueue_sql(
            SQL(
                """
                SELECT %(company)s AS company_id, rp.commercial_partner_id AS partner_id,
                       t.changed_from
                  FROM (SELECT so.partner_id,
                               CASE WHEN so.state <> 'sale' THEN NULL
                                    WHEN c.id IS NOT NULL THEN LEAST(so.date_order::date, c.date)
                                    WHEN so.create_date > %(since)s THEN so.date_order::date
                               END AS changed_from
                          FROM sale_order so
                          LEFT JOIN customer_channel_order c ON c.order_id = so.id
                         WHERE so.company_id = %(company)s AND so.write_date > %(since)s
                        UNION ALL
                        SELECT partner_id, NULL FROM crm_lead
                         WHERE (company_id = %(company)s OR company_id IS NULL)
                           AND partner_id IS NOT NULL AND write_date > %(since)s) t
                  JOIN res_partner rp ON rp.id = t.partner_id
                """,
                company=company.id,
                since=since,
            ),
            dated=True,
        )
        queued = self.env.cr.rowcount
        self._refresh_changed_funnel(company, since)
        company.sudo().write(
            {
                "channel_attribution_watermark": self.env.cr.now(),
                "channel_attribution_queued_run": self._cron_run_key(),
            }
        )
        if queued:
            self.env.ref(
                "customer_segmentation.ir_cron_process_segmentation_queue"
            ).sudo()._trigger()
        _logger.info("Attribution of %s: %s changed customers queued", company.name, queued)

    @api.private
    def _step_full_run(self, company):
        """The next ``_batch_partners`` customers of a full recomputation, by id; once all
        are done (the cursor at ``MAX_ID``), a step of its end (``_step_finish``)."""
        low = company.channel_attribution_cursor
        if low == MAX_ID:
            return self._step_finish(company)
        if not low:
            self._start_full_run(company)
        self.env.cr.execute(
            SQL(
                """SELECT id FROM res_partner WHERE id > %s AND id = commercial_partner_id
                    ORDER BY id OFFSET %s LIMIT 1""",
                low,
                self._batch_partners - 1,
            )
        )
        row = self.env.cr.fetchone()
        high = row[0] if row else MAX_ID
        self._recompute_acquisition(IdRange(low, high))
        self._recompute_attribution(IdRange(low, high))
        self._recompute_volume(IdRange(low, high))
        self._recompute_funnel(IdRange(low, high))
        company.sudo().channel_attribution_cursor = high
        return 1

    @api.private
    def _step_finish(self, company):
        """A step of the end of a full recomputation: the daily revenue of the next
        ``REVENUE_REBUILD_DAYS`` rebuilt from the attribution rows, then the rest of the end
        (a long step). Returns the steps left."""
        self.env.cr.execute(
            SQL(
                """SELECT LEAST(a.first, r.first), GREATEST(a.last, r.last)
                     FROM (SELECT MIN(date) AS first, MAX(date) AS last
                             FROM customer_channel_attribution WHERE company_id = %(company)s) a,
                          (SELECT MIN(date) AS first, MAX(date) AS last
                             FROM customer_channel_revenue WHERE company_id = %(company)s) r""",
                company=company.id,
            )
        )
        first, last = self.env.cr.fetchone()
        rebuilt = company.channel_attribution_revenue_rebuilt_to
        start = rebuilt + timedelta(days=1) if rebuilt else first
        if start and last and start <= last:
            end = start + timedelta(days=REVENUE_REBUILD_DAYS - 1)
            self._rebuild_revenue(company, start, end)
            company.sudo().channel_attribution_revenue_rebuilt_to = end
            return 1 + math.ceil(max((last - end).days, 0) / REVENUE_REBUILD_DAYS)
        if not self._long_step_may_start():
            return None
        self._finish_full_run(company)
        return 0

    @api.private
    def _start_full_run(self, company):
        """A full run covers every document written before it starts. It reads the stored
        rows range by range through the partner index: plan that on fresh statistics (after
        bulk writes they can be far off, and a range then costs seconds more)."""
        company.sudo().write(
            {
                "channel_attribution_watermark": self.env.cr.now(),
                "channel_attribution_revenue_rebuilt_to": False,
            }
        )
        self.env.cr.execute(SQL("ANALYZE customer_channel_attribution"))

    @api.private
    def _finish_full_run(self, company):
        """The end of a full recomputation, once its daily revenue is rebuilt: the other
        daily sums rebuilt from the rows."""
        self._rebuild_volume(company)
        self._finish_funnel(company)
        # The queue then reads the rows of its customers on statistics of the tables the
        # run filled, not of the empty ones (a scan of every funnel row per batch); the
        # reports group by the channels.
        analyze_if_stale(
            self.env.cr, "customer_acquisition", "customer_channel_funnel", "customer_channel"
        )
        company.sudo().write(
            {
                "channel_attribution_cursor": 0,
                "channel_attribution_revenue_rebuilt_to": False,
                "channel_attribution_as_of": fields.Date.today(),
            }
        )

    # ------------------------------------------------------------------ touchpoints

    def _unassigned_channel(self):
        return self.env.ref("channel_attribution.channel_unassigned")

    @api.model
    def _channel_map_sql(self):
        """(company_id, kind, utm_id, channel_id): the channel of each UTM source (kind
        'source') and medium ('medium') in each company. A company's own channel wins over a
        shared one, then the lowest sequence."""
        return SQL(
            """
            SELECT DISTINCT ON (co.id, m.kind, m.utm_id) co.id AS company_id, m.kind, m.utm_id,
                   c.id AS channel_id
              FROM (SELECT 'source' AS kind, source_id AS utm_id, channel_id
                      FROM customer_channel_utm_source_rel
                    UNION ALL
                    SELECT 'medium', medium_id, channel_id FROM customer_channel_utm_medium_rel) m
              JOIN customer_channel c ON c.id = m.channel_id AND c.active
              JOIN res_company co ON c.company_id IS NULL OR c.company_id = co.id
             ORDER BY co.id, m.kind, m.utm_id, c.company_id IS NULL, c.sequence, c.id
            """
        )

    @api.model
    def _channel_of_sql(self, channel_map, company, source, medium):
        """The channel of a document from its ``source`` and ``medium`` columns: joins on
        the ``channel_map`` CTE (aliases src and med) and the expression of the channel."""
        joins = SQL(
            """LEFT JOIN %(map)s src ON src.company_id = %(company)s AND src.kind = 'source'
                                     AND src.utm_id = %(source)s
               LEFT JOIN %(map)s med ON med.company_id = %(company)s AND med.kind = 'medium'
                                     AND med.utm_id = %(medium)s""",
            map=SQL.identifier(channel_map),
            company=company,
            source=source,
            medium=medium,
        )
        channel = SQL("COALESCE(src.channel_id, med.channel_id, %s)", self._unassigned_channel().id)
        return joins, channel

    @api.model
    def _touchpoints_sql(self, company, partners=None):
        """(partner_id, ts, kind, ref_id, source_id, medium_id, campaign_id, channel_id)."""
        joins, channel = self._channel_of_sql(
            "channel_map",
            company.id,
            SQL.identifier("t", "source_id"),
            SQL.identifier("t", "medium_id"),
        )
        return SQL(
            """
            WITH channel_map AS (%(channel_map)s)
            SELECT t.*, %(channel)s AS channel_id
              FROM (
                SELECT rp.commercial_partner_id AS partner_id, l.create_date AS ts,
                       'lead' AS kind, l.id AS ref_id, l.source_id, l.medium_id, l.campaign_id
                  FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
                 WHERE (l.company_id = %(company)s OR l.company_id IS NULL)
                   AND COALESCE(l.source_id, l.medium_id, l.campaign_id) IS NOT NULL
                   %(lead_scope)s
                UNION ALL
                SELECT rp.commercial_partner_id, so.date_order, 'order', so.id,
                       so.source_id, so.medium_id, so.campaign_id
                  FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.company_id = %(company)s AND so.state <> 'cancel'
                   AND COALESCE(so.source_id, so.medium_id, so.campaign_id) IS NOT NULL
                   %(order_scope)s
              ) t
              %(joins)s
            """,
            channel_map=self._channel_map_sql(),
            channel=channel,
            joins=joins,
            company=company.id,
            lead_scope=contacts_scope(SQL.identifier("l", "partner_id"), partners),
            order_scope=contacts_scope(SQL.identifier("so", "partner_id"), partners),
        )

    # ------------------------------------------------------------------ acquisition

    @api.model
    def _recompute_acquisition(self, partners=None):
        """Set each customer's acquisition (earliest touchpoint) in ``env.company``, except
        where a manager set it by hand. Returns the number of rows written or deleted."""
        company = self.env.company
        self.env.flush_all()
        tune_transaction(self.env.cr)
        self.env.cr.execute(
            SQL(
                """
                WITH touch AS (%(touchpoints)s),
                earliest AS (
                    SELECT DISTINCT ON (partner_id) partner_id, ts, channel_id, source_id,
                           medium_id, campaign_id
                      FROM touch
                     ORDER BY partner_id, ts, kind, ref_id
                ),
                written AS (
                    INSERT INTO customer_acquisition (
                        partner_id, company_id, channel_id, source_id, medium_id, campaign_id,
                        date, is_manual, create_uid, create_date, write_uid, write_date)
                    SELECT partner_id, %(company)s, channel_id, source_id, medium_id, campaign_id,
                           ts::date, FALSE, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                           now() AT TIME ZONE 'UTC'
                      FROM earliest
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                       SET channel_id = EXCLUDED.channel_id, source_id = EXCLUDED.source_id,
                           medium_id = EXCLUDED.medium_id, campaign_id = EXCLUDED.campaign_id,
                           date = EXCLUDED.date, write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date
                     WHERE NOT customer_acquisition.is_manual
                       AND (customer_acquisition.channel_id, customer_acquisition.source_id,
                            customer_acquisition.medium_id, customer_acquisition.campaign_id,
                            customer_acquisition.date)
                           IS DISTINCT FROM (EXCLUDED.channel_id, EXCLUDED.source_id,
                            EXCLUDED.medium_id, EXCLUDED.campaign_id, EXCLUDED.date)
                    RETURNING 1
                ),
                removed AS (
                    DELETE FROM customer_acquisition a
                     WHERE a.company_id = %(company)s AND NOT a.is_manual %(scope)s
                       AND NOT EXISTS (SELECT 1 FROM earliest e WHERE e.partner_id = a.partner_id)
                    RETURNING 1
                )
                SELECT (SELECT COUNT(*) FROM written) + (SELECT COUNT(*) FROM removed)
                """,
                touchpoints=self._touchpoints_sql(company, partners),
                company=company.id,
                uid=self.env.uid,
                scope=partner_scope(SQL.identifier("a", "partner_id"), partners),
            )
        )
        count = self.env.cr.fetchone()[0]
        self.env["customer.acquisition"].invalidate_model()
        return count

    # ------------------------------------------------------------------ attribution

    @api.model
    def _attribution_models(self):
        """{code: (label, share)}: the attribution models, in the order users see them; a
        new model is one more entry (an extension overrides this method). The share of a
        touchpoint is an SQL expression over the columns of ``positioned`` (ts, first_ts,
        last_ts, n, n_first, n_last, decay, decay_total); the shares of an order must add up
        to 1. Ties in time share the first or last position equally."""
        return {
            "first_touch": (
                _lt("First touch"),
                "CASE WHEN ts = first_ts THEN 1.0 / n_first ELSE 0 END",
            ),
            "last_touch": (
                _lt("Last touch"),
                "CASE WHEN ts = last_ts THEN 1.0 / n_last ELSE 0 END",
            ),
            "linear": (_lt("Linear"), "1.0 / n"),
            "position_based": (
                _lt("Position-based (40/20/40)"),
                """CASE
                    WHEN first_ts = last_ts THEN 1.0 / n
                    WHEN n_first + n_last = n
                        THEN 0.5 / CASE WHEN ts = first_ts THEN n_first ELSE n_last END
                    WHEN ts = first_ts THEN 0.4 / n_first
                    WHEN ts = last_ts THEN 0.4 / n_last
                    ELSE 0.2 / (n - n_first - n_last) END""",
            ),
            "time_decay": (_lt("Time decay"), "decay / decay_total"),
        }

    @api.model
    def _attribution_model_selection(self):
        return [
            (code, self.env._(label)) for code, (label, _s) in self._attribution_models().items()
        ]

    def _weights_sql(self, models_):
        """(order_id, channel_id, model, weight) of every touchpoint under ``models_``."""
        shares = self._attribution_models()
        values = SQL(", ").join(
            SQL("(%s, (%s)::float8)", model, SQL(shares[model][1])) for model in models_
        )
        return SQL(
            """SELECT order_id, channel_id, m.model, m.weight
                 FROM positioned CROSS JOIN LATERAL (VALUES %s) AS m(model, weight)""",
            values,
        )

    @api.model
    def _recompute_attribution(self, partners=None, attribution_models=None, since=None):
        """Attribute the revenue of the confirmed orders of ``env.company`` (of
        ``partners`` only, when given; of a customer in ``since``, from that day on) to
        channels under each model; write only the rows that changed and their difference
        to the daily revenue. Returns {"written": n, "deleted": n}."""
        company = self.env.company
        models_ = list(attribution_models or self._attribution_models())
        self.env.flush_all()
        cr = self.env.cr
        tune_transaction(cr)
        cr.execute(SQL("DROP TABLE IF EXISTS %s, %s", NEW_ATTRIBUTION, OLD_ATTRIBUTION))
        # The stored rows are read by customer and order: on the statistics of an empty
        # table (no autovacuum yet after the first runs), by a scan of them all.
        analyze_if_stale(cr, "customer_channel_attribution")
        cr.execute(self._new_attribution_sql(company, partners, models_, since))
        cr.execute(SQL("ANALYZE %s", NEW_ATTRIBUTION))  # temporary tables get no statistics
        cr.execute(self._old_attribution_sql(company, partners, models_, since))
        cr.execute(SQL("ANALYZE %s", OLD_ATTRIBUTION))
        self._write_revenue_difference(company)
        deleted = self._delete_stale_attribution()
        written = self._upsert_attribution(company)
        cr.execute(SQL("DROP TABLE %s, %s", NEW_ATTRIBUTION, OLD_ATTRIBUTION))
        self.env["customer.channel.attribution"].invalidate_model()
        return {"written": written, "deleted": deleted}

    def _new_attribution_sql(self, company, partners, models_, since=None):
        """CREATE the temporary table of the attribution rows as they should be: each
        order's amount shared between the channels of its touchpoints under each model."""
        return SQL(
            """
            CREATE TEMP TABLE %(new)s AS
            WITH touch AS (%(touchpoints)s),
            orders AS (%(orders)s),
            %(positioned)s,
            weighted AS (%(weighted)s),
            per_channel AS (
                SELECT order_id, channel_id, model, SUM(weight)::numeric AS weight
                  FROM weighted GROUP BY order_id, channel_id, model
                HAVING SUM(weight) > 0
            ),
            cumulated AS (
                SELECT pc.*, o.amount, o.date, o.partner_id, o.user_id, o.campaign_id,
                       SUM(pc.weight) OVER w AS upto,
                       ROW_NUMBER() OVER w = COUNT(*) OVER (PARTITION BY pc.order_id, pc.model)
                           AS is_last
                  FROM per_channel pc JOIN orders o ON o.order_id = pc.order_id
                WINDOW w AS (PARTITION BY pc.order_id, pc.model ORDER BY pc.channel_id)
            )
            -- Cumulated rounding: the shares of an order add up to its amount exactly.
            SELECT order_id, channel_id, model AS attribution_model, date, partner_id,
                   user_id, campaign_id,
                   CASE WHEN is_last THEN amount ELSE ROUND(amount * upto, %(digits)s) END
                   - ROUND(amount * (upto - weight), %(digits)s) AS amount
              FROM cumulated
            """,
            new=NEW_ATTRIBUTION,
            touchpoints=self._touchpoints_sql(company, partners),
            orders=self._orders_sql(company, partners, since),
            positioned=self._positioned_sql(company),
            weighted=self._weighted_sql(company, models_),
            digits=company.currency_id.decimal_places,
        )

    def _orders_sql(self, company, partners, since=None):
        """The confirmed orders to attribute (of a customer in ``since``, from that day
        on), their amount in the company currency."""
        since_join, since_condition = _from_day(
            since, SQL.identifier("rp", "commercial_partner_id"), SQL.identifier("so", "date_order")
        )
        return SQL(
            """
            SELECT so.id AS order_id, rp.commercial_partner_id AS partner_id,
                   so.date_order AS ts, so.date_order::date AS date,
                   ROUND((so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))::numeric,
                         %(digits)s) AS amount,
                   so.user_id, so.campaign_id, so.source_id, so.medium_id
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
              %(since_join)s
             WHERE so.company_id = %(company)s AND so.state = 'sale' %(scope)s
                   %(since_condition)s
            """,
            digits=company.currency_id.decimal_places,
            company=company.id,
            scope=contacts_scope(SQL.identifier("so", "partner_id"), partners),
            since_join=since_join,
            since_condition=since_condition,
        )

    def _positioned_sql(self, company):
        """CTEs pairs, extremes and positioned: each order's touchpoints in the lookback
        window with what the models weigh them by (positions, ties, time decay)."""
        lookback = company.channel_attribution_lookback_days
        return SQL(
            """
            pairs AS (
                SELECT o.order_id, t.channel_id, t.ts,
                       EXTRACT(EPOCH FROM o.ts - t.ts)::float8 / 86400 AS days
                  FROM orders o
                  JOIN touch t ON t.partner_id = o.partner_id AND t.ts <= o.ts %(window)s
            ),
            extremes AS (
                SELECT p.*, COUNT(*) OVER w AS n, MIN(ts) OVER w AS first_ts,
                       MAX(ts) OVER w AS last_ts,
                       power(2.0::float8, -LEAST(days / %(half_life)s, %(max_half_lives)s))
                           AS decay
                  FROM pairs p WINDOW w AS (PARTITION BY order_id)
            ),
            positioned AS (
                SELECT e.*,
                       COUNT(*) FILTER (WHERE ts = first_ts) OVER w AS n_first,
                       COUNT(*) FILTER (WHERE ts = last_ts) OVER w AS n_last,
                       SUM(decay) OVER w AS decay_total
                  FROM extremes e WINDOW w AS (PARTITION BY order_id)
            )
            """,
            window=(
                SQL("AND t.ts >= o.ts - make_interval(days => %s)", lookback) if lookback else SQL()
            ),
            half_life=company.channel_attribution_half_life_days,
            max_half_lives=MAX_HALF_LIVES,
        )

    def _fallback_channel_sql(self, company):
        """The channel of an order ``o`` without a touchpoint: its customer's acquisition
        channel or Unassigned, as the company's setting says."""
        fallback = (
            SQL(
                "(SELECT a.channel_id FROM customer_acquisition a "
                "WHERE a.partner_id = o.partner_id AND a.company_id = %s)",
                company.id,
            )
            if company.channel_attribution_fallback == "acquisition"
            else SQL("NULL::int")
        )
        return SQL("COALESCE(%s, %s)", fallback, self._unassigned_channel().id)

    def _weighted_sql(self, company, models_):
        """(order_id, channel_id, model, weight) under each model; an order without a
        touchpoint goes to the fallback channel."""
        return SQL(
            """
            %(weights)s
            UNION ALL
            SELECT o.order_id, %(fallback)s, m.model, 1
              FROM orders o CROSS JOIN unnest(%(models)s::varchar[]) AS m(model)
             WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.order_id = o.order_id)
            """,
            weights=self._weights_sql(models_),
            fallback=self._fallback_channel_sql(company),
            models=models_,
        )

    def _old_attribution_sql(self, company, partners, models_, since=None):
        """CREATE the temporary table of the stored rows that the new ones replace: those
        of the customers in scope (in ``since``, from that day on), and any other row of
        the orders attributed anew (two index scans, not one scan of the table)."""
        since_join, since_condition = _from_day(
            since, SQL.identifier("a", "partner_id"), SQL.identifier("a", "date")
        )
        of_scope = SQL(
            """SELECT a.id, a.order_id, a.channel_id, a.attribution_model, a.date, a.partner_id,
                      a.user_id, a.campaign_id, a.amount
                 FROM customer_channel_attribution a %(since_join)s
                WHERE a.company_id = %(company)s AND a.attribution_model = ANY(%(models)s)
                      %(scope)s %(since_condition)s""",
            company=company.id,
            models=models_,
            scope=partner_scope(SQL.identifier("a", "partner_id"), partners),
            since_join=since_join,
            since_condition=since_condition,
        )
        if partners is None:
            return SQL("CREATE TEMP TABLE %s AS %s", OLD_ATTRIBUTION, of_scope)
        return SQL(
            """
            CREATE TEMP TABLE %(old)s AS
            %(of_scope)s
            UNION
            SELECT a.id, a.order_id, a.channel_id, a.attribution_model, a.date, a.partner_id,
                   a.user_id, a.campaign_id, a.amount
              FROM customer_channel_attribution a
             -- an array, read by the order index (a join scanned the whole table)
             WHERE a.order_id = ANY(ARRAY(SELECT DISTINCT order_id FROM %(new)s))
               AND a.company_id = %(company)s AND a.attribution_model = ANY(%(models)s)
            """,
            old=OLD_ATTRIBUTION,
            of_scope=of_scope,
            new=NEW_ATTRIBUTION,
            company=company.id,
            models=models_,
        )

    def _write_revenue_difference(self, company):
        """Add the difference between the new and the old rows to the daily revenue."""
        self._add_to_revenue(
            SQL(
                """SELECT %(company)s AS company_id, date, channel_id, user_id, campaign_id,
                          attribution_model, amount FROM %(new)s
                   UNION ALL
                   SELECT %(company)s, date, channel_id, user_id, campaign_id,
                          attribution_model, -amount FROM %(old)s""",
                company=company.id,
                new=NEW_ATTRIBUTION,
                old=OLD_ATTRIBUTION,
            )
        )

    def _add_to_revenue(self, amounts):
        """Add ``amounts`` (a statement returning company_id, date, channel_id, user_id,
        campaign_id, attribution_model, amount; it may modify data) to the daily revenue
        and to its sums per day, channel and model, in one statement."""
        self.env.cr.execute(
            SQL(
                """
                WITH amounts AS (%(amounts)s),
                delta AS (
                    SELECT company_id, date, channel_id, user_id, campaign_id,
                           attribution_model, SUM(amount) AS amount
                      FROM amounts
                     GROUP BY company_id, date, channel_id, user_id, campaign_id,
                              attribution_model
                    HAVING SUM(amount) <> 0
                ),
                daily AS (
                    INSERT INTO customer_channel_revenue_daily (
                        company_id, date, channel_id, attribution_model, amount)
                    SELECT company_id, date, channel_id, attribution_model, SUM(amount)
                      FROM delta
                     GROUP BY company_id, date, channel_id, attribution_model
                    HAVING SUM(amount) <> 0
                )
                INSERT INTO customer_channel_revenue (
                    company_id, date, channel_id, user_id, campaign_id, attribution_model,
                    amount)
                SELECT * FROM delta
                """,
                amounts=amounts,
            )
        )
        self.env["customer.channel.revenue"].invalidate_model()
        self.env["customer.channel.revenue.daily"].invalidate_model()

    def _delete_stale_attribution(self):
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_channel_attribution a USING %(old)s o
                 WHERE a.id = o.id AND NOT EXISTS (
                       SELECT 1 FROM %(new)s n
                        WHERE (n.order_id, n.channel_id, n.attribution_model)
                              = (o.order_id, o.channel_id, o.attribution_model))
                """,
                old=OLD_ATTRIBUTION,
                new=NEW_ATTRIBUTION,
            )
        )
        return self.env.cr.rowcount

    def _upsert_attribution(self, company):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_channel_attribution (
                    order_id, channel_id, attribution_model, amount, date, company_id,
                    partner_id, user_id, campaign_id)
                SELECT n.order_id, n.channel_id, n.attribution_model, n.amount, n.date,
                       %(company)s, n.partner_id, n.user_id, n.campaign_id
                  FROM %(new)s n
                  -- Rows equal to their stored one are skipped: an upsert would lock them.
                  LEFT JOIN %(old)s o USING (order_id, channel_id, attribution_model)
                 WHERE (o.amount, o.date, o.partner_id, o.user_id, o.campaign_id)
                       IS DISTINCT FROM (n.amount, n.date, n.partner_id, n.user_id, n.campaign_id)
                ON CONFLICT (order_id, channel_id, attribution_model) DO UPDATE
                   SET amount = EXCLUDED.amount, date = EXCLUDED.date,
                       partner_id = EXCLUDED.partner_id, user_id = EXCLUDED.user_id,
                       campaign_id = EXCLUDED.campaign_id
                 WHERE (customer_channel_attribution.amount, customer_channel_attribution.date,
                        customer_channel_attribution.partner_id,
                        customer_channel_attribution.user_id,
                        customer_channel_attribution.campaign_id)
                       IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.date, EXCLUDED.partner_id,
                        EXCLUDED.user_id, EXCLUDED.campaign_id)
                """,
                company=company.id,
                new=NEW_ATTRIBUTION,
                old=OLD_ATTRIBUTION,
            )
        )
        return self.env.cr.rowcount

    def _rebuild_revenue(self, company, start=None, end=None):
        """Rebuild the daily revenue of ``company`` (from ``start`` to ``end`` only, when
        given) from the attribution rows: one row per key instead of the differences added
        since, and right whatever happened."""
        dates = SQL("AND date BETWEEN %s AND %s", start, end) if start else SQL()
        self.env.cr.execute(
            SQL(
                """DELETE FROM customer_channel_revenue WHERE company_id = %(company)s %(dates)s;
                   DELETE FROM customer_channel_revenue_daily
                    WHERE company_id = %(company)s %(dates)s""",
                company=company.id,
                dates=dates,
            )
        )
        self._add_to_revenue(
            SQL(
                """SELECT company_id, date, channel_id, user_id, campaign_id, attribution_model,
                          amount
                     FROM customer_channel_attribution WHERE company_id = %s %s""",
                company.id,
                dates,
            )
        )

    # ------------------------------------------------------------------ sales volume

    @api.model
    def _recompute_volume(self, partners=None, since=None):
        """Put each confirmed order of ``env.company`` (of ``partners`` only, when given; of
        a customer in ``since``, from that day on) in its own channel with its units and
        revenue; write only the rows that changed and their difference to the daily sales
        volume. Returns the rows written or deleted."""
        company = self.env.company
        self.env.flush_all()
        cr = self.env.cr
        tune_transaction(cr)
        cr.execute(SQL("DROP TABLE IF EXISTS %s, %s", NEW_VOLUME, OLD_VOLUME))
        analyze_if_stale(cr, "customer_channel_order")  # as for the attribution
        cr.execute(self._new_volume_sql(company, partners, since))
        cr.execute(SQL("ANALYZE %s", NEW_VOLUME))
        cr.execute(self._old_volume_sql(company, partners, since))
        cr.execute(SQL("ANALYZE %s", OLD_VOLUME))
        cr.execute(self._volume_difference_sql(company))
        cr.execute(
            SQL(
                """DELETE FROM customer_channel_order c USING %(old)s o
                    WHERE c.id = o.id
                      AND NOT EXISTS (SELECT 1 FROM %(new)s n WHERE n.order_id = o.order_id)""",
                old=OLD_VOLUME,
                new=NEW_VOLUME,
            )
        )
        changed = cr.rowcount
        cr.execute(self._upsert_volume_sql(company))
        changed += cr.rowcount
        cr.execute(SQL("DROP TABLE %s, %s", NEW_VOLUME, OLD_VOLUME))
        self.env["customer.channel.order"].invalidate_model()
        self.env["customer.channel.volume"].invalidate_model()
        return changed

    def _new_volume_sql(self, company, partners, since=None):
        """CREATE the temporary table of the orders in their channel as they should be: the
        channel of the order's own source, else medium (Unassigned when they map to none),
        the fallback channel when it has neither; units in each product's unit of measure."""
        joins, channel = self._channel_of_sql(
            "channel_map",
            company.id,
            SQL.identifier("o", "source_id"),
            SQL.identifier("o", "medium_id"),
        )
        # An order's lines are read by the order (OFFSET 0 fences the subquery): when few
        # products are known, the planner started from them and intersected each product's
        # lines with the order's, 12 s per queue batch of 5 000 customers at 1m.
        return SQL(
            """
            CREATE TEMP TABLE %(new)s AS
            WITH channel_map AS (%(channel_map)s),
            orders AS (%(orders)s)
            SELECT o.order_id, o.partner_id, o.date, o.user_id, o.campaign_id, o.amount,
                   CASE WHEN COALESCE(o.source_id, o.medium_id) IS NULL THEN %(fallback)s
                        ELSE %(channel)s END AS channel_id,
                   COALESCE(u.units, 0) AS units
              FROM orders o
              %(joins)s
              LEFT JOIN LATERAL (
                SELECT ROUND(SUM(l.product_uom_qty * lu.factor / pu.factor)::numeric,
                             %(digits)s) AS units
                  FROM (SELECT product_id, product_uom_id, product_uom_qty
                          FROM sale_order_line
                         WHERE order_id = o.order_id AND display_type IS NULL
                           AND is_downpayment IS NOT TRUE
                        OFFSET 0) l
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN uom_uom lu ON lu.id = l.product_uom_id
                  JOIN uom_uom pu ON pu.id = pt.uom_id
              ) u ON TRUE
            """,
            new=NEW_VOLUME,
            channel_map=self._channel_map_sql(),
            orders=self._orders_sql(company, partners, since),
            fallback=self._fallback_channel_sql(company),
            channel=channel,
            joins=joins,
            digits=self.env["decimal.precision"].precision_get("Product Unit"),
        )

    def _old_volume_sql(self, company, partners, since=None):
        """CREATE the temporary table of the stored rows that the new ones replace: those
        of the customers in scope (in ``since``, from that day on), and the row of any
        order put anew (whatever its company: the difference goes to the company of each
        row)."""
        columns = SQL(
            "c.id, c.order_id, c.company_id, c.partner_id, c.date, c.channel_id, c.user_id, "
            "c.campaign_id, c.units, c.amount"
        )
        since_join, since_condition = _from_day(
            since, SQL.identifier("c", "partner_id"), SQL.identifier("c", "date")
        )
        of_scope = SQL(
            "SELECT %s FROM customer_channel_order c %s WHERE c.company_id = %s %s %s",
            columns,
            since_join,
            company.id,
            partner_scope(SQL.identifier("c", "partner_id"), partners),
            since_condition,
        )
        if partners is None:  # the orders put anew add only rows of other companies
            put_anew = SQL(
                "UNION ALL SELECT %s FROM customer_channel_order c JOIN %s n "
                "ON n.order_id = c.order_id WHERE c.company_id <> %s",
                columns,
                NEW_VOLUME,
                company.id,
            )
        else:  # an array, read by the order index (a join scanned the whole table)
            put_anew = SQL(
                "UNION SELECT %s FROM customer_channel_order c "
                "WHERE c.order_id = ANY(ARRAY(SELECT order_id FROM %s))",
                columns,
                NEW_VOLUME,
            )
        return SQL("CREATE TEMP TABLE %s AS %s %s", OLD_VOLUME, of_scope, put_anew)

    def _volume_difference_sql(self, company):
        """Add the difference between the new and the old rows to the daily sales volume."""
        return SQL(
            """
            INSERT INTO customer_channel_volume (
                company_id, date, channel_id, user_id, campaign_id, order_count, units, amount)
            SELECT company_id, date, channel_id, user_id, campaign_id, SUM(n), SUM(units),
                   SUM(amount)
              FROM (SELECT %(company)s AS company_id, date, channel_id, user_id, campaign_id,
                           1 AS n, units, amount
                      FROM %(new)s
                    UNION ALL
                    SELECT company_id, date, channel_id, user_id, campaign_id, -1, -units,
                           -amount
                      FROM %(old)s) d
             GROUP BY company_id, date, channel_id, user_id, campaign_id
            HAVING (SUM(n), SUM(units), SUM(amount)) <> (0, 0, 0)
            """,
            company=company.id,
            new=NEW_VOLUME,
            old=OLD_VOLUME,
        )

    def _upsert_volume_sql(self, company):
        return SQL(
            """
            INSERT INTO customer_channel_order (
                order_id, company_id, partner_id, date, channel_id, user_id, campaign_id,
                units, amount)
            SELECT n.order_id, %(company)s, n.partner_id, n.date, n.channel_id, n.user_id,
                   n.campaign_id, n.units, n.amount
              FROM %(new)s n
              -- Rows equal to their stored one are skipped: an upsert would lock them.
              LEFT JOIN %(old)s o USING (order_id)
             WHERE (o.company_id, o.partner_id, o.date, o.channel_id, o.user_id, o.campaign_id,
                    o.units, o.amount)
                   IS DISTINCT FROM (%(company)s, n.partner_id, n.date, n.channel_id, n.user_id,
                    n.campaign_id, n.units, n.amount)
            ON CONFLICT (order_id) DO UPDATE
               SET company_id = EXCLUDED.company_id, partner_id = EXCLUDED.partner_id,
                   date = EXCLUDED.date, channel_id = EXCLUDED.channel_id,
                   user_id = EXCLUDED.user_id, campaign_id = EXCLUDED.campaign_id,
                   units = EXCLUDED.units, amount = EXCLUDED.amount
             WHERE (customer_channel_order.company_id, customer_channel_order.partner_id,
                    customer_channel_order.date, customer_channel_order.channel_id,
                    customer_channel_order.user_id, customer_channel_order.campaign_id,
                    customer_channel_order.units, customer_channel_order.amount)
                   IS DISTINCT FROM (EXCLUDED.company_id, EXCLUDED.partner_id, EXCLUDED.date,
                    EXCLUDED.channel_id, EXCLUDED.user_id, EXCLUDED.campaign_id,
                    EXCLUDED.units, EXCLUDED.amount)
            """,
            company=company.id,
            new=NEW_VOLUME,
            old=OLD_VOLUME,
        )

    def _rebuild_volume(self, company):
        """Rebuild the daily sales volume of ``company`` from its orders by channel."""
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_channel_volume WHERE company_id = %(company)s;
                INSERT INTO customer_channel_volume (
                    company_id, date, channel_id, user_id, campaign_id, order_count, units,
                    amount)
                SELECT %(company)s, date, channel_id, user_id, campaign_id, COUNT(*),
                       SUM(units), SUM(amount)
                  FROM customer_channel_order
                 WHERE company_id = %(company)s
                 GROUP BY date, channel_id, user_id, campaign_id
                """,
                company=company.id,
            )
        )
        self.env["customer.channel.volume"].invalidate_model()

    @api.model
    def _forget_orders(self, order_ids):
        """Remove the attribution and the sales volume of these orders (orders being
        deleted)."""
        self.env.flush_all()
        self._add_to_revenue(
            SQL(
                """DELETE FROM customer_channel_attribution WHERE order_id = ANY(%s)
                   RETURNING company_id, date, channel_id, user_id, campaign_id,
                             attribution_model, -amount AS amount""",
                list(order_ids),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                WITH gone AS (
                    DELETE FROM customer_channel_order WHERE order_id = ANY(%s)
                    RETURNING company_id, date, channel_id, user_id, campaign_id, units, amount
                )
                INSERT INTO customer_channel_volume (
                    company_id, date, channel_id, user_id, campaign_id, order_count, units,
                    amount)
                SELECT company_id, date, channel_id, user_id, campaign_id, -COUNT(*),
                       -SUM(units), -SUM(amount)
                  FROM gone
                 GROUP BY company_id, date, channel_id, user_id, campaign_id
                """,
                list(order_ids),
            )
        )
        self.env["customer.channel.attribution"].invalidate_model()
        self.env["customer.channel.order"].invalidate_model()
        self.env["customer.channel.volume"].invalidate_model()
