from odoo import api, models


class CustomerSegmentationEngine(models.AbstractModel):
    _inherit = "customer.segmentation.engine"

    @api.private
    def _process_partners(self, partner_ids):
        """Queued customers also get their acquisition and attributed revenue updated."""
        done = super()._process_partners(partner_ids)
        return done and self.env["customer.channel.engine"]._recompute(partner_ids) is not False
