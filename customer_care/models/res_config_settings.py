from odoo import api, fields, models
from odoo.exceptions import ValidationError

HOURS = {"minutes": 1 / 60, "hours": 1, "days": 24, "weeks": 168, "months": 720}
MAX_INTERVAL_HOURS = 24 * 31


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_care_enabled = fields.Boolean(
        related="company_id.customer_care_enabled", readonly=False
    )
    customer_care_fallback_user_id = fields.Many2one(
        related="company_id.customer_care_fallback_user_id", readonly=False
    )
    care_effectiveness_window_days = fields.Integer(
        related="company_id.care_effectiveness_window_days", readonly=False
    )
    customer_care_interval_hours = fields.Integer(
        "Run Every (hours)",
        compute="_compute_customer_care_interval_hours",
        inverse="_inverse_customer_care_interval_hours",
        help="How often the scheduled action applies the care rules (every company).",
    )

    def _care_cron(self):
        return self.env.ref("customer_care.ir_cron_run_care_rules").sudo()

    @api.depends("company_id")
    def _compute_customer_care_interval_hours(self):
        cron = self._care_cron()
        hours = max(1, round(cron.interval_number * HOURS[cron.interval_type]))
        for settings in self:
            settings.customer_care_interval_hours = hours

    def _inverse_customer_care_interval_hours(self):
        for settings in self:
            if not 1 <= settings.customer_care_interval_hours <= MAX_INTERVAL_HOURS:
                raise ValidationError(
                    self.env._(
                        "The care rules run every 1 to %(max)s hours.", max=MAX_INTERVAL_HOURS
                    )
                )
            self._care_cron().write(
                {
                    "interval_number": settings.customer_care_interval_hours,
                    "interval_type": "hours",
                }
            )

    def action_run_care_rules(self):
        """Save the settings, then apply the company's care rules now."""
        self.execute()
        result = self.env["customer.care.rule"].run_care_rules() or {}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s care actions created.", count=sum(result.values())
                ),
            },
        }
