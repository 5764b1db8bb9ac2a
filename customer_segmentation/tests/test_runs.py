from datetime import date, timedelta
from unittest.mock import patch

import odoo
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.segmentation_engine import RESULT_TABLE, CustomerSegmentationEngine
from .common import SegmentationCase


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
        self.assertEqual(first["history"], 6)
        second = self.run_engine()
        self.assertEqual(
            (second["changed"], second["written"], second["history"], second["snapshot"]),
            (0, 0, 0, 0),
        )
        self.assertEqual(len(self.history()), 6)

    def test_history_and_snapshots(self):
        self.run_engine()
        partner = self.partners[0]
        self.assertEqual(len(self.history(partner)), 1)
        self.assertFalse(self.history(partner).stage_from)
        snapshots = self.env["customer.segment.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", self.AS_OF)]
        )
        self.assertEqual(sum(snapshots.mapped("customer_count")), 6)
        # A year later everybody has churned: one change each, a new snapshot day.
        later = self.AS_OF + timedelta(days=400)
        self.run_engine(as_of=later)
        self.assertEqual(self.history(partner)[0].stage_to, "churned")
        self.assertEqual(self.history(partner)[0].cause, "run")
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
        wizard = (
            self.env["customer.segment.pin.wizard"]
            .with_context(default_partner_id=partner.id)
            .create(
                {"pinned_stage": "vip", "pinned_segment_id": segment.id, "reason": "Key account"}
            )
        )
        wizard.action_pin()
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
        wizard = (
            self.env["customer.segment.pin.wizard"]
            .with_context(default_partner_id=prospect.id)
            .create({"pinned_stage": "potential", "reason": "Met at the fair"})
        )
        wizard.action_pin()
        self.run_engine()
        self.assertEqual(prospect.customer_lifecycle_stage, "potential")

    def test_run_killed_after_a_batch_is_finished_by_the_next(self):
        """Batches commit one by one: a crash leaves whole rows; the next run completes."""
        company = self.company
        with patch.object(CustomerSegmentationEngine, "_batch_size", 2):
            self.engine._build_result(company, self.AS_OF, None)
            self.env.cr.execute(
                SQL("SELECT min(partner_id), max(partner_id) FROM %s", RESULT_TABLE)
            )
            low, _high = self.env.cr.fetchone()
            self.engine._apply_batch(
                company, 0, low + 1, self.AS_OF
            )  # the first batch, then the "crash"
            self.env.cr.execute(SQL("DROP TABLE %s", RESULT_TABLE))
            self.env.invalidate_all()
            done = self.env["customer.profile"].search([("company_id", "=", company.id)])
            self.assertTrue(0 < len(done) < 6)
            stats = self.run_engine()
        self.assertEqual(stats["written"], 6 - len(done))
        profiles = self.env["customer.profile"].search([("company_id", "=", company.id)])
        self.assertEqual(len(profiles), 6)
        self.assertEqual(len(self.history()), 6, "each customer logged once, none twice")
        self.assertEqual(self.run_engine()["written"], 0)

    def test_batches_give_the_same_result(self):
        self.run_engine()
        reference = {p.partner_id.id: p.rfm_score for p in self.env["customer.profile"].search([])}
        self.env["customer.profile"].search([]).unlink()
        with patch.object(CustomerSegmentationEngine, "_batch_size", 4):
            stats = self.run_engine()
        self.assertEqual(stats["written"], 6)
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

    def test_scheduled_action_commits_per_company(self):
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=1.0
        ) as progress:
            self.env["res.partner"]._cron_recompute_customer_segmentation()
        self.assertTrue(progress.called)
        self.assertEqual(self.company.customer_segmentation_as_of, date.today())
