from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_segmentation.tests.common import create_insight_users


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})

    def test_rule_access(self):
        Rule = self.env["customer.care.rule"]
        with self.assertRaises(AccessError):
            Rule.with_user(self.users["plain"]).search([])
        Rule.with_user(self.users["user"]).search([])
        with self.assertRaises(AccessError):
            Rule.with_user(self.users["user"]).create({"name": "Call"})
        Rule.with_user(self.users["manager"]).create({"name": "Call"})
        self.env["customer.churn.reason"].with_user(self.users["plain"]).search([])

    def test_multi_company(self):
        rule = self.env["customer.care.rule"].create(
            {"name": "Elsewhere", "company_id": self.company_b.id}
        )
        visible = self.env["customer.care.rule"].with_user(self.users["manager"]).search([])
        self.assertNotIn(rule, visible)
