from odoo import api, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import insert_rule_after


class CustomerSegmentationEngine(models.AbstractModel):
    _inherit = "customer.segmentation.engine"

    @api.private
    def _prepare_full_run(self, company, as_of, fresh_ids):
        """A full run first refreshes the predictions from the company's latest fit."""
        super()._prepare_full_run(company, as_of, fresh_ids)
        model = self.env["customer.clv.model"].sudo()._latest(company)
        if model:
            self.env["customer.clv.engine"]._refresh_predictions(model, as_of, fresh_ids)

    @api.private
    def _profiles_changed(self, company, partner_ids=None):
        super()._profiles_changed(company, partner_ids)
        self.env["customer.clv.engine"]._copy_classes(company, partner_ids)

    def _uses_predictions(self, company):
        return company.clv_at_risk_by_p_alive or company.clv_value_tier_by_clv

    def _extra_joins_sql(self, company, as_of):
        joins = super()._extra_joins_sql(company, as_of)
        if not self._uses_predictions(company):
            return joins
        return SQL(
            """%s
            LEFT JOIN (
                SELECT partner_id, p_alive,
                       (5 * RANK() OVER (ORDER BY predicted_clv_12m) + COUNT(*) OVER () - 1)
                           / COUNT(*) OVER () AS clv_score
                  FROM customer_clv_prediction WHERE company_id = %s
            ) clv ON clv.partner_id = u.partner_id""",
            joins,
            company.id,
        )

    def _value_tier_sql(self, company):
        if not company.clv_value_tier_by_clv:
            return super()._value_tier_sql(company)
        return SQL(
            """CASE WHEN s.partner_id IS NULL OR clv.clv_score IS NULL THEN NULL
                    WHEN clv.clv_score = 5 THEN 'high'
                    WHEN clv.clv_score >= 3 THEN 'medium' ELSE 'low' END"""
        )

    def _lifecycle_rules(self, company, as_of):
        rules = super()._lifecycle_rules(company, as_of)
        if company.clv_at_risk_by_p_alive:
            # Right after "churned": a customer the model sees as leaving is at risk now.
            condition = SQL("clv.p_alive < %s", company.clv_at_risk_threshold)
            insert_rule_after(rules, "churned", ("p_alive", condition, "at_risk"))
        return rules
