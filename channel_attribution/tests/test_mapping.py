from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestMapping(ChannelCase):
    def customers_with_forum_orders(self, count):
        orders = self.env["sale.order"]
        for index in range(count):
            partner = self.customer(f"Forum {count}-{index}")
            self.lead(partner, self.at(2025, 6, 1), self.src_unmapped)
            orders |= self.order(partner, self.at(2025, 6, 2), 100)
        self.channel_engine.recompute()
        self.env["customer.segmentation.queue"].search([]).unlink()
        return orders

    def test_mapping_a_source_reattributes_its_customers(self):
        orders = self.customers_with_forum_orders(3)
        self.assertEqual(self.attribution(orders[0], "linear"), {self.unassigned: 100})
        unmapped = self.env["utm.source"].search(
            [("customer_channel_id", "=", False), ("customer_is_used", "=", True)]
        )
        self.assertIn(self.src_unmapped, unmapped)
        self.src_unmapped.customer_channel_id = self.social  # the one-click mapping
        self.assertIn(self.src_unmapped, self.social.source_ids)
        queued = self.env["customer.segmentation.queue"].search([])
        self.assertEqual(queued.partner_id, orders.partner_id)
        self.env["customer.segmentation.engine"].process_queue()
        for order in orders:
            self.assertEqual(self.attribution(order, "linear"), {self.social: 100})
        self.assertEqual(orders.partner_id.mapped("acquisition_channel_id"), self.social)

    def test_remapping_is_set_based(self):
        """The statements run do not grow with the number of customers re-attributed."""

        def statements(count):
            orders = self.customers_with_forum_orders(count)
            self.src_unmapped.customer_channel_id = self.ads
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.env["customer.segmentation.engine"].process_queue()
            spent = self.env.cr.sql_log_count - before
            self.assertEqual(self.attribution(orders[-1], "linear"), {self.ads: 100})
            self.src_unmapped.customer_channel_id = False
            self.env["customer.segmentation.engine"].process_queue()
            return spent

        self.assertEqual(statements(3), statements(15))

    def test_a_source_maps_to_one_channel_per_company(self):
        with self.assertRaises(ValidationError):
            self.search.source_ids |= self.src_ads
        company_b = self.env["res.company"].create({"name": "B"})
        elsewhere = self.env["customer.channel"].create(
            {
                "name": "B ads",
                "company_id": company_b.id,
                "source_ids": [(6, 0, self.src_unmapped.ids)],
            }
        )
        self.assertTrue(elsewhere)

    def test_unassigned_cannot_be_deleted(self):
        with self.assertRaises(UserError):
            self.unassigned.unlink()
