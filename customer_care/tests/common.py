from datetime import timedelta

from odoo import fields

from odoo.addons.customer_segmentation.tests.common import SegmentationCase, create_insight_users


class CareCase(SegmentationCase):
    """Customers in each class as of today, a salesperson, and no default playbook; the
    rules it creates keep no holdout unless a test asks for one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.users = create_insight_users(cls.env)
        cls.rep = cls.users["rep"]
        cls.env["customer.care.rule"].search([]).action_archive()
        cls.new = cls.customer("New Co", user_id=cls.rep.id)
        cls.vip = cls.customer("VIP Co", user_id=cls.rep.id)
        cls.churned = cls.customer("Gone Co", user_id=cls.rep.id)
        cls.nobody = cls.customer("Nobody's Co")
        cls.order(cls.new, cls.today - timedelta(days=5), 100)
        for days in (200, 150, 100, 20):
            cls.order(cls.vip, cls.today - timedelta(days=days), 50000)
        cls.order(cls.churned, cls.today - timedelta(days=500), 100)
        cls.order(cls.nobody, cls.today - timedelta(days=3), 10)
        cls.engine.run()
        cls.care = cls.env["customer.care.engine"]

    @classmethod
    def stage(cls, code):
        return cls.env.ref(f"customer_care.class_lifecycle_stage_{code}")

    @classmethod
    def rule(cls, stages, **values):
        return cls.env["customer.care.rule"].create(
            {
                "name": f"Rule {stages}",
                "lifecycle_stage_ids": [(6, 0, [cls.stage(code).id for code in stages])],
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
                "summary": "Call {{ object.name }}",
                "note": "<p>Last order {{ object.customer_last_order_date }}</p>",
                "holdout_percent": 0,  # acts on everyone unless a test says otherwise
                **values,
            }
        )

    def logs(self, rule, partner=None, state=None):
        domain = [("rule_id", "=", rule.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        if state:
            domain.append(("state", "=", state))
        return self.env["customer.care.log"].search(domain)

    def age_logs(self, logs, days):
        """Move these log lines (and their done date) ``days`` into the past."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_care_log SET date = date - make_interval(days => %s), "
            "date_done = date_done - %s WHERE id = ANY(%s)",
            [days, days, logs.ids],
        )
        self.env.invalidate_all()
