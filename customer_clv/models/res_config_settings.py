from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    clv_monthly_discount_rate = fields.Float(
        related="company_id.clv_monthly_discount_rate", readonly=False
    )
    clv_churn_risk_high = fields.Float(related="company_id.clv_churn_risk_high", readonly=False)
    clv_churn_risk_medium = fields.Float(related="company_id.clv_churn_risk_medium", readonly=False)
    clv_at_risk_by_p_alive = fields.Boolean(
        related="company_id.clv_at_risk_by_p_alive", readonly=False
    )
    clv_at_risk_threshold = fields.Float(related="company_id.clv_at_risk_threshold", readonly=False)
    clv_value_tier_by_clv = fields.Boolean(
        related="company_id.clv_value_tier_by_clv", readonly=False
    )
