import random
from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import SegmentationCase


@tagged("post_install", "-at_install")
class TestCareMetrics(SegmentationCase):
    """Monthly classification runs over generated orders, then the metrics against sums
    computed here from the orders, the history, the snapshots and the ratings."""

    MONTHS = [date(2025, month, 1) for month in range(1, 8)]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"customer_churn_days": 60, "customer_at_risk_days": 30})
        rng = random.Random(9)
        specs = []
        cls.customers = [cls.customer(f"M{i}") for i in range(40)]
        for partner in cls.customers:
            day = date(2024, 10, 1) + timedelta(days=rng.randint(0, 60))
            while day < date(2025, 7, 20):
                specs.append((partner, day, rng.choice([50, 80, 200])))
                day += timedelta(days=rng.choice([10, 25, 40, 70, 120]))
        cls.orders(specs)
        for as_of in cls.MONTHS:
            cls.engine.run(as_of=as_of)
        cls.env["customer.care.engine"]._refresh_purchase_months(cls.company)
        cls.order_days = defaultdict(set)
        for partner, day, _amount in specs:
            cls.order_days[partner.id].add(day.replace(day=1))
        model_id = cls.env["ir.model"]._get_id("res.partner")
        cls.ratings = [3, 4, 5, 5]
        for partner, value in zip(cls.customers, cls.ratings, strict=False):
            cls.env["rating.rating"].create(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "rating": value,
                    "consumed": True,
                }
            )
        cls.customers[0].care_churn_reason_id = cls.env.ref("customer_care.churn_reason_price")
        cls.customers[1].care_churn_reason_id = cls.env.ref("customer_care.churn_reason_price")
        cls.customers[2].care_churn_reason_id = cls.env.ref("customer_care.churn_reason_service")

    def metrics(self, month, measures):
        rows = self.env["customer.care.metrics"]._read_group(
            [
                ("company_id", "=", self.company.id),
                ("date", ">=", month),
                ("date", "<", month + relativedelta(months=1)),
            ],
            [],
            [f"{name}:sum" for name in measures],
        )
        return dict(zip(measures, rows[0], strict=True))

    def test_repeat_purchase_rate(self):
        for month in self.MONTHS:
            ordering = [p for p, months in self.order_days.items() if month in months]
            repeat = [p for p in ordering if min(self.order_days[p]) < month]
            got = self.metrics(month, ["ordering_count", "repeat_count", "repeat_purchase_rate"])
            self.assertEqual(got["ordering_count"], len(ordering), month)
            self.assertEqual(got["repeat_count"], len(repeat), month)
            self.assertAlmostEqual(got["repeat_purchase_rate"], 100 * len(repeat) / len(ordering))

    def test_churn_and_win_back_rates(self):
        History = self.env["customer.segment.history"]
        Snapshot = self.env["customer.segment.snapshot"]
        checked = 0
        for month in self.MONTHS[1:]:
            events = History.search(
                [
                    ("company_id", "=", self.company.id),
                    ("date", ">=", month),
                    ("date", "<", month + relativedelta(months=1)),
                ]
            )
            churned = len(
                events.filtered(
                    lambda h: h.stage_to == "churned" and h.stage_from not in (False, "churned")
                )
            )
            won_back = len(
                events.filtered(
                    lambda h: h.stage_from == "churned"
                    and h.stage_to in ("new", "active", "vip", "at_risk")
                )
            )
            start = Snapshot.search([("company_id", "=", self.company.id), ("date", "=", month)])
            active = sum(
                s.customer_count
                for s in start
                if s.lifecycle_stage in ("new", "active", "vip", "at_risk")
            )
            lost = sum(s.customer_count for s in start if s.lifecycle_stage == "churned")
            got = self.metrics(
                month,
                [
                    "churned_count",
                    "active_base",
                    "churn_rate",
                    "won_back_count",
                    "churned_base",
                    "win_back_rate",
                ],
            )
            self.assertEqual((got["churned_count"], got["active_base"]), (churned, active), month)
            self.assertEqual((got["won_back_count"], got["churned_base"]), (won_back, lost), month)
            self.assertAlmostEqual(got["churn_rate"] or 0, 100 * churned / active if active else 0)
            if lost:
                self.assertAlmostEqual(got["win_back_rate"], 100 * won_back / lost)
            checked += churned + won_back
        self.assertTrue(checked, "the generated data has churn and win-back events")

    def test_satisfaction_and_churn_reasons(self):
        rows = self.env["customer.care.metrics"]._read_group(
            [("company_id", "=", self.company.id)], [], ["avg_satisfaction:sum", "rating_count:sum"]
        )
        self.assertAlmostEqual(rows[0][0], sum(self.ratings) / len(self.ratings))
        self.assertEqual(rows[0][1], len(self.ratings))
        reasons = dict(
            self.env["customer.care.metrics"]._read_group(
                [("fact", "=", "reason")], ["churn_reason_id"], ["reason_count:sum"]
            )
        )
        self.assertEqual(reasons[self.env.ref("customer_care.churn_reason_price")], 2)
        self.assertEqual(reasons[self.env.ref("customer_care.churn_reason_service")], 1)

    def test_ordering_customers_are_rebuilt_after_each_classification(self):
        care = self.env["customer.care.engine"]
        Months = self.env["customer.purchase.month"]
        before = sum(Months.search([]).mapped("ordering_count"))
        newcomer = self.customer("Newcomer")
        self.order(newcomer, date(2025, 7, 5), 90)
        care._refresh_purchase_months(self.company)
        self.assertEqual(sum(Months.search([]).mapped("ordering_count")), before, "same run")
        self.engine.run(as_of=date(2025, 7, 31))
        care._run()  # the care job
        july = Months.search([("date", "=", date(2025, 7, 1)), ("lifecycle_stage", "=", "new")])
        self.assertIn(self.profile(newcomer).lifecycle_stage, july.mapped("lifecycle_stage"))
        self.assertEqual(sum(Months.search([]).mapped("ordering_count")), before + 1)
