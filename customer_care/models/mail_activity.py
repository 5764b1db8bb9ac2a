from odoo import api, fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    care_ask_churn_reason = fields.Boolean(
        compute="_compute_care_ask_churn_reason",
        help="This activity comes from a care rule that asks why the customer left.",
    )
    care_churn_reason_id = fields.Many2one(
        "customer.churn.reason",
        string="Churn Reason",
        help="Why the customer left, as they told you; kept on the customer when the activity "
        "is done.",
    )

    @api.depends("res_model", "res_id")
    def _compute_care_ask_churn_reason(self):
        logs = self.env["customer.care.log"].sudo().search([("activity_id", "in", self.ids)])
        asking = logs.filtered("rule_id.ask_churn_reason").activity_id
        for activity in self:
            activity.care_ask_churn_reason = activity in asking

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
