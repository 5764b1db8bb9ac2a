from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_care_enabled = fields.Boolean(
        "Customer Care Engine",
        default=True,
        help="When set, the scheduled action applies the care rules of this company.",
    )
    customer_care_fallback_user_id = fields.Many2one(
        "res.users",
        string="Care Fallback User",
        help="Gets the care activities whose rule finds no assignee and names no fallback user.",
    )
