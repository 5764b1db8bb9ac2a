"""The SQL engine against a plain-Python reading of the definitions, on generated customers."""

import math
import random
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from ..models.segmentation_engine import CustomerSegmentationEngine
from .common import SegmentationCase


def reference_classes(transactions, as_of, company, segments, potentials):
    """{partner_id: (first, last, count, total, freq, monetary, r, f, m, segment, tier, stage)}."""
    window = company.rfm_window_days
    metrics = {}
    for partner, rows in transactions.items():
        rows = [(day, amount) for day, amount in rows if day <= as_of]
        if not rows:
            continue
        days = [day for day, _a in rows]
        in_window = [
            amount for day, amount in rows if not window or day > as_of - timedelta(days=window)
        ]
        metrics[partner] = {
            "first": min(days),
            "last": max(days),
            "count": len(rows),
            "total": round(sum(amount for _d, amount in rows), 2),
            "freq": len(in_window),
            "monetary": round(sum(in_window), 2),
        }
    population = {p: m for p, m in metrics.items() if m["freq"]}
    n = len(population)

    def quantile(partner, worse):
        k = 1 + sum(1 for other in population.values() if worse(other, population[partner]))
        return math.ceil(5 * k / n)

    def thresholds(value, points, reverse=False):
        if reverse:
            return 5 - sum(1 for point in points if value > point)
        return 1 + sum(1 for point in points if value >= point)

    result = {}
    for partner in set(metrics) | set(potentials):
        m = metrics.get(partner)
        r = f = mon = segment = tier = None
        if partner in population:
            if company.rfm_scoring_method == "quantile":
                r = quantile(partner, lambda o, me: o["last"] < me["last"])
                f = quantile(partner, lambda o, me: o["freq"] < me["freq"])
                mon = quantile(partner, lambda o, me: o["monetary"] < me["monetary"])
            else:
                points = [
                    [float(x) for x in text.split(",")]
                    for text in (
                        company.rfm_r_thresholds,
                        company.rfm_f_thresholds,
                        company.rfm_m_thresholds,
                    )
                ]
                r = thresholds((as_of - m["last"]).days, points[0], reverse=True)
                f = thresholds(m["freq"], points[1])
                mon = thresholds(m["monetary"], points[2])
            segment = next(
                (
                    s.code
                    for s in segments
                    if s.r_min <= r <= s.r_max
                    and s.f_min <= f <= s.f_max
                    and s.m_min <= mon <= s.m_max
                ),
                None,
            )
            if company.customer_value_tier_method == "m_score":
                tier = "high" if mon == 5 else "medium" if mon >= 3 else "low"
            else:
                tier = (
                    "high"
                    if m["monetary"] >= company.customer_high_value_amount
                    else "medium"
                    if m["monetary"] >= company.customer_medium_value_amount
                    else "low"
                )
        high_value = tier == "high" and (
            company.customer_vip_criterion == "tier" or f >= company.customer_vip_min_f_score
        )
        if m is None:
            stage = "potential"
        elif (as_of - m["last"]).days > company.customer_churn_days:
            stage = "churned"
        elif (as_of - m["last"]).days > company.customer_at_risk_days:
            stage = "at_risk"
        elif (as_of - m["first"]).days <= company.customer_new_days:
            stage = "new"
        elif high_value:
            stage = "vip"
        else:
            stage = "active"
        m = m or {}
        result[partner] = (
            m.get("first"),
            m.get("last"),
            m.get("count", 0),
            m.get("total"),
            m.get("freq", 0),
            m.get("monetary"),
            r,
            f,
            mon,
            segment,
            tier,
            stage,
            high_value,
        )
    return result


