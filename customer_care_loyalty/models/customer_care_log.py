from odoo import fields, models


class CustomerCareLog(models.Model):
    _inherit = "customer.care.log"

    loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Offer",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="Coupon or gift card of the rule's offer issued to the customer with this "
        "action (the same card as the rule's previous action when the customer has not used "
        "that one yet).",
    )
