from odoo import api, fields, models
from odoo.tools import SQL

from .res_company import ATTRIBUTION_MODELS


class CustomerChannelAttribution(models.Model):
    """Share of a confirmed order's revenue credited to a channel under one model.

    Millions of rows derived from the orders and rewritten by the engine: the table is
    created without foreign keys (their checks cost 9 in 10 of the write time); rows of a
    deleted order or channel are removed with it."""

    _name = "customer.channel.attribution"
    _description = "Attributed Revenue"
    _order = "date desc, order_id, attribution_model, channel_id"
    _rec_name = "order_id"
    _auto = False
    _log_access = False

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    channel_id = fields.Many2one(
        "customer.channel", required=True, readonly=True, ondelete="cascade"
    )
    attribution_model = fields.Selection(
        ATTRIBUTION_MODELS,
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
        help="Commercial entity of the order's customer.",
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, ondelete="set null")
    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS customer_channel_attribution (
                    id serial PRIMARY KEY,
                    order_id integer NOT NULL,
                    channel_id integer NOT NULL,
                    attribution_model varchar NOT NULL,
                    amount numeric,
                    date date,
                    company_id integer NOT NULL,
                    partner_id integer,
                    user_id integer,
                    campaign_id integer
                );
                CREATE UNIQUE INDEX IF NOT EXISTS customer_channel_attribution_order_uniq
                    ON customer_channel_attribution (order_id, channel_id, attribution_model);
                CREATE INDEX IF NOT EXISTS customer_channel_attribution_company_date_idx
                    ON customer_channel_attribution (company_id, date);
                CREATE INDEX IF NOT EXISTS customer_channel_attribution_partner_idx
                    ON customer_channel_attribution (partner_id);
                CREATE INDEX IF NOT EXISTS customer_channel_attribution_channel_idx
                    ON customer_channel_attribution (channel_id);
                """
            )
        )

    @api.model
    def recompute_attribution(self):
        """Recompute the acquisition and attributed revenue of every customer and order of
        the current company (public API; Customer Insight managers)."""
        return self.env["customer.channel.engine"].recompute()
