from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.models.customer_profile import LIFECYCLE_STAGES, VALUE_TIERS
from odoo.addons.customer_segmentation.tools import tune_transaction

from ..models.customer_channel import CHANNEL_TYPES
from ..models.res_company import ATTRIBUTION_MODELS

FACTS = [
    ("lead", "Lead or opportunity"),
    ("customer", "New customer"),
    ("revenue", "Attributed revenue"),
    ("cost", "Cost"),
]
# Rates are computed from the sums of the grouped rows, never averaged over rows.
RATES = {
    "conversion_rate": ("SUM(%s) * 100.0 / NULLIF(SUM(%s), 0)", "won_count", "decided_count"),
    "avg_order_value": (
        "SUM(%s) / NULLIF(SUM(%s), 0)",
        "new_customer_revenue",
        "new_customer_order_count",
    ),
    "cost_per_customer": ("SUM(%s) / NULLIF(SUM(%s), 0)", "cost", "new_customer_count"),
    "return_on_cost": (
        "(SUM(%s) - SUM(%s)) * 100.0 / NULLIF(SUM(%s), 0)",
        "attributed_revenue",
        "cost",
        "cost",
    ),
}


class CustomerChannelReport(models.Model):
    """One row per fact (lead, acquired customer, order × channel, cost), dated, with the
    channel it belongs to and the customer's class, so that every figure sums by channel,
    type, campaign, salesperson, period and class."""

    _name = "customer.channel.report"
    _description = "Channel Analysis"
    _auto = False
    _rec_name = "channel_id"
    _order = "date desc"
    _depends = {
        "crm.lead": [
            "create_date",
            "type",
            "won_status",
            "source_id",
            "medium_id",
            "campaign_id",
            "user_id",
            "partner_id",
            "company_id",
        ],
        "customer.acquisition": [
            "date",
            "channel_id",
            "source_id",
            "medium_id",
            "campaign_id",
            "partner_id",
            "company_id",
        ],
        "customer.channel.revenue": [
            "date",
            "amount",
            "channel_id",
            "attribution_model",
            "user_id",
            "campaign_id",
        ],
        "customer.channel.cost": ["date", "amount", "channel_id", "company_id"],
        "customer.channel": ["channel_type", "source_ids", "medium_ids", "active", "company_id"],
        "customer.profile": [
            "lifecycle_stage",
            "segment_id",
            "value_tier",
            "order_count",
            "total_revenue",
        ],
    }

    fact = fields.Selection(FACTS, readonly=True, help="What the row counts.")
    date = fields.Date(
        readonly=True,
        help="Creation date of the lead, acquisition date of the customer, date of the order, "
        "or date of the cost.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    channel_id = fields.Many2one("customer.channel", string="Channel", readonly=True)
    channel_type = fields.Selection(CHANNEL_TYPES, string="Channel Type", readonly=True)
    is_unassigned = fields.Boolean(
        "Unassigned", readonly=True, help="The source and medium map to no channel."
    )
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    medium_id = fields.Many2one("utm.medium", string="UTM Medium", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, readonly=True, help="The customer's lifecycle stage today."
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        help="The customer's RFM segment today.",
    )
    value_tier = fields.Selection(
        VALUE_TIERS, readonly=True, help="The customer's value tier today."
    )
    lead_count = fields.Integer("Leads", readonly=True, help="Leads and opportunities created.")
    opportunity_count = fields.Integer(
        "Opportunities", readonly=True, help="Opportunities created."
    )
    won_count = fields.Integer("Won", readonly=True, help="Opportunities won.")
    lost_count = fields.Integer("Lost", readonly=True, help="Leads and opportunities lost.")
    decided_count = fields.Integer("Decided", readonly=True, help="Won plus lost.")
    conversion_rate = fields.Float(
        "Conversion Rate (%)",
        readonly=True,
        aggregator="sum",
        help="Won ÷ decided (won + lost) × 100, from the sums of the group.",
    )
    new_customer_count = fields.Integer(
        "New Customers",
        readonly=True,
        help="Customers acquired (first touchpoint) in the period who placed a confirmed order.",
    )
    new_customer_revenue = fields.Monetary(
        "New Customers' Revenue",
        readonly=True,
        help="All-time revenue of the customers acquired, in the company currency.",
    )
    new_customer_order_count = fields.Integer(
        "New Customers' Orders", readonly=True, help="All-time orders of the customers acquired."
    )
    avg_order_value = fields.Monetary(
        "Average Order Value",
        readonly=True,
        aggregator="sum",
        help="New customers' revenue ÷ their orders, from the sums of the group.",
    )
    attribution_model = fields.Selection(
        ATTRIBUTION_MODELS,
        readonly=True,
        help="Revenue rows: the attribution model of the revenue under 'Revenue by Model'.",
    )
    model_revenue = fields.Monetary(
        "Revenue by Model",
        readonly=True,
        help="Revenue of confirmed orders attributed to the channel under the row's "
        "attribution model: group by model to compare them.",
    )
    attributed_revenue = fields.Monetary(
        readonly=True,
        help="Revenue of confirmed orders attributed to the channel under the model chosen in "
        "Settings.",
    )
    cost = fields.Monetary(readonly=True, help="Channel costs recorded for the period.")
    cost_per_customer = fields.Monetary(
        "Cost per New Customer",
        readonly=True,
        aggregator="sum",
        help="Cost ÷ new customers, from the sums of the group.",
    )
    return_on_cost = fields.Float(
        "Return on Cost (%)",
        readonly=True,
        aggregator="sum",
        help="(Attributed revenue − cost) ÷ cost × 100, from the sums of the group.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH source_map AS (
                SELECT DISTINCT ON (co.id, r.source_id) co.id AS company_id, r.source_id,
                       c.id AS channel_id
                  FROM customer_channel_utm_source_rel r
                  JOIN customer_channel c ON c.id = r.channel_id AND c.active
                  JOIN res_company co ON c.company_id IS NULL OR c.company_id = co.id
                 ORDER BY co.id, r.source_id, c.company_id IS NULL, c.sequence, c.id
            ),
            medium_map AS (
                SELECT DISTINCT ON (co.id, r.medium_id) co.id AS company_id, r.medium_id,
                       c.id AS channel_id
                  FROM customer_channel_utm_medium_rel r
                  JOIN customer_channel c ON c.id = r.channel_id AND c.active
                  JOIN res_company co ON c.company_id IS NULL OR c.company_id = co.id
                 ORDER BY co.id, r.medium_id, c.company_id IS NULL, c.sequence, c.id
            ),
            facts AS (
                SELECT l.id * 4 AS id, 'lead' AS fact, l.create_date::date AS date,
                       co.id AS company_id,
                       COALESCE(sm.channel_id, mm.channel_id, %(unassigned)s) AS channel_id,
                       l.campaign_id, l.source_id, l.medium_id, l.user_id,
                       rp.commercial_partner_id AS partner_id,
                       1 AS lead_count, (l.type = 'opportunity')::int AS opportunity_count,
                       (l.won_status = 'won')::int AS won_count,
                       (l.won_status = 'lost')::int AS lost_count,
                       (l.won_status IN ('won', 'lost'))::int AS decided_count,
                       0 AS new_customer_count, 0 AS new_customer_revenue,
                       0 AS new_customer_order_count, NULL::varchar AS attribution_model,
                       0 AS model_revenue, 0 AS attributed_revenue, 0 AS cost
                  FROM crm_lead l
                  JOIN res_company co ON l.company_id IS NULL OR l.company_id = co.id
                  LEFT JOIN res_partner rp ON rp.id = l.partner_id
                  LEFT JOIN source_map sm ON sm.company_id = co.id AND sm.source_id = l.source_id
                  LEFT JOIN medium_map mm ON mm.company_id = co.id AND mm.medium_id = l.medium_id
                UNION ALL
                SELECT a.id * 4 + 1, 'customer', a.date, a.company_id,
                       COALESCE(a.channel_id, %(unassigned)s), a.campaign_id, a.source_id,
                       a.medium_id, rp.user_id, a.partner_id,
                       0, 0, 0, 0, 0, 1, p.total_revenue, p.order_count, NULL, 0, 0, 0
                  FROM customer_acquisition a
                  JOIN customer_profile p
                    ON p.partner_id = a.partner_id AND p.company_id = a.company_id
                   AND p.order_count > 0
                  JOIN res_partner rp ON rp.id = a.partner_id
                UNION ALL
                SELECT r.id * 4 + 2, 'revenue', r.date, r.company_id, r.channel_id,
                       r.campaign_id, NULL, NULL, r.user_id, NULL,
                       0, 0, 0, 0, 0, 0, 0, 0, r.attribution_model, r.amount,
                       CASE WHEN r.attribution_model = co.channel_attribution_model
                            THEN r.amount ELSE 0 END,
                       0
                  FROM customer_channel_revenue r
                  JOIN res_company co ON co.id = r.company_id
                UNION ALL
                SELECT k.id * 4 + 3, 'cost', k.date, k.company_id, k.channel_id, NULL, NULL,
                       NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, k.amount
                  FROM customer_channel_cost k
            )
            SELECT f.*, ch.channel_type, f.channel_id = %(unassigned)s AS is_unassigned,
                   p.lifecycle_stage, p.segment_id, p.value_tier,
                   NULL::float AS conversion_rate, NULL::numeric AS avg_order_value,
                   NULL::numeric AS cost_per_customer, NULL::float AS return_on_cost
              FROM facts f
              JOIN customer_channel ch ON ch.id = f.channel_id
              LEFT JOIN customer_profile p
                ON p.partner_id = f.partner_id AND p.company_id = f.company_id
            """,
            unassigned=self.env.ref("channel_attribution.channel_unassigned").id,
        )

    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        tune_transaction(self.env.cr)  # a union over every fact: no JIT compilation
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname not in RATES:
            return super()._read_group_select(aggregate_spec, query)
        template, *operands = RATES[fname]
        return SQL(template, *(self._field_to_sql(self._table, name, query) for name in operands))

    @api.model
    def _period_figures(self, date_from, date_to, channel_ids):
        """{channel id: {measure: value}} over [date_from, date_to] for the scorecard."""
        measures = [
            "attributed_revenue",
            "lead_count",
            "won_count",
            "conversion_rate",
            "new_customer_count",
            "cost",
            "return_on_cost",
        ]
        rows = self._read_group(
            [("date", ">=", date_from), ("date", "<=", date_to), ("channel_id", "in", channel_ids)],
            ["channel_id"],
            [f"{name}:sum" for name in measures] + ["__count"],
        )
        return {
            channel.id: dict(zip(measures, values[:-1], strict=True)) for channel, *values in rows
        }
