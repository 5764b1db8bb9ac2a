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
        activities they scheduled done, as the salespeople would (with the churn reason the
        win-back rule asks for, and most of the time a satisfaction score)."""
        self.env["customer.care.engine"]._run()
        rng = random.Random(seed)
        logs = self.env["customer.care.log"].search(
            [("company_id", "=", self.env.company.id), ("activity_id", "!=", False)], order="id"
        )
        reasons = self.env["customer.churn.reason"].search([])
        scores = random.Random(seed + 1)
        for log in logs:
            if rng.random() >= share:
                continue
            activity = log.activity_id.with_user(log.activity_id.user_id)
            if log.rule_id.ask_churn_reason and reasons:
                activity.care_churn_reason_id = rng.choice(reasons)
            if scores.random() < 0.8:
                activity.care_satisfaction = scores.choice(SCORES)
            activity.action_feedback(feedback=rng.choice(FEEDBACK))
