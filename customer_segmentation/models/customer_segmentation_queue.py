from odoo import fields, models
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
    queued_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")

    def _enqueue(self, company_partner_pairs):
        """Queue (company id, commercial partner id) pairs; duplicates are ignored."""
        pairs = {(company, partner) for company, partner in company_partner_pairs if partner}
        if not pairs:
            return
        companies, partners = zip(*pairs, strict=True)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_segmentation_queue (company_id, partner_id, queued_at)
                SELECT c, p, now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::int[]) AS q(c, p)
                ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                list(companies),
                list(partners),
            )
        )
