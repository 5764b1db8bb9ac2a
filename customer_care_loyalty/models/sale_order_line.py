from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Whether a care card was used is looked up per card (reuse, Care Offers): without it,
    # each lookup reads every order line.
    _care_coupon_idx = models.Index("(coupon_id) WHERE coupon_id IS NOT NULL")
