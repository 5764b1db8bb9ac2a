import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

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
    def _generate_care_history(self, uplift=0.25, months=15, seed=20240102):
        """A year of past care for ``env.company``, so Care Effectiveness shows results on
        a new database: each entry of a customer into the stages of a care rule, in the
        replayed history from ``months`` months ago until the effectiveness window before
        today, becomes an action of the rule, done, or a held-out line as the engine's
        draw says. About ``uplift`` of the treated who did not order in the window get a
        follow-up order in it (the care's known effect), invoiced like the others; the
        customers are then classified and their history replayed again."""
        company = self.env.company
        window = company.care_effectiveness_window_days
        today = fields.Date.today()
        since, until = today - relativedelta(months=months), today - timedelta(days=window + 1)
        for rule in self.env["customer.care.engine"]._rules(company):
            if rule.lifecycle_stage_ids:
                self.env.cr.execute(self._care_history_sql(rule, since, until))
        self.env["customer.care.log"].invalidate_model()
        rng = random.Random(seed)
        orders = [
            self._follow_up_order(rng, log, window)
            for log in self.env["customer.care.log"].search(
                [("company_id", "=", company.id), ("state", "=", "done")], order="id"
            )
            if not self._ordered_after(log, window) and rng.random() < uplift
        ]
        confirmed = self._create_orders([values for values in orders if values])
        self._demo_invoices(random.Random(seed + 1), confirmed, today)
        engine = self.env["customer.segmentation.engine"]
        engine._run()
        engine._replay_now(len(engine._replay_dates(company)) - 1)

    def _care_history_sql(self, rule, since, until):
        """Log lines of ``rule`` for the entries into its stages between the two days."""
        entries = SQL(
            """
            SELECT h.partner_id, h.date + interval '9 hours' AS date, h.stage_to,
                   h.segment_to_id,
                   ROW_NUMBER() OVER (PARTITION BY h.partner_id ORDER BY h.date) - 1 AS entry
              FROM customer_segment_history h
             WHERE h.company_id = %(company)s AND h.stage_to = ANY(%(stages)s)
               AND h.stage_from IS DISTINCT FROM h.stage_to
               AND h.date::date BETWEEN %(since)s AND %(until)s
            """,
            company=rule.company_id.id,
            stages=rule.lifecycle_stage_ids.mapped("code"),
            since=since,
            until=until,
        )
        held_out = self.env["customer.care.engine"]._holdout_sql(
            rule, SQL.identifier("e", "partner_id"), SQL.identifier("e", "entry")
        )
        return SQL(
            """
            INSERT INTO customer_care_log (
                rule_id, partner_id, company_id, user_id, activity_type_id, plan_id, date,
                date_done, state, lifecycle_stage, segment_id,
                create_uid, create_date, write_uid, write_date)
            SELECT %(rule)s, e.partner_id, %(company)s, rp.user_id, %(type)s,
                   CASE WHEN NOT d.held THEN %(plan)s::int END, e.date,
                   CASE WHEN NOT d.held THEN e.date::date + 2 END,
                   CASE WHEN d.held THEN 'holdout' ELSE 'done' END, e.stage_to,
                   e.segment_to_id, %(uid)s, e.date, %(uid)s, e.date
              FROM (%(entries)s) e
              JOIN res_partner rp ON rp.id = e.partner_id
             CROSS JOIN LATERAL (SELECT %(held_out)s AS held) d
            """,
            rule=rule.id,
            company=rule.company_id.id,
            type=None if rule.mail_mode == "email" else rule.activity_type_id.id,
            plan=rule.plan_id.id or None,
            uid=self.env.uid,
            entries=entries,
            held_out=held_out,
        )

    def _ordered_after(self, log, window):
        """Whether the customer of ``log`` confirmed an order in the window after it."""
        return bool(
            self.env["sale.order"].search_count(
                [
                    ("partner_id", "child_of", log.partner_id.id),
                    ("state", "=", "sale"),
                    ("date_order", ">", log.date),
                    ("date_order", "<=", log.date + timedelta(days=window)),
                ],
                limit=1,
            )
        )

    def _follow_up_order(self, rng, log, window):
        """Values of a repeat of the customer's last order before ``log``, some days into
        its window (none when they never ordered)."""
        last = self.env["sale.order"].search(
            [
                ("partner_id", "child_of", log.partner_id.id),
                ("state", "=", "sale"),
                ("date_order", "<", log.date),
            ],
            order="date_order desc",
            limit=1,
        )
        if not last:
            return None
        day = log.date + timedelta(days=rng.randint(3, window - 10), hours=rng.randint(0, 8))
        return {
            "partner_id": log.partner_id.id,
            "user_id": last.user_id.id,
            "pricelist_id": last.pricelist_id.id,
            "order_line": [
                (0, 0, {"product_id": line.product_id.id, "product_uom_qty": line.product_uom_qty})
                for line in last.order_line
                if line.product_id
            ],
            "_date": day,
            "_confirm": True,
        }

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
