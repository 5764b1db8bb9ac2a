from odoo import models

TOUCHPOINT_FIELDS = ("source_id", "medium_id", "campaign_id", "partner_id", "date_order")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        if not any(field in vals for field in TOUCHPOINT_FIELDS):
            return super().write(vals)
        if "partner_id" in vals:  # the former customer loses an order or a touchpoint
            self._enqueue_customer_segmentation(whole_history=True)
            result = super().write(vals)
            self._enqueue_customer_segmentation(whole_history=True)
            return result
        # Each order's customer changed from the earlier of its former and new days on.
        former = {order: order.date_order for order in self}
        result = super().write(vals)
        self._enqueue_customer_segmentation(former_dates=former)
        return result

    def unlink(self):
        self.env["customer.channel.engine"]._forget_orders(self.ids)
        self._enqueue_customer_segmentation()  # a quotation's touchpoint goes on its day
        return super().unlink()
