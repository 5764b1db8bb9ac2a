import random
from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import SegmentationCase, create_insight_users, run_cron_until_done

MONTH_ENDS = [
    date(2024, 10, 31),
    date(2024, 11, 30),
    date(2024, 12, 31),
    date(2025, 1, 31),
    date(2025, 2, 28),
    date(2025, 3, 31),
    date(2025, 4, 30),
    date(2025, 5, 31),
]


@tagged("post_install", "-at_install")
class TestHistoryReplay(SegmentationCase):
    """The replayed history equals what runs at each month-end in turn would have written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)
        rng = random.Random(13)
        specs = []
        for index in range(45):
            partner = cls.customer(f"Replayed {index}")
            for _order in range(rng.randint(1, 7)):
                day = cls.AS_OF - timedelta(days=rng.randint(0, 1000))
                specs.append((partner, day, rng.choice([40, 400, 4000, 40000])))
        cls.orders(specs)
        cls.History = cls.env["customer.segment.history"]
        cls.Snapshot = cls.env["customer.segment.snapshot"]

    def history(self, cause):
        return {
            (
                line.partner_id.id,
                line.date.date(),
                line.stage_from,
                line.stage_to,
                line.segment_from_id.id,
                line.segment_to_id.id,
                line.tier_from,
                line.tier_to,
            )
            for line in self.History.search(
                [("company_id", "=", self.company.id), ("cause", "=", cause)]
            )
        }

    def snapshots(self, replayed):
        rows = self.Snapshot.search(
            [("company_id", "=", self.company.id), ("replayed", "=", replayed)]
        )
        return {
            (s.date, s.lifecycle_stage, s.segment_id.id, s.value_tier, s.customer_count)
            for s in rows
        }

    def runs_in_turn(self):
        """Forget every classification of the company, then run the engine at each
        month-end and at the as-of date; return its history and snapshots."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """DELETE FROM customer_profile WHERE company_id = %(c)s;
                   DELETE FROM customer_segment_history WHERE company_id = %(c)s;
                   DELETE FROM customer_segment_snapshot WHERE company_id = %(c)s""",
                c=self.company.id,
            )
        )
        self.env.invalidate_all()
        self.company.sudo().write(
            {
                "customer_segmentation_as_of": False,
                "customer_segmentation_watermark": False,
                "customer_history_observed_from": False,
            }
        )
        for day in [*MONTH_ENDS, self.AS_OF]:
            self.run_engine(as_of=day)
        snapshots = {row for row in self.snapshots(False) if row[0] != self.AS_OF}
        return self.history("run"), snapshots

    def test_replay_equals_runs_at_each_month_end(self):
        self.run_engine()
        self.assertEqual(self.company.customer_history_observed_from, self.AS_OF)
        observed_snapshots = self.snapshots(False)
        result = self.env["res.partner"].replay_customer_history(months=8)
        self.assertEqual(result, {"replayed_from": MONTH_ENDS[0], "dates": 9})
        self.assertFalse(self.company.customer_history_replay_next)
        replayed = self.history("replay"), self.snapshots(True)
        self.assertEqual({row[0] for row in replayed[1]}, set(MONTH_ENDS))
        self.assertGreater(len(replayed[0]), 20)
        self.assertEqual(self.snapshots(False), observed_snapshots, "observed ones untouched")
        again = self.env["res.partner"].replay_customer_history(months=8)
        self.assertEqual(again["dates"], 9)
        self.assertEqual((self.history("replay"), self.snapshots(True)), replayed, "replaced")
        self.assertEqual(self.runs_in_turn(), replayed)

    def test_scheduled_replay_after_the_first_classification(self):
        """The first classification plans the replay of the months set in Settings; the
        scheduled job replays one date per step and gives the same history."""
        self.company.customer_history_replay_months = 8
        self.run_engine()
        self.assertEqual(self.company.customer_history_replay_next, MONTH_ENDS[0])
        calls = run_cron_until_done(self, "customer_segmentation.ir_cron_replay_customer_history")
        self.assertEqual(calls, 9, "one date per step")
        self.assertFalse(self.company.customer_history_replay_next)
        scheduled = self.history("replay"), self.snapshots(True)
        self.env["res.partner"].replay_customer_history(months=8)
        self.assertEqual((self.history("replay"), self.snapshots(True)), scheduled)

    def test_charts_say_from_when_they_are_replayed(self):
        action = "customer_segmentation.action_customer_segment_snapshot"
        self.assertEqual(
            self.company._customer_history_action(action)["name"], "Classification Trend"
        )
        self.run_engine()
        self.env["res.partner"].replay_customer_history(months=2)
        name = self.company._customer_history_action(action)["name"]
        self.assertEqual(
            name, "Classification Trend (replayed from 04/30/2025, observed from 06/30/2025)"
        )

    def test_only_managers_replay_and_months_are_bounded(self):
        Partner = self.env["res.partner"]
        for login in ("user", "rep", "plain"):
            with self.assertRaises(AccessError):
                Partner.with_user(self.users[login]).replay_customer_history(months=2)
        for months in (0, 121):
            with self.assertRaises(UserError):
                Partner.replay_customer_history(months=months)
        Partner.with_user(self.users["manager"]).replay_customer_history(months=1)
        self.assertTrue(self.company.customer_history_replayed_from)

    def test_settings_plan_the_replay_in_the_background(self):
        self.run_engine()
        settings = self.env["res.config.settings"].create({"customer_history_replay_months": 3})
        action = settings.action_replay_customer_history()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.company.customer_history_replay_next, date(2025, 3, 31))
        run_cron_until_done(self, "customer_segmentation.ir_cron_replay_customer_history")
        self.assertEqual(
            {row[0] for row in self.snapshots(True)},
            {date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)},
        )
