from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    channel_attribution_model = fields.Selection(
        related="company_id.channel_attribution_model", readonly=False
    )
    channel_attribution_half_life_days = fields.Integer(
        related="company_id.channel_attribution_half_life_days", readonly=False
    )
    channel_attribution_lookback_days = fields.Integer(
        related="company_id.channel_attribution_lookback_days", readonly=False
    )
    channel_attribution_fallback = fields.Selection(
        related="company_id.channel_attribution_fallback", readonly=False
    )

    def action_recompute_attribution(self):
        """Save the settings, then recompute acquisition and attribution of the company."""
        self.execute()
        self.env["customer.channel.attribution"].recompute_attribution()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Acquisition and attributed revenue recomputed."),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
