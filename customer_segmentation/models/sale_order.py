from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        result = super()._action_confirm()
        self._enqueue_customer_segmentation()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._enqueue_customer_segmentation()
        return result

    def _enqueue_customer_segmentation(self):
        """Queue the orders' customers so the queue job reclassifies them shortly."""
        self.env["customer.segmentation.queue"]._enqueue(
            (order.company_id.id, order.partner_id.commercial_partner_id.id) for order in self
        )
