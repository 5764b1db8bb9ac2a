from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rfm_window_days = fields.Integer(related="company_id.rfm_window_days", readonly=False)
    customer_new_days = fields.Integer(related="company_id.customer_new_days", readonly=False)
    customer_at_risk_days = fields.Integer(
        related="company_id.customer_at_risk_days", readonly=False
    )
    customer_churn_days = fields.Integer(related="company_id.customer_churn_days", readonly=False)
    customer_transaction_source = fields.Selection(
        related="company_id.customer_transaction_source", readonly=False
    )
    rfm_scoring_method = fields.Selection(related="company_id.rfm_scoring_method", readonly=False)
    rfm_r_thresholds = fields.Char(related="company_id.rfm_r_thresholds", readonly=False)
    rfm_f_thresholds = fields.Char(related="company_id.rfm_f_thresholds", readonly=False)
    rfm_m_thresholds = fields.Char(related="company_id.rfm_m_thresholds", readonly=False)
    customer_value_tier_method = fields.Selection(
        related="company_id.customer_value_tier_method", readonly=False
    )
    customer_high_value_amount = fields.Monetary(
        related="company_id.customer_high_value_amount", readonly=False
    )
    customer_medium_value_amount = fields.Monetary(
        related="company_id.customer_medium_value_amount", readonly=False
    )
    customer_vip_criterion = fields.Selection(
        related="company_id.customer_vip_criterion", readonly=False
    )
    customer_vip_min_f_score = fields.Integer(
        related="company_id.customer_vip_min_f_score", readonly=False
    )
    customer_intent_probability = fields.Float(
        related="company_id.customer_intent_probability", readonly=False
    )
    customer_payment_prompt_days = fields.Integer(
        related="company_id.customer_payment_prompt_days", readonly=False
    )
    customer_payment_late_rate = fields.Float(
        related="company_id.customer_payment_late_rate", readonly=False
    )
    customer_payment_risky_days = fields.Integer(
        related="company_id.customer_payment_risky_days", readonly=False
    )
    rfm_segment_preset_id = fields.Many2one(
        related="company_id.rfm_segment_preset_id", readonly=False
    )
    customer_history_replay_months = fields.Integer(
        related="company_id.customer_history_replay_months", readonly=False
    )
    customer_history_observed_from = fields.Date(
        related="company_id.customer_history_observed_from"
    )
    customer_history_replayed_from = fields.Date(
        related="company_id.customer_history_replayed_from"
    )
    customer_history_replay_next = fields.Date(related="company_id.customer_history_replay_next")
    customer_segmentation_as_of = fields.Date(related="company_id.customer_segmentation_as_of")
    customer_segmentation_last_run = fields.Datetime(
        related="company_id.customer_segmentation_last_run"
    )

    def action_recompute_customer_segmentation(self):
        """Save the settings, then reclassify every customer of the company now."""
        self.execute()
        self.env["res.partner"].recompute_customer_segmentation()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Customers reclassified."),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }

    def action_replay_customer_history(self):
        """Save the settings and plan the replay of the company's history, done by the
        scheduled job in the background."""
        self.execute()
        engine = self.env["customer.segmentation.engine"]
        engine._check_access_manager()
        company = self.env.company
        engine._request_replay(company, company.customer_history_replay_months)
        self.env.ref("customer_segmentation.ir_cron_replay_customer_history").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The history is being replayed in the background, from %(date)s.",
                    date=company.customer_history_replayed_from,
                ),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
