"""Set-based acquisition and revenue attribution over touchpoints, per company.

A touchpoint is a lead/opportunity or a sale order that carries UTM data, dated by its
creation (leads) or order date (orders), and belongs to the commercial entity of its
partner. Its channel is the channel mapping its source, else its medium, else Unassigned.
"""

import logging

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.models.segmentation_engine import (
    contacts_scope,
    tune_transaction,
)

from .res_company import ATTRIBUTION_MODELS

_logger = logging.getLogger(__name__)

MODEL_CODES = [code for code, _label in ATTRIBUTION_MODELS]
NEW_ATTRIBUTION = SQL.identifier("customer_channel_attribution_new")


class CustomerChannelEngine(models.AbstractModel):
    _name = "customer.channel.engine"
    _description = "Channel Attribution Engine"

    _lock_key = 1129334868  # arbitrary constant ("CATT")

    def _unassigned_channel(self):
        return self.env.ref("channel_attribution.channel_unassigned")

    @api.model
    def _scope(self, column, partner_ids):
        return (
            SQL("AND %s = ANY(%s)", SQL(column), partner_ids) if partner_ids is not None else SQL()
        )

    @api.model
    def _touchpoints_sql(self, company, partner_ids=None):
        """(partner_id, ts, kind, ref_id, source_id, medium_id, campaign_id, channel_id)."""
        return SQL(
            """
            WITH src AS (
                SELECT DISTINCT ON (r.source_id) r.source_id, c.id AS channel_id
                  FROM customer_channel_utm_source_rel r
                  JOIN customer_channel c ON c.id = r.channel_id
                 WHERE c.active AND (c.company_id = %(company)s OR c.company_id IS NULL)
                 ORDER BY r.source_id, c.company_id IS NULL, c.sequence, c.id
            ),
            med AS (
                SELECT DISTINCT ON (r.medium_id) r.medium_id, c.id AS channel_id
                  FROM customer_channel_utm_medium_rel r
                  JOIN customer_channel c ON c.id = r.channel_id
                 WHERE c.active AND (c.company_id = %(company)s OR c.company_id IS NULL)
                 ORDER BY r.medium_id, c.company_id IS NULL, c.sequence, c.id
            )
            SELECT t.*, COALESCE(src.channel_id, med.channel_id, %(unassigned)s) AS channel_id
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
              LEFT JOIN src ON src.source_id = t.source_id
              LEFT JOIN med ON med.medium_id = t.medium_id
            """,
            company=company.id,
            unassigned=self._unassigned_channel().id,
            lead_scope=contacts_scope("l.partner_id", partner_ids),
            order_scope=contacts_scope("so.partner_id", partner_ids),
        )

    def _try_lock(self, company):
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", self._lock_key, company.id)
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ acquisition

    @api.model
    def recompute_acquisition(self, partner_ids=None):
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
                touchpoints=self._touchpoints_sql(company, partner_ids),
                company=company.id,
                uid=self.env.uid,
                scope=self._scope("a.partner_id", partner_ids),
            )
        )
        count = self.env.cr.fetchone()[0]
        self.env["customer.acquisition"].invalidate_model()
        return count

    # ------------------------------------------------------------------ attribution

    # Share of a touchpoint (columns of ``positioned``) under each model, in float8; ties in
    # time share the first or last position equally.
    _WEIGHTS = {
        "first_touch": "CASE WHEN ts = first_ts THEN 1.0 / n_first ELSE 0 END",
        "last_touch": "CASE WHEN ts = last_ts THEN 1.0 / n_last ELSE 0 END",
        "linear": "1.0 / n",
        "position_based": """CASE
            WHEN first_ts = last_ts THEN 1.0 / n
            WHEN n_first + n_last = n
                THEN 0.5 / CASE WHEN ts = first_ts THEN n_first ELSE n_last END
            WHEN ts = first_ts THEN 0.4 / n_first
            WHEN ts = last_ts THEN 0.4 / n_last
            ELSE 0.2 / (n - n_first - n_last) END""",
        "time_decay": "decay / decay_total",
    }

    def _weights_sql(self, models_):
        """(order_id, channel_id, model, weight) of every touchpoint under ``models_``."""
        values = SQL(", ").join(
            SQL("(%s, (%s)::float8)", model, SQL(self._WEIGHTS[model])) for model in models_
        )
        return SQL(
            """SELECT order_id, channel_id, m.model, m.weight
                 FROM positioned CROSS JOIN LATERAL (VALUES %s) AS m(model, weight)""",
            values,
        )

    @api.model
    def recompute_attribution(self, partner_ids=None, attribution_models=None):
        """Attribute the revenue of every confirmed order of ``env.company`` (or of these
        customers) to channels under each model; write only the rows that changed.
        Returns {"written": n, "deleted": n}."""
        company = self.env.company
        models_ = list(attribution_models or MODEL_CODES)
        self.env.flush_all()
        cr = self.env.cr
        lookback = company.channel_attribution_lookback_days
        window = (
            SQL("AND t.ts >= o.ts - make_interval(days => %s)", lookback) if lookback else SQL()
        )
        fallback = (
            SQL(
                "(SELECT a.channel_id FROM customer_acquisition a "
                "WHERE a.partner_id = o.partner_id AND a.company_id = %s)",
                company.id,
            )
            if company.channel_attribution_fallback == "acquisition"
            else SQL("NULL::int")
        )
        digits = company.currency_id.decimal_places
        tune_transaction(cr)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", NEW_ATTRIBUTION))
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE %(new)s AS
                WITH touch AS (%(touchpoints)s),
                orders AS (
                    SELECT so.id AS order_id, rp.commercial_partner_id AS partner_id,
                           so.date_order AS ts, so.date_order::date AS date,
                           ROUND((so.amount_untaxed
                                  / COALESCE(NULLIF(so.currency_rate, 0), 1))::numeric,
                                 %(digits)s) AS amount,
                           so.user_id, so.campaign_id
                      FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                     WHERE so.company_id = %(company)s AND so.state = 'sale' %(order_scope)s
                ),
                pairs AS (
                    SELECT o.order_id, t.channel_id, t.ts,
                           EXTRACT(EPOCH FROM o.ts - t.ts)::float8 / 86400 AS days
                      FROM orders o
                      JOIN touch t ON t.partner_id = o.partner_id AND t.ts <= o.ts %(window)s
                ),
                extremes AS (
                    SELECT p.*, COUNT(*) OVER w AS n, MIN(ts) OVER w AS first_ts,
                           MAX(ts) OVER w AS last_ts,
                           power(2.0::float8, -days / %(half_life)s) AS decay
                      FROM pairs p WINDOW w AS (PARTITION BY order_id)
                ),
                positioned AS (
                    SELECT e.*,
                           COUNT(*) FILTER (WHERE ts = first_ts) OVER w AS n_first,
                           COUNT(*) FILTER (WHERE ts = last_ts) OVER w AS n_last,
                           SUM(decay) OVER w AS decay_total
                      FROM extremes e WINDOW w AS (PARTITION BY order_id)
                ),
                weighted AS (
                    %(weights)s
                    UNION ALL
                    SELECT o.order_id, COALESCE(%(fallback)s, %(unassigned)s), m.model, 1
                      FROM orders o CROSS JOIN unnest(%(models)s::varchar[]) AS m(model)
                     WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.order_id = o.order_id)
                ),
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
                touchpoints=self._touchpoints_sql(company, partner_ids),
                company=company.id,
                digits=digits,
                order_scope=contacts_scope("so.partner_id", partner_ids),
                window=window,
                half_life=company.channel_attribution_half_life_days,
                weights=self._weights_sql(models_),
                models=models_,
                fallback=fallback,
                unassigned=self._unassigned_channel().id,
            )
        )
        cr.execute(SQL("ANALYZE %s", NEW_ATTRIBUTION))  # temporary tables get no statistics
        if partner_ids is None:
            # A full run compares the whole table: plan it on fresh statistics.
            cr.execute(SQL("ANALYZE customer_channel_attribution"))
        cr.execute(
            SQL(
                """
                SELECT DISTINCT a.date FROM customer_channel_attribution a
                  JOIN %s n ON n.order_id = a.order_id AND n.channel_id = a.channel_id
                           AND n.attribution_model = a.attribution_model
                 WHERE a.date <> n.date
                """,
                NEW_ATTRIBUTION,
            )
        )
        dates = {row[0] for row in cr.fetchall()}  # an order whose date moved
        # Rows come back counted per date: millions of them are never fetched into Python.
        cr.execute(
            SQL(
                """
                WITH removed AS (
                    DELETE FROM customer_channel_attribution a
                     WHERE a.company_id = %(company)s AND a.attribution_model = ANY(%(models)s)
                       %(scope)s
                       AND NOT EXISTS (
                           SELECT 1 FROM %(new)s n
                            WHERE n.order_id = a.order_id AND n.channel_id = a.channel_id
                              AND n.attribution_model = a.attribution_model)
                    RETURNING a.date
                )
                SELECT date, COUNT(*) FROM removed GROUP BY date
                """,
                company=company.id,
                models=models_,
                scope=self._scope("a.partner_id", partner_ids),
                new=NEW_ATTRIBUTION,
            )
        )
        deleted = dict(cr.fetchall())
        cr.execute(
            SQL(
                """
                WITH written AS (
                    INSERT INTO customer_channel_attribution (
                        order_id, channel_id, attribution_model, amount, date, company_id,
                        partner_id, user_id, campaign_id)
                    SELECT order_id, channel_id, attribution_model, amount, date, %(company)s,
                           partner_id, user_id, campaign_id
                      FROM %(new)s
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
                    RETURNING date
                )
                SELECT date, COUNT(*) FROM written GROUP BY date
                """,
                company=company.id,
                new=NEW_ATTRIBUTION,
            )
        )
        written = dict(cr.fetchall())
        cr.execute(SQL("DROP TABLE %s", NEW_ATTRIBUTION))
        self._refresh_revenue(company, dates.union(deleted, written))
        self.env["customer.channel.attribution"].invalidate_model()
        return {"written": sum(written.values()), "deleted": sum(deleted.values())}

    def _refresh_revenue(self, company, dates):
        """Rebuild the daily revenue per channel (what reports read) for these dates."""
        if not dates:
            return
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_channel_revenue
                 WHERE company_id = %(company)s AND date = ANY(%(dates)s);
                INSERT INTO customer_channel_revenue (
                    company_id, date, channel_id, user_id, campaign_id, revenue_first_touch,
                    revenue_last_touch, revenue_linear, revenue_position_based,
                    revenue_time_decay)
                SELECT company_id, date, channel_id, user_id, campaign_id,
                       SUM(amount) FILTER (WHERE attribution_model = 'first_touch'),
                       SUM(amount) FILTER (WHERE attribution_model = 'last_touch'),
                       SUM(amount) FILTER (WHERE attribution_model = 'linear'),
                       SUM(amount) FILTER (WHERE attribution_model = 'position_based'),
                       SUM(amount) FILTER (WHERE attribution_model = 'time_decay')
                  FROM customer_channel_attribution
                 WHERE company_id = %(company)s AND date = ANY(%(dates)s)
                 GROUP BY company_id, date, channel_id, user_id, campaign_id;
                """,
                company=company.id,
                dates=sorted(dates),
            )
        )

    @api.model
    def recompute(self, partner_ids=None):
        """Acquisition then attribution of ``env.company``; False if another run holds the
        company's lock."""
        if not self._try_lock(self.env.company):
            _logger.info("Channel attribution of %s already running", self.env.company.name)
            return False
        acquisition = self.recompute_acquisition(partner_ids)
        return {"acquisition": acquisition, **self.recompute_attribution(partner_ids)}
