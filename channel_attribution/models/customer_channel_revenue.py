from odoo import fields, models

from .channel_engine import attribution_model_selection


class CustomerChannelRevenueFigures(models.AbstractModel):
    """What every roll-up of attributed revenue keeps: a company's amount of a day and
    channel under an attribution model."""

    _name = "customer.channel.revenue.figures"
    _description = "Attributed Revenue Figures"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Date(required=True, readonly=True, help="Date (UTC) of the orders.")
    channel_id = fields.Many2one(
        "customer.channel", required=True, readonly=True, ondelete="cascade"
    )
    attribution_model = fields.Selection(
        selection=attribution_model_selection,
        required=True,
        readonly=True,
        help="The attribution model.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(readonly=True)

    _company_date_idx = models.Index("(company_id, date)")


class CustomerChannelRevenue(models.Model):
    """Attributed revenue per day, channel, salesperson, campaign and model: what the
    channel reports read when they group or filter by salesperson or campaign. The engine
    adds the difference each recomputation makes (so a key may have several rows until the
    nightly run merges them); the sums always equal those of the attribution rows."""

    _name = "customer.channel.revenue"
    _inherit = ["customer.channel.revenue.figures"]
    _description = "Daily Attributed Revenue"
    _log_access = False

    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")
    amount = fields.Monetary(
        help="Sum of the attributed amounts of the day, channel, salesperson and campaign "
        "under the model, in the company currency."
    )


class CustomerChannelRevenueDaily(models.Model):
    """Attributed revenue per day, channel and model: what the channel reports read when
    they need no salesperson or campaign (a few rows per day whatever the number of
    salespeople and campaigns). Kept by the engine with the daily revenue, in the same
    statements."""

    _name = "customer.channel.revenue.daily"
    _inherit = ["customer.channel.revenue.figures"]
    _description = "Daily Attributed Revenue by Channel"
    _log_access = False

    amount = fields.Monetary(
        help="Sum of the attributed amounts of the day and channel under the model, in the "
        "company currency."
    )
