from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._enqueue_customer_segmentation()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._enqueue_customer_segmentation()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._enqueue_customer_segmentation()
        return result

    def _enqueue_customer_segmentation(self):
        """Queue the customers of customer invoices and credit notes for reclassification."""
        self.env["customer.segmentation.queue"]._enqueue(
            (move.company_id.id, move.commercial_partner_id.id)
            for move in self
            if move.move_type in ("out_invoice", "out_refund")
        )
