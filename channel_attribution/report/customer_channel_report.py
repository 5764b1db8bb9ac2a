from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, VALUE_TIERS, tune_transaction

from ..models.channel_engine import attribution_model_selection
from ..models.customer_channel import CHANNEL_TYPES

# The class of the customer a fact is about, from its profile ``p``.
CLASS_COLUMNS = {
    "lifecycle_stage": "p.lifecycle_stage",
    "segment_id": "p.segment_id",
    "value_tier": "p.value_tier",
}
FACTS = [
    ("lead", "Lead or opportunity"),
    ("customer", "New customer"),
    ("revenue", "Attributed revenue"),
    ("cost", "Cost"),
    ("order", "Orders"),
]


class CustomerChannelReport(models.Model):
    """One row per fact (lead, acquired customer, order × channel, cost, orders of a day in
    their own channel), dated, with the channel it belongs to and the customer's class, so
    that every figure sums by channel, type, campaign, salesperson, period and class."""

    _name = "customer.channel.report"
    _inherit = ["customer.insight.report"]
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
        "customer.channel.volume": [
            "date",
            "order_count",
            "units",
            "amount",
            "channel_id",
            "user_id",
            "campaign_id",
        ],
        "customer.channel": ["channel_type", "source_ids", "medium_ids", "active", "company_id"],
        "customer.profile": [
            "lifecycle_stage",
            "segment_id",
            "value_tier",
            "order_count",
            "total_revenue",
        ],
        "res.company": ["channel_attribution_model"],
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
        "New Customers' Average Order Value",
        readonly=True,
        aggregator="sum",
        help="New customers' revenue ÷ their orders, from the sums of the group.",
    )
    attribution_model = fields.Selection(
        selection=attribution_model_selection,
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
    order_count = fields.Integer(
        "Orders",
        readonly=True,
        help="Confirmed orders, each in its own channel: that of its UTM source, else medium "
        "(Unassigned when they map to no channel); an order with neither goes where the "
        "Settings send orders without a touchpoint. Quotations and cancelled orders do not "
        "count.",
    )
    units_sold = fields.Float(
        "Units Sold",
        readonly=True,
        digits="Product Unit",
        help="Ordered quantities of the confirmed orders' product lines (sections, notes and "
        "down payments left out), each in its product's unit of measure as in the Sales "
        "Analysis: units of different products add up as plain numbers.",
    )
    order_revenue = fields.Monetary(
        "Order Revenue",
        readonly=True,
        help="Untaxed amount of the confirmed orders in their own channel, in the company "
        "currency: whole orders, not shared between channels as the attributed revenue is.",
    )
    order_value_avg = fields.Monetary(
        "Average Order Value",
        readonly=True,
        aggregator="sum",
        help="Order revenue ÷ orders, from the sums of the group.",
    )
    cost = fields.Monetary(readonly=True, help="Channel costs recorded for the period.")
    margin = fields.Monetary(
        "Revenue minus Cost",
        readonly=True,
        help="Attributed revenue minus channel costs, the numerator of the return on cost.",
    )
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

    _rates = {
        "conversion_rate": ("won_count", "decided_count", 100.0),
        "avg_order_value": ("new_customer_revenue", "new_customer_order_count", 1.0),
        "order_value_avg": ("order_revenue", "order_count", 1.0),
        "cost_per_customer": ("cost", "new_customer_count", 1.0),
        "return_on_cost": ("margin", "cost", 100.0),
    }
    _fact_columns = {
        "id": "NULL::int",
        "fact": "NULL::varchar",
        "date": "NULL::date",
        "company_id": "NULL::int",
        "channel_id": "NULL::int",
        "campaign_id": "NULL::int",
        "source_id": "NULL::int",
        "medium_id": "NULL::int",
        "user_id": "NULL::int",
        "partner_id": "NULL::int",
        "lifecycle_stage": "NULL::varchar",
        "segment_id": "NULL::int",
        "value_tier": "NULL::varchar",
        "attribution_model": "NULL::varchar",
        "lead_count": "0",
        "opportunity_count": "0",
        "won_count": "0",
        "lost_count": "0",
        "decided_count": "0",
        "new_customer_count": "0",
        "new_customer_revenue": "0",
        "new_customer_order_count": "0",
        "model_revenue": "0",
        "attributed_revenue": "0",
        "order_count": "0",
        "units_sold": "0",
        "order_revenue": "0",
        "cost": "0",
        "margin": "0",
    }

    @property
    def _table_query(self):
        return SQL(
            """
            WITH channel_map AS (%(channel_map)s),
            facts AS (%(facts)s)
            SELECT f.*, ch.channel_type, f.channel_id = %(unassigned)s AS is_unassigned,
                   %(rates)s
              FROM facts f
              JOIN customer_channel ch ON ch.id = f.channel_id
            """,
            channel_map=self.env["customer.channel.engine"]._channel_map_sql(),
            facts=self._facts_sql(
                [
                    self._lead_facts(),
                    self._customer_facts(),
                    self._revenue_facts(),
                    self._cost_facts(),
                    self._order_facts(),
                ]
            ),
            unassigned=self.env.ref("channel_attribution.channel_unassigned").id,
            rates=self._rate_columns_sql(),
        )

    def _lead_facts(self):
        """Leads and opportunities, in the channel of their source (else medium), with the
        class of their customer."""
        joins, channel = self.env["customer.channel.engine"]._channel_of_sql(
            "channel_map",
            SQL.identifier("co", "id"),
            SQL.identifier("l", "source_id"),
            SQL.identifier("l", "medium_id"),
        )
        return SQL(
            """crm_lead l
               JOIN res_company co ON l.company_id IS NULL OR l.company_id = co.id
               LEFT JOIN res_partner rp ON rp.id = l.partner_id
               LEFT JOIN customer_profile p
                 ON p.partner_id = rp.commercial_partner_id AND p.company_id = co.id
               %s""",
            joins,
        ), {
            "id": "l.id * 5",
            "fact": "'lead'",
            "date": "l.create_date::date",
            "company_id": "co.id",
            "channel_id": channel,
            "campaign_id": "l.campaign_id",
            "source_id": "l.source_id",
            "medium_id": "l.medium_id",
            "user_id": "l.user_id",
            "partner_id": "rp.commercial_partner_id",
            **CLASS_COLUMNS,
            "lead_count": "1",
            "opportunity_count": "(l.type = 'opportunity')::int",
            "won_count": "(l.won_status = 'won')::int",
            "lost_count": "(l.won_status = 'lost')::int",
            "decided_count": "(l.won_status IN ('won', 'lost'))::int",
        }

    def _customer_facts(self):
        """Customers who ordered, in the channel that acquired them."""
        unassigned = self.env.ref("channel_attribution.channel_unassigned").id
        return (
            """customer_acquisition a
                  JOIN customer_profile p
                    ON p.partner_id = a.partner_id AND p.company_id = a.company_id
                   AND p.order_count > 0
                  JOIN res_partner rp ON rp.id = a.partner_id""",
            {
                "id": "a.id * 5 + 1",
                "fact": "'customer'",
                "date": "a.date",
                "company_id": "a.company_id",
                "channel_id": SQL("COALESCE(a.channel_id, %s)", unassigned),
                "campaign_id": "a.campaign_id",
                "source_id": "a.source_id",
                "medium_id": "a.medium_id",
                "user_id": "rp.user_id",
                "partner_id": "a.partner_id",
                **CLASS_COLUMNS,
                "new_customer_count": "1",
                "new_customer_revenue": "p.total_revenue",
                "new_customer_order_count": "p.order_count",
            },
        )

    def _revenue_facts(self):
        """Daily attributed revenue under every model; the company's model is the
        attributed revenue."""
        revenue = (
            "CASE WHEN r.attribution_model = co.channel_attribution_model THEN r.amount ELSE 0 END"
        )
        return """customer_channel_revenue r JOIN res_company co ON co.id = r.company_id""", {
            "id": "r.id * 5 + 2",
            "fact": "'revenue'",
            "date": "r.date",
            "company_id": "r.company_id",
            "channel_id": "r.channel_id",
            "campaign_id": "r.campaign_id",
            "user_id": "r.user_id",
            "attribution_model": "r.attribution_model",
            "model_revenue": "r.amount",
            "attributed_revenue": revenue,
            "margin": revenue,
        }

    def _cost_facts(self):
        return "customer_channel_cost k", {
            "id": "k.id * 5 + 3",
            "fact": "'cost'",
            "date": "k.date",
            "company_id": "k.company_id",
            "channel_id": "k.channel_id",
            "cost": "k.amount",
            "margin": "-k.amount",
        }

    def _order_facts(self):
        """Daily confirmed orders, units and revenue, each order in its own channel."""
        return "customer_channel_volume v", {
            "id": "v.id * 5 + 4",
            "fact": "'order'",
            "date": "v.date",
            "company_id": "v.company_id",
            "channel_id": "v.channel_id",
            "campaign_id": "v.campaign_id",
            "user_id": "v.user_id",
            "order_count": "v.order_count",
            "units_sold": "v.units",
            "order_revenue": "v.amount",
        }

    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        tune_transaction(self.env.cr)  # a union over every fact: no JIT compilation
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

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
            "order_count",
            "units_sold",
            "order_value_avg",
        ]
        rows = self._read_group(
            [("date", ">=", date_from), ("date", "<=", date_to), ("channel_id", "in", channel_ids)],
            ["channel_id"],
            [f"{name}:sum" for name in measures] + ["__count"],
        )
        return {
            channel.id: dict(zip(measures, values[:-1], strict=True)) for channel, *values in rows
        }