@tagged("post_install", "-at_install")
class TestReference(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(7)
        cls.transactions = {}
        cls.potentials = set()
        specs = []
        amounts = [50, 100, 100, 250.5, 999.99, 1200, 5000]  # repeated values make ties
        for index in range(240):
            partner = cls.customer(f"Ref {index}")
            count = rng.choice([0, 1, 1, 1, 2, 3, 5, 8]) if index % 12 else 0
            rows = []
            for _ in range(count):
                day = cls.AS_OF - timedelta(days=rng.randint(-20, 1100))
                amount = (
                    rng.choice(amounts) if rng.random() < 0.6 else round(rng.uniform(10, 9000), 2)
                )
                rows.append((day, amount))
                specs.append((partner, day, amount))
            if rows:
                cls.transactions[partner.id] = rows
            elif index % 24 == 0:
                cls.order(partner, cls.AS_OF - timedelta(days=3), 10, confirm=False)
                cls.potentials.add(partner.id)
        cls.orders(specs)

    def check_against_reference(self):
        with patch.object(CustomerSegmentationEngine, "_batch_size", 37):
            self.run_engine()
        segments = self.company.rfm_segment_preset_id.segment_ids.sorted(
            lambda s: (s.sequence, s.id)
        )
        expected = reference_classes(
            self.transactions, self.AS_OF, self.company, segments, self.potentials
        )
        profiles = self.env["customer.profile"].search([("company_id", "=", self.company.id)])
        actual = {
            p.partner_id.id: (
                p.first_order_date or None,
                p.last_order_date or None,
                p.order_count,
                p.total_revenue if p.order_count else None,
                p.rfm_frequency,
                p.rfm_monetary if p.order_count else None,
                p.rfm_r_score or None,
                p.rfm_f_score or None,
                p.rfm_m_score or None,
                p.segment_id.code or None,
                p.value_tier or None,
                p.lifecycle_stage,
                p.high_value,
            )
            for p in profiles
        }
        self.assertEqual(set(actual), set(expected))
        for partner, values in expected.items():
            self.assertEqual(actual[partner], values, f"partner {partner}")
        self.assertGreater(len(expected), 150)
        self.assertEqual(
            {v[11] for v in expected.values()},
            {"potential", "new", "active", "vip", "at_risk", "churned"},
        )

    def test_quantiles_and_m_score_tiers(self):
        self.check_against_reference()

    def test_customers_rescored_by_the_queue_keep_the_full_run_scores(self):
        """The queue ranks its customers among the stored population: on unchanged data it
        gives exactly what the full run gave, alone or in a batch."""
        self.run_engine()
        partners = list(self.transactions)
        for sample in (partners[:1], partners[5:40], partners[::7]):
            stats = self.run_engine(partner_ids=sample)
            self.assertEqual(stats["changed"], 0, sample)

    def test_queued_customer_scored_against_the_stored_population(self):
        """The queue scores its customers with the stored population's quintile
        boundaries: one who becomes the biggest and latest buyer gets R and M 5, as a full
        run then gives, and no other profile is rewritten."""
        self.run_engine()
        profile = self.env["customer.profile"].search(
            [("company_id", "=", self.company.id), ("rfm_m_score", "=", 1)], limit=1
        )
        partner = profile.partner_id
        self.order(partner, self.AS_OF, 50000)
        stats = self.run_engine(partner_ids=partner.ids)
        self.assertEqual(stats["written"], 1)
        self.assertEqual((profile.rfm_r_score, profile.rfm_m_score), (5, 5))
        self.run_engine()
        self.assertEqual((profile.rfm_r_score, profile.rfm_m_score), (5, 5))

    def test_thresholds_and_amount_tiers(self):
        self.company.write(
            {
                "rfm_scoring_method": "threshold",
                "rfm_r_thresholds": "15,60,200,400",
                "rfm_f_thresholds": "2,3,4,6",
                "rfm_m_thresholds": "100,1000,5000,10000",
                "customer_value_tier_method": "amount",
                "customer_high_value_amount": 8000,
                "customer_medium_value_amount": 1000,
                "customer_vip_criterion": "tier",
                "rfm_segment_preset_id": self.env.ref(
                    "customer_segmentation.rfm_preset_china_8"
                ).id,
            }
        )
        self.check_against_reference()
