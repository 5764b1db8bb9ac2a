from datetime import timedelta

from odoo.tests import new_test_user, tagged

from .common import CareCase


@tagged("post_install", "-at_install")
class TestAssignees(CareCase):
    """Care activities go to someone who works for the rule's company and exists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fallback = new_test_user(cls.env, "care_fallback", groups="base.group_user")
        cls.company.customer_care_fallback_user_id = cls.fallback

    def test_an_archived_salesperson_falls_back(self):
        rule = self.rule(["vip"])
        self.rep.action_archive()
        self.care.run(rule)
        self.assertEqual(self.logs(rule, self.vip).activity_id.user_id, self.fallback)

    def test_a_salesperson_of_another_company_falls_back(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        local = new_test_user(
            self.env,
            "care_local_b",
            groups="base.group_user",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        company_b.customer_care_fallback_user_id = local
        self.order(self.vip, self.today - timedelta(days=3), 100, company_id=company_b.id)
        self.engine.with_company(company_b).run()
        rule = self.rule(["new"], company_id=company_b.id)
        self.care.with_company(company_b).run(rule)
        activity = self.logs(rule, self.vip).activity_id
        self.assertEqual(activity.user_id, local, "the rep works for company A only")

    def test_account_managers_are_per_company(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager = self.users["manager"]
        self.vip.care_account_manager_id = manager
        self.assertFalse(self.vip.with_company(company_b).care_account_manager_id)
        rule = self.rule(["vip"], assignee="account_manager")
        self.care.run(rule)
        self.assertEqual(self.logs(rule, self.vip).activity_id.user_id, manager)

    def test_a_deleted_assignee_lets_the_rule_act_again(self):
        doomed = new_test_user(self.env, "care_doomed", groups="sales_team.group_sale_salesman")
        self.new.user_id = doomed
        rule = self.rule(["new"])
        self.care.run(rule)
        first = self.logs(rule, self.new)
        self.assertEqual(first.activity_id.user_id, doomed)
        doomed.unlink()  # its activities go with it, in SQL
        self.env.invalidate_all()
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        self.assertEqual(first.state, "cancelled")
        second = self.logs(rule, self.new, "open")
        self.assertEqual(second.activity_id.user_id, self.fallback)

    def test_churn_reasons_and_notes_are_per_company(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        price = self.env.ref("customer_care.churn_reason_price")
        self.churned.write({"care_churn_reason_id": price.id, "care_churn_note": "Too dear"})
        other = self.churned.with_company(company_b)
        self.assertFalse(other.care_churn_reason_id)
        self.assertFalse(other.care_churn_note)
        self.env.flush_all()
        Metrics = self.env["customer.care.metrics"]
        reasons = Metrics.search([("fact", "=", "reason")])
        self.assertEqual(reasons.mapped("company_id"), self.company)
        self.assertEqual(reasons.churn_reason_id, price)
