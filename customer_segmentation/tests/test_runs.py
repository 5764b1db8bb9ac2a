from datetime import date, timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.tests import Form, tagged

from ..models.segmentation_engine import CustomerSegmentationEngine
from .common import SegmentationCase, run_cron_until_done


@tagged("post_install", "-at_install")
class TestRuns(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = [cls.customer(f"R{i}") for i in range(6)]
        cls.orders(
            [
                (partner, cls.AS_OF - timedelta(days=20 * i + 7 * j), 100 * (i + 1))
                for i, partner in enumerate(cls.partners)
                for j in range(i + 1)
            ]
        )

    def history(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["customer.segment.history"].search(domain)

    def test_unchanged_rerun_writes_nothing(self):
        first = self.run_engine()
        self.assertEqual(first["written"], 6)
        self.assertEqual(first["history"], 0, "the first classification is no transition")
        second = self.run_engine()
        self.assertEqual(
            (second["changed"], second["written"], second["history"], second["snapshot"]),
            (0, 0, 0, 0),
        )
        self.assertFalse(self.history())

    def test_history_and_snapshots(self):
        self.run_engine()
        partner = self.partners[0]
        self.assertFalse(self.history(partner), "history shows transitions only")
        snapshots = self.env["customer.segment.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", self.AS_OF)]
        )
        self.assertEqual(sum(snapshots.mapped("customer_count")), 6)
        # A year later everybody has churned: one change each, a new snapshot day.
        later = self.AS_OF + timedelta(days=400)
        self.run_engine(as_of=later)
        line = self.history(partner)
        self.assertEqual((line.stage_from, line.stage_to), ("new", "churned"))
        self.assertEqual(line.cause, "run")
        later_snapshot = self.env["customer.segment.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", later)]
        )
        self.assertEqual(set(later_snapshot.mapped("lifecycle_stage")), {"churned"})
        self.assertEqual(sum(later_snapshot.mapped("customer_count")), 6)
        self.assertEqual(self.company.customer_segmentation_as_of, later)

    def test_pin_is_kept_shown_and_logged(self):
        self.run_engine()
        partner = self.partners[0]
        segment = self.env.ref("customer_segmentation.rfm_segment_champions")
        action = partner.action_pin_customer_class()
        with Form(self.env[action["res_model"]].with_context(action["context"])) as form:
            form.pinned_stage = "vip"
            form.pinned_segment_id = segment
            form.reason = "Key account"
        form.record.action_pin()
        self.assertEqual(partner.customer_lifecycle_stage, "vip")
        self.assertTrue(partner.customer_is_pinned)
        self.assertEqual(partner.customer_pin_reason, "Key account")
        pin_line = self.history(partner)[0]
        self.assertEqual(
            (pin_line.cause, pin_line.stage_to, pin_line.reason), ("pin", "vip", "Key account")
        )
        self.run_engine(as_of=self.AS_OF + timedelta(days=400))
        self.env.invalidate_all()
        self.assertEqual(partner.customer_lifecycle_stage, "vip")
        self.assertEqual(partner.rfm_segment_id, segment)
        partner.action_unpin_customer_class()
        # Back to the facts, as of today: the last order is more than a year old.
        self.assertEqual(partner.customer_lifecycle_stage, "churned")
        self.assertFalse(partner.customer_is_pinned)

    def test_pin_a_prospect_without_orders(self):
        prospect = self.customer("Prospect")
        with Form(
            self.env["customer.segment.pin.wizard"].with_context(default_partner_id=prospect.id)
        ) as form:
            form.pinned_stage = "potential"
            form.reason = "Met at the fair"
        form.record.action_pin()
        self.run_engine()
        self.assertEqual(prospect.customer_lifecycle_stage, "potential")

    def test_run_killed_after_a_batch_is_finished_by_the_next(self):
        """The scheduled run writes its staged rows a batch per transaction: whatever stops
        it, the next call goes on from the rows still staged; none is written twice."""
        company = self.company
        with patch.object(CustomerSegmentationEngine, "_batch_size", 2):
            self.assertEqual(self.engine._step_classify(), 2, "6 staged, 2 written")
            self.env.invalidate_all()
            self.assertEqual(len(self.env["customer.profile"].search([])), 2)
            calls = run_cron_until_done(
                self, "customer_segmentation.ir_cron_recompute_customer_segmentation"
            )
        self.assertEqual(calls, 2)
        profiles = self.env["customer.profile"].search([("company_id", "=", company.id)])
        self.assertEqual(len(profiles), 6)
        self.assertFalse(self.history(), "the first classification is no transition")
        self.assertEqual(company.customer_segmentation_as_of, date.today())
        self.assertEqual(self.run_engine(as_of=date.today())["written"], 0)

    def test_batches_give_the_same_result(self):
        self.run_engine()
        reference = {p.partner_id.id: p.rfm_score for p in self.env["customer.profile"].search([])}
        self.env["customer.profile"].search([]).unlink()
        self.company.customer_segmentation_as_of = False
        with (
            patch.object(CustomerSegmentationEngine, "_batch_size", 4),
            patch.object(fields.Date, "today", lambda *args: self.AS_OF),
        ):
            run_cron_until_done(
                self, "customer_segmentation.ir_cron_recompute_customer_segmentation"
            )
        self.assertEqual(
            {p.partner_id.id: p.rfm_score for p in self.env["customer.profile"].search([])},
            reference,
        )

    def test_concurrent_run_is_skipped(self):
        """While another connection holds the company's lock, a run does nothing."""
        other = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)",
                [CustomerSegmentationEngine._lock_key, self.company.id],
            )
            self.assertFalse(self.run_engine())
            self.assertFalse(
                self.env["customer.profile"].search([("company_id", "=", self.company.id)])
            )
        finally:
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)",
                [CustomerSegmentationEngine._lock_key, self.company.id],
            )
            other.close()
        self.assertTrue(self.run_engine())

    def test_nightly_job_finishes_through_the_cron_runner(self):
        """Out of time after every batch, the job reports what remains and Odoo calls it
        again until every profile is written; then it reports done."""
        company_b = self.env["res.company"].create({"name": "B"})
        self.order(self.customer("B1"), self.AS_OF, 10, company_id=company_b.id)
        cron = "customer_segmentation.ir_cron_recompute_customer_segmentation"
        with patch.object(CustomerSegmentationEngine, "_batch_size", 2):
            calls = run_cron_until_done(self, cron)
        self.assertGreaterEqual(calls, 4, "three batches of company A, one of B")
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.env.ref(cron).id)], order="id"
        )
        self.assertTrue(all(row.remaining for row in progress[:-1]))
        self.assertFalse(progress[-1].remaining)
        for company, count in ((self.company, 6), (company_b, 1)):
            profiles = self.env["customer.profile"].search([("company_id", "=", company.id)])
            self.assertEqual(len(profiles), count)
            self.assertEqual(company.customer_segmentation_as_of, date.today())
        self.assertFalse(self.env["customer.segmentation.result"].search([]))
        self.assertEqual(run_cron_until_done(self, cron), 1, "done for today: one call")

    def test_nightly_job_leaves_work_to_the_next_pass(self):
        """Late in a pass (past its time budget, or too late for a long step such as the
        classification itself), a call does nothing and reports the work left: Odoo ends
        the pass without a failure and calls the job again, which then finishes."""
        xmlid = "customer_segmentation.ir_cron_recompute_customer_segmentation"
        cron = self.env.ref(xmlid)
        triggers = self.env["ir.cron.trigger"].sudo()
        engine = type(self.env["customer.segmentation.engine"])
        for late in ("_pass_seconds", "_long_step_seconds"):
            with self.subTest(late), patch.object(engine, late, -1):
                triggers.search([("cron_id", "=", cron.id)]).unlink()
                with self.enter_registry_test_mode():
                    self.assertIs(cron.sudo().method_direct_trigger(), True)
                progress = self.env["ir.cron.progress"].search(
                    [("cron_id", "=", cron.id)], order="id desc", limit=1
                )
                self.assertEqual(progress.done, 0)
                self.assertGreaterEqual(progress.remaining, 1)
                self.assertTrue(triggers.search_count([("cron_id", "=", cron.id)]))
                self.assertFalse(cron.failure_count)
                self.assertFalse(
                    self.env["customer.profile"].search([("company_id", "=", self.company.id)])
                )
        run_cron_until_done(self, xmlid)
        self.assertEqual(self.company.customer_segmentation_as_of, date.today())

    def region_rows(self):
        summary = self.env["customer.region.summary"].search([("company_id", "=", self.company.id)])
        return sorted(
            (r.country_id.id, r.city or "", r.lifecycle_stage, r.customer_count, r.total_revenue)
            for r in summary
        )

    def profile_regions(self):
        groups = self.env["customer.profile"]._read_group(
            [("company_id", "=", self.company.id)],
            ["country_id", "state_id", "city", "lifecycle_stage"],
            ["__count", "total_revenue:sum"],
        )
        return sorted(
            (country.id, city or "", stage, count, revenue)
            for country, _state, city, stage, count, revenue in groups
        )

    def test_region_summary_follows_the_profiles(self):
        belgium = self.env.ref("base.be")
        self.partners[0].write({"country_id": belgium.id, "city": "Gent"})
        self.partners[1].write({"country_id": belgium.id, "city": "Gent"})
        self.run_engine()
        self.assertEqual(self.region_rows(), self.profile_regions())
        self.assertIn((belgium.id, "Gent", "new", 2, 500.0), self.region_rows())
        self.assertEqual(self.engine._summarize_regions(self.company), 0, "nothing to rewrite")

        self.partners[1].city = "Brugge"  # a customer moves, another one orders
        self.order(self.partners[2], self.AS_OF, 5000)
        self.run_engine(partner_ids=[self.partners[1].id, self.partners[2].id])
        self.assertEqual(self.region_rows(), self.profile_regions())
        self.assertIn((belgium.id, "Brugge", "new", 1, 400.0), self.region_rows())

        self.env["customer.segment.pin.wizard"].create(
            {"partner_id": self.partners[0].id, "pinned_stage": "vip", "reason": "Key account"}
        ).action_pin()
        self.assertIn((belgium.id, "Gent", "vip", 1, 100.0), self.region_rows())
        self.assertEqual(self.region_rows(), self.profile_regions())
