from odoo import models

from odoo.addons.customer_segmentation.tools import merge_partner_rows


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge_customer_insight_rows(self, src_ids, dst_id):
        merge_partner_rows(self.env.cr, "customer_clv_prediction", "company_id", src_ids, dst_id)
        super()._merge_customer_insight_rows(src_ids, dst_id)
