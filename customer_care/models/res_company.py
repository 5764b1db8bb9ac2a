from odoo import api, fields, models
from odoo.exceptions import ValidationError

MAX_EFFECTIVENESS_WINDOW_DAYS = 730


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
    care_effectiveness_window_days = fields.Integer(
        "Effectiveness Window (days)",
        default=90,
        help="The Care Effectiveness report compares treated and held-out customers over this "
        "many days after the rule chose them (orders, revenue, churn and win-back in the "
        "window); customers chosen more recently are left out until their window is over.",
    )

    @api.constrains("care_effectiveness_window_days")
    def _check_care_effectiveness_window_days(self):
        for company in self:
            if not 1 <= company.care_effectiveness_window_days <= MAX_EFFECTIVENESS_WINDOW_DAYS:
                raise ValidationError(
                    self.env._(
                        "The care effectiveness window is 1 to %(max)s days.",
                        max=MAX_EFFECTIVENESS_WINDOW_DAYS,
                    )
                )
