from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, USER_GROUP

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
    "class": "The customer's class in the prediction's company, copied from the "
    "classification by each classification run.",
    "repeat_purchases": "Days on which the customer bought again after their first purchase "
    "(several purchases of one day count once): the frequency the models start from.",
    "first_purchase_date": "Day of the customer's first purchase in the company: the models "
    "count the customer's age in weeks from it.",
    "last_purchase_date": "Day of the customer's latest purchase: the models count its "
    "recency in weeks from the first purchase to it.",
    "avg_repeat_spend": "Average amount of the days on which the customer bought again (the "
    "first purchase left out): the spend the Gamma-Gamma model starts from.",
    "churn_risk": "High, medium or low from the probability of being still active and the "
    "limits set in Settings.",
}


class CustomerClvPrediction(models.Model):
    """Predictions of one commercial entity in one company from the latest fit."""

    _name = "customer.clv.prediction"
    _inherit = ["customer.insight.analysis"]
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
    # The models' inputs, kept so that a refresh aggregates again only the customers whose
    # transactions changed.
    repeat_purchases = fields.Integer(
        "Repeat Purchase Days", readonly=True, aggregator="avg", help=HELP["repeat_purchases"]
    )
    first_purchase_date = fields.Date(
        "First Purchase", readonly=True, help=HELP["first_purchase_date"]
    )
    last_purchase_date = fields.Date(
        "Last Purchase", readonly=True, help=HELP["last_purchase_date"]
    )
    avg_repeat_spend = fields.Monetary(
        "Average Repeat Spend",
        readonly=True,
        aggregator="avg",
        groups=USER_GROUP,
        help=HELP["avg_repeat_spend"],
    )
    profile_id = fields.Many2one(
        "customer.profile",
        string="Classification",
        compute="_compute_profile_id",
        search="_search_profile_id",
        help="The customer's classification in the prediction's company.",
    )
    # Grouping dimensions of the analysis: the customer's class (copied from the
    # classification, so that the analysis groups without joining it), acquisition and
    # salesperson.
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        ondelete="set null",
        help=HELP["class"],
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="Lifecycle Stage", readonly=True, help=HELP["class"]
    )
    channel_id = fields.Many2one(
        related="partner_id.acquisition_channel_id", string="Acquisition Channel"
    )
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")
    _company_risk_idx = models.Index("(company_id, churn_risk)")

    def init(self):
        # The values move with the date: each night rewrites about 80 % of the predictions.
        # Half of each page left free holds the new versions of all its rows, so PostgreSQL
        # updates them in place (no new entry in every index) and prunes the night before's.
        # Five nights at 100 000 customers, without vacuum: at 80 the table grew from 22 to
        # 58 MB and each night wrote 30 MB of WAL; at 50 it stays at 23 MB, 12 MB of WAL,
        # the refresh 1.5-2.5 s to 1.2-1.4 s.
        self.env.cr.execute(
            SQL("ALTER TABLE %s SET (fillfactor = 50)", SQL.identifier(self._table))
        )

    @api.depends("partner_id", "company_id")
    def _compute_profile_id(self):
        profiles = self.env["customer.profile"].search(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        )
        by_key = {(profile.partner_id.id, profile.company_id.id): profile for profile in profiles}
        for prediction in self:
            key = (prediction.partner_id.id, prediction.company_id.id)
            prediction.profile_id = by_key.get(key, False)

    def _search_profile_id(self, operator, value):
        if operator in ("any", "any!"):
            domain = value if isinstance(value, Domain) else Domain("id", "in", value)
        elif operator == "in" and False not in value:
            domain = Domain("id", "in", list(value))
        else:
            return NotImplemented
        profiles = self.env["customer.profile"]._search(domain)
        return Domain(
            "id",
            "in",
            SQL(
                """SELECT pr.id FROM customer_clv_prediction pr
                     JOIN customer_profile p
                       ON p.partner_id = pr.partner_id AND p.company_id = pr.company_id
                    WHERE p.id IN %s""",
                profiles.subselect(),
            ),
        )

    def _field_to_sql(self, alias, field_expr, query=None):
        """The classification is joined on the customer and the prediction's company."""
        if field_expr != "profile_id" or query is None:
            return super()._field_to_sql(alias, field_expr, query)
        profile_alias = query.make_alias(alias, "customer_profile_of_company")
        query.add_join(
            "LEFT JOIN",
            profile_alias,
            "customer_profile",
            SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(profile_alias, "partner_id"),
                SQL.identifier(alias, "partner_id"),
                SQL.identifier(profile_alias, "company_id"),
                SQL.identifier(alias, "company_id"),
            ),
        )
        return SQL.identifier(profile_alias, "id")
