from odoo import fields, models


class CustomerCareMember(models.Model):
    """Customers currently in a rule's class, and whether the rule acted since they entered."""

    _name = "customer.care.member"
    _description = "Customer in a Care Rule's Class"
    _log_access = False

    rule_id = fields.Many2one("customer.care.rule", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    date_from = fields.Datetime("In Class Since", required=True)
    acted = fields.Boolean(help="The rule acted for this customer since it entered the class.")

    _rule_partner_uniq = models.UniqueIndex("(rule_id, partner_id)")
