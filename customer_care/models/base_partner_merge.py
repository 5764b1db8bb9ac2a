from odoo import models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import merge_partner_rows


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge_customer_insight_rows(self, src_ids, dst_id):
        """Of two actions of a rule under way for the merged customers, the kept customer's
        stays; the other is cancelled with its activity (the same need, twice)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.activity_id FROM (
                    SELECT id, activity_id, ROW_NUMBER() OVER (
                               PARTITION BY rule_id ORDER BY partner_id = %(dst)s DESC, id
                           ) AS rank
                      FROM customer_care_log
                     WHERE partner_id = ANY(%(partners)s) AND state IN ('pending', 'open')
                ) l WHERE l.rank > 1
                """,
                dst=dst_id,
                partners=[*src_ids, dst_id],
            )
        )
        duplicates = self.env.cr.fetchall()
        if duplicates:
            log_ids, activity_ids = zip(*duplicates, strict=True)
            self.env.cr.execute(
                SQL(
                    "UPDATE customer_care_log SET state = 'cancelled' WHERE id = ANY(%s)",
                    list(log_ids),
                )
            )
            self.env["mail.activity"].browse(filter(None, activity_ids)).sudo().unlink()
        merge_partner_rows(self.env.cr, "customer_care_member", "rule_id", src_ids, dst_id)
        # The merged customers' order months are counted again with everyone's at the next
        # update (their orders move in SQL, written by nobody).
        self.env.cr.execute(
            SQL(
                """
                WITH merged AS (
                    DELETE FROM customer_order_months WHERE partner_id = ANY(%s)
                    RETURNING company_id
                )
                UPDATE res_company
                   SET care_purchase_months_since = NULL, care_purchase_months_outdated = TRUE
                 WHERE id IN (SELECT company_id FROM merged)
                """,
                [*src_ids, dst_id],
            )
        )
        super()._merge_customer_insight_rows(src_ids, dst_id)
