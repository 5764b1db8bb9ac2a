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

    changed_from = fields.Date(
        "Changed From",
        readonly=True,
        help="Earliest day (UTC) of the customer's history that the queued changes touch: "
        "the least of the days given by each change queued since the customer was last "
        "processed; empty when a change did not say (all of it may have changed).",
    )

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")

    @api.model
    def _enqueue(self, rows):
        """Queue (company id, commercial partner id[, day]) rows: the customer's history
        changed from that day on (any day when there is none), as ``_enqueue_sql`` does."""
        rows = [
            (company, partner, day[0] if day else None)
            for company, partner, *day in rows
            if partner
        ]
        if not rows:
            return
        companies, partners, days = zip(*rows, strict=True)
        self._enqueue_sql(
            SQL(
                """SELECT * FROM unnest(%s::int[], %s::int[], %s::date[])
                       AS q(company_id, partner_id, changed_from)""",
                list(companies),
                list(partners),
                list(days),
            ),
            dated=True,
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
    def _enqueue_sql(self, rows_sql, dated=False):
        """Queue the (company_id, partner_id) rows of a query, in one statement; with
        ``dated``, the query also selects each row's ``changed_from`` (empty: any day). A
        queued customer gets a new time and the earliest of its days, none if any has none."""
        day = SQL.identifier("q", "changed_from") if dated else SQL("NULL::date")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_segmentation_queue
                       (company_id, partner_id, changed_from, queued_at)
                SELECT q.company_id, q.partner_id,
                       CASE WHEN bool_and(%s IS NOT NULL) THEN MIN(%s) END,
                       clock_timestamp() AT TIME ZONE 'UTC'
                  FROM (%s) q
                 GROUP BY q.company_id, q.partner_id
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET queued_at = EXCLUDED.queued_at,
                       changed_from = CASE
                           WHEN customer_segmentation_queue.changed_from IS NOT NULL
                            AND EXCLUDED.changed_from IS NOT NULL
                           THEN LEAST(customer_segmentation_queue.changed_from,
                                      EXCLUDED.changed_from)
                       END
                """,
                day,
                day,
                rows_sql,
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
    def _changed_from(self, company, partner_ids):
        """{partner id: changed_from} of these queued customers of ``company``."""
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, changed_from FROM customer_segmentation_queue
                    WHERE company_id = %s AND partner_id = ANY(%s)""",
                company.id,
                list(partner_ids),
            )
        )
        return dict(self.env.cr.fetchall())

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
