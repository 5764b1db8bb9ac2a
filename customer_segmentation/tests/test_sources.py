from datetime import date

from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestTransactionSources(SegmentationCase):
    def invoice(self, partner, day, amount, move_type="out_invoice", company=None):
        move = (
            self.env["account.move"]
            .with_company(company or self.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []},
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_invoices_net_of_credit_notes(self):
        self.company.customer_transaction_source = "invoice"
        partner = self.customer("Invoiced")
        self.invoice(partner, date(2025, 3, 1), 1000)
        self.invoice(partner, date(2025, 4, 1), 300, move_type="out_refund")
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date(2025, 5, 1),
                "invoice_line_ids": [(0, 0, {"name": "Draft", "price_unit": 50, "tax_ids": []})],
            }
        )
        self.order(partner, date(2025, 6, 1), 99999)  # orders do not count in invoice mode
        self.run_engine()
        profile = self.profile(partner)
        self.assertEqual(profile.order_count, 1)
        self.assertEqual(profile.total_revenue, 700)
        self.assertEqual(profile.rfm_frequency, 1)
        self.assertEqual(profile.rfm_monetary, 700)
        self.assertEqual(profile.first_order_date, date(2025, 3, 1))
        self.assertEqual(profile.last_order_date, date(2025, 3, 1))
        self.assertEqual(draft.state, "draft")

    def test_orders_in_another_currency_are_converted(self):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("id", "!=", self.company.currency_id.id), ("name", "in", ["EUR", "CNY", "GBP"])],
                limit=1,
            )
        )
        currency.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "rate": 0.5,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": currency.id}
        )
        partner = self.customer("Abroad")
        order = self.order(partner, date(2025, 6, 1), 100, pricelist_id=pricelist.id)
        self.assertEqual(order.currency_id, currency)
        self.assertAlmostEqual(order.currency_rate, 0.5)
        self.run_engine()
        self.assertEqual(self.profile(partner).total_revenue, 200)

    def test_companies_are_classified_apart(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        self.env.user.company_ids |= company_b
        partner = self.customer("Shared")
        self.order(partner, date(2025, 6, 1), 100)
        self.order(partner, date(2023, 1, 1), 5000, company_id=company_b.id)
        self.run_engine()
        self.engine.with_company(company_b).run(as_of=self.AS_OF)
        profile_a = self.profile(partner)
        profile_b = self.profile(partner, company_b)
        self.assertEqual((profile_a.total_revenue, profile_a.lifecycle_stage), (100, "new"))
        self.assertEqual((profile_b.total_revenue, profile_b.lifecycle_stage), (5000, "churned"))
        self.assertEqual(partner.with_company(company_b).customer_lifecycle_stage, "churned")
        self.assertEqual(partner.with_company(self.company).customer_lifecycle_stage, "new")
        self.assertEqual(company_b.customer_segmentation_as_of, self.AS_OF)

    def test_child_contact_orders_count_for_the_company(self):
        company = self.customer("Parent Co")
        buyer = self.env["res.partner"].create({"name": "Buyer", "parent_id": company.id})
        self.order(buyer, date(2025, 6, 1), 40)
        self.order(company, date(2025, 6, 2), 60)
        self.run_engine()
        self.assertEqual(self.profile(company).total_revenue, 100)
        self.assertEqual(buyer.customer_total_revenue, 100)
        self.assertEqual(buyer.customer_lifecycle_stage, "new")
        self.assertEqual(buyer.customer_profile_id, company.customer_profile_id)
