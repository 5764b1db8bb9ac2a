from odoo import models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import merge_partner_rows


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge_customer_insight_rows(self, src_ids, dst_id):
        # A manager's acquisition survives the merge; else the engine recomputes it.
        merge_partner_rows(
            self.env.cr,
            "customer_acquisition",
            "company_id",
            src_ids,
            dst_id,
            prefer=SQL("NOT is_manual"),
        )
        for table in (
            "customer_channel_attribution",
            "customer_channel_order",
            "customer_channel_funnel",
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET partner_id = %s WHERE partner_id = ANY(%s)",
                    SQL.identifier(table),
                    dst_id,
                    src_ids,
                )
            )
        super()._merge_customer_insight_rows(src_ids, dst_id)
