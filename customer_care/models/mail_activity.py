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
    care_log_id = fields.Many2one(
        "customer.care.log",
        string="Care Action",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        groups="sales_team.group_sale_salesman",
        help="The playbook launch of a care rule this activity is a step of.",
    )
    care_satisfaction_comment = fields.Text(
        "Satisfaction Comment",
        help="What the customer said about their satisfaction; kept on the care action when "
        "the activity is done.",
    )

    @api.depends("res_model", "res_id")
    def _compute_care_ask(self):
        logs = self._care_logs()
        asking = set(logs.filtered("rule_id.ask_churn_reason").ids)
        log_of = self._care_log_of(logs)
        for activity in self:
            log = log_of.get(activity.id)
            activity.care_ask_churn_reason = bool(log) and log.id in asking
            activity.care_ask_satisfaction = bool(log)

    def _to_store_defaults(self, target):
        return super()._to_store_defaults(target) + ["care_ask_satisfaction"]

    def _care_logs(self):
        """The open care actions of these activities: those they are the activity or a
        playbook step of."""
        return (
            self.env["customer.care.log"]
            .sudo()
            .search(
                [
                    ("state", "=", "open"),
                    "|",
                    ("activity_id", "in", self.ids),
                    ("id", "in", self.sudo().care_log_id.ids),
                ]
            )
        )

    def _care_log_of(self, logs):
        """{activity id: the one of ``logs`` it is the activity or a playbook step of}, for
        those of these activities that have one."""
        by_activity = {log.activity_id.id: log for log in logs if log.activity_id}
        by_id = {log.id: log for log in logs}
        log_of = {}
        for activity in self.sudo():
            log = by_activity.get(activity.id) or by_id.get(activity.care_log_id.id)
            if log:
                log_of[activity.id] = log
        return log_of

    def _care_next_steps(self, logs):
        """{log: its first playbook step still to do, other than these activities}."""
        steps = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("care_log_id", "in", logs.ids), ("id", "not in", self.ids)],
                order="date_deadline, id",
            )
        )
        next_steps = {}
        for step in steps:
            next_steps.setdefault(step.care_log_id, step)
        return next_steps

    @staticmethod
    def _care_step_values(step):
        return {
            "activity_id": step.id,
            "activity_type_id": step.activity_type_id.id,
            "date_deadline": step.date_deadline,
        }

    def _action_done(self, feedback=False, attachment_ids=None):
        """The care action of a done activity is done, or moves on to the next step of its
        playbook; what was recorded with the activity is kept on it."""
        logs = self._care_logs()
        next_steps = self._care_next_steps(logs)
        activity_of = {}
        for activity_id, log in self._care_log_of(logs).items():
            activity_of.setdefault(log, self.browse(activity_id))
        for log in logs:
            activity = activity_of.get(log, self.browse())
            reason = activity.care_churn_reason_id
            values = {
                "outcome": feedback,
                "churn_reason_id": reason.id,
                "satisfaction": activity.care_satisfaction,
                "satisfaction_comment": activity.care_satisfaction_comment,
            }
            values = {name: value for name, value in values.items() if value}
            if log in next_steps:
                values.update(self._care_step_values(next_steps[log]))
            else:
                values.update(state="done", date_done=fields.Date.context_today(self))
            log.write(values)
            if reason:
                log.partner_id.with_company(log.company_id).sudo().care_churn_reason_id = reason
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        """The care action of a deleted activity is cancelled, or moves on to the next step
        of its playbook."""
        logs = self._care_logs()
        next_steps = self._care_next_steps(logs)
        for log, step in next_steps.items():
            log.write(self._care_step_values(step))
        (logs - logs.browse(log.id for log in next_steps)).write({"state": "cancelled"})
        return super().unlink()
