import random
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from odoo.tests import tagged

from .common import SegmentationCase


def rounded(value):
    """``value`` to one decimal, halves away from zero as PostgreSQL's ROUND(numeric)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def most_frequent(values):
    """The most frequent value, a tie going to the smallest."""
    counts = Counter(values)
    return min(counts, key=lambda value: (-counts[value], value))


@tagged("post_install", "-at_install")
class TestBuyingBehaviour(SegmentationCase):
    """Each customer's buying behaviour equals a computation from the ORM's orders, in the
    company's time zone (else the user's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.categories = cls.env["product.category"].create(
            [{"name": f"Category {letter}"} for letter in "ABCD"]
        )
        cls.teams = cls.env["crm.team"].create([{"name": name} for name in ("Web", "Store")])
        cls.products = cls.env["product.product"].create(
            [
                {"name": f"Item {category.name}", "categ_id": category.id, "type": "service"}
                for category in cls.categories
            ]
        )

    def place(self, partner, moment, lines, confirm=True, team=None):
        """An order of ``partner`` at ``moment`` (UTC) with ``lines``: (product index,
        amount, discount %), of the sales ``team`` if given (else the default one)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                **({"team_id": team.id} if team is not None else {}),
                "order_line": [
                    (0, 0, {"display_type": "line_section", "name": "Goods"}),
                    *(
                        (
                            0,
                            0,
                            {
                                "product_id": self.products[index].id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "discount": discount,
                                "tax_ids": [(5, 0, 0)],
                            },
                        )
                        for index, amount, discount in lines
                    ),
                ],
            }
        )
        if confirm:
            order.action_confirm()
        order.date_order = moment
        return order

    def expected(self, partner, as_of, tz):
        """The behaviour of ``partner`` computed from the ORM, independently of the engine."""
        orders = self.env["sale.order"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "sale"),
                ("date_order", "<", as_of + timedelta(days=1)),
            ]
        )
        if not orders:
            return dict.fromkeys(
                ("weekday", "hour", "team", "gap", "deviation", "discount", "categories"), None
            )
        local = [
            order.date_order.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz))
            for order in orders
        ]
        days = sorted({moment.date() for moment in local})
        gaps = [(later - earlier).days for earlier, later in zip(days, days[1:], strict=False)]
        revenue = defaultdict(float)
        for line in orders.order_line.filtered(lambda line: not line.display_type):
            revenue[line.product_id.categ_id.id] += (
                line.price_subtotal / line.order_id.currency_rate
            )
        ranked = sorted((-amount, categ) for categ, amount in revenue.items() if amount > 0)
        discounted = orders.filtered(
            lambda order: any(
                line.discount > 0 or line.price_subtotal < 0 for line in order.order_line
            )
        )
        return {
            "weekday": str(most_frequent(moment.weekday() for moment in local)),
            "hour": most_frequent(moment.hour for moment in local),
            "team": (
                most_frequent(order.team_id.id for order in orders if order.team_id)
                if orders.team_id
                else None
            ),
            "gap": rounded(statistics.mean(gaps)) if gaps else None,
            "deviation": rounded(statistics.stdev(gaps)) if len(gaps) > 1 else None,
            "discount": rounded(100 * len(discounted) / len(orders)),
            "categories": [categ for _amount, categ in ranked[:3]],
        }

    def assert_behaviour(self, partner, as_of=None, tz="Asia/Shanghai"):
        expected = self.expected(partner, as_of or self.AS_OF, tz)
        profile = self.profile(partner)
        actual = {
            "weekday": profile.preferred_weekday or None,
            "hour": profile.preferred_hour if profile.preferred_weekday else None,
            "team": profile.preferred_team_id.id or None,
            "gap": profile.avg_days_between_orders if expected["gap"] is not None else None,
            "deviation": (
                profile.order_interval_deviation if expected["deviation"] is not None else None
            ),
            "discount": profile.discount_order_rate if profile.preferred_weekday else None,
            "categories": [
                category.id
                for category in (
                    profile.top_category_1_id
                    | profile.top_category_2_id
                    | profile.top_category_3_id
                )
            ]
            or ([] if expected["weekday"] else None),
        }
        self.assertEqual(actual, expected, partner.name)
        # SQL NULL, not 0, where the figure is undefined
        self.env.cr.execute(
            "SELECT avg_days_between_orders IS NULL, order_interval_deviation IS NULL "
            "FROM customer_profile WHERE id = %s",
            [profile.id],
        )
        self.assertEqual(
            self.env.cr.fetchone(),
            (expected["gap"] is None, expected["deviation"] is None),
            partner.name,
        )

    def test_edge_cases(self):
        one = self.customer("One order")
        # Sunday 20:30 UTC is Monday 04:30 in Shanghai
        self.place(one, datetime(2025, 3, 2, 20, 30), [(0, 100, 0)])
        tie = self.customer("Tie")
        self.place(tie, datetime(2025, 3, 5, 3), [(1, 50, 0)])  # Wednesday 11:00
        self.place(tie, datetime(2025, 3, 10, 1), [(1, 50, 10)])  # Monday 09:00
        same_day = self.customer("Same local day")
        # two UTC days, one day in Shanghai
        self.place(same_day, datetime(2025, 3, 31, 16, 30), [(0, 10, 0)])
        self.place(same_day, datetime(2025, 4, 1, 1), [(2, 10, 0), (3, -5, 0)])
        mix = self.customer("Four categories")
        self.place(mix, datetime(2025, 1, 6, 2), [(0, 300, 0), (1, 200, 0), (2, 100, 0)])
        self.place(mix, datetime(2025, 1, 16, 2), [(3, 250, 0), (2, 10, 0)])
        self.place(mix, datetime(2025, 2, 5, 2), [(1, 20, 0)])
        self.place(mix, datetime(2025, 6, 1, 2), [(0, 1000, 0)], confirm=False)  # a quotation
        self.place(mix, datetime(2025, 7, 5, 2), [(0, 1000, 0)])  # after the as-of date
        refunded = self.customer("Refund line")
        self.place(refunded, datetime(2025, 5, 5, 8), [(0, 80, 0), (1, -80, 0)])
        prospect = self.customer("Quotation only")
        self.place(prospect, datetime(2025, 6, 1, 2), [(0, 100, 0)], confirm=False)
        self.run_engine()
        for partner in (one, tie, same_day, mix, refunded, prospect):
            self.assert_behaviour(partner)
        self.assertEqual(self.profile(one).preferred_weekday, "0")
        self.assertEqual(self.profile(one).preferred_hour, 4)
        self.assertEqual(self.profile(tie).preferred_weekday, "0", "a tie goes to Monday")
        self.assertEqual(self.profile(tie).discount_order_rate, 50.0)
        self.assertEqual(self.profile(mix).avg_days_between_orders, 15.0)
        self.assertEqual(self.profile(mix).order_interval_deviation, 7.1)
        self.assertEqual(self.profile(prospect).lifecycle_stage, "potential")
        self.assertFalse(self.profile(prospect).preferred_weekday)
        # the partner fields and their search
        self.assertEqual(one.customer_preferred_weekday, "0")
        self.assertEqual(mix.customer_top_category_id, self.categories[0])
        self.assertEqual(
            mix.customer_top_category_ids,
            self.categories[0] | self.categories[1] | self.categories[3],
        )
        found = self.env["res.partner"].search(
            [("customer_top_category_ids", "in", self.categories[3].ids)]
        )
        self.assertEqual(found, mix)

    def test_user_time_zone_without_company_time_zone(self):
        self.company.partner_id.tz = False
        partner = self.customer("Night owl")
        self.place(partner, datetime(2025, 3, 3, 2), [(0, 10, 0)])  # Monday 02:00 UTC
        self.env.user.tz = "America/New_York"
        self.run_engine()
        self.assert_behaviour(partner, tz="America/New_York")
        self.assertEqual(self.profile(partner).preferred_weekday, "6")
        self.assertEqual(self.profile(partner).preferred_hour, 21)
        # a new company time zone: everyone is aggregated again at the next full run
        self.company.partner_id.tz = "Asia/Tokyo"
        self.run_engine()
        self.assert_behaviour(partner, tz="Asia/Tokyo")

    def test_generated_population_and_incremental_run(self):
        rng = random.Random(21)
        partners = self.env["res.partner"].create(
            [{"name": f"Generated {n}", "is_company": True} for n in range(30)]
        )
        start = datetime(2024, 1, 1)

        def random_order(partner, since, days):
            lines = [
                (rng.randrange(4), rng.choice([20, 50, 120, 300]), rng.choice([0, 0, 0, 15]))
                for _line in range(rng.randint(1, 3))
            ]
            moment = since + timedelta(days=rng.randrange(days), minutes=rng.randrange(1440))
            team = rng.choice([*self.teams, self.env["crm.team"]])
            self.place(partner, moment, lines, confirm=rng.random() > 0.1, team=team)

        for partner in partners:
            for _order in range(rng.choice([1, 2, 3, 5, 8])):
                random_order(partner, start, 540)
        self.run_engine()
        for partner in partners:
            self.assert_behaviour(partner)
        later = self.AS_OF + timedelta(days=20)
        for partner in partners[::4]:
            random_order(partner, datetime.combine(self.AS_OF, datetime.min.time()), 20)
        self.run_engine(as_of=later)
        for partner in partners:
            self.assert_behaviour(partner, as_of=later)
        self.assertEqual(self.run_engine(as_of=later)["changed"], 0, "a second run writes nothing")
