from odoo import api, models


class CustomerSegmentationEngine(models.AbstractModel):
    _inherit = "customer.segmentation.engine"

    @api.private
    def _finish_full_run(self, company, as_of):
        """New classes: the ordering customers per month and class are outdated."""
        company.sudo().care_purchase_months_outdated = True
        return super()._finish_full_run(company, as_of)
