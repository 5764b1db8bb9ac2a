from odoo import fields, models

from odoo.addons.customer_segmentation.tools import USER_GROUP

CHURN_RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
HELP = {
    "p_alive": "Probability that the customer still buys from us: high when they bought "
    "recently compared with their usual rhythm, low when they are overdue (BG/NBD model).",
    "expected_purchases_90d": "Purchases the customer is expected to make in the next 90 days, "
    "from their past rhythm and the probability that they are still active (BG/NBD model).",
    "expected_avg_spend": "Expected amount per purchase: the customer's average, pulled toward "
    "the average of all customers when they bought few times (Gamma-Gamma model).",
    "predicted_clv_12m": "Value the customer is expected to bring over the next 12 months: "
    "expected purchases per month times expected spend, discounted monthly at the rate set "
    "in Settings.",
    "churn_risk": "High, medium or low from the probability of being still active and the "
    "limits set in Settings.",
}


class CustomerClvPrediction(models.Model):
    """Predictions of one commercial entity in one company from the latest fit."""

    _name = "customer.clv.prediction"
    _description = "Customer Value Prediction"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    model_id = fields.Many2one("customer.clv.model", readonly=True, ondelete="cascade")
    p_alive = fields.Float(
        "Probability Active", digits=(16, 4), readonly=True, aggregator="avg", help=HELP["p_alive"]
    )
    expected_purchases_90d = fields.Float(
        "Expected Purchases (90 Days)",
        digits=(16, 2),
        readonly=True,
        help=HELP["expected_purchases_90d"],
    )
    expected_avg_spend = fields.Monetary(
        "Expected Spend per Purchase",
        readonly=True,
        aggregator="avg",
        groups=USER_GROUP,
        help=HELP["expected_avg_spend"],
    )
    predicted_clv_12m = fields.Monetary(
        "Predicted 12-Month Value",
        readonly=True,
        groups=USER_GROUP,
        help=HELP["predicted_clv_12m"],
    )
    churn_risk = fields.Selection(CHURN_RISKS, readonly=True, help=HELP["churn_risk"])
    # Grouping dimensions of the analysis, joined from the customer in the current company.
    segment_id = fields.Many2one(related="partner_id.rfm_segment_id", string="RFM Segment")
    lifecycle_stage = fields.Selection(
        related="partner_id.customer_lifecycle_stage", string="Lifecycle Stage"
    )
    channel_id = fields.Many2one(
        related="partner_id.acquisition_channel_id", string="Acquisition Channel"
    )
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")
    _company_risk_idx = models.Index("(company_id, churn_risk)")
