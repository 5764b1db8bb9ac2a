import random

from odoo import api, models

FEEDBACK = (
    "Called, all fine; interested in the new range.",
    "Left a message, they called back the next day.",
    "Visited them; they plan a larger order next quarter.",
    "Asked for a quotation; sent by e-mail.",
)
# Satisfaction scores of the done activities: mostly satisfied, a few unhappy customers.
SCORES = "1223344444555555"


class CustomerInsightDemo(models.AbstractModel):
    _inherit = "customer.insight.demo"

    @api.model
    def _generate_care_follow_up(self, share=0.4, seed=20240101):
        """Apply the care rules of ``env.company``, then mark about ``share`` of the
        actions they created done, as the salespeople would (with the churn reason the
        win-back rule asks for, and most of the time a satisfaction score): every step of
        half of the playbooks picked, only the first step of the others."""
        self.env["customer.care.engine"]._run()
        rng = random.Random(seed)
        logs = self.env["customer.care.log"].search(
            [("company_id", "=", self.env.company.id), ("activity_id", "!=", False)], order="id"
        )
        reasons = self.env["customer.churn.reason"].search([])
        scores = random.Random(seed + 1)
        steps_of = (
            self.env["mail.activity"]
            .search([("care_log_id", "in", logs.ids)], order="date_deadline, id")
            .grouped("care_log_id")
        )
        for log in logs:
            if rng.random() >= share:
                continue
            steps = whole = steps_of.get(log, log.activity_id)
            if len(whole) > 1 and rng.random() < 0.5:
                steps = whole[:1]
            for step in steps:
                activity = step.with_user(step.user_id)
                if log.rule_id.ask_churn_reason and reasons and step == whole[0]:
                    activity.care_churn_reason_id = rng.choice(reasons)
                if step == whole[-1] and scores.random() < 0.8:
                    activity.care_satisfaction = scores.choice(SCORES)
                activity.action_feedback(feedback=rng.choice(FEEDBACK))
