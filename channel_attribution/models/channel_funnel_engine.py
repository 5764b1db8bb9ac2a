"""The funnel roll-up: leads and new customers per day, channel and lifecycle stage.

The engine keeps one row per lead (and company) and per acquired customer who ordered, as the
channel analysis counts them, and the daily sums the analysis reads. Every run (some
customers for the freshness queue, some leads when they are written or for the scheduled
job, a range of customers for each step of a full recomputation) writes the rows that
changed and adds their difference to the daily sums; a full recomputation ends by rebuilding
the daily sums from the rows.
"""

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import contacts_scope, partner_scope, tune_transaction

NEW_FUNNEL = SQL.identifier("customer_channel_funnel_new")
OLD_FUNNEL = SQL.identifier("customer_channel_funnel_old")
KEYS = (
    "fact",
    "date",
    "channel_id",
    "campaign_id",
    "source_id",
    "medium_id",
    "user_id",
    "lifecycle_stage",
    "segment_id",
    "value_tier",
)
MEASURES = (
    "lead_count",
    "opportunity_count",
    "won_count",
    "lost_count",
    "new_customer_count",
    "new_customer_revenue",
    "new_customer_order_count",
)
COLUMNS = ("ref_id", "partner_id", *KEYS, *MEASURES)
# The daily sums: few enough keys that their number does not grow with the customers.
DAILY_KEYS = ("fact", "date", "channel_id", "lifecycle_stage")


def _ids_in(column, ids):
    """``column`` is one of ``ids``: a list, or an SQL query of them."""
    if isinstance(ids, SQL):
        return SQL("%s IN (%s)", column, ids)
    return SQL("%s = ANY(%s)", column, list(ids or []))


def _columns(names, alias=None):
    return SQL(", ").join(SQL.identifier(alias, n) if alias else SQL.identifier(n) for n in names)


