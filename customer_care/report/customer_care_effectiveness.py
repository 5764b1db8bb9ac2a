from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import BUYING_STAGES, LIFECYCLE_STAGES

METRICS = [
    ("repurchase", "Repurchase Rate (%)"),
    ("revenue", "Revenue per Customer"),
    ("churn", "Churn Rate (%)"),
    ("win_back", "Win-Back Rate (%)"),
]
# The additive columns of each row; means, differences and intervals derive from their sums.
ARM_SUMS = (
    "treated_count",
    "treated_sum",
    "treated_sumsq",
    "holdout_count",
    "holdout_sum",
    "holdout_sumsq",
)
Z_95 = 1.959963984540054  # two-sided 95 % quantile of the normal distribution


def uplift_sql(sums):
    """{column: SQL} of the means of both arms, their difference (treated - holdout) and its
    95 % interval (Welch standard error, normal quantile), from ``sums`` {ARM_SUMS name: SQL}.
    NULL where an arm is empty; no interval while an arm has fewer than two customers."""
    n_t, s_t, q_t, n_h, s_h, q_h = (sums[name] for name in ARM_SUMS)

    def mean(total, n):
        return SQL("((%s)::float / NULLIF(%s, 0))", total, n)

    def variance_of_mean(total, squares, n):  # sample variance / n
        return SQL(
            "(GREATEST((%s) - (%s)::float * (%s) / NULLIF(%s, 0), 0) / NULLIF((%s) - 1, 0) "
            "/ NULLIF(%s, 0))",
            squares,
            total,
            total,
            n,
            n,
            n,
        )

    uplift = SQL("(%s - %s)", mean(s_t, n_t), mean(s_h, n_h))
    margin = SQL(
        "(%s * sqrt(%s + %s))",
        Z_95,
        variance_of_mean(s_t, q_t, n_t),
        variance_of_mean(s_h, q_h, n_h),
    )
    return {
        "treated_mean": mean(s_t, n_t),
        "holdout_mean": mean(s_h, n_h),
        "uplift": uplift,
        "uplift_low": SQL("(%s - %s)", uplift, margin),
        "uplift_high": SQL("(%s + %s)", uplift, margin),
    }


