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
    care_purchase_months_run = fields.Datetime(
        "Ordering Customers Built From",
        readonly=True,
        help="The classification run the ordering customers per month (read by the care "
        "metrics) were built from; the care engine rebuilds them after each new run.",
    )
