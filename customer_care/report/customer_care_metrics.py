from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import BUYING_STAGES, LIFECYCLE_STAGES

FACTS = [
    ("purchase", "Customers who ordered"),
    ("churn", "Customers who churned"),
    ("win_back", "Customers won back"),
    ("base", "Customers at the start of the month"),
    ("rating", "Ratings"),
    ("reason", "Churn reasons"),
    ("care_score", "Care satisfaction scores"),
    ("new_customer", "New customers"),
]


class CustomerCareMetrics(models.Model):
    """The evaluation metrics of customer care, per month and customer class: repeat
    purchase, churn, win-back and referral rates, satisfaction and churn reasons."""

    _name = "customer.care.metrics"
    _inherit = ["customer.insight.report"]
    _description = "Customer Care Metrics"
    _auto = False
    _order = "date desc"
    _depends = {
        "customer.purchase.month": [
            "date",
            "segment_id",
            "lifecycle_stage",
            "ordering_count",
            "repeat_count",
        ],
        "customer.segment.history": [
            "date",
            "stage_from",
            "stage_to",
            "segment_from_id",
            "segment_to_id",
            "company_id",
        ],
        "customer.segment.snapshot": ["date", "lifecycle_stage", "segment_id", "customer_count"],
        "customer.care.log": ["churn_reason_id", "date_done", "state", "satisfaction"],
        "customer.profile": ["first_order_date", "segment_id", "lifecycle_stage"],
        "res.partner": ["care_churn_reason_id", "customer_referrer_id", "commercial_partner_id"],
    }
    _rates = {
        "repeat_purchase_rate": ("repeat_count", "ordering_count", 100.0),
        "churn_rate": ("churned_count", "active_base", 100.0),
        "win_back_rate": ("won_back_count", "churned_base", 100.0),
        "avg_satisfaction": ("rating_sum", "rating_count", 1.0),
        "referral_rate": ("referred_count", "new_count", 100.0),
    }

    fact = fields.Selection(FACTS, readonly=True)
    date = fields.Date(readonly=True, help="Month of the order, change, rating or reason.")
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        help="Customers who ordered, ratings and reasons: the customer's segment at the last "
        "classification; churn: the segment before churning; win-back: the segment after; "
        "start of month: the segment then.",
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    churn_reason_id = fields.Many2one("customer.churn.reason", readonly=True)
    ordering_count = fields.Integer("Ordering Customers", readonly=True)
    repeat_count = fields.Integer(
        "Repeat Customers", readonly=True, help="Ordering customers who had ordered before."
    )
    repeat_purchase_rate = fields.Float(
        "Repeat Purchase Rate (%)",
        readonly=True,
        aggregator="sum",
        help="Customers who ordered in the month and had ordered before ÷ customers who "
        "ordered in the month × 100.",
    )
    churned_count = fields.Integer("Churned", readonly=True)
    active_base = fields.Integer(
        "Customers at Risk of Churning",
        readonly=True,
        help="New, active, VIP and at-risk customers at the first classification of the month.",
    )
    churn_rate = fields.Float(
        "Monthly Churn Rate (%)",
        readonly=True,
        aggregator="sum",
        help="Customers who became churned ÷ customers not churned at the start of each month "
        "× 100 (over several months: per customer-month).",
    )
    won_back_count = fields.Integer(
        "Won Back", readonly=True, help="Churned customers who ordered again."
    )
    churned_base = fields.Integer(
        "Churned Customers", readonly=True, help="Churned customers at the start of the month."
    )
    win_back_rate = fields.Float(
        "Monthly Win-Back Rate (%)",
        readonly=True,
        aggregator="sum",
        help="Churned customers who ordered again ÷ churned customers at the start of each "
        "month × 100.",
    )
    rating_sum = fields.Float(
        "Rating Total",
        readonly=True,
        help="Sum of the satisfaction scores given when care activities were done and of "
        "the Odoo ratings.",
    )
    rating_count = fields.Integer(
        "Ratings",
        readonly=True,
        help="Satisfaction scores given when care activities were done, and Odoo ratings.",
    )
    avg_satisfaction = fields.Float(
        "Average Satisfaction",
        readonly=True,
        aggregator="sum",
        help="Average, from 1 to 5, of the satisfaction scores given when care activities "
        "were done (dated by the day done) and of the customers' Odoo ratings (dated by the "
        "rating).",
    )
    new_count = fields.Integer(
        "New Customers",
        readonly=True,
        help="Customers whose first transaction in the company is in the month.",
    )
    referred_count = fields.Integer(
        "Referred New Customers",
        readonly=True,
        help="New customers whose referrer (or the referrer's company) had a transaction in "
        "the company before the new customer's first one.",
    )
    referral_rate = fields.Float(
        "Referral Rate (%)",
        readonly=True,
        aggregator="sum",
        help="New customers referred by an existing customer ÷ new customers × 100.",
    )
    reason_count = fields.Integer(
        "Churn Reasons", readonly=True, help="Customers who gave this churn reason."
    )

    _fact_columns = {
        "id": "NULL::bigint",
        "fact": "NULL::varchar",
        "date": "NULL::date",
        "company_id": "NULL::int",
        "partner_id": "NULL::int",
        "segment_id": "NULL::int",
        "lifecycle_stage": "NULL::varchar",
        "churn_reason_id": "NULL::int",
        "ordering_count": "0",
        "repeat_count": "0",
        "churned_count": "0",
        "active_base": "0",
        "won_back_count": "0",
        "churned_base": "0",
        "rating_sum": "0.0",
        "rating_count": "0",
        "reason_count": "0",
        "new_count": "0",
        "referred_count": "0",
    }

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT f.*, %(rates)s FROM (%(facts)s) f
            """,
            facts=self._facts_sql(
                [
                    self._purchase_facts(),
                    self._churn_facts(),
                    self._win_back_facts(),
                    self._base_facts(),
                    self._rating_facts(),
                    self._reason_facts(),
                    self._care_score_facts(),
                    self._new_customer_facts(),
                ]
            ),
            rates=self._rate_columns_sql(),
        )

    def _purchase_facts(self):
        """Customers who ordered in the month; repeat when they had ordered before (the
        roll-up the care engine keeps, see customer.purchase.month)."""
        return "customer_purchase_month m", {
            "id": "m.id * 8",
            "fact": "'purchase'",
            "date": "m.date",
            "company_id": "m.company_id",
            "segment_id": "m.segment_id",
            "lifecycle_stage": "m.lifecycle_stage",
            "ordering_count": "m.ordering_count",
            "repeat_count": "m.repeat_count",
        }

    def _churn_facts(self):
        """Customers who became churned, with their segment before."""
        return SQL(
            """customer_segment_history h
                WHERE h.stage_to = 'churned' AND h.stage_from IS DISTINCT FROM 'churned'
                  AND h.stage_from IS NOT NULL"""
        ), {
            "id": "h.id * 8 + 1",
            "fact": "'churn'",
            "date": "h.date::date",
            "company_id": "h.company_id",
            "partner_id": "h.partner_id",
            "segment_id": "h.segment_from_id",
            "lifecycle_stage": "h.stage_to",
            "churned_count": "1",
        }

    def _win_back_facts(self):
        """Churned customers who bought again, with their segment after."""
        return SQL(
            "customer_segment_history h WHERE h.stage_from = 'churned' AND h.stage_to IN %s",
            BUYING_STAGES,
        ), {
            "id": "h.id * 8 + 2",
            "fact": "'win_back'",
            "date": "h.date::date",
            "company_id": "h.company_id",
            "partner_id": "h.partner_id",
            "segment_id": "h.segment_to_id",
            "lifecycle_stage": "h.stage_to",
            "won_back_count": "1",
        }

    def _base_facts(self):
        """Customers per class at the first classification of each month."""
        return (
            """customer_segment_snapshot s
                  JOIN (SELECT DISTINCT ON (company_id, date_trunc('month', date)) company_id,
                               date
                          FROM customer_segment_snapshot
                         ORDER BY company_id, date_trunc('month', date), date) first
                    ON first.company_id = s.company_id AND first.date = s.date""",
            {
                "id": "s.id * 8 + 3",
                "fact": "'base'",
                "date": "date_trunc('month', s.date)::date",
                "company_id": "s.company_id",
                "segment_id": "s.segment_id",
                "lifecycle_stage": "s.lifecycle_stage",
                "active_base": SQL(
                    "CASE WHEN s.lifecycle_stage IN %s THEN s.customer_count ELSE 0 END",
                    BUYING_STAGES,
                ),
                "churned_base": """CASE WHEN s.lifecycle_stage = 'churned'
                                    THEN s.customer_count ELSE 0 END""",
            },
        )

    def _rating_facts(self):
        """Odoo ratings: for the company of the rated employee, else for each company that
        classifies the customer."""
        return (
            """rating_rating r
                  JOIN res_partner rp ON rp.id = r.partner_id
                  JOIN customer_profile p ON p.partner_id = rp.commercial_partner_id
                  LEFT JOIN LATERAL (
                      SELECT u.company_id FROM res_users u
                       WHERE u.partner_id = r.rated_partner_id ORDER BY u.id LIMIT 1
                  ) rater ON TRUE
                 WHERE r.consumed AND r.rating > 0
                   AND p.company_id = COALESCE(rater.company_id, p.company_id)""",
            {
                # a rating counts for each company that classifies the customer
                "id": "(r.id::bigint * 100000 + p.company_id) * 8 + 4",
                "fact": "'rating'",
                "date": "date_trunc('month', r.create_date)::date",
                "company_id": "p.company_id",
                "partner_id": "p.partner_id",
                "segment_id": "p.segment_id",
                "lifecycle_stage": "p.lifecycle_stage",
                "rating_sum": "r.rating",
                "rating_count": "1",
            },
        )

    def _reason_facts(self):
        """Churn reasons of the customers, per company (a company-dependent field), dated
        by the activity that recorded them."""
        return (
            """res_partner rp
                  JOIN customer_profile p ON p.partner_id = rp.id
                  JOIN customer_churn_reason reason
                    ON reason.id = (rp.care_churn_reason_id ->> p.company_id::text)::int
                 WHERE rp.care_churn_reason_id IS NOT NULL""",
            {
                "id": "p.id * 8 + 5",
                "fact": "'reason'",
                "date": """date_trunc('month', COALESCE(
                           (SELECT MAX(l.date_done) FROM customer_care_log l
                             WHERE l.partner_id = rp.id AND l.company_id = p.company_id
                               AND l.churn_reason_id IS NOT NULL),
                           rp.write_date))::date""",
                "company_id": "p.company_id",
                "partner_id": "rp.id",
                "segment_id": "p.segment_id",
                "lifecycle_stage": "p.lifecycle_stage",
                "churn_reason_id": "reason.id",
                "reason_count": "1",
            },
        )

    def _care_score_facts(self):
        """Satisfaction scores given when care activities were done, dated by the day done."""
        return (
            """customer_care_log l
                  LEFT JOIN customer_profile p
                    ON p.partner_id = l.partner_id AND p.company_id = l.company_id
                 WHERE l.state = 'done' AND l.satisfaction IS NOT NULL""",
            {
                "id": "l.id * 8 + 6",
                "fact": "'care_score'",
                "date": "date_trunc('month', l.date_done)::date",
                "company_id": "l.company_id",
                "partner_id": "l.partner_id",
                "segment_id": "p.segment_id",
                "lifecycle_stage": "p.lifecycle_stage",
                "rating_sum": "l.satisfaction::int",
                "rating_count": "1",
            },
        )

    def _new_customer_facts(self):
        """Customers by the month of their first transaction in the company; referred when
        their referrer's commercial entity had a transaction in the company before."""
        # The referred are found from the few partners with a referrer, not by reading the
        # partner of every new customer.
        return (
            """customer_profile p
                  LEFT JOIN (
                      SELECT referred.id
                        FROM res_partner rp
                        JOIN res_partner referrer ON referrer.id = rp.customer_referrer_id
                        JOIN customer_profile referred ON referred.partner_id = rp.id
                        JOIN customer_profile rp_profile
                          ON rp_profile.partner_id = referrer.commercial_partner_id
                         AND rp_profile.company_id = referred.company_id
                         AND rp_profile.first_order_date < referred.first_order_date
                       WHERE rp.customer_referrer_id IS NOT NULL
                  ) referral ON referral.id = p.id
                 WHERE p.first_order_date IS NOT NULL""",
            {
                "id": "p.id * 8 + 7",
                "fact": "'new_customer'",
                "date": "date_trunc('month', p.first_order_date)::date",
                "company_id": "p.company_id",
                "partner_id": "p.partner_id",
                "segment_id": "p.segment_id",
                "lifecycle_stage": "p.lifecycle_stage",
                "new_count": "1",
                "referred_count": "(referral.id IS NOT NULL)::int",
            },
        )
