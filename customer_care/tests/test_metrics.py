import random
from collections import defaultdict
from datetime import date, datetime, timedelta

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
        cls.first_day = {p.id: min(day for q, day, _a in specs if q == p) for p in cls.customers}
        cls._referrals(rng)
        cls._care_scores(rng)

    @classmethod
    def _referrals(cls, rng):
        """Referrers: customers (who ordered before or after), a customer's contact, a
        partner who never ordered; a third of the customers have none."""
        outsider = cls.env["res.partner"].create({"name": "Never ordered"})
        contact = cls.env["res.partner"].create(
            {"name": "M0 buyer", "parent_id": cls.customers[0].id}
        )
        for partner in cls.customers[5:35]:
            referrer = rng.choice([outsider, contact, *cls.customers])
            if referrer.commercial_partner_id != partner:
                partner.customer_referrer_id = referrer

    @classmethod
    def _care_scores(cls, rng):
        """Care actions done in 2025 with a score, or none, for random customers."""
        rule = cls.env["customer.care.rule"].create(
            {
                "name": "Survey",
                "active": False,
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
            }
        )
        cls.scores = []
        for _ in range(60):
            day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 200))
            score = rng.choice([None, 1, 2, 3, 4, 5])
            cls.scores.append((day, score))
        cls.env["customer.care.log"].create(
            [
                {
                    "rule_id": rule.id,
                    "partner_id": rng.choice(cls.customers).id,
                    "company_id": cls.company.id,
                    "date": f"{day} 08:00:00",
                    "date_done": day,
                    "state": "done",
                    "satisfaction": score and str(score),
                }
                for day, score in cls.scores
            ]
        )

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

    def test_the_churn_chart_says_from_when_it_is_replayed(self):
        self.env["res.partner"].replay_customer_history(months=3)
        action = self.env.ref("customer_care.action_server_customer_care_metrics").run()
        observed = self.company.customer_history_observed_from.strftime("%m/%d/%Y")
        self.assertIn(f"observed from {observed}", action["name"])
        self.assertTrue(action["name"].startswith("Care Metrics (replayed from "))

    def test_satisfaction_and_churn_reasons(self):
        """Odoo ratings and the scores of the care actions, per month and overall."""
        scores = [score for _day, score in self.scores if score]
        rows = self.env["customer.care.metrics"]._read_group(
            [("company_id", "=", self.company.id)], [], ["avg_satisfaction:sum", "rating_count:sum"]
        )
        everything = self.ratings + scores
        self.assertAlmostEqual(rows[0][0], sum(everything) / len(everything))
        self.assertEqual(rows[0][1], len(everything))
        for month in self.MONTHS:
            month_scores = [
                score for day, score in self.scores if score and day.replace(day=1) == month
            ]
            got = self.metrics(month, ["avg_satisfaction", "rating_count"])
            self.assertEqual(got["rating_count"], len(month_scores), month)
            if month_scores:
                self.assertAlmostEqual(
                    got["avg_satisfaction"], sum(month_scores) / len(month_scores)
                )
        reasons = dict(
            self.env["customer.care.metrics"]._read_group(
                [("fact", "=", "reason")], ["churn_reason_id"], ["reason_count:sum"]
            )
        )
        self.assertEqual(reasons[self.env.ref("customer_care.churn_reason_price")], 2)
        self.assertEqual(reasons[self.env.ref("customer_care.churn_reason_service")], 1)

    def test_referral_rate(self):
        """New customers by the month of their first order, referred when their referrer's
        commercial entity ordered strictly before; per month and per segment."""

        def referred(partner):
            referrer = partner.customer_referrer_id.commercial_partner_id
            first = self.first_day.get(referrer.id)
            return bool(first and first < self.first_day[partner.id])

        months = sorted({day.replace(day=1) for day in self.first_day.values()})
        checked = 0
        for month in months:
            new = [p for p in self.customers if self.first_day[p.id].replace(day=1) == month]
            got = self.metrics(month, ["new_count", "referred_count", "referral_rate"])
            want = sum(1 for p in new if referred(p))
            self.assertEqual((got["new_count"], got["referred_count"]), (len(new), want), month)
            self.assertAlmostEqual(got["referral_rate"], 100 * want / len(new))
            checked += want
        self.assertTrue(checked, "the generated data has referred customers")
        by_segment = self.env["customer.care.metrics"]._read_group(
            [("company_id", "=", self.company.id), ("fact", "=", "new_customer")],
            ["segment_id"],
            ["new_count:sum", "referred_count:sum", "referral_rate:sum"],
        )
        for segment, new_count, referred_count, rate in by_segment:
            new = [p for p in self.customers if self.profile(p).segment_id == segment]
            want = sum(1 for p in new if referred(p))
            self.assertEqual((new_count, referred_count), (len(new), want), segment.name)
            self.assertAlmostEqual(rate, 100 * want / len(new))

    def _purchase_months(self):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT date, segment_id, lifecycle_stage, ordering_count, repeat_count
                 FROM customer_purchase_month WHERE company_id = %s
                ORDER BY date, segment_id NULLS FIRST, lifecycle_stage NULLS FIRST""",
            [self.company.id],
        )
        return self.env.cr.fetchall()

    def test_ordering_customers_counted_again_equal_a_full_count(self):
        """Orders added, cancelled and re-dated, classes changed: the counts brought up to
        date from the changed customers equal those counted from every order."""
        care = self.env["customer.care.engine"]
        before = self._purchase_months()
        self.env.cr.execute(  # written before the last update, as on the next day
            """UPDATE sale_order SET write_date = write_date - interval '1 day';
               UPDATE res_partner SET write_date = write_date - interval '1 day'"""
        )
        newcomer = self.customer("Newcomer")
        self.order(newcomer, date(2025, 7, 5), 90)
        self.order(self.customers[4], date(2025, 8, 2), 60)
        orders = self.env["sale.order"].search(
            [("partner_id", "in", [p.id for p in self.customers[5:8]])], order="id"
        )
        orders[0]._action_cancel()
        orders[-1].date_order = datetime(2023, 5, 17, 9, 0)
        self.engine.run(as_of=date(2025, 9, 30))  # classes change with recency
        self.assertTrue(self.company.care_purchase_months_since, "counted again, not all")
        care._refresh_purchase_months(self.company)
        counted_again = self._purchase_months()
        self.assertNotEqual(counted_again, before)
        self.env.cr.execute("SELECT COUNT(*) FROM care_order_months_changed")
        self.assertLess(self.env.cr.fetchone()[0], len(self.customers), "only the changed ones")
        self.company.write({"care_purchase_months_since": False})
        self.company.sudo().care_purchase_months_outdated = True
        care._refresh_purchase_months(self.company)
        self.assertEqual(counted_again, self._purchase_months())

    def test_merged_customers_are_counted_again(self):
        care = self.env["customer.care.engine"]
        before = sum(count for *_key, count, _repeat in self._purchase_months())
        kept, merged = self.customers[9], self.customers[10]
        months = len(self.order_days[kept.id] | self.order_days[merged.id])
        self.env["base.partner.merge.automatic.wizard"]._merge(
            [kept.id, merged.id], kept, extra_checks=False
        )
        self.engine.run(as_of=date(2025, 7, 31))
        care._refresh_purchase_months(self.company)
        after = sum(count for *_key, count, _repeat in self._purchase_months())
        self.assertEqual(
            after,
            before - len(self.order_days[kept.id]) - len(self.order_days[merged.id]) + months,
        )

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
