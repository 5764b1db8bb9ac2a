from datetime import date, datetime, time, timedelta

from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestScoring(SegmentationCase):
    def classes(self, partner):
        p = self.profile(partner)
        return (p.rfm_r_score, p.rfm_f_score, p.rfm_m_score, p.segment_id.code, p.value_tier)

    def test_quantile_scores_ties_and_segments(self):
        a, b, c, d, e = (self.customer(name) for name in "ABCDE")
        self.order(a, date(2025, 6, 1), 100)
        self.order(b, date(2025, 6, 1), 100)
        self.order(c, date(2025, 5, 1), 50)
        self.order(c, date(2025, 6, 10), 50)
        for day in (date(2025, 1, 10), date(2025, 3, 10), date(2025, 6, 20)):
            self.order(d, day, 200)
        for month in (8, 10, 12):
            self.order(e, date(2024, month, 1), 1000)
        self.order(e, date(2025, 2, 1), 1000)
        self.order(e, date(2025, 4, 1), 1000)
        self.run_engine()
        # k = 1 + customers strictly worse, score = ceil(5k / n), n = 5.
        self.assertEqual(self.classes(a), (2, 1, 1, "hibernating", "low"))
        self.assertEqual(self.classes(b), (2, 1, 1, "hibernating", "low"))
        self.assertEqual(self.classes(c), (4, 3, 1, "potential_loyalist", "low"))
        self.assertEqual(self.classes(d), (5, 4, 4, "champions", "medium"))
        self.assertEqual(self.classes(e), (1, 5, 5, "cannot_lose", "high"))
        self.assertEqual(self.profile(d).rfm_score, "544")
        self.assertEqual(self.profile(e).lifecycle_stage, "vip")
        self.assertEqual(self.profile(d).lifecycle_stage, "active")
        self.assertEqual(self.profile(c).lifecycle_stage, "new")

    def test_quantile_rounds_up(self):
        """n = 7 and frequencies 1,1,1,2,3,3,4: k = 1,1,1,4,5,5,7 -> F = 1,1,1,3,4,4,5."""
        frequencies = [1, 1, 1, 2, 3, 3, 4]
        partners = [self.customer(f"P{i}") for i in range(7)]
        self.orders(
            [
                (partner, self.AS_OF - timedelta(days=10 + j), 10)
                for partner, count in zip(partners, frequencies, strict=True)
                for j in range(count)
            ]
        )
        self.run_engine()
        self.assertEqual([self.profile(p).rfm_f_score for p in partners], [1, 1, 1, 3, 4, 4, 5])

    def test_single_customer_gets_fives(self):
        partner = self.customer("Alone")
        self.order(partner, date(2025, 6, 1), 10)
        self.run_engine()
        self.assertEqual(self.profile(partner).rfm_score, "555")

    def test_window_edges_and_utc_dates(self):
        partner = self.customer("Edge")
        start = self.AS_OF - timedelta(days=730)
        self.order(partner, start, 10)  # outside: date > as_of - window is required
        self.order(partner, start + timedelta(days=1), 20)
        self.order(
            partner,
            datetime.combine(self.AS_OF, time(23, 30)),
            40,
        )
        self.order(partner, datetime(2025, 7, 1, 0, 30), 80)  # after the as-of date: ignored
        self.run_engine()
        profile = self.profile(partner)
        self.assertEqual(profile.rfm_frequency, 2)
        self.assertEqual(profile.rfm_monetary, 60)
        self.assertEqual(profile.order_count, 3)
        self.assertEqual(profile.total_revenue, 70)
        self.assertEqual(profile.first_order_date, start)
        self.assertEqual(profile.last_order_date, self.AS_OF)
        self.assertEqual(profile.avg_order_value, round(70 / 3, 2))

    def test_all_history_window(self):
        self.company.rfm_window_days = 0
        partner = self.customer("Old")
        self.order(partner, date(2015, 1, 1), 10)
        self.order(partner, date(2025, 1, 1), 10)
        self.run_engine()
        self.assertEqual(self.profile(partner).rfm_frequency, 2)

    def test_customers_outside_the_window_are_not_scored(self):
        old = self.customer("Old")
        self.order(old, self.AS_OF - timedelta(days=800), 10)
        recent = self.customer("Recent")
        self.order(recent, self.AS_OF - timedelta(days=5), 10)
        self.run_engine()
        profile = self.profile(old)
        self.assertFalse(profile.rfm_r_score)
        self.assertFalse(profile.segment_id)
        self.assertFalse(profile.value_tier)
        self.assertEqual(profile.lifecycle_stage, "churned")
        self.assertEqual(self.profile(recent).rfm_score, "555")

    def test_fixed_thresholds(self):
        self.company.write(
            {
                "rfm_scoring_method": "threshold",
                "rfm_r_thresholds": "30,90,180,365",
                "rfm_f_thresholds": "2,3,5,10",
                "rfm_m_thresholds": "1000,5000,20000,100000",
            }
        )
        cases = {
            # recency days, order count, amount per order -> R, F, M
            (30, 1, 999.99): (5, 1, 1),
            (31, 2, 500): (4, 2, 2),
            (180, 4, 1250): (3, 3, 3),
            (181, 10, 2000): (2, 5, 4),
            (366, 1, 100000): (1, 1, 5),
        }
        partners = {}
        specs = []
        for (recency, count, amount), _expected in cases.items():
            partner = self.customer(f"T{recency}")
            partners[(recency, count, amount)] = partner
            specs += [
                (partner, self.AS_OF - timedelta(days=recency + i * 2), amount)
                for i in range(count)
            ]
        self.orders(specs)
        self.run_engine()
        for key, expected in cases.items():
            profile = self.profile(partners[key])
            self.assertEqual(
                (profile.rfm_r_score, profile.rfm_f_score, profile.rfm_m_score), expected, key
            )

    def test_value_tier_by_amounts(self):
        self.company.write(
            {
                "customer_value_tier_method": "amount",
                "customer_high_value_amount": 1000,
                "customer_medium_value_amount": 500,
            }
        )
        tiers = {}
        for amount in (999.99, 1000, 500, 499):
            partner = self.customer(f"A{amount}")
            self.order(partner, date(2025, 6, 1), amount)
            tiers[amount] = partner
        self.run_engine()
        self.assertEqual(
            [self.profile(tiers[a]).value_tier for a in (999.99, 1000, 500, 499)],
            ["medium", "high", "medium", "low"],
        )

    def test_chinese_value_model(self):
        self.company.rfm_segment_preset_id = self.env.ref(
            "customer_segmentation.rfm_preset_china_8"
        )
        best, low = self.customer("Best"), self.customer("Low")
        self.order(best, date(2025, 6, 20), 5000)
        self.order(best, date(2025, 6, 25), 5000)
        self.order(low, date(2024, 1, 5), 10)
        self.run_engine()
        self.assertEqual(self.profile(best).segment_id.code, "important_value")
        self.assertEqual(self.profile(low).segment_id.code, "general_winback")

    def test_first_matching_segment_by_sequence_wins(self):
        preset = self.env["customer.rfm.segment.preset"].create({"name": "Two", "code": "two"})
        self.env["customer.rfm.segment"].create(
            [
                {"preset_id": preset.id, "name": "Second", "code": "second", "sequence": 20},
                {
                    "preset_id": preset.id,
                    "name": "First",
                    "code": "first",
                    "sequence": 10,
                    "r_min": 5,
                },
            ]
        )
        self.company.rfm_segment_preset_id = preset
        partner = self.customer("Any")
        self.order(partner, date(2025, 6, 1), 10)
        self.run_engine()
        self.assertEqual(self.profile(partner).segment_id.code, "first")
