import random
from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import create_insight_users

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestReports(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(5)
        cls.today = fields.Date.today()
        sources = [cls.src_ads, cls.src_search, cls.src_social, cls.src_unmapped]
        cls.expected_won = defaultdict(int)
        cls.expected_decided = defaultdict(int)
        cls.revenue_by_day = []  # (channel, day, amount): orders right after their only lead
        for index in range(60):
            partner = cls.customer(f"Gen {index}")
            source = sources[index % 4]
            channel = {
                cls.src_ads: cls.ads,
                cls.src_search: cls.search,
                cls.src_social: cls.social,
            }.get(source, cls.env.ref("channel_attribution.channel_unassigned"))
            day = cls.today - timedelta(days=rng.randint(1, 400))
            lead = cls.lead(partner, fields.Datetime.to_datetime(day), source, type="opportunity")
            outcome = rng.choice(["won", "lost", "open"])
            if outcome == "won":
                lead.action_set_won()
                amount = rng.choice([100, 250, 999])
                cls.order(partner, fields.Datetime.to_datetime(day) + timedelta(hours=1), amount)
                cls.revenue_by_day.append((channel, day, amount))
            elif outcome == "lost":
                lead.action_set_lost()
            if outcome != "open":
                cls.expected_decided[channel] += 1
                cls.expected_won[channel] += outcome == "won"
        cls.cost = cls.env["customer.channel.cost"].create(
            {"channel_id": cls.ads.id, "date": cls.today, "amount": 500}
        )
        cls.env["customer.segmentation.engine"].run()
        cls.env["customer.channel.engine"].recompute()

    def test_conversion_rate_is_computed_from_the_sums(self):
        rows = self.env["customer.channel.report"]._read_group(
            [], ["channel_id"], ["conversion_rate:sum", "won_count:sum", "decided_count:sum"]
        )
        for channel, rate, won, decided in rows:
            if channel not in self.expected_decided:
                continue
            self.assertEqual(won, self.expected_won[channel])
            self.assertEqual(decided, self.expected_decided[channel])
            self.assertAlmostEqual(rate, 100.0 * won / decided)
        total = self.env["customer.channel.report"]._read_group([], [], ["conversion_rate:sum"])
        all_won, all_decided = sum(self.expected_won.values()), sum(self.expected_decided.values())
        self.assertAlmostEqual(total[0][0], 100.0 * all_won / all_decided)

    def test_new_customers_revenue_and_cost_per_channel(self):
        rows = {
            channel: values
            for channel, *values in self.env["customer.channel.report"]._read_group(
                [],
                ["channel_id"],
                [
                    "new_customer_count:sum",
                    "attributed_revenue:sum",
                    "cost:sum",
                    "cost_per_customer:sum",
                    "return_on_cost:sum",
                ],
            )
        }
        expected_revenue = defaultdict(float)
        for channel, _day, amount in self.revenue_by_day:
            expected_revenue[channel] += amount
        for channel, amount in expected_revenue.items():
            count = sum(1 for c, _d, _a in self.revenue_by_day if c == channel)
            self.assertEqual(rows[channel][0], count)
            self.assertAlmostEqual(rows[channel][1], amount)
        ads = rows[self.ads]
        self.assertEqual(ads[2], 500)
        self.assertAlmostEqual(ads[3], 500 / ads[0])
        self.assertAlmostEqual(ads[4], (ads[1] - 500) * 100 / 500)

    def test_scorecard_growth_matches_the_orders(self):
        days = 90
        start = self.today - timedelta(days=days - 1)
        previous_start = start - timedelta(days=days)
        for channel in (self.ads, self.search, self.social):
            current = sum(a for c, d, a in self.revenue_by_day if c == channel and d >= start)
            previous = sum(
                a for c, d, a in self.revenue_by_day if c == channel and previous_start <= d < start
            )
            card = channel.with_context(channel_scorecard_days=days)
            self.assertAlmostEqual(card.scorecard_revenue, current)
            self.assertAlmostEqual(card.scorecard_previous_revenue, previous)
            expected = (current - previous) * 100 / previous if previous else 0
            self.assertAlmostEqual(card.scorecard_growth, expected)

    def test_channels_by_customer_class(self):
        rows = self.env["customer.channel.report"]._read_group(
            [("fact", "=", "customer")],
            ["channel_id", "lifecycle_stage"],
            ["new_customer_count:sum"],
        )
        self.assertEqual(sum(count for _c, _s, count in rows), len(self.revenue_by_day))
        self.assertTrue(all(stage for _c, stage, _n in rows))

    def test_other_company_rows_are_hidden(self):
        company_b = self.env["res.company"].create({"name": "B"})
        partner = self.customer("B customer")
        self.order(partner, self.today, 42, company_id=company_b.id)
        self.env["customer.channel.engine"].with_company(company_b).recompute()
        user = create_insight_users(self.env)["user"]
        Report = self.env["customer.channel.report"].with_user(user)
        self.assertTrue(Report.search([]))
        self.assertFalse(Report.search([("company_id", "=", company_b.id)]))
        rows_b = self.env["customer.channel.report"].search(
            [
                ("fact", "=", "revenue"),
                ("company_id", "=", company_b.id),
                ("attribution_model", "=", company_b.channel_attribution_model),
            ]
        )
        self.assertEqual(set(rows_b.mapped("attributed_revenue")), {42})
