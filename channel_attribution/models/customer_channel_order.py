from odoo import fields, models

UNITS_HELP = (
    "Sum of the ordered quantities of the order's product lines (sections, notes and down "
    "payments left out), each converted to its product's unit of measure as Odoo's Sales "
    "Analysis does: units of different products add up as plain numbers."
)


class CustomerChannelOrder(models.Model):
    """A confirmed order in its own channel, with its units and revenue: the rows the daily
    sales volume is maintained from, written by the engine only where they change."""

    _name = "customer.channel.order"
    _description = "Order by Channel"
    _order = "date desc, order_id"
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
        help="The channel of the order's own UTM source, else of its medium (Unassigned when "
        "they map to no channel); an order with neither goes where the Settings send orders "
        "without a touchpoint.",
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
    units = fields.Float(readonly=True, digits="Product Unit", help=UNITS_HELP)
    amount = fields.Monetary(
        readonly=True, help="Untaxed amount of the order in the company currency."
    )

    _order_uniq = models.UniqueIndex("(order_id)", "An order is in one channel.")
