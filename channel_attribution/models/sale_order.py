from odoo import models

TOUCHPOINT_FIELDS = ("source_id", "medium_id", "campaign_id", "partner_id", "date_order")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        touched = any(field in vals for field in TOUCHPOINT_FIELDS)
        if touched and "partner_id" in vals:
            self._enqueue_customer_segmentation()
        result = super().write(vals)
        if touched:
            self._enqueue_customer_segmentation()
        return result

    def unlink(self):
        self.env["customer.channel.engine"]._forget_orders(self.ids)
        return super().unlink()
