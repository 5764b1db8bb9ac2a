from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.customer_segmentation.tools import check_finite


class CustomerChannelCost(models.Model):
    _name = "customer.channel.cost"
    _description = "Channel Cost"
    _order = "date desc, id desc"

    channel_id = fields.Many2one("customer.channel", required=True, ondelete="cascade", index=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Day the cost was incurred (or the first day of the period it covers).",
    )
    amount = fields.Monetary(required=True, help="Amount spent, in the company currency.")
    note = fields.Char(help="What the money was spent on.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_finite(self, vals, ["amount"])
        return super().create(vals_list)

    def write(self, vals):
        check_finite(self, vals, ["amount"])
        return super().write(vals)

    @api.constrains("amount")
    def _check_amount(self):
        if any(cost.amount < 0 for cost in self):
            raise ValidationError(self.env._("A channel cost cannot be negative."))
