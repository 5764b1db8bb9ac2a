from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # The engines look for the orders written since their last run (the classification,
    # the attribution job, care's ordering customers): read by this index, not by a scan
    # of every order each night.
    _write_date_idx = models.Index("(write_date)")

    def _action_confirm(self):
        result = super()._action_confirm()
        self._enqueue_customer_segmentation()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._enqueue_customer_segmentation()
        return result

    def _enqueue_customer_segmentation(self, whole_history=False, former_dates=None):
        """Queue the orders' customers so the queue job reclassifies them shortly: their
        history changed from each order's day on, or from its former date when earlier
        (``former_dates``: {order: date_order before a write}); any day with
        ``whole_history``."""
        former_dates = former_dates or {}
        self.env["customer.segmentation.queue"]._enqueue(
            (
                order.company_id.id,
                order.partner_id.commercial_partner_id.id,
                None
                if whole_history
                else min(order.date_order, former_dates.get(order, order.date_order)).date(),
            )
            for order in self
        )
