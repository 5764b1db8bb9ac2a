from datetime import date
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import SegmentationCase, run_cron_until_done


@tagged("post_install", "-at_install")
class TestFreshness(SegmentationCase):
    def queued(self):
        return self.env["customer.segmentation.queue"].search([]).mapped("partner_id")

    def test_confirmation_and_cancellation_are_queued_and_processed(self):
        regular = self.customer("Regular")
        self.order(regular, date(2024, 1, 1), 100)
        self.engine.run()
        self.env["customer.segmentation.queue"].search([]).unlink()
        self.assertEqual(regular.customer_lifecycle_stage, "churned")

        newcomer = self.customer("Newcomer")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": newcomer.id})
        order = self.env["sale.order"].create(
            {
                "partner_id": contact.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "price_unit": 50})],
            }
        )
        self.assertEqual(newcomer.customer_lifecycle_stage, False)
        order.action_confirm()
        self.assertEqual(self.queued(), newcomer)
        self.assertEqual(self.engine.process_queue(), 1)
        self.env.invalidate_all()
        self.assertEqual(newcomer.customer_lifecycle_stage, "new")
        self.assertEqual(contact.customer_order_count, 1)
        self.assertFalse(self.queued())
        self.assertEqual(regular.customer_lifecycle_stage, "churned", "others are left as they are")

        order._action_cancel()
        self.assertEqual(self.queued(), newcomer)
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.assertFalse(newcomer.customer_profile_id)
        self.assertFalse(self.queued())

    def test_incremental_scores_use_the_population(self):
        partners = [self.customer(f"P{i}") for i in range(5)]
        today = fields.Date.today()
        for i, partner in enumerate(partners):
            self.order(partner, today, 100 * (i + 1))
        self.engine.run()
        self.assertEqual(partners[4].rfm_m_score, 5)
        newcomer = self.customer("Big spender")
        self.order(newcomer, today, 10000)
        self.engine.process_queue()
        self.env.invalidate_all()
        self.assertEqual(newcomer.rfm_m_score, 5)
        self.assertEqual(newcomer.rfm_f_score, 1)  # six one-time buyers: ties share F = 1

    def test_queue_waits_while_a_run_holds_the_lock(self):
        partner = self.customer("Waiting")
        self.order(partner, date(2025, 6, 1), 10)
        with patch.object(type(self.engine), "_try_lock", return_value=False):
            self.assertIs(self.engine.process_queue(), False)
        self.assertEqual(self.queued(), partner)

    def test_a_customer_queued_during_a_run_stays_queued(self):
        """The queue keeps a customer queued again while its batch is processed."""
        partner = self.customer("Busy")
        order = self.order(partner, date(2025, 6, 1), 10)
        engine = type(self.engine)
        original = engine._process_partners

        def process_and_requeue(engine_self, partner_ids):
            done = original(engine_self, partner_ids)
            order._enqueue_customer_segmentation()  # an order confirmed meanwhile
            return done

        with patch.object(engine, "_process_partners", process_and_requeue):
            self.assertEqual(self.engine._process_queue_batch(), 1)
        self.assertEqual(self.queued(), partner, "queued again during the run: kept")
        self.assertEqual(self.engine.process_queue(), 1)
        self.assertFalse(self.queued())

    def test_the_queue_job_works_in_bounded_batches(self):
        partners = [self.customer(f"Q{i}") for i in range(7)]
        self.orders([(partner, date(2025, 6, 1), 10) for partner in partners])
        with patch.object(type(self.engine), "_queue_batch_size", 2):
            calls = run_cron_until_done(
                self, "customer_segmentation.ir_cron_process_segmentation_queue"
            )
        self.assertGreaterEqual(calls, 4, "seven customers in batches of two")
        self.assertFalse(self.queued())
        self.assertTrue(all(partner.customer_lifecycle_stage for partner in partners))

    def test_archived_customers_leave_the_classification(self):
        partner = self.customer("Archived")
        self.order(partner, date(2025, 6, 1), 10)
        self.engine.run()
        self.assertTrue(partner.customer_profile_id)
        partner.action_archive()
        self.assertEqual(self.queued(), partner)
        self.engine.process_queue()
        self.env.invalidate_all()
        self.assertFalse(partner.with_context(active_test=False).customer_profile_id)
        self.engine.run()
        snapshot = self.env["customer.segment.snapshot"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(sum(snapshot.mapped("customer_count")), 0, "not counted either")
        partner.action_unarchive()
        self.engine.process_queue()
        self.env.invalidate_all()
        self.assertTrue(partner.customer_profile_id)
