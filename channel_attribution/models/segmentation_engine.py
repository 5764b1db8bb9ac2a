from odoo import api, models


class CustomerSegmentationEngine(models.AbstractModel):
    _inherit = "customer.segmentation.engine"

    @api.private
    def _process_partners(self, partner_ids):
        """Queued customers also get their acquisition and attributed revenue updated, from
        the day their history changed."""
        done = super()._process_partners(partner_ids)
        changed_from = self.env["customer.segmentation.queue"]._changed_from(
            self.env.company, partner_ids
        )
        engine = self.env["customer.channel.engine"]
        return done and engine._recompute(partner_ids, changed_from) is not False
