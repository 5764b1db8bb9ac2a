from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES


class CustomerOrderMonths(models.Model):
    """The months a customer ordered in (column ``months``, a date[] added by ``init``:
    the ORM has no array field) and the class it is counted under in
    customer.purchase.month. The care engine counts again only the customers whose orders
    were written since its last update or whose class changed, from these rows and their
    own orders, instead of every order of the company."""

    _name = "customer.order.months"
    _description = "Order Months per Customer"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        readonly=True,
        ondelete="set null",
        help="Commercial entity; emptied when it is deleted, which takes its months out of "
        "the counts at the next update.",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        ondelete="set null",
        help="The segment its months are counted under: the customer's at the last update.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        readonly=True,
        help="The stage its months are counted under: the customer's at the last update.",
    )

    _company_partner_uniq = models.UniqueIndex("(company_id, partner_id)")

    def init(self):
        self.env.cr.execute(
            SQL("ALTER TABLE customer_order_months ADD COLUMN IF NOT EXISTS months date[]")
        )
