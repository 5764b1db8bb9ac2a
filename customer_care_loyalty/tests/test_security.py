from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OfferCase


@tagged("post_install", "-at_install")
class TestOfferSecurity(OfferCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_with_offer = cls.offer_rule()
        cls.care.run(cls.rule_with_offer)
        cls.portal = new_test_user(cls.env, "offer_portal", groups="base.group_portal")

    def test_report_access(self):
        Report = self.env["customer.care.offer.report"]
        for login in ("plain", "rep"):
            with self.assertRaises(AccessError):
                Report.with_user(self.users[login]).search([])
        with self.assertRaises(AccessError):
            Report.with_user(self.portal).search([])
        for login in ("user", "manager"):
            rows = Report.with_user(self.users[login]).search([])
            self.assertEqual(rows.partner_id, self.new)
            self.assertTrue(rows.program_id.name)

    def test_offer_fields_internal(self):
        code = self.logs(self.rule_with_offer).loyalty_card_id.code
        with self.assertRaises(AccessError):
            self.new.with_user(self.portal).read(["care_loyalty_code"])
        self.assertEqual(self.new.with_user(self.users["plain"]).care_loyalty_code, code)
        with self.assertRaises(AccessError):
            self.new.with_user(self.users["plain"]).read(["care_loyalty_card_id"])
        self.assertEqual(self.new.with_user(self.users["rep"]).care_loyalty_card_id.code, code)
        for user in (self.users["plain"], self.portal):
            with self.assertRaises(AccessError):
                self.rule_with_offer.with_user(user).read(["loyalty_program_id"])
        with self.assertRaises(AccessError):
            self.rule_with_offer.with_user(self.users["user"]).write({"loyalty_points": 5})

    def test_manager_issues_cards_without_loyalty_rights(self):
        """The rule's offer is issued whoever runs it: a Customer Insight manager who is a
        salesperson may read programmes but not create cards."""
        manager = self.users["manager"]
        self.assertFalse(self.env["loyalty.card"].with_user(manager).has_access("create"))
        rule = self.offer_rule(stages=("vip",))
        self.env["customer.care.engine"].with_user(manager).run(rule)
        self.assertTrue(self.logs(rule, self.vip).loyalty_card_id)

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Offer Co B"})
        program_b = self.coupon_program("B offer", company=company_b)
        rule_b = self.env["customer.care.rule"].create(
            {
                "name": "B rule",
                "company_id": company_b.id,
                "loyalty_program_id": program_b.id,
            }
        )
        self.env["customer.care.log"].create(
            {
                "rule_id": rule_b.id,
                "partner_id": self.vip.id,
                "company_id": company_b.id,
                "date": "2025-01-01 10:00:00",
                "state": "pending",
            }
        )
        self.env["customer.care.engine"].with_company(company_b)._issue_loyalty_cards(
            rule_b, self.logs(rule_b).ids
        )
        Report = self.env["customer.care.offer.report"].with_user(self.users["manager"])
        self.assertEqual(Report.search([]).company_id, self.env.company)
        self.assertEqual(self.logs(rule_b).loyalty_card_id.company_id, company_b)
        self.assertFalse(self.vip.care_loyalty_code, "B's offer is not the current company's")
        self.assertTrue(self.vip.with_company(company_b).care_loyalty_code)
