from odoo import fields, models

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES


class CustomerPurchaseMonth(models.Model):
    """Customers who ordered, per month and class: the roll-up the care metrics read
    (counting them from the orders at read time takes seconds at a million customers).
    The care engine rebuilds a company's rows once per classification, as of its date."""

    _name = "customer.purchase.month"
    _description = "Ordering Customers per Month"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Date(required=True, readonly=True, help="First day of the month.")
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        ondelete="set null",
        help="The customers' RFM segment at the last classification.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, readonly=True, help="The customers' stage at the last classification."
    )
    ordering_count = fields.Integer(
        "Ordering Customers",
        readonly=True,
        help="Customers with a confirmed order in the month.",
    )
    repeat_count = fields.Integer(
        "Repeat Customers",
        readonly=True,
        help="Ordering customers whose first confirmed order was in an earlier month.",
    )

    _company_date_idx = models.Index("(company_id, date)")
