from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Programmes whose cards are handed to one customer and redeemed with their code.
OFFER_PROGRAM_TYPES = ("coupons", "gift_card")
MAX_VALIDITY_DAYS = 3650


class CustomerCareRule(models.Model):
    _inherit = "customer.care.rule"

    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Offer",
        check_company=True,
        ondelete="restrict",
        domain="[('program_type', 'in', ('coupons', 'gift_card'))]",
        groups="sales_team.group_sale_salesman",
        help="Coupon or gift-card programme of which each action of the rule issues one card "
        "to the customer (once per action: a rerun, or the same need, issues nothing new). "
        "Its code is in the e-mail and the activity note through {{ object.care_loyalty_code "
        "}}. The rule's e-mail or activity tells the customer: the programme's own 'at "
        "creation' e-mail is not sent.",
    )
    loyalty_points = fields.Float(
        "Offer Points",
        default=1.0,
        groups="sales_team.group_sale_salesman",
        help="Points put on each card: for coupons, the points a reward costs (usually 1); "
        "for gift cards, the amount in the programme's currency.",
    )
    loyalty_validity_days = fields.Integer(
        "Offer Valid (days)",
        default=30,
        groups="sales_team.group_sale_salesman",
        help="Each card expires this many days after it is issued; 0: it never expires.",
    )

    @api.constrains("loyalty_program_id", "loyalty_points", "loyalty_validity_days")
    def _check_loyalty_offer(self):
        for rule in self.sudo().filtered("loyalty_program_id"):
            if rule.loyalty_program_id.program_type not in OFFER_PROGRAM_TYPES:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the offer must be a coupon or gift-card programme.",
                        rule=rule.name,
                    )
                )
            if rule.loyalty_points <= 0:
                raise ValidationError(
                    self.env._("Rule %(rule)s: the offer points must be positive.", rule=rule.name)
                )
            if not 0 <= rule.loyalty_validity_days <= MAX_VALIDITY_DAYS:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the offer validity must be between 0 and %(max)s days.",
                        rule=rule.name,
                        max=MAX_VALIDITY_DAYS,
                    )
                )
