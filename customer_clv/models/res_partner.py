from odoo import api, fields, models

from odoo.addons.customer_segmentation.tools import INTERNAL_GROUP, USER_GROUP

from .customer_clv_prediction import HELP


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_clv_prediction_id = fields.Many2one(
        "customer.clv.prediction",
        string="Value Prediction",
        compute="_compute_customer_clv_prediction_id",
        search="_search_customer_clv_prediction_id",
        help="Predictions of this contact's commercial entity in the current company.",
        groups=INTERNAL_GROUP,
    )
    customer_p_alive = fields.Float(
        related="customer_clv_prediction_id.p_alive",
        string="Probability Active",
        help=HELP["p_alive"],
        groups=INTERNAL_GROUP,
    )
    customer_expected_purchases_90d = fields.Float(
        related="customer_clv_prediction_id.expected_purchases_90d",
        string="Expected Purchases (90 Days)",
        help=HELP["expected_purchases_90d"],
        groups=INTERNAL_GROUP,
    )
    customer_expected_avg_spend = fields.Monetary(
        related="customer_clv_prediction_id.expected_avg_spend",
        string="Expected Spend per Purchase",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["expected_avg_spend"],
    )
    customer_predicted_clv_12m = fields.Monetary(
        related="customer_clv_prediction_id.predicted_clv_12m",
        string="Predicted 12-Month Value",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["predicted_clv_12m"],
    )
    customer_churn_risk = fields.Selection(
        related="customer_clv_prediction_id.churn_risk",
        string="Churn Risk",
        help=HELP["churn_risk"],
        groups=INTERNAL_GROUP,
    )

    @api.model
    def _company_record_links(self):
        return {
            **super()._company_record_links(),
            "customer_clv_prediction_id": "customer.clv.prediction",
        }

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_clv_prediction_id(self):
        self._compute_company_record("customer_clv_prediction_id")

    def _search_customer_clv_prediction_id(self, operator, value):
        return self._search_company_record("customer_clv_prediction_id", operator, value)
