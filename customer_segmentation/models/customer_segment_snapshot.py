from odoo import fields, models

from ..tools import LIFECYCLE_STAGES, VALUE_TIERS


class CustomerSegmentSnapshot(models.Model):
    """Number of customers per class at each run, for trend charts."""

    _name = "customer.segment.snapshot"
    _description = "Customer Classification Snapshot"
    _order = "date desc, id"
    _log_access = False

    date = fields.Date(required=True, readonly=True, help="As-of date of the run.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    segment_id = fields.Many2one(
        "customer.rfm.segment", string="RFM Segment", readonly=True, ondelete="cascade"
    )
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    customer_count = fields.Integer(
        "Customers",
        readonly=True,
        aggregator="sum",
        help="Customers of this stage, segment and value tier on that date.",
    )

    replayed = fields.Boolean(
        readonly=True,
        help="Counts replayed from the transactions as of a month-end before the company's "
        "first classification, rather than recorded by a run.",
    )

    _company_date_idx = models.Index("(company_id, date)")