class CustomerChannelEngine(models.AbstractModel):
    _inherit = "customer.channel.engine"

    @api.model
    def _funnel_sql(self, company, partners=None, lead_ids=None):
        """SELECT the funnel rows of ``company`` as they should be: every row when both
        scopes are None, else the leads of ``partners`` (commercial partners, as in
        ``partner_scope``), the leads ``lead_ids`` and the leads stored under ``partners``,
        and the new customers among ``partners``."""
        joins, channel = self._channel_of_sql(
            "channel_map",
            company.id,
            SQL.identifier("l", "source_id"),
            SQL.identifier("l", "medium_id"),
        )
        lead_scope, customer_scope = self._funnel_scopes(company, partners, lead_ids)
        return SQL(
            """
            WITH channel_map AS (%(channel_map)s)
            SELECT l.id AS ref_id, rp.commercial_partner_id AS partner_id, 'lead' AS fact,
                   l.create_date::date AS date, %(channel)s AS channel_id, l.campaign_id,
                   l.source_id, l.medium_id, l.user_id, p.lifecycle_stage, p.segment_id,
                   p.value_tier, 1 AS lead_count,
                   (l.type = 'opportunity')::int AS opportunity_count,
                   (l.won_status = 'won')::int AS won_count,
                   (l.won_status = 'lost')::int AS lost_count, 0 AS new_customer_count,
                   0::numeric AS new_customer_revenue, 0 AS new_customer_order_count
              FROM crm_lead l
              LEFT JOIN res_partner rp ON rp.id = l.partner_id
              LEFT JOIN customer_profile p
                ON p.partner_id = rp.commercial_partner_id AND p.company_id = %(company)s
              %(joins)s
             WHERE (l.company_id = %(company)s OR l.company_id IS NULL) %(lead_scope)s
            UNION ALL
            SELECT a.id, a.partner_id, 'customer', a.date, COALESCE(a.channel_id, %(unassigned)s),
                   a.campaign_id, a.source_id, a.medium_id, rp.user_id, p.lifecycle_stage,
                   p.segment_id, p.value_tier, 0, 0, 0, 0, 1, p.total_revenue, p.order_count
              FROM customer_acquisition a
              JOIN customer_profile p
                ON p.partner_id = a.partner_id AND p.company_id = a.company_id
               AND p.order_count > 0
              JOIN res_partner rp ON rp.id = a.partner_id
             WHERE a.company_id = %(company)s %(customer_scope)s
            """,
            channel_map=self._channel_map_sql(),
            channel=channel,
            joins=joins,
            company=company.id,
            unassigned=self._unassigned_channel().id,
            lead_scope=lead_scope,
            customer_scope=customer_scope,
        )

    def _funnel_scopes(self, company, partners, lead_ids):
        """The conditions on the leads ``l`` and the acquisitions ``a`` of ``_funnel_sql``."""
        if partners is None and lead_ids is None:
            return SQL(), SQL()
        # One list of leads, each part read through its index: the three conditions OR-ed
        # scanned every lead, and the planner, expecting them all, every customer and
        # profile too (1.6 s per batch of the queue at 1m); as an array, the planner reads
        # the leads by their ids rather than scanning them all to join the list.
        leads = SQL(
            """%s
               UNION SELECT f.ref_id FROM customer_channel_funnel f
                      WHERE f.fact = 'lead' AND f.company_id = %s %s
               UNION SELECT c.id FROM crm_lead c WHERE TRUE %s""",
            lead_ids
            if isinstance(lead_ids, SQL)
            else SQL("SELECT unnest(%s::int[])", lead_ids or []),
            company.id,
            partner_scope(SQL.identifier("f", "partner_id"), partners or []),
            contacts_scope(SQL.identifier("c", "partner_id"), partners or []),
        )
        lead_scope = SQL("AND l.id = ANY(ARRAY(%s))", leads)  # by the ids' index
        return lead_scope, partner_scope(SQL.identifier("a", "partner_id"), partners or [])

    @api.model
    def _recompute_funnel(self, partners=None, lead_ids=None):
        """Write the funnel rows of ``env.company`` that changed (scopes as in
        ``_funnel_sql``) and their difference to the daily sums; returns the rows written
        or deleted."""
        company = self.env.company
        self.env.flush_all()
        cr = self.env.cr
        tune_transaction(cr)
        # One writer of the company's funnel at a time: each adds a difference to the sums.
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", self._lock_key, company.id))
        cr.execute(SQL("DROP TABLE IF EXISTS %s, %s", NEW_FUNNEL, OLD_FUNNEL))
        cr.execute(
            SQL(
                "CREATE TEMP TABLE %s AS %s",
                NEW_FUNNEL,
                self._funnel_sql(company, partners, lead_ids),
            )
        )
        cr.execute(SQL("ANALYZE %s", NEW_FUNNEL))
        cr.execute(self._old_funnel_sql(company, partners, lead_ids))
        cr.execute(SQL("ANALYZE %s", OLD_FUNNEL))
        cr.execute(self._funnel_difference_sql(company))
        cr.execute(
            SQL(
                """DELETE FROM customer_channel_funnel f USING %(old)s o
                    WHERE f.id = o.id AND NOT EXISTS (
                          SELECT 1 FROM %(new)s n WHERE (n.fact, n.ref_id) = (o.fact, o.ref_id))""",
                old=OLD_FUNNEL,
                new=NEW_FUNNEL,
            )
        )
        changed = cr.rowcount
        cr.execute(self._upsert_funnel_sql(company))
        changed += cr.rowcount
        cr.execute(SQL("DROP TABLE %s, %s", NEW_FUNNEL, OLD_FUNNEL))
        self.env["customer.channel.funnel"].invalidate_model()
        self.env["customer.channel.funnel.daily"].invalidate_model()
        return changed

    def _old_funnel_sql(self, company, partners, lead_ids):
        """CREATE the temporary table of the stored rows that the new ones replace: those
        in scope, and the stored row of any fact put anew."""
        stored = SQL(
            "SELECT f.id, f.fact, f.ref_id, %s FROM customer_channel_funnel f",
            _columns((*KEYS[1:], *MEASURES), "f"),
        )
        if partners is None and lead_ids is None:
            return SQL(
                "CREATE TEMP TABLE %s AS %s WHERE f.company_id = %s", OLD_FUNNEL, stored, company.id
            )
        return SQL(
            """CREATE TEMP TABLE %(old)s AS
               %(stored)s WHERE f.company_id = %(company)s %(scope)s
               UNION
               %(stored)s WHERE f.company_id = %(company)s AND f.fact = 'lead'
                            AND %(of_leads)s
               UNION
               %(stored)s JOIN %(new)s n ON (n.fact, n.ref_id) = (f.fact, f.ref_id)
                    WHERE f.company_id = %(company)s""",
            old=OLD_FUNNEL,
            stored=stored,
            company=company.id,
            scope=partner_scope(SQL.identifier("f", "partner_id"), partners or []),
            of_leads=_ids_in(SQL.identifier("f", "ref_id"), lead_ids),
            new=NEW_FUNNEL,
        )

    def _funnel_difference_sql(self, company):
        """Add the difference between the new and the old rows to the daily sums."""
        return SQL(
            """
            INSERT INTO customer_channel_funnel_daily (company_id, %(keys)s, %(measures)s)
            SELECT %(company)s, %(keys)s, %(sums)s
              FROM (SELECT %(keys)s, %(measures)s FROM %(new)s
                    UNION ALL
                    SELECT %(keys)s, %(negated)s FROM %(old)s) d
             GROUP BY %(keys)s
            HAVING (%(sums)s) <> (%(zeros)s)
            """,
            keys=_columns(DAILY_KEYS),
            measures=_columns(MEASURES),
            sums=SQL(", ").join(SQL("SUM(%s)", SQL.identifier(m)) for m in MEASURES),
            negated=SQL(", ").join(SQL("-%s", SQL.identifier(m)) for m in MEASURES),
            zeros=SQL(", ".join("0" for _m in MEASURES)),
            company=company.id,
            new=NEW_FUNNEL,
            old=OLD_FUNNEL,
        )

    def _upsert_funnel_sql(self, company):
        changed = [name for name in COLUMNS if name not in ("fact", "ref_id")]
        return SQL(
            """
            INSERT INTO customer_channel_funnel (company_id, %(columns)s)
            SELECT %(company)s, %(columns)s FROM %(new)s
            ON CONFLICT (fact, ref_id, company_id) DO UPDATE SET %(updates)s
             WHERE (%(current)s) IS DISTINCT FROM (%(excluded)s)
            """,
            columns=_columns(COLUMNS),
            company=company.id,
            new=NEW_FUNNEL,
            updates=SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(n), SQL.identifier(n)) for n in changed
            ),
            current=_columns(changed, "customer_channel_funnel"),
            excluded=_columns(changed, "excluded"),
        )

    def _finish_funnel(self, company):
        """End of a full recomputation, whose steps went customer by customer: the leads
        without a customer, then the daily sums rebuilt from the funnel rows (one row per
        key instead of the differences added since, and right whatever happened)."""
        self.with_company(company)._recompute_funnel(
            [],
            SQL(
                """SELECT id FROM crm_lead
                    WHERE partner_id IS NULL AND (company_id = %s OR company_id IS NULL)""",
                company.id,
            ),
        )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_channel_funnel_daily WHERE company_id = %(company)s;
                INSERT INTO customer_channel_funnel_daily (company_id, %(keys)s, %(measures)s)
                SELECT %(company)s, %(keys)s, %(sums)s
                  FROM customer_channel_funnel WHERE company_id = %(company)s
                 GROUP BY %(keys)s
                """,
                company=company.id,
                keys=_columns(DAILY_KEYS),
                measures=_columns(MEASURES),
                sums=SQL(", ").join(SQL("SUM(%s)", SQL.identifier(m)) for m in MEASURES),
            )
        )
        self.env["customer.channel.funnel.daily"].invalidate_model()

    @api.model
    def _forget_leads(self, lead_ids):
        """Remove the funnel rows of these leads (leads being deleted)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH gone AS (
                    DELETE FROM customer_channel_funnel
                     WHERE fact = 'lead' AND ref_id = ANY(%(leads)s)
                    RETURNING company_id, %(keys)s, %(measures)s
                )
                INSERT INTO customer_channel_funnel_daily (company_id, %(keys)s, %(measures)s)
                SELECT company_id, %(keys)s, %(negated)s FROM gone
                """,
                leads=list(lead_ids),
                keys=_columns(DAILY_KEYS),
                measures=_columns(MEASURES),
                negated=SQL(", ").join(SQL("-%s", SQL.identifier(m)) for m in MEASURES),
            )
        )
        self.env["customer.channel.funnel"].invalidate_model()
        self.env["customer.channel.funnel.daily"].invalidate_model()

    @api.private
    def _refresh_changed_funnel(self, company, since):
        """Bring the funnel rows of ``company`` up to date with what was written since
        ``since``: leads, acquisitions, customers (salesperson, company) and their class.
        Of the customers classified since, only those whose rows differ from their profile
        (or who lack their new-customer row): the queue already counted those it
        classified."""
        self.env.flush_all()
        tune_transaction(self.env.cr)  # its estimate, in the millions, made it JIT-compiled
        self.env.cr.execute(
            SQL(
                """
                SELECT ARRAY(
                    SELECT id FROM crm_lead
                     WHERE (company_id = %(company)s OR company_id IS NULL)
                       AND write_date > %(since)s),
                ARRAY(
                    SELECT partner_id FROM customer_acquisition
                     WHERE company_id = %(company)s AND write_date > %(since)s
                    UNION
                    SELECT p.partner_id FROM customer_profile p
                      -- the customer's rows, by the partner index
                      LEFT JOIN LATERAL (
                          SELECT bool_or(
                                     (f.lifecycle_stage, f.segment_id, f.value_tier)
                                     IS DISTINCT FROM
                                     (p.lifecycle_stage, p.segment_id, p.value_tier)
                                     OR f.fact = 'customer'
                                        AND (f.new_customer_revenue, f.new_customer_order_count)
                                            IS DISTINCT FROM (p.total_revenue, p.order_count)
                                 ) AS differ,
                                 bool_or(f.fact = 'customer') AS counted
                            FROM customer_channel_funnel f
                           WHERE f.partner_id = p.partner_id AND f.company_id = p.company_id
                      ) f ON TRUE
                     WHERE p.company_id = %(company)s AND p.segmented_at > %(since)s
                       AND (f.differ
                            OR p.order_count > 0 AND f.counted IS NOT TRUE
                               AND EXISTS (
                                   SELECT 1 FROM customer_acquisition a
                                    WHERE a.partner_id = p.partner_id
                                      AND a.company_id = p.company_id))
                    UNION
                    SELECT commercial_partner_id FROM res_partner WHERE write_date > %(since)s
                    UNION
                    SELECT f.partner_id FROM customer_channel_funnel f
                     WHERE f.company_id = %(company)s AND f.partner_id IS NOT NULL
                       AND (f.fact = 'customer' OR f.lifecycle_stage IS NOT NULL
                            OR f.segment_id IS NOT NULL OR f.value_tier IS NOT NULL)
                       AND NOT EXISTS (
                           SELECT 1 FROM customer_profile p
                            WHERE p.partner_id = f.partner_id AND p.company_id = f.company_id))
                """,
                company=company.id,
                since=since,
            )
        )
        lead_ids, partner_ids = self.env.cr.fetchone()
        if lead_ids or partner_ids:
            self.with_company(company)._recompute_funnel(partner_ids, lead_ids)

    @api.private
    def _refresh_mapped_leads(self, sources, mediums):
        """Put the leads of these sources and mediums in their channel again, in every
        company (a channel's mapping changed)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT ARRAY(SELECT id FROM crm_lead
                                 WHERE source_id = ANY(%s) OR medium_id = ANY(%s))""",
                sources.ids,
                mediums.ids,
            )
        )
        lead_ids = self.env.cr.fetchone()[0]
        if lead_ids:
            for company in self.env["res.company"].sudo().search([]):
                self.with_company(company)._recompute_funnel([], lead_ids)
