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
    care_purchase_months_outdated = fields.Boolean(
        "Ordering Customers Outdated",
        default=True,
        readonly=True,
        help="Set by each complete classification run: the care engine then rebuilds the "
        "ordering customers per month and class that the care metrics read.",
    )
