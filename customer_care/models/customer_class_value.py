from odoo import fields, models

CLASS_KINDS = [
    ("lifecycle_stage", "Lifecycle Stage"),
    ("value_tier", "Value Tier"),
    ("customer_type", "Customer Type"),
]


class CustomerClassValue(models.Model):
    """A value of a customer class (a lifecycle stage, value tier or customer type) that
    care rules can target; one record per value of the classification's selections."""

    _name = "customer.class.value"
    _description = "Customer Class Value"
    _order = "kind, sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(CLASS_KINDS, required=True)
    code = fields.Char(required=True, help="The value stored on the customer's classification.")
    sequence = fields.Integer(default=10)

    _kind_code_uniq = models.UniqueIndex("(kind, code)")
