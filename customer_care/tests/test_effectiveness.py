import math
import random
import statistics
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import CareCase

WINDOW = timedelta(days=90)
METRICS = ("repurchase", "revenue", "churn", "win_back")


def interval(treated, held):
    """Difference of means and its 95 % interval (Welch standard error, normal quantile),
    computed here with the statistics module."""
    diff = statistics.fmean(treated) - statistics.fmean(held)
    se = math.sqrt(
        statistics.variance(treated) / len(treated) + statistics.variance(held) / len(held)
    )
    return diff, diff - 1.959963984540054 * se, diff + 1.959963984540054 * se


@tagged("post_install", "-at_install")
class TestEffectiveness(CareCase):
    """Targeted customers of two months, active or churned when targeted, 30 % held out; the
    rule's action doubles the repurchase rate and cuts churn, by construction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.care_effectiveness_window_days = 90
        rng = random.Random(7)
        cls.rule_a = cls.rule(["active", "churned"], active=False)
        partners = cls.env["res.partner"].create(
            [{"name": f"Target {i}", "is_company": True} for i in range(240)]
        )
        lines, orders, history = [], [], []
        for index, partner in enumerate(partners):
            start = datetime.combine(cls.today - timedelta(days=(200, 150)[index % 2]), time(9))
            stage = "churned" if index % 3 == 0 else "active"
            held = rng.random() < 0.3
            lines.append((partner, start, stage, held))
            if rng.random() < (0.25 if held else 0.5):
                day = start + timedelta(days=rng.randint(1, 89))
                orders.append((partner, day, rng.choice([100, 400, 2500])))
            if rng.random() < 0.3:  # outside the window, before or after: not counted
                day = start + timedelta(days=rng.choice([-20, 95, 130]))
                orders.append((partner, day, 700))
            if stage == "active" and rng.random() < (0.3 if held else 0.1):
                day = start + timedelta(days=rng.choice([10, 60, 120]))
                history.append((partner, day))
        cls.orders([(partner, day.date(), amount) for partner, day, amount in orders])
        cls.env["customer.segment.history"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "date": day,
                    "cause": "run",
                    "stage_from": "at_risk",
                    "stage_to": "churned",
                }
                for partner, day in history
            ]
        )
        Log = cls.env["customer.care.log"]
        for partner, start, stage, held in lines:
            Log.create(cls.log_values(partner, start, stage, "holdout" if held else "done"))
        # not counted: a window not over yet, and a cancelled action
        recent = datetime.combine(cls.today - timedelta(days=10), time(9))
        Log.create(cls.log_values(partners[0], recent, "active", "holdout"))
        Log.create(cls.log_values(partners[1], lines[1][1], "active", "cancelled"))
        cls.lines = lines
        cls.order_list = orders
        cls.history = history

    @classmethod
    def log_values(cls, partner, start, stage, state):
        return {
            "rule_id": cls.rule_a.id,
            "partner_id": partner.id,
            "company_id": cls.company.id,
            "date": start,
            "state": state,
            "lifecycle_stage": stage,
        }

    def outcomes(self):
        """{(month, stage, metric): {held out: [values]}}, from the generated data."""
        values = defaultdict(lambda: {True: [], False: []})
        for partner, start, stage, held in self.lines:
            # orders are dated at 10:00 of their day
            bought = [
                amount
                for p, day, amount in self.order_list
                if p == partner and start < datetime.combine(day.date(), time(10)) <= start + WINDOW
            ]
            churned = any(p == partner and start < day <= start + WINDOW for p, day in self.history)
            key = (start.date().replace(day=1), stage)
            values[(*key, "repurchase")][held].append(100.0 if bought else 0.0)
            values[(*key, "revenue")][held].append(float(sum(bought)))
            if stage == "churned":
                values[(*key, "win_back")][held].append(100.0 if bought else 0.0)
            else:
                values[(*key, "churn")][held].append(100.0 if churned else 0.0)
        return values

    def assert_row(self, row, arms):
        treated, held = arms[False], arms[True]
        diff, low, high = interval(treated, held)
        self.assertEqual((row["treated_count"], row["holdout_count"]), (len(treated), len(held)))
        self.assertAlmostEqual(row["treated_mean"], statistics.fmean(treated), places=6)
        self.assertAlmostEqual(row["holdout_mean"], statistics.fmean(held), places=6)
        self.assertAlmostEqual(row["uplift"], diff, places=6)
        self.assertAlmostEqual(row["uplift_low"], low, places=6)
        self.assertAlmostEqual(row["uplift_high"], high, places=6)

    def test_rows_equal_an_independent_computation(self):
        Report = self.env["customer.care.effectiveness"]
        rows = Report.search_read([("rule_id", "=", self.rule_a.id)])
        expected = self.outcomes()
        self.assertEqual(len(rows), len(expected))
        self.assertEqual(len(expected), 2 * 2 * 3, "two months × two stages × three metrics")
        for row in rows:
            self.assert_row(row, expected[(row["date"], row["lifecycle_stage"], row["metric"])])

    def test_groups_are_computed_from_their_customers(self):
        """Grouped by metric only (both months and stages together): the means and interval
        of all the group's customers, not sums of the rows."""
        by_metric = defaultdict(lambda: {True: [], False: []})
        for (_month, _stage, metric), arms in self.outcomes().items():
            for held in (True, False):
                by_metric[metric][held] += arms[held]
        fields = [
            "treated_count",
            "holdout_count",
            "treated_mean",
            "holdout_mean",
            "uplift",
            "uplift_low",
            "uplift_high",
        ]
        groups = self.env["customer.care.effectiveness"]._read_group(
            [("rule_id", "=", self.rule_a.id)],
            ["metric"],
            [f"{name}:sum" for name in fields],
        )
        self.assertEqual({group[0] for group in groups}, set(METRICS))
        for metric, *values in groups:
            self.assert_row(dict(zip(fields, values, strict=True)), by_metric[metric])
        uplift = {metric: values[4:] for metric, *values in groups}
        low, high = uplift["repurchase"][1:]
        self.assertGreater(low, 0, "the action works: doubled repurchase")
        self.assertLess(low, 25.0)
        self.assertGreater(high, 25.0, "the interval holds the effect put in the data")
        self.assertLess(uplift["churn"][0], -5, "and cuts churn (too few to prove it)")

    def test_window_setting_and_access(self):
        with self.assertRaises(ValidationError):
            self.company.care_effectiveness_window_days = 0
        Report = self.env["customer.care.effectiveness"]
        self.company.care_effectiveness_window_days = 180  # the later month: window not over
        dates = {row["date"] for row in Report.search_read([("rule_id", "=", self.rule_a.id)])}
        self.assertEqual(dates, {(self.today - timedelta(days=200)).replace(day=1)})
        self.assertTrue(Report.with_user(self.users["user"]).search([]))
        with self.assertRaises(AccessError):
            Report.with_user(self.users["plain"]).search([])