class CustomerCareEffectiveness(models.Model):
    """Treated against held-out customers of each rule, per class at targeting and month of
    targeting: what happened in the company's effectiveness window after the rule chose
    them. One row per rule, stage, segment, month and metric; every figure is computed
    from sums, so any grouping gives the exact means and interval of its customers."""

    _name = "customer.care.effectiveness"
    _description = "Care Effectiveness"
    _auto = False
    _order = "date desc, rule_id, metric"
    _depends = {
        "customer.care.log": [
            "rule_id",
            "partner_id",
            "company_id",
            "date",
            "state",
            "lifecycle_stage",
            "segment_id",
        ],
        "sale.order": [
            "state",
            "date_order",
            "amount_untaxed",
            "currency_rate",
            "partner_id",
            "company_id",
        ],
        "customer.segment.history": ["partner_id", "company_id", "date", "stage_from", "stage_to"],
        "res.company": ["care_effectiveness_window_days"],
    }

    rule_id = fields.Many2one("customer.care.rule", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(
        "Targeted On", readonly=True, help="Month in which the rule chose the customers."
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Stage When Targeted",
        readonly=True,
        help="The customers' lifecycle stage when the rule chose them.",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="Segment When Targeted",
        readonly=True,
        help="The customers' RFM segment when the rule chose them.",
    )
    metric = fields.Selection(
        METRICS,
        readonly=True,
        help="Measured over the window after targeting. Repurchase: share of customers with a "
        "confirmed order. Revenue: untaxed amount of their confirmed orders (company "
        "currency) per customer. Churn: share of the buying customers (new, active, VIP, at "
        "risk) classified churned. Win-back: share of the churned customers with a confirmed "
        "order.",
    )
    treated_count = fields.Integer(
        "Treated",
        readonly=True,
        help="Customers the rule acted on (activity or e-mail, done or not) whose window is over.",
    )
    holdout_count = fields.Integer(
        "Held Out",
        readonly=True,
        help="Customers the rule kept in its control group (no action) whose window is over.",
    )
    treated_sum = fields.Float(readonly=True, help="Sum of the metric over the treated.")
    treated_sumsq = fields.Float(
        readonly=True, help="Sum of the squared metric over the treated (for its variance)."
    )
    holdout_sum = fields.Float(readonly=True, help="Sum of the metric over the held out.")
    holdout_sumsq = fields.Float(
        readonly=True, help="Sum of the squared metric over the held out (for its variance)."
    )
    treated_mean = fields.Float(
        "Treated Mean",
        readonly=True,
        aggregator="sum",
        help="Mean of the metric over the treated customers.",
    )
    holdout_mean = fields.Float(
        "Held-Out Mean",
        readonly=True,
        aggregator="sum",
        help="Mean of the metric over the held-out customers.",
    )
    uplift = fields.Float(
        "Uplift",
        readonly=True,
        aggregator="sum",
        help="Treated mean - held-out mean: what the rule's action changed (percentage points "
        "for rates, currency per customer for revenue).",
    )
    uplift_low = fields.Float(
        "Uplift 95% Low",
        readonly=True,
        aggregator="sum",
        help="Lower bound of the 95 % confidence interval of the uplift: uplift - 1.96 × "
        "√(treated variance / treated + held-out variance / held out) (Welch). Above 0: the "
        "action works.",
    )
    uplift_high = fields.Float(
        "Uplift 95% High",
        readonly=True,
        aggregator="sum",
        help="Upper bound of the 95 % confidence interval of the uplift. Below 0: the action "
        "does harm.",
    )

    @property
    def _table_query(self):
        sums = {name: SQL.identifier("g", name) for name in ARM_SUMS}
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (
                       ORDER BY g.company_id, g.rule_id, g.date, g.lifecycle_stage,
                                g.segment_id, g.metric) AS id,
                   g.*, %(derived)s
              FROM (%(grouped)s) g
            """,
            derived=SQL(", ").join(
                SQL("%s AS %s", expression, SQL.identifier(name))
                for name, expression in uplift_sql(sums).items()
            ),
            grouped=self._grouped_sql(),
        )

    def _grouped_sql(self):
        """n, sum and sum of squares of each metric per arm, per rule, class and month."""

        def arm(name, held_out):
            condition = SQL("o.held_out") if held_out else SQL("NOT o.held_out")
            return SQL(
                "COUNT(*) FILTER (WHERE %(c)s) AS %(n)s, "
                "COALESCE(SUM(o.value) FILTER (WHERE %(c)s), 0) AS %(s)s, "
                "COALESCE(SUM(o.value * o.value) FILTER (WHERE %(c)s), 0) AS %(q)s",
                c=condition,
                n=SQL.identifier(f"{name}_count"),
                s=SQL.identifier(f"{name}_sum"),
                q=SQL.identifier(f"{name}_sumsq"),
            )

        return SQL(
            """
            SELECT o.rule_id, o.company_id, o.date, o.lifecycle_stage, o.segment_id, o.metric,
                   %(treated)s, %(holdout)s
              FROM (%(outcomes)s) o
             GROUP BY o.rule_id, o.company_id, o.date, o.lifecycle_stage, o.segment_id,
                      o.metric
            """,
            treated=arm("treated", False),
            holdout=arm("holdout", True),
            outcomes=self._outcomes_sql(),
        )

    def _outcomes_sql(self):
        """One row per targeted customer whose window is over and metric that applies:
        (rule, class, month, held out, metric, value); rates as 100 or 0."""
        return SQL(
            """
            SELECT x.rule_id, x.company_id, x.date, x.lifecycle_stage, x.segment_id,
                   x.held_out, m.metric, m.value
              FROM (%(lines)s) x
             CROSS JOIN LATERAL (VALUES
                   ('repurchase', CASE WHEN x.ordered THEN 100.0 ELSE 0.0 END),
                   ('revenue', x.revenue),
                   ('churn', CASE WHEN x.lifecycle_stage IN %(buying)s
                                  THEN CASE WHEN x.churned THEN 100.0 ELSE 0.0 END END),
                   ('win_back', CASE WHEN x.lifecycle_stage = 'churned'
                                     THEN CASE WHEN x.ordered THEN 100.0 ELSE 0.0 END END)
             ) AS m(metric, value)
             WHERE m.value IS NOT NULL
            """,
            lines=self._lines_sql(),
            buying=BUYING_STAGES,
        )

    def _lines_sql(self):
        """The targeted customers (treated: any line not cancelled; held out) whose window
        is over, with their confirmed orders and churn in the window."""
        return SQL(
            """
            SELECT l.rule_id, l.company_id, date_trunc('month', l.date)::date AS date,
                   l.lifecycle_stage, l.segment_id, l.state = 'holdout' AS held_out,
                   o.orders > 0 AS ordered, o.revenue::float AS revenue,
                   EXISTS (
                       SELECT 1 FROM customer_segment_history h
                        WHERE h.partner_id = l.partner_id AND h.company_id = l.company_id
                          AND h.stage_to = 'churned'
                          AND h.stage_from IS DISTINCT FROM 'churned'
                          AND h.date > l.date AND h.date <= w.stop) AS churned
              FROM customer_care_log l
              JOIN res_company c ON c.id = l.company_id
             CROSS JOIN LATERAL (
                   SELECT l.date + make_interval(days => c.care_effectiveness_window_days)
                              AS stop) w
             CROSS JOIN LATERAL (
                   SELECT COUNT(*) AS orders,
                          COALESCE(SUM(so.amount_untaxed
                                       / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0) AS revenue
                     FROM sale_order so
                     JOIN res_partner rp ON rp.id = so.partner_id
                    WHERE rp.commercial_partner_id = l.partner_id
                      AND so.company_id = l.company_id AND so.state = 'sale'
                      AND so.date_order > l.date AND so.date_order <= w.stop) o
             WHERE l.state != 'cancelled' AND w.stop <= %(now)s
            """,
            now=fields.Datetime.now(),
        )

    def _read_group_select(self, aggregate_spec, query):
        """Means, uplift and interval of a group: from the sums of its rows, never summed."""
        name = aggregate_spec.split(":")[0]
        if name not in ("treated_mean", "holdout_mean", "uplift", "uplift_low", "uplift_high"):
            return super()._read_group_select(aggregate_spec, query)
        sums = {
            column: SQL("SUM(%s)", self._field_to_sql(self._table, column, query))
            for column in ARM_SUMS
        }
        return uplift_sql(sums)[name]
