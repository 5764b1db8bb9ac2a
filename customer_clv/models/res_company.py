from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    clv_monthly_discount_rate = fields.Float(
        "Monthly Discount Rate (%)",
        default=1.0,
        help="Future months' revenue is divided by (1 + rate) for each month ahead when "
        "computing the predicted 12-month customer value.",
    )
    clv_churn_risk_high = fields.Float(
        "High Churn Risk Below",
        default=0.3,
        help="Customers whose probability of being still active is below this are at high "
        "churn risk.",
    )
    clv_churn_risk_medium = fields.Float(
        "Medium Churn Risk Below",
        default=0.6,
        help="Customers whose probability of being still active is below this (and not below "
        "the high-risk limit) are at medium churn risk; the others at low risk.",
    )
    clv_at_risk_by_p_alive = fields.Boolean(
        "At Risk by Probability",
        help="Classify a customer as at risk also when their probability of being still "
        "active falls below the threshold, before the at-risk days have passed.",
    )
    clv_at_risk_threshold = fields.Float(
        "At-Risk Probability Below",
        default=0.5,
        help="Probability of being still active below which a customer is at risk.",
    )
    clv_value_tier_by_clv = fields.Boolean(
        "Value Tier by Predicted Value",
        help="Value tier from the predicted 12-month value (top fifth: high, next two fifths: "
        "medium) instead of the past spend.",
    )
    clv_fitted_run = fields.Char(
        "Value Models Last Fitted In",
        readonly=True,
        help="The run of the monthly fit job (its last call date as Odoo gives it) that last "
        "fitted the value models of this company, or found too little data: the next calls "
        "of that run go on with the other companies.",
    )

    @api.model
    def _full_run_settings(self):
        # Every prediction depends on these, and a nightly classification predicts only
        # some customers again: a full run predicts everyone.
        return super()._full_run_settings() | {
            "clv_monthly_discount_rate",
            "clv_churn_risk_high",
            "clv_churn_risk_medium",
        }

    @api.constrains(
        "clv_monthly_discount_rate",
        "clv_churn_risk_high",
        "clv_churn_risk_medium",
        "clv_at_risk_threshold",
    )
    def _check_clv_settings(self):
        for company in self:
            if not 0 <= company.clv_monthly_discount_rate < 100:
                raise ValidationError(self.env._("The discount rate must be between 0 and 100 %."))
            if not 0 < company.clv_churn_risk_high <= company.clv_churn_risk_medium < 1:
                raise ValidationError(
                    self.env._("Churn risk limits must satisfy 0 < high ≤ medium < 1.")
                )
            if not 0 < company.clv_at_risk_threshold < 1:
                raise ValidationError(
                    self.env._("The at-risk probability must be between 0 and 1.")
                )
