from odoo import api, fields, models

from .satisfaction import SATISFACTION_SCORES


class MailActivity(models.Model):
    _inherit = "mail.activity"

    care_ask_churn_reason = fields.Boolean(
        compute="_compute_care_ask",
        help="This activity comes from a care rule that asks why the customer left.",
    )
    care_churn_reason_id = fields.Many2one(
        "customer.churn.reason",
        string="Churn Reason",
        help="Why the customer left, as they told you; kept on the customer when the activity "
        "is done.",
    )
    care_ask_satisfaction = fields.Boolean(
        compute="_compute_care_ask",
        help="This activity is an open care action: when it is done, the customer's "
        "satisfaction can be recorded.",
    )
    care_satisfaction = fields.Selection(
        SATISFACTION_SCORES,
        string="Satisfaction",
        help="How satisfied the customer is, from 1 (very unsatisfied) to 5 (very satisfied); "
        "kept on the care action when the activity is done.",
    )
    care_satisfaction_comment = fields.Text(
        "Satisfaction Comment",
        help="What the customer said about their satisfaction; kept on the care action when "
        "the activity is done.",
    )

    @api.depends("res_model", "res_id")
    def _compute_care_ask(self):
        logs = (
            self.env["customer.care.log"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "open")])
        )
        asking = logs.filtered("rule_id.ask_churn_reason").activity_id
        for activity in self:
            activity.care_ask_churn_reason = activity in asking
            activity.care_ask_satisfaction = activity in logs.activity_id

    def _to_store_defaults(self, target):
        return super()._to_store_defaults(target) + ["care_ask_satisfaction"]

    def _action_done(self, feedback=False, attachment_ids=None):
        logs = (
            self.env["customer.care.log"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "open")])
        )
        for log in logs:
            activity = log.activity_id
            reason = activity.care_churn_reason_id
            log.write(
                {
                    "state": "done",
                    "date_done": fields.Date.context_today(self),
                    "outcome": feedback or False,
                    "churn_reason_id": reason.id,
                    "satisfaction": activity.care_satisfaction,
                    "satisfaction_comment": activity.care_satisfaction_comment or False,
                }
            )
            if reason:
                log.partner_id.with_company(log.company_id).sudo().care_churn_reason_id = reason
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self.env["customer.care.log"].sudo().search(
            [("activity_id", "in", self.ids), ("state", "=", "open")]
        ).write({"state": "cancelled"})
        return super().unlink()
