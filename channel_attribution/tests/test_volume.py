"""Sales volume per channel: orders, units and average order value in the channel reports,
against an independent computation on generated orders, after a full and an incremental
run, in two companies."""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.customer_segmentation.tests.common import (
    create_insight_users,
    run_cron_until_done,
)

from .common import ChannelCase

MEASURES = ["order_count:sum", "units_sold:sum", "order_revenue:sum", "order_value_avg:sum"]


@tagged("post_install", "-at_install")
class TestSalesVolume(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.rng = random.Random(13)
        cls.pack = cls.env.ref("uom.product_uom_pack_6")
        cls.box = cls.env["product.product"].create(
            {
                "name": "Box",
                "type": "consu",
                "taxes_id": [(5, 0, 0)],
                "uom_ids": [(6, 0, cls.pack.ids)],
            }
        )
        cls.medium_social = cls.env["utm.medium"].create({"name": "T Social medium"})
        cls.social.medium_ids = cls.medium_social
        cls.company_b = cls.env["res.company"].create({"name": "Volume B"})
        # The same source maps to a different channel in each company.
        cls.src_fair = cls.env["utm.source"].create({"name": "T Fair"})
        Channel = cls.env["customer.channel"]
        cls.fair_a = Channel.create(
            {
                "name": "Fair A",
                "channel_type": "trade_show",
                "company_id": cls.company.id,
                "source_ids": [(6, 0, cls.src_fair.ids)],
            }
        )
        cls.fair_b = Channel.create(
            {
                "name": "Fair B",
                "channel_type": "trade_show",
                "company_id": cls.company_b.id,
                "source_ids": [(6, 0, cls.src_fair.ids)],
            }
        )
        cls.customers = [cls.customer(f"Volume {index}") for index in range(12)]
        # order -> (channel, month, units, amount) of every confirmed order that counts.
        cls.expected_orders = {}
        cls.quotations = cls.env["sale.order"]
        cls.generate(cls.company, 45)
        cls.generate(cls.company_b, 15)
        cls.generated = dict(cls.expected_orders)

    def setUp(self):
        super().setUp()
        type(self).expected_orders = dict(self.generated)  # each test changes its own copy

    # ------------------------------------------------------------------ generated orders

    @classmethod
    def utm_choice(cls, company):
        """(values, channel): the order's own source or medium, or none (fallback)."""
        fair = cls.fair_a if company == cls.company else cls.fair_b
        choices = [
            ({"source_id": cls.src_ads.id}, cls.ads),
            ({"source_id": cls.src_search.id, "medium_id": cls.medium_social.id}, cls.search),
            ({"medium_id": cls.medium_social.id}, cls.social),
            ({"source_id": cls.src_unmapped.id}, cls.unassigned),
            ({"source_id": cls.src_fair.id}, fair),
            ({}, cls.unassigned),
        ]
        return cls.rng.choice(choices)

    @classmethod
    def lines(cls):
        """Order lines with a section and a note, one in packs of six: (commands, units,
        amount)."""
        commands, units, amount = [(0, 0, {"display_type": "line_section", "name": "Goods"})], 0, 0
        for _index in range(cls.rng.randint(1, 3)):
            quantity, price = cls.rng.randint(1, 9), cls.rng.choice([10, 25, 99.5])
            if cls.rng.random() < 0.3:
                values = {"product_id": cls.box.id, "product_uom_id": cls.pack.id}
                units += quantity * 6
            else:
                values = {"product_id": cls.product.id}
                units += quantity
            values.update(product_uom_qty=quantity, price_unit=price)
            commands.append((0, 0, values))
            amount += quantity * price
        commands.append((0, 0, {"display_type": "line_note", "name": "Thanks"}))
        return commands, units, amount

    @classmethod
    def new_order(cls, company, day, outcome="sale"):
        """An order of ``company`` dated ``day``: confirmed, cancelled or a quotation."""
        utm, channel = cls.utm_choice(company)
        commands, units, amount = cls.lines()
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": cls.rng.choice(cls.customers).id,
                    "company_id": company.id,
                    "order_line": commands,
                    **utm,
                }
            )
        )
        if outcome != "draft":
            order.action_confirm()
        if outcome == "cancel":
            order._action_cancel()
        order.date_order = datetime.combine(day, time(10))
        if outcome == "sale":
            cls.expected_orders[order] = (channel, day.replace(day=1), units, amount)
        return order

    @classmethod
    def generate(cls, company, count):
        for _index in range(count):
            outcome = cls.rng.choices(["sale", "cancel", "draft"], weights=[8, 1, 1])[0]
            day = cls.today - timedelta(days=cls.rng.randint(0, 200))
            order = cls.new_order(company, day, outcome)
            if outcome == "draft":
                cls.quotations |= order

    # ------------------------------------------------------------------ checks

    def expected(self, company, monthly=True):
        """{(channel, month) or channel: (orders, units, revenue, average order value)}."""
        sums = defaultdict(lambda: [0, 0, 0])
        for order, (channel, month, units, amount) in self.expected_orders.items():
            if order.company_id == company:
                figures = sums[(channel, month) if monthly else channel]
                figures[0] += 1
                figures[1] += units
                figures[2] += amount
        return {key: (n, units, amount, amount / n) for key, (n, units, amount) in sums.items()}

    def reported(self, company, monthly=True):
        groupby = ["channel_id", "date:month"] if monthly else ["channel_id"]
        rows = self.env["customer.channel.report"]._read_group(
            [("company_id", "=", company.id)], groupby, MEASURES
        )
        result = {}
        for row in rows:
            key, values = row[: len(groupby)], row[len(groupby) :]
            if values[0]:
                result[tuple(key) if monthly else key[0]] = tuple(values)
        return result

    def assertVolume(self, company):
        for monthly in (True, False):
            expected, reported = self.expected(company, monthly), self.reported(company, monthly)
            self.assertEqual(set(reported), set(expected))
            for key, (orders, units, revenue, average) in expected.items():
                got = reported[key]
                self.assertEqual(got[0], orders, key)
                self.assertAlmostEqual(got[1], units, places=2, msg=key)
                self.assertAlmostEqual(got[2], revenue, places=2, msg=key)
                self.assertAlmostEqual(got[3], average, places=2, msg=key)
        # The company's total: the average order value of all orders, not of the channels'.
        total = self.env["customer.channel.report"]._read_group(
            [("company_id", "=", company.id)], [], ["order_value_avg:sum"]
        )[0][0]
        figures = self.expected(company, monthly=False).values()
        self.assertAlmostEqual(
            total, sum(f[2] for f in figures) / sum(f[0] for f in figures), places=2
        )
        self.assertDailyVolumeMatchesOrders(company)

    def assertDailyVolumeMatchesOrders(self, company):
        """The daily roll-up equals the sum of the orders by channel for every date,
        channel, salesperson and campaign."""

        def sums(model, count, units):
            groups = self.env[model]._read_group(
                [("company_id", "=", company.id)],
                ["date:day", "channel_id", "user_id", "campaign_id"],
                [count, f"{units}:sum", "amount:sum"],
            )
            return {tuple(key): (n, round(u, 2), round(a, 2)) for *key, n, u, a in groups if n or a}

        self.assertEqual(
            sums("customer.channel.volume", "order_count:sum", "units"),
            sums("customer.channel.order", "__count", "units"),
        )

    def recompute(self, company):
        return self.channel_engine.with_company(company)._recompute()

    # ------------------------------------------------------------------ tests

    def test_orders_units_and_average_order_value_per_channel_and_month(self):
        self.recompute(self.company)
        self.recompute(self.company_b)
        self.assertGreater(len(self.expected(self.company)), 6, "several channels and months")
        self.assertVolume(self.company)
        self.assertVolume(self.company_b)
        self.assertEqual(self.recompute(self.company)["volume"], 0, "a rerun writes nothing")
        orders = self.env["customer.channel.order"].search([])
        self.assertFalse(orders.order_id & self.quotations, "quotations do not count")
        self.assertEqual(set(orders.order_id.mapped("state")), {"sale"})

    def test_incremental_runs_with_new_changed_and_cancelled_orders(self):
        self.recompute(self.company)
        self.recompute(self.company_b)
        queue = self.env["customer.segmentation.queue"]
        queue.search([]).unlink()
        # A day of business: new orders, a quotation confirmed, an order cancelled, another
        # moved to a new source, and orders of the other company.
        for _index in range(6):
            self.new_order(self.company, self.today)
        self.new_order(self.company_b, self.today)
        quotation = self.quotations.filtered(lambda o: o.company_id == self.company)[:1]
        quotation.action_confirm()
        quotation.date_order = datetime.combine(self.today, time(9))
        self.expected_orders[quotation] = (
            self.utm_channel(quotation),
            self.today.replace(day=1),
            *self.line_figures(quotation),
        )
        cancelled, moved = [o for o in self.expected_orders if o.company_id == self.company][:2]
        cancelled._action_cancel()
        del self.expected_orders[cancelled]
        moved.write({"source_id": self.src_social.id, "medium_id": False})
        self.expected_orders[moved] = (self.social, *self.expected_orders[moved][1:])
        self.assertTrue(queue.search([]))
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.assertVolume(self.company)
        self.assertVolume(self.company_b)
        # Quantities edited on a confirmed order reach the reports through the nightly job,
        # which queues the customers whose orders were written since its last run.
        edited = moved.order_line.filtered("product_id")[:1]
        edited.write({"product_uom_qty": edited.product_uom_qty + 5, "price_unit": 7})
        self.expected_orders[moved] = (*self.expected_orders[moved][:2], *self.line_figures(moved))
        self.env.flush_all()
        self.company.channel_attribution_watermark = datetime(2000, 1, 1)
        self.env.ref("channel_attribution.ir_cron_recompute_attribution").lastcall = datetime(
            2000, 1, 2
        )
        run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.assertVolume(self.company)
        # A full recomputation merges the roll-up and finds the same figures.
        before = self.reported(self.company)
        self.recompute(self.company)
        self.assertEqual(self.reported(self.company), before)

    def utm_channel(self, order):
        by_source = {
            self.src_ads: self.ads,
            self.src_search: self.search,
            self.src_unmapped: self.unassigned,
            self.src_fair: self.fair_a,
        }
        if order.source_id:
            return by_source[order.source_id]
        return self.social if order.medium_id else self.unassigned

    def line_figures(self, order):
        units = amount = 0
        for line in order.order_line.filtered("product_id"):
            units += line.product_uom_qty * (6 if line.product_uom_id == self.pack else 1)
            amount += line.product_uom_qty * line.price_unit
        return units, amount

    def test_an_order_without_utm_goes_to_the_fallback_channel(self):
        partner = self.customer("Came through ads")
        self.lead(
            partner, datetime.combine(self.today - timedelta(days=300), time(8)), self.src_ads
        )
        no_utm = self.order(partner, self.today - timedelta(days=2), 40)
        own = self.order(partner, self.today - timedelta(days=1), 60, source_id=self.src_search.id)
        Order = self.env["customer.channel.order"]
        self.channel_engine.recompute()
        self.assertEqual(Order.search([("order_id", "=", no_utm.id)]).channel_id, self.unassigned)
        self.company.channel_attribution_fallback = "acquisition"
        self.channel_engine.recompute()
        self.assertEqual(Order.search([("order_id", "=", no_utm.id)]).channel_id, self.ads)
        self.assertEqual(Order.search([("order_id", "=", own.id)]).channel_id, self.search)
        self.assertDailyVolumeMatchesOrders(self.company)

    def test_deleting_an_order_removes_its_volume_at_once(self):
        partner = self.customer("Short-lived")
        order = self.order(partner, self.today, 70, source_id=self.src_ads.id)
        self.channel_engine.recompute()
        day = [("company_id", "=", self.company.id), ("channel_id", "=", self.ads.id)]
        Volume = self.env["customer.channel.volume"]

        def count():
            return Volume._read_group(day, [], ["order_count:sum"])[0][0]

        before = count()
        order._action_cancel()
        order.unlink()
        self.assertEqual(count(), before - 1)
        self.assertDailyVolumeMatchesOrders(self.company)

    def test_scorecard_and_channel_form_figures(self):
        self.recompute(self.company)
        days = 90
        start = self.today - timedelta(days=days - 1)
        for channel in (self.ads, self.search, self.social, self.fair_a):
            kept = [
                (units, amount)
                for order, (c, _m, units, amount) in self.expected_orders.items()
                if c == channel
                and order.company_id == self.company
                and order.date_order.date() >= start
            ]
            card = channel.with_context(channel_scorecard_days=days)
            self.assertEqual(card.scorecard_orders, len(kept))
            self.assertAlmostEqual(card.scorecard_units, sum(u for u, _a in kept))
            average = sum(a for _u, a in kept) / len(kept) if kept else 0
            self.assertAlmostEqual(card.scorecard_avg_order_value, average, places=2)

    def test_access_to_the_sales_volume(self):
        self.recompute(self.company)
        self.recompute(self.company_b)
        users = create_insight_users(self.env)
        portal = new_test_user(self.env, "volume_portal", groups="base.group_portal")
        for model in ("customer.channel.volume", "customer.channel.order"):
            for login in ("plain", "rep"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(users[login]).search([])
            with self.assertRaises(AccessError):
                self.env[model].with_user(portal).search([])
            for login in ("user", "manager"):
                rows = self.env[model].with_user(users[login]).search([])
                self.assertTrue(rows)
                self.assertEqual(rows.company_id, self.company, "only the user's company")
                with self.assertRaises(AccessError):
                    rows[:1].with_user(users[login]).unlink()
        report = self.env["customer.channel.report"].with_user(users["user"])
        rows = report._read_group([("fact", "=", "order")], ["company_id"], ["order_count:sum"])
        self.assertEqual([company for company, _n in rows], [self.company])
        # The channel form shows the sales volume to Customer Insight users only.
        for login, shown in (("plain", False), ("rep", False), ("user", True), ("manager", True)):
            Channel = self.env["customer.channel"].with_user(users[login])
            arch = Channel.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertEqual("scorecard_orders" in arch, shown, login)
            Channel.browse(self.ads.id).read(["name"])

    def test_an_order_moved_to_another_company_leaves_the_first_ones_figures(self):
        self.recompute(self.company)
        self.recompute(self.company_b)
        order = next(o for o in self.expected_orders if o.company_id == self.company)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET company_id = %s WHERE id = %s", [self.company_b.id, order.id]
        )
        self.env.invalidate_all()
        self.recompute(self.company_b)
        row = self.env["customer.channel.order"].search([("order_id", "=", order.id)])
        self.assertEqual(row.company_id, self.company_b)
        self.assertDailyVolumeMatchesOrders(self.company)
        self.assertDailyVolumeMatchesOrders(self.company_b)
