from odoo import models
from odoo.fields import Domain


class CustomerRfmSegment(models.Model):
    _inherit = "customer.rfm.segment"

    def action_send_customer_mailing(self):
        """Open a new mailing to the customers of these segments in the current company."""
        return self.env["mailing.mailing"]._customer_audience_action(
            Domain("rfm_segment_id", "in", self.ids), segment=self if len(self) == 1 else None
        )
