from odoo import api, fields, models
from odoo.tools import SQL


class CustomerSegmentationQueue(models.Model):
    """Customers whose transactions changed since the last run, waiting for the queue job."""

    _name = "customer.segmentation.queue"
    _description = "Customer Segmentation Queue"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    queued_at = fields.Datetime(
        required=True,
        readonly=True,
        default=fields.Datetime.now,
        help="When the customer was last queued; a run removes the row only if it did not "
        "change meanwhile, so a customer queued during a run stays queued.",
    )

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")

    @api.model
    def _enqueue(self, company_partner_pairs):
        """Queue (company id, commercial partner id) pairs; a queued pair gets a new time."""
        pairs = {(company, partner) for company, partner in company_partner_pairs if partner}
        if not pairs:
            return
        companies, partners = zip(*pairs, strict=True)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_segmentation_queue (company_id, partner_id, queued_at)
                SELECT c, p, clock_timestamp() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::int[]) AS q(c, p)
                ON CONFLICT (partner_id, company_id) DO UPDATE SET queued_at = EXCLUDED.queued_at
                """,
                list(companies),
                list(partners),
            )
        )

    @api.model
    def _enqueue_classified(self, partners_sql):
        """Queue, in every company that classifies them, the commercial partners that
        ``partners_sql`` selects (a query of commercial partner ids)."""
        self._enqueue_sql(
            SQL(
                "SELECT company_id, partner_id FROM customer_profile WHERE partner_id IN (%s)",
                partners_sql,
            )
        )

    @api.model
    def _enqueue_sql(self, pairs_sql):
        """Queue the (company_id, partner_id) rows of a query, in one statement."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_segmentation_queue (company_id, partner_id, queued_at)
                SELECT DISTINCT q.company_id, q.partner_id, clock_timestamp() AT TIME ZONE 'UTC'
                  FROM (%s) q
                ON CONFLICT (partner_id, company_id) DO UPDATE SET queued_at = EXCLUDED.queued_at
                """,
                pairs_sql,
            )
        )

    @api.model
    def _next_batch(self, company, size):
        """[(partner id, queued at)] of the oldest ``size`` queued customers of ``company``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, queued_at FROM customer_segmentation_queue
                    WHERE company_id = %s ORDER BY queued_at, partner_id LIMIT %s""",
                company.id,
                size,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _dequeue(self, company, rows):
        """Remove the rows read by ``_next_batch`` unless they were queued again since."""
        partners, stamps = zip(*rows, strict=True)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_segmentation_queue q
                 USING unnest(%s::int[], %s::timestamp[]) AS done(partner_id, queued_at)
                 WHERE q.company_id = %s AND q.partner_id = done.partner_id
                   AND q.queued_at = done.queued_at
                """,
                list(partners),
                list(stamps),
                company.id,
            )
        )
        self.invalidate_model()

    @api.model
    def _count(self, company):
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM customer_segmentation_queue WHERE company_id = %s", company.id
            )
        )
        return self.env.cr.fetchone()[0]
