import re

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, VALUE_TIERS

from ..models.channel_engine import attribution_model_selection
from ..models.customer_channel import CHANNEL_TYPES

# The measures of leads and new customers, and the dimensions only their rows have (not
# their daily sums).
FUNNEL_MEASURES = (
    "lead_count",
    "opportunity_count",
    "won_count",
    "lost_count",
    "new_customer_count",
    "new_customer_revenue",
    "new_customer_order_count",
)
FUNNEL_ROW_FIELDS = (
    "campaign_id",
    "source_id",
    "medium_id",
    "user_id",
    "partner_id",
    "segment_id",
    "value_tier",
)
FACTS = [
    ("lead", "Lead or opportunity"),
    ("customer", "New customer"),
    ("revenue", "Attributed revenue"),
    ("cost", "Cost"),
    ("order", "Orders"),
]


class CustomerChannelReport(models.Model):
    """Fact rows (leads, acquired customers, attributed revenue, costs, orders in their own
    channel), each with the channel it belongs to and, for leads and customers, the
    customer's class, so that every figure sums by channel, type, campaign, salesperson,
    period and class. Every source is kept by the engine; the leads and new customers come
    from their daily sums when a query groups or filters by nothing finer."""

    _name = "customer.channel.report"
    _inherit = ["customer.insight.report"]
    _description = "Channel Analysis"
    _auto = False
    _rec_name = "channel_id"
    _order = "date desc"
    _depends = {
        "customer.channel.funnel": [
            "fact",
            "date",
            "channel_id",
            "lifecycle_stage",
            *FUNNEL_MEASURES,
            *FUNNEL_ROW_FIELDS,
        ],
        "customer.channel.funnel.daily": [
            "fact",
            "date",
            "channel_id",
            "lifecycle_stage",
            *FUNNEL_MEASURES,
        ],
        "customer.channel.revenue": [
            "date",
            "amount",
            "channel_id",
            "attribution_model",
            "user_id",
            "campaign_id",
        ],
        "customer.channel.revenue.daily": ["date", "amount", "channel_id", "attribution_model"],
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
        "customer.channel": ["channel_type"],
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
        LIFECYCLE_STAGES,
        readonly=True,
        help="The customer's lifecycle stage at the last attribution run.",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        help="The customer's RFM segment at the last attribution run.",
    )
    value_tier = fields.Selection(
        VALUE_TIERS, readonly=True, help="The customer's value tier at the last attribution run."
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
            WITH facts AS (%(facts)s)
            SELECT f.*, ch.channel_type, f.channel_id = %(unassigned)s AS is_unassigned,
                   %(rates)s
              FROM facts f
              JOIN customer_channel ch ON ch.id = f.channel_id
            """,
            facts=self._facts_sql(
                [
                    self._funnel_facts(),
                    self._revenue_facts(),
                    self._cost_facts(),
                    self._order_facts(),
                ]
            ),
            unassigned=self.env.ref("channel_attribution.channel_unassigned").id,
            rates=self._rate_columns_sql(),
        )

    def _funnel_facts(self):
        """Leads and new customers by channel and customer class, as the engine keeps them
        (channel_funnel_engine.py): their daily sums when the query needs no finer
        dimension (``_on_funnel_rows``), else one row per lead and per new customer."""
        values = {
            "fact": "d.fact",
            "date": "d.date",
            "company_id": "d.company_id",
            "channel_id": "d.channel_id",
            "lifecycle_stage": "d.lifecycle_stage",
            **{name: f"d.{name}" for name in FUNNEL_MEASURES},
            "decided_count": "d.won_count + d.lost_count",
        }
        if self.env.context.get("channel_report_daily"):
            return "customer_channel_funnel_daily d", {"id": "d.id * 5", **values}
        dimensions = {name: f"d.{name}" for name in FUNNEL_ROW_FIELDS}
        return "customer_channel_funnel d", {"id": "d.id * 5 + 1", **values, **dimensions}

    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        report = self._on_funnel_rows(domain, [*groupby, *aggregates], order)
        return super(CustomerChannelReport, report)._read_group(
            domain, groupby, aggregates, having, offset, limit, order
        )

    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        specs = [spec for grouping_set in grouping_sets for spec in grouping_set]
        report = self._on_funnel_rows(domain, [*specs, *aggregates], order)
        return super(CustomerChannelReport, report)._read_grouping_sets(
            domain, grouping_sets, aggregates, order
        )

    def _on_funnel_rows(self, domain, specs, order):
        """This report, on the daily sums of leads, new customers and revenue unless the
        domain, the groupings, the aggregates or the order name a field only the funnel rows
        have; on the revenue of the company's attribution model only unless they name
        another model's."""
        names = {re.split(r"[:.]", spec)[0] for spec in specs}
        names |= {cond.field_expr.split(".")[0] for cond in Domain(domain).iter_conditions()}
        names |= set(re.findall(r"\w+", order or ""))
        context = {}
        if not names & set(FUNNEL_ROW_FIELDS):
            context["channel_report_daily"] = True
        if not names & {"attribution_model", "model_revenue"}:
            context["channel_report_company_model"] = True
        return self.with_context(**context)

    def _revenue_facts(self):
        """Daily attributed revenue under every model (under the company's model only when
        the query needs no other, ``_on_funnel_rows``); the company's model is the attributed
        revenue. Its sums per day, channel and model when the query needs no finer
        dimension."""
        revenue = (
            "CASE WHEN r.attribution_model = co.channel_attribution_model THEN r.amount ELSE 0 END"
        )
        values = {
            "id": "r.id * 5 + 2",
            "fact": "'revenue'",
            "date": "r.date",
            "company_id": "r.company_id",
            "channel_id": "r.channel_id",
            "attribution_model": "r.attribution_model",
            "model_revenue": "r.amount",
            "attributed_revenue": revenue,
            "margin": revenue,
        }
        table = "customer_channel_revenue_daily"
        if not self.env.context.get("channel_report_daily"):
            table = "customer_channel_revenue"
            values.update(campaign_id="r.campaign_id", user_id="r.user_id")
        source = f"{table} r JOIN res_company co ON co.id = r.company_id"
        if self.env.context.get("channel_report_company_model"):
            source += " AND r.attribution_model = co.channel_attribution_model"
        return source, values

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
