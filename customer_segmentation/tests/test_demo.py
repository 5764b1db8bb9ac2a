from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoGenerator(TransactionCase):
    def test_generated_customers_cover_every_class(self):
        customers = self.env["customer.insight.demo"]._generate(size=120, seed=3)
        self.env["customer.segmentation.engine"].run()
        profiles = self.env["customer.profile"].search(
            [("partner_id", "in", customers.ids), ("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(
            set(profiles.mapped("lifecycle_stage")),
            {"potential", "intent", "new", "active", "vip", "at_risk", "churned"},
        )
        self.assertTrue(profiles.filtered(lambda p: p.high_value and p.lifecycle_stage != "vip"))
        self.assertEqual(
            set(customers.mapped("customer_type")),
            {"individual", "sme", "large", "multinational", "government", "non_profit"},
        )
        self.assertGreater(len(profiles.segment_id), 5)
        regions = self.env["customer.region.summary"].search(
            [("company_id", "=", self.env.company.id)]
        )
        self.assertGreater(len(regions.country_id), 3, "the regional analysis shows countries")
        self.assertGreater(len(set(regions.mapped("city"))), 5)
        referred = customers.filtered("customer_referrer_id")
        self.assertTrue(referred, "customers who came through referral name their referrer")
        for customer in referred:
            self.assertLess(
                customer.customer_referrer_id.customer_first_order_date,
                customer.customer_first_order_date,
            )
        self.assertEqual(
            set(profiles.mapped("payment_class")) - {False}, {"prompt", "normal", "late", "risky"}
        )
        orders = self.env["sale.order"].search([("partner_id", "child_of", customers.ids)])
        self.assertGreater(len(orders.currency_id), 1, "some orders are in a second currency")
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "in", customers.ids)])
        )
        self.assertEqual(set(leads.mapped("won_status")), {"won", "lost", "pending"})
        self.assertGreater(len(leads.source_id), 8)

    def test_same_seed_same_customers(self):
        first = self.env["customer.insight.demo"]._generate(size=15, seed=11, today="2025-01-01")
        second = self.env["customer.insight.demo"]._generate(size=15, seed=11, today="2025-01-01")
        self.assertEqual(first.mapped("name"), second.mapped("name"))
        self.assertEqual(
            [len(p.sale_order_ids) for p in first], [len(p.sale_order_ids) for p in second]
        )
