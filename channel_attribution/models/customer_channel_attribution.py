from odoo import api, fields, models

from .channel_engine import attribution_model_selection


class CustomerChannelAttribution(models.Model):
    """Share of a confirmed order's revenue credited to a channel under one model: rows
    derived from the orders, written by the engine only where they change."""

    _name = "customer.channel.attribution"
    _description = "Attributed Revenue"
    _order = "date desc, order_id, attribution_model, channel_id"
    _rec_name = "order_id"
    _log_access = False

    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, ondelete="cascade", help="The order."
    )
    channel_id = fields.Many2one(
        "customer.channel",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        help="The channel credited.",
    )
    attribution_model = fields.Selection(
        selection=attribution_model_selection,
        required=True,
        readonly=True,
        help="First touch, last touch, linear, position-based (40/20/40) or time decay; every "
        "model is stored so that they can be compared side by side.",
    )
    amount = fields.Monetary(
        readonly=True,
        help="Untaxed amount of the order in the company currency times the channel's share; "
        "the shares of an order add up to its amount.",
    )
    date = fields.Date(readonly=True, help="Date (UTC) of the order.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        ondelete="cascade",
        index=True,
        help="Commercial entity of the order's customer.",
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, ondelete="set null")
    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")

    _order_channel_model_uniq = models.UniqueIndex(
        "(order_id, channel_id, attribution_model)",
        "An order has one share per channel and attribution model.",
    )
    # By date alone: a company's batch of customers reads its rows by customer. With the
    # company first, a company whose rows the statistics have not seen yet (its first full
    # run) is planned as a handful of rows and read through that index, every batch of its
    # run scanning all the rows the run has written so far.
    _date_idx = models.Index("(date)")

    @api.model
    def recompute_attribution(self):
        """Recompute the acquisition and attributed revenue of every customer and order of
        the current company (public API; Customer Insight managers)."""
        return self.env["customer.channel.engine"].recompute()
