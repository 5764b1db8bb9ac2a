from odoo import models
from odoo.tools import SQL

from ..tools import merge_partner_rows


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Per-company rows are unique per partner: Odoo's generic update of the foreign
        keys would collide on them, so they are merged first; the kept customer is then
        reclassified in every company."""
        self.env.flush_all()
        self._merge_customer_insight_rows(src_partners.ids, dst_partner.id)
        super()._update_foreign_keys(src_partners, dst_partner)
        dst_partner._enqueue_classified_companies()

    def _merge_customer_insight_rows(self, src_ids, dst_id):
        """Move the Customer Insight rows of ``src_ids`` to ``dst_id``; addons extend it."""
        cr = self.env.cr
        # A manager's pin survives the merge, whichever customer carried it.
        merge_partner_rows(
            cr,
            "customer_profile",
            "company_id",
            src_ids,
            dst_id,
            prefer=SQL("(pinned_stage IS NULL AND pinned_segment_id IS NULL)"),
        )
        merge_partner_rows(cr, "customer_segmentation_queue", "company_id", src_ids, dst_id)
        # The merged customer's whole history changed, whatever day its rows said.
        cr.execute(
            SQL(
                "UPDATE customer_segmentation_queue SET changed_from = NULL WHERE partner_id = %s",
                dst_id,
            )
        )
        cr.execute(
            SQL(
                "DELETE FROM customer_segmentation_result WHERE partner_id = ANY(%s)",
                [*src_ids, dst_id],
            )
        )
        self.env.invalidate_all()
