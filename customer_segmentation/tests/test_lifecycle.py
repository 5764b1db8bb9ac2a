from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestLifecycle(SegmentationCase):
    def stage_after(self, first_days_ago, last_days_ago=None, amount=10):
        partner = self.customer(f"C{first_days_ago}-{last_days_ago}")
        self.order(partner, self.AS_OF - timedelta(days=first_days_ago), amount)
        if last_days_ago is not None:
            self.order(partner, self.AS_OF - timedelta(days=last_days_ago), amount)
        return partner

    def test_stage_boundaries(self):
        churned = self.stage_after(500, 366)
        not_churned = self.stage_after(500, 365)
        at_risk = self.stage_after(500, 181)
        not_at_risk = self.stage_after(500, 180)
        new = self.stage_after(90)
        not_new = self.stage_after(91)
        self.run_engine()
        self.assertEqual(self.profile(churned).lifecycle_stage, "churned")
        self.assertEqual(self.profile(not_churned).lifecycle_stage, "at_risk")
        self.assertEqual(self.profile(at_risk).lifecycle_stage, "at_risk")
        self.assertIn(self.profile(not_at_risk).lifecycle_stage, ("active", "vip"))
        self.assertEqual(self.profile(new).lifecycle_stage, "new")
        self.assertIn(self.profile(not_new).lifecycle_stage, ("active", "vip"))

    def test_settings_change_the_boundaries(self):
        partner = self.stage_after(400, 200)
        self.run_engine()
        self.assertEqual(self.profile(partner).lifecycle_stage, "at_risk")
        self.company.customer_at_risk_days = 250
        self.run_engine()
        self.assertIn(self.profile(partner).lifecycle_stage, ("active", "vip"))

    def buyer(self, name, days_ago, amount):
        partner = self.customer(name)
        self.orders([(partner, self.AS_OF - timedelta(days=days), amount) for days in days_ago])
        return partner

    def test_vip_criterion_and_high_value_flag(self):
        """VIP is high value and (by default) frequent, F >= 4; whoever meets the criterion
        in another stage (new, at risk...) keeps the stage and is flagged high value."""
        self.company.write(
            {
                "customer_value_tier_method": "amount",
                "customer_high_value_amount": 10000,
                "customer_medium_value_amount": 1000,
            }
        )
        frequent_big = self.buyer("Frequent big", (200, 150, 100, 50, 10), 3000)
        frequent_big_new = self.buyer("Frequent big new", (80, 60, 40, 20, 5), 3000)
        big = self.buyer("Big", (200, 10), 10000)
        big_new = self.buyer("Big new", (20, 10), 10000)
        small = self.buyer("Small", (200, 10), 10)
        self.assertEqual(self.company.customer_vip_criterion, "tier_frequency")
        self.run_engine()
        expected = {
            frequent_big: ("vip", True),
            frequent_big_new: ("new", True),
            big: ("active", False),
            big_new: ("new", False),
            small: ("active", False),
        }
        for partner, (stage, flag) in expected.items():
            profile = self.profile(partner)
            self.assertEqual((profile.lifecycle_stage, profile.high_value), (stage, flag))
            self.assertEqual(
                profile.high_value, profile.value_tier == "high" and profile.rfm_f_score >= 4
            )
        self.assertEqual(self.profile(frequent_big).rfm_f_score, 4)  # five orders, ties
        self.company.customer_vip_min_f_score = 5
        self.run_engine()
        self.assertEqual(self.profile(frequent_big).lifecycle_stage, "active")
        self.assertFalse(self.profile(frequent_big_new).high_value)
        self.company.customer_vip_criterion = "tier"
        self.run_engine()
        expected.update({frequent_big_new: ("new", True), big: ("vip", True)})
        expected[big_new] = ("new", True)
        for partner, (stage, flag) in expected.items():
            profile = self.profile(partner)
            self.assertEqual((profile.lifecycle_stage, profile.high_value), (stage, flag))
        self.assertTrue(big_new.customer_high_value)
        with self.assertRaises(ValidationError):
            self.company.customer_vip_min_f_score = 6

    def test_intent_between_potential_and_customer(self):
        """Intent: a sent quotation, or an open opportunity at or above the probability of
        Settings; potential: any other open opportunity or draft quotation."""
        lead = self.env["crm.lead"]
        likely, unlikely, sent, draft = (
            self.customer(name) for name in ("Likely", "Unlikely", "Sent", "Draft")
        )
        likely_deal, _unlikely_deal = lead.create(
            [
                {"name": name, "type": "opportunity", "partner_id": partner.id, "probability": p}
                for name, partner, p in (("Likely", likely, 60), ("Unlikely", unlikely, 10))
            ]
        )
        self.order(sent, date(2025, 6, 1), 10, confirm=False).action_quotation_sent()
        self.order(draft, date(2025, 6, 1), 10, confirm=False)
        self.run_engine(as_of=fields.Date.today())
        stages = {p: self.profile(p).lifecycle_stage for p in (likely, unlikely, sent, draft)}
        self.assertEqual(
            stages,
            {likely: "intent", unlikely: "potential", sent: "intent", draft: "potential"},
        )
        self.company.customer_intent_probability = 70
        self.run_engine(as_of=fields.Date.today())
        self.assertEqual(self.profile(likely).lifecycle_stage, "potential")
        likely_deal.probability = 70
        self.run_engine(as_of=fields.Date.today())
        self.assertEqual(self.profile(likely).lifecycle_stage, "intent")
        with self.assertRaises(ValidationError):
            self.company.customer_intent_probability = 101

    def test_potential_customers(self):
        with_opportunity = self.customer("Prospect")
        self.env["crm.lead"].create(
            {"name": "Deal", "type": "opportunity", "partner_id": with_opportunity.id}
        )
        with_quotation = self.customer("Quoted")
        self.order(with_quotation, date(2025, 6, 1), 10, confirm=False)
        lost = self.customer("Lost")
        self.env["crm.lead"].create(
            {"name": "Lost", "type": "opportunity", "partner_id": lost.id}
        ).action_set_lost()
        lead_only = self.customer("Lead")
        self.env["crm.lead"].create({"name": "Lead", "type": "lead", "partner_id": lead_only.id})
        vendor = self.customer("Vendor")
        self.run_engine(as_of=fields.Date.today())
        self.assertEqual(self.profile(with_opportunity).lifecycle_stage, "potential")
        self.assertEqual(self.profile(with_quotation).lifecycle_stage, "potential")
        self.assertFalse(self.profile(with_opportunity).rfm_score)
        for partner in (lost, lead_only, vendor):
            self.assertFalse(self.profile(partner))

    def test_customer_with_orders_is_not_potential(self):
        partner = self.stage_after(500, 400)
        self.env["crm.lead"].create(
            {"name": "Again", "type": "opportunity", "partner_id": partner.id}
        )
        self.run_engine()
        self.assertEqual(self.profile(partner).lifecycle_stage, "churned")

    def test_cancelled_orders_do_not_count(self):
        partner = self.customer("Cancel")
        order = self.order(partner, date(2025, 6, 1), 10)
        order._action_cancel()
        self.run_engine()
        self.assertFalse(self.profile(partner))

    def test_customer_losing_its_orders_loses_its_profile(self):
        partner = self.customer("Gone")
        order = self.order(partner, date(2025, 6, 1), 10)
        self.run_engine()
        self.assertTrue(self.profile(partner))
        order._action_cancel()
        stats = self.run_engine()
        self.assertEqual(stats["deleted"], 1)
        self.assertFalse(self.profile(partner))
        history = self.env["customer.segment.history"].search([("partner_id", "=", partner.id)])
        self.assertEqual(history[0].stage_from, "new")
        self.assertFalse(history[0].stage_to)
