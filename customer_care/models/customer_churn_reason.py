from odoo import fields, models


class CustomerChurnReason(models.Model):
    _name = "customer.churn.reason"
    _description = "Churn Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True, help="When to choose this reason.")
