from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.customer_segmentation.tests.common import MenusTourMixin


def new_classified_customer(env):
    """A new customer of the administrator, with one confirmed order, classified."""
    admin = env.ref("base.user_admin")
    customer = env["res.partner"].create(
        {"name": "Tour Customer", "is_company": True, "user_id": admin.id}
    )
    product = env["product.product"].create({"name": "Tour item", "list_price": 10})
    order = env["sale.order"].create(
        {"partner_id": customer.id, "order_line": [(0, 0, {"product_id": product.id})]}
    )
    order.action_confirm()
    env["customer.segmentation.engine"].run()
    return customer


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "customer_care"


@tagged("post_install", "-at_install")
class TestRuleTour(HttpCase):
    """A manager opens a rule, previews it, runs it and finds the activity on the customer."""

    def test_rule_tour(self):
        new_classified_customer(self.env)
        self.env["customer.care.rule"].create(
            {
                "name": "Tour welcome call",
                "lifecycle_stage_ids": [
                    (6, 0, self.env.ref("customer_care.class_lifecycle_stage_new").ids)
                ],
                "summary": "Welcome {{ object.name }}",
                "partner_domain": "[('name', '=', 'Tour Customer')]",
                "holdout_percent": 0,
            }
        )
        self.start_tour("/odoo", "customer_care_rule_tour", login="admin")


@tagged("post_install", "-at_install")
class TestSatisfactionTour(HttpCase):
    """The Mark Done popover of a care activity records the customer's satisfaction."""

    def test_satisfaction_tour(self):
        customer = new_classified_customer(self.env)
        rule = self.env["customer.care.rule"].create(
            {
                "name": "Tour survey",
                "summary": "Survey {{ object.name }}",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "partner_domain": "[('name', '=', 'Tour Customer')]",
                "holdout_percent": 0,
            }
        )
        self.env["customer.care.engine"].run(rule)
        self.start_tour(
            f"/odoo/res.partner/{customer.id}", "customer_care_satisfaction_tour", login="admin"
        )
        log = self.env["customer.care.log"].search([("rule_id", "=", rule.id)])
        self.assertEqual(
            (log.state, log.satisfaction, log.satisfaction_comment), ("done", "4", "Quick delivery")
        )
        self.assertEqual(customer.customer_satisfaction_last, 4)


@tagged("post_install", "-at_install")
class TestPlaybookTour(HttpCase):
    """A manager makes a rule launch the shipped welcome playbook, previews and runs it, and
    finds its steps on the customer."""

    def test_playbook_tour(self):
        customer = new_classified_customer(self.env)
        rule = self.env["customer.care.rule"].create(
            {
                "name": "Tour playbook",
                "lifecycle_stage_ids": [
                    (6, 0, self.env.ref("customer_care.class_lifecycle_stage_new").ids)
                ],
                "summary": "Welcome {{ object.name }}",
                "partner_domain": "[('name', '=', 'Tour Customer')]",
                "holdout_percent": 0,
            }
        )
        self.start_tour("/odoo", "customer_care_playbook_tour", login="admin")
        main = self.env.ref("base.main_company")
        plan = self.env.ref(f"customer_care.care_plan_new_{main.id}")
        self.assertEqual((rule.plan_id, rule.plan_stop_on_order), (plan, True))
        log = self.env["customer.care.log"].search([("rule_id", "=", rule.id)])
        self.assertEqual((log.partner_id, log.plan_id, log.state), (customer, plan, "open"))
        steps = self.env["mail.activity"].search([("care_log_id", "=", log.id)])
        self.assertEqual(len(steps), len(plan.template_ids))


@tagged("post_install", "-at_install")
class TestEffectivenessTour(HttpCase):
    """A manager compares the treated and held-out customers of a win-back rule whose
    window is over: 4 of 6 treated ordered again, 1 of 4 held out."""

    def test_effectiveness_tour(self):
        env = self.env
        rule = env["customer.care.rule"].create(
            {
                "name": "Tour win-back",
                "active": False,
                "lifecycle_stage_ids": [
                    (6, 0, env.ref("customer_care.class_lifecycle_stage_churned").ids)
                ],
                "summary": "Win back {{ object.name }}",
            }
        )
        product = env["product.product"].create({"name": "Tour item", "list_price": 10})
        targeted = fields.Datetime.now() - timedelta(days=120)
        for index in range(10):
            customer = env["res.partner"].create({"name": f"Lapsed {index}", "is_company": True})
            held_out = index >= 6
            env["customer.care.log"].create(
                {
                    "rule_id": rule.id,
                    "partner_id": customer.id,
                    "company_id": env.company.id,
                    "date": targeted,
                    "state": "holdout" if held_out else "done",
                    "lifecycle_stage": "churned",
                }
            )
            if index in (0, 1, 2, 3, 6):
                order = env["sale.order"].create(
                    {"partner_id": customer.id, "order_line": [(0, 0, {"product_id": product.id})]}
                )
                order.action_confirm()
                order.date_order = targeted + timedelta(days=20)
        self.start_tour("/odoo", "customer_care_effectiveness_tour", login="admin")
