import random
from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..tools import analyze_if_company_misjudged
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

    def _age_documents(self):
        """Pretend that everything so far was written two days ago and the last full run
        began yesterday."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = now() - interval '2 days';"
            "UPDATE res_partner SET write_date = now() - interval '2 days';"
            "DELETE FROM customer_segmentation_queue"
        )
        self.company.customer_segmentation_watermark = self.env.cr.now() - timedelta(days=1)
        self.env.invalidate_all()

    def test_a_full_run_aggregates_only_what_changed_and_gives_the_same_classes(self):
        rng = random.Random(19)
        customers = [self.customer(f"W{i}") for i in range(20)]
        window_edge = self.AS_OF - timedelta(days=730)
        self.orders(
            [
                (customer, window_edge + timedelta(days=rng.randint(-60, 700)), rng.randint(1, 900))
                for customer in customers
                for _n in range(rng.randint(1, 4))
            ]
        )
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": customers[0].id})
        self.order(contact, self.AS_OF - timedelta(days=3), 500)
        prospects = [self.customer(f"P{i}") for i in range(2)]
        deals = self.env["crm.lead"].create(
            [
                {"name": p.name, "type": "opportunity", "partner_id": p.id, "probability": 10}
                for p in prospects
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(  # opened before the as-of date
            "UPDATE crm_lead SET create_date = %s WHERE id = ANY(%s)",
            [self.AS_OF - timedelta(days=30), deals.ids],
        )
        self.run_engine()
        self._age_documents()

        # A day of changes, only some of them through the queue.
        self.order(customers[1], self.AS_OF + timedelta(days=10), 700)
        self.env["customer.segmentation.queue"].search([]).unlink()  # caught by write date
        orders = self.env["sale.order"].search([("partner_id", "in", [c.id for c in customers])])
        orders.filtered(lambda o: o.partner_id == customers[2])._action_cancel()
        orders.filtered(lambda o: o.partner_id == customers[3])[:1].date_order = self.AS_OF
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = amount_untaxed * 3, write_date = now() "
            "WHERE id = %s",
            [orders.filtered(lambda o: o.partner_id == customers[4])[:1].id],
        )
        contact.parent_id = customers[5]  # its order moves to another customer
        customers[6].action_archive()
        deals[0].action_set_lost()  # no longer a prospect, not queued either
        self.env["customer.segment.pin.wizard"].create(
            {"partner_id": customers[7].id, "pinned_stage": "vip", "reason": "Key account"}
        ).action_pin()
        as_of = self.AS_OF + timedelta(days=45)  # some orders leave the RFM window

        engine = type(self.engine)
        original, taken = engine._take_stale_partners, []

        def take(engine_self, company, as_of):
            taken.append(original(engine_self, company, as_of))
            return taken[-1]

        with patch.object(engine, "_take_stale_partners", take):
            self.run_engine(as_of=as_of)
        stale = set(taken[0][0])
        self.assertLess(len(stale), len(customers), "only what changed is aggregated again")
        self.assertLessEqual({c.id for c in customers[:7]}, stale)
        self.assertEqual(self.company.customer_segmentation_watermark, self.env.cr.now())
        self.env.invalidate_all()
        self.assertFalse(prospects[0].customer_profile_id)
        self.assertEqual(prospects[1].customer_lifecycle_stage, "potential")
        self.assertEqual(customers[7].customer_lifecycle_stage, "vip")

        self.company.customer_segmentation_watermark = False  # aggregate everyone again
        again = self.run_engine(as_of=as_of)
        self.assertEqual(again["changed"], 0, "the incremental run had it all right")
        self.assertFalse(customers[6].with_context(active_test=False).customer_profile_id)

    def test_the_night_leaves_out_customers_the_queue_brought_up_to_date(self):
        """A customer the queue aggregated after its documents were written is not
        aggregated again at night; one written after the queue ran, or whose figures the
        night's date changes, is."""
        done, written_after, dated_tonight = (
            self.customer(name) for name in ("Done", "Written after", "Dated tonight")
        )
        customers = [done, written_after, dated_tonight]
        self.orders([(c, self.AS_OF - timedelta(days=40), 100) for c in customers])
        self.run_engine()
        self._age_documents()
        tonight = self.AS_OF + timedelta(days=1)
        self.orders(
            [(done, self.AS_OF, 50), (written_after, self.AS_OF, 60), (dated_tonight, tonight, 70)]
        )
        self.env.flush_all()
        self.env.cr.execute(  # the day's orders were written before the queue ran
            "UPDATE sale_order SET write_date = now() - interval '1 hour' WHERE write_date = now()"
        )
        self.run_engine(partner_ids=[c.id for c in customers])  # the queue, as of its day
        self.env["customer.segmentation.queue"].search([]).unlink()  # and dequeued
        self.env.cr.execute(
            "UPDATE customer_profile SET aggregated_at = now() - interval '2 hours' "
            "WHERE partner_id = %s",
            [written_after.id],
        )
        stale, fresh, _kept = self.engine._take_stale_partners(self.company, tonight)
        ids = {c.id for c in customers}
        self.assertEqual(ids & set(stale), ids)
        self.assertEqual(ids & set(fresh), {written_after.id, dated_tonight.id})

        self.company.customer_segmentation_watermark = self.env.cr.now() - timedelta(days=1)
        self.run_engine(as_of=tonight)
        self.assertEqual(dated_tonight.customer_order_count, 2)
        self.company.customer_segmentation_watermark = False  # aggregate everyone again
        self.assertEqual(self.run_engine(as_of=tonight)["changed"], 0)

    def test_what_only_time_changes_is_all_that_is_aggregated_again(self):
        """A customer whose documents did not change keeps its stored figures but those the
        passing of time changes: an order leaving the RFM window aggregates its transactions
        again, its last interaction in 90 days leaving them its interactions; with a new
        order, everything is aggregated again."""
        leaving, quiet, also_new, steady = (
            self.customer(name) for name in ("Leaving", "Quiet", "Also new", "Steady")
        )
        edge = self.AS_OF - timedelta(days=729)  # the last day in the RFM window
        recent = self.AS_OF - timedelta(days=5)
        self.orders(
            [
                (leaving, edge, 100),
                (leaving, recent, 50),
                (quiet, self.AS_OF - timedelta(days=89), 80),
                (also_new, edge, 100),
                (steady, recent, 70),
            ]
        )
        self.run_engine()
        self._age_documents()
        self.orders([(also_new, self.AS_OF, 30)])
        customers = (leaving, quiet, also_new, steady)
        self.env.cr.execute(  # stored figures that no aggregation gives
            """UPDATE customer_profile SET discount_order_rate = 42, total_revenue = 1
                WHERE partner_id = ANY(%s)""",
            [[c.id for c in customers]],
        )
        self.env.invalidate_all()
        tomorrow = self.AS_OF + timedelta(days=1)
        _stale, fresh, kept = self.engine._take_stale_partners(self.company, tomorrow)
        ids = {c.id for c in customers}
        self.assertEqual(ids & set(fresh), {leaving.id, quiet.id, also_new.id})
        self.assertEqual(
            {cte: ids & set(partner_ids) for cte, partner_ids in kept.items()},
            {
                "fresh_metrics": {quiet.id},
                "payments": {leaving.id, quiet.id},
                "behaviour": {leaving.id, quiet.id},
                "interactions": {leaving.id},
            },
        )

        self.company.customer_segmentation_watermark = self.env.cr.now() - timedelta(days=1)
        self.run_engine(as_of=tomorrow)
        self.assertEqual(
            [
                (c.rfm_frequency, p.total_revenue, p.discount_order_rate, p.interaction_count_90d)
                for c, p in ((c, self.profile(c)) for c in customers)
            ],
            [(1, 150, 42, 1), (1, 1, 42, 0), (1, 130, 0, 1), (1, 1, 42, 1)],
        )
        self.company.customer_segmentation_watermark = False  # aggregate everyone again
        self.assertEqual(self.run_engine(as_of=tomorrow)["changed"], 3, "what was kept, no more")
        self.assertEqual(
            [
                (self.profile(c).total_revenue, self.profile(c).discount_order_rate)
                for c in customers
            ],
            [(150, 0), (80, 0), (130, 0), (70, 0)],
        )

    def test_changing_what_figures_mean_aggregates_everyone_again(self):
        self.company.customer_segmentation_watermark = fields.Datetime.now()
        self.company.rfm_window_days = 730  # unchanged
        self.assertTrue(self.company.customer_segmentation_watermark)
        self.company.rfm_window_days = 365
        self.assertFalse(self.company.customer_segmentation_watermark)
        self.assertEqual(
            self.engine._take_stale_partners(self.company, self.AS_OF), (None, None, None)
        )

    def test_a_run_with_nothing_new_keeps_the_stored_quantile_scores(self):
        partners = [self.customer(f"S{i}") for i in range(6)]
        self.orders(
            [(p, self.AS_OF - timedelta(days=10 * i), 100 + i) for i, p in enumerate(partners)]
        )
        self.run_engine()
        quantiles = [p.rfm_score for p in partners]
        self.company.rfm_scoring_method = "threshold"
        self.run_engine()
        self.assertNotEqual([p.rfm_score for p in partners], quantiles)

        self._age_documents()
        self.company.rfm_scoring_method = "quantile"  # the threshold scores are stored
        self.run_engine()
        self.assertEqual([p.rfm_score for p in partners], quantiles)

        self._age_documents()
        stale, fresh, _kept = self.engine._take_stale_partners(self.company, self.AS_OF)
        self.assertEqual((stale, fresh), ([], []))
        self.assertEqual(self.run_engine()["changed"], 0, "nothing new: the scores are kept")
        self.assertEqual([p.rfm_score for p in partners], quantiles)

    def test_statistics_learn_a_company_they_did_not_know(self):
        """Rows of a company written after the last ANALYZE, too few to make the table
        stale, are analyzed: the planner no longer believes the company has none."""
        cr = self.env.cr
        cr.execute("ANALYZE customer_segmentation_queue")
        company = self.env["res.company"].create({"name": "Second company"})
        partners = self.env["res.partner"].create([{"name": f"Queued {i}"} for i in range(80)])
        self.env["customer.segmentation.queue"]._enqueue([(company.id, p.id) for p in partners])
        analyze_if_company_misjudged(cr, "customer_segmentation_queue", company.id)
        cr.execute(
            """SELECT most_common_vals::text::int[] FROM pg_stats
                WHERE tablename = 'customer_segmentation_queue' AND attname = 'company_id'"""
        )
        self.assertIn(company.id, cr.fetchone()[0])
