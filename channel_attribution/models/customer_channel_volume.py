from odoo import fields, models

from .customer_channel_order import UNITS_HELP


class CustomerChannelVolume(models.Model):
    """Confirmed orders, units and revenue per day, channel, salesperson and campaign, each
    order in its own channel: what the channel reports read. The engine adds the difference
    each recomputation makes (so a key may have several rows until a full recomputation
    merges them); the sums always equal those of the orders by channel."""

    _name = "customer.channel.volume"
    _description = "Daily Channel Sales Volume"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Date(required=True, readonly=True, help="Date (UTC) of the orders.")
    channel_id = fields.Many2one(
        "customer.channel", required=True, readonly=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")
    currency_id = fields.Many2one(related="company_id.currency_id")
    order_count = fields.Integer(
        "Orders",
        readonly=True,
        help="Confirmed orders of the day, channel, salesperson and campaign.",
    )
    units = fields.Float(readonly=True, digits="Product Unit", help=UNITS_HELP)
    amount = fields.Monetary(
        readonly=True, help="Untaxed amount of these orders, in the company currency."
    )

    _company_date_idx = models.Index("(company_id, date)")
