from odoo import fields, models

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, VALUE_TIERS

FUNNEL_FACTS = [("lead", "Lead or opportunity"), ("customer", "New customer")]
CLASS_HELP = "The customer's class when the engine last ran for the customer."


class CustomerChannelFunnelMixin(models.AbstractModel):
    """The columns shared by the funnel rows and their daily sums: leads and opportunities in
    the channel of their source (else medium), customers who ordered in the channel that
    acquired them, with the customer's lifecycle stage."""

    _name = "customer.channel.funnel.mixin"
    _description = "Channel Funnel Columns"

    fact = fields.Selection(FUNNEL_FACTS, required=True, readonly=True, help="What is counted.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Date(
        readonly=True,
        help="Creation date (UTC) of the lead, or acquisition date of the customer.",
    )
    channel_id = fields.Many2one(
        "customer.channel", required=True, readonly=True, ondelete="cascade"
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True, help=CLASS_HELP)
    currency_id = fields.Many2one(related="company_id.currency_id")
    lead_count = fields.Integer("Leads", readonly=True, help="Leads and opportunities.")
    opportunity_count = fields.Integer(
        "Opportunities", readonly=True, help="Leads of the opportunity type."
    )
    won_count = fields.Integer("Won", readonly=True, help="Leads and opportunities won.")
    lost_count = fields.Integer("Lost", readonly=True, help="Leads and opportunities lost.")
    new_customer_count = fields.Integer(
        "New Customers", readonly=True, help="Customers acquired who placed a confirmed order."
    )
    new_customer_revenue = fields.Monetary(
        "New Customers' Revenue",
        readonly=True,
        help="All-time revenue of these customers, in the company currency.",
    )
    new_customer_order_count = fields.Integer(
        "New Customers' Orders", readonly=True, help="All-time orders of these customers."
    )


class CustomerChannelFunnel(models.Model):
    """One row per lead and company, and per acquired customer who ordered: the rows the
    daily funnel figures are maintained from, written by the engine only where they
    change."""

    _name = "customer.channel.funnel"
    _inherit = ["customer.channel.funnel.mixin"]
    _description = "Lead or New Customer by Channel"
    _log_access = False

    ref_id = fields.Integer(
        "Reference", readonly=True, help="Id of the lead, or of the customer's acquisition."
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        ondelete="cascade",
        index=True,
        help="Commercial entity of the lead's or the acquisition's customer.",
    )

    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")
    source_id = fields.Many2one("utm.source", readonly=True, ondelete="set null")
    medium_id = fields.Many2one("utm.medium", readonly=True, ondelete="set null")
    user_id = fields.Many2one(
        "res.users",
        readonly=True,
        ondelete="set null",
        help="Salesperson of the lead, or of the customer.",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment", readonly=True, ondelete="set null", help=CLASS_HELP
    )
    value_tier = fields.Selection(VALUE_TIERS, readonly=True, help=CLASS_HELP)

    _fact_uniq = models.UniqueIndex("(fact, ref_id, company_id)", "One row per fact.")


class CustomerChannelFunnelDaily(models.Model):
    """Leads and new customers per day, channel and lifecycle stage: what the channel
    reports read when they group by nothing finer (else they read the funnel rows). The
    engine adds the difference each recomputation makes (a key may have several rows until
    a full recomputation merges them); the sums always equal those of the funnel rows."""

    _name = "customer.channel.funnel.daily"
    _inherit = ["customer.channel.funnel.mixin"]
    _description = "Daily Leads and New Customers by Channel"
    _log_access = False

    _company_date_idx = models.Index("(company_id, date)")
