import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .common import SegmentationCase, create_insight_users

EXPECTED_KEY = "customer_segmentation.expected"


@tagged("post_install", "-at_install")
class TestChartViewTypes(TransactionCase):
    """The scatter and heatmap view types as the server declares and validates them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)

    def view(self, model, arch):
        return self.env["ir.ui.view"].create({"model": model, "arch": arch})

    def test_view_info(self):
        info = self.env["ir.ui.view"].get_view_info()
        self.assertEqual(
            info["scatter"],
            {"display_name": "Scatter", "icon": "fa fa-braille", "multi_record": True},
        )
        self.assertEqual(info["heatmap"]["icon"], "fa fa-th")
        self.assertTrue(info["heatmap"]["multi_record"])

    def test_valid_views(self):
        scatter = self.view(
            "customer.profile",
            '<scatter x_field="total_revenue" y_field="order_count" color_fields="segment_id"/>',
        )
        self.assertEqual(scatter.type, "scatter")
        heatmap = self.view("sale.order", '<heatmap date_field="date_order"/>')
        self.assertEqual(heatmap.type, "heatmap")
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Chart",
                "res_model": "sale.order",
                "view_mode": "heatmap,list",
                "view_ids": [(0, 0, {"view_mode": "heatmap", "view_id": heatmap.id})],
            }
        )
        self.assertEqual(action.views[0], (heatmap.id, "heatmap"))

    def test_fields_sent_with_the_view(self):
        """The fields the attributes name come with the view, even without a search view."""
        views = self.env["customer.profile"].get_views(
            [(self.env.ref("customer_segmentation.customer_profile_view_scatter").id, "scatter")]
        )
        self.assertLessEqual(
            {"total_revenue", "order_count", "lifecycle_stage", "segment_id", "partner_id"},
            set(views["models"]["customer.profile"]["fields"]),
        )
        views = self.env["sale.order"].get_views(
            [(self.env.ref("customer_segmentation.sale_order_view_heatmap").id, "heatmap")]
        )
        self.assertIn("date_order", views["models"]["sale.order"]["fields"])

    def test_invalid_views(self):
        for model, arch in (
            ("sale.order", "<heatmap/>"),
            ("sale.order", '<heatmap date_field="no_such_field"/>'),
            ("sale.order", '<heatmap date_field="validity_date"/>'),  # a date, no hour
            ("sale.order", '<heatmap date_field="amount_total"/>'),
            ("customer.profile", '<scatter x_field="total_revenue"/>'),
            ("customer.profile", '<scatter x_field="total_revenue" y_field="nope"/>'),
            (
                "customer.profile",
                '<scatter x_field="total_revenue" y_field="order_count" color_fields="nope"/>',
            ),
        ):
            with self.subTest(arch=arch), self.assertRaises(ValidationError):
                self.view(model, arch)

    def test_menus(self):
        """Customer Insight users see both charts; sales reps and employees outside the
        groups see neither."""
        menus = self.env.ref("customer_segmentation.menu_customer_profile_map") | self.env.ref(
            "customer_segmentation.menu_sale_order_heatmap"
        )
        for login, visible in (("manager", True), ("user", True), ("rep", False), ("plain", False)):
            seen = menus.with_user(self.users[login])._visible_menu_ids()
            for menu in menus:
                # A menu shows when it and each of its parents are visible.
                path = {int(menu_id) for menu_id in menu.parent_path.split("/") if menu_id}
                with self.subTest(login=login, menu=menu.name):
                    self.assertEqual(path <= seen, visible)
        portal = new_test_user(self.env, "ci_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            menus.with_user(portal)._visible_menu_ids()
        with self.assertRaises(AccessError):
            self.env["customer.profile"].with_user(portal).search([])


def start_chart_tour(case, url, tour, expected, login="admin"):
    """Run ``tour`` at ``url`` with the figures ``expected`` (computed in Python) in the
    browser's sessionStorage, where the tour reads them (before it is ready)."""
    ready = (
        f"sessionStorage.setItem({EXPECTED_KEY!r}, {json.dumps(json.dumps(expected))});"
        f"odoo.isTourReady({tour!r})"
    )
    case.start_tour(url, tour, login=login, ready=ready)


@tagged("post_install", "-at_install")
class TestChartTours(SegmentationCase, HttpCase):
    """The customer map and the order heatmap render, in the browser, the points and cells
    computed here from the orders."""

    TZ = "Asia/Shanghai"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").tz = cls.TZ
        today = date.today()
        cls.customers = [cls.customer(f"Map Customer {index:02d}") for index in range(10)]
        specs = []
        for index, partner in enumerate(cls.customers[:8]):
            for number in range(1 + index % 4):
                day = today - timedelta(days=20 + 40 * number + 30 * (index % 3))
                specs.append((partner, day, 100.0 * (index + 1) ** 2 + number))
        specs.append((cls.customers[8], today - timedelta(days=50), 0.0))  # nothing spent
        cls.orders(specs)
        cls.order(cls.customers[9], today, 300.0, confirm=False)  # a quotation: potential
        cls.engine.run(as_of=today)

    def confirmed_orders(self):
        return self.env["sale.order"].search(
            [("state", "=", "sale"), ("company_id", "=", self.company.id)]
        )

    def scatter_figures(self):
        """Customers with a positive spend from their confirmed orders, and how the map
        colours and filters them (stage and segment as classified)."""
        spend, count = defaultdict(float), Counter()
        for order in self.confirmed_orders():
            partner = order.partner_id.commercial_partner_id
            spend[partner] += order.amount_untaxed
            count[partner] += 1
        plotted = [partner for partner in spend if spend[partner] > 0 and count[partner]]
        profiles = {self.profile(partner): spend[partner] for partner in plotted}
        vips = [profile for profile in profiles if profile.lifecycle_stage == "vip"]
        self.assertTrue(vips, "the data must give at least one VIP")
        return {
            "points": len(plotted),
            "stages": len({profile.lifecycle_stage for profile in profiles}),
            "segments": len({profile.segment_id for profile in profiles}),
            "vip_points": len(vips),
            "top_vip": max(vips, key=profiles.get).partner_id.name,
        }

    def test_scatter(self):
        figures = self.scatter_figures()
        self.assertEqual(figures["points"], 8)
        start_chart_tour(
            self,
            "/odoo/action-customer_segmentation.action_customer_profile_map",
            "customer_segmentation_scatter",
            figures,
        )

    def test_scatter_limit(self):
        """Over the arch's limit, the customers with the highest spend are drawn, with a
        notice of how many there are."""
        view = self.env["ir.ui.view"].create(
            {
                "model": "customer.profile",
                "arch": '<scatter x_field="total_revenue" y_field="order_count" limit="3" '
                'log_scale="1" color_fields="lifecycle_stage"/>',
            }
        )
        action = self.env.ref("customer_segmentation.action_customer_profile_map").copy(
            {"view_id": view.id}
        )
        start_chart_tour(
            self,
            f"/odoo/action-{action.id}",
            "customer_segmentation_scatter_limit",
            {"points": 3, "total": self.scatter_figures()["points"]},
        )

    def heatmap_cells(self, orders):
        """Orders per (weekday, hour) in the user's time zone, Monday = 0."""
        cells = Counter()
        for order in orders:
            moment = order.date_order.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(self.TZ))
            cells[f"{moment.weekday()}-{moment.hour}"] += 1
        return dict(sorted(cells.items()))

    def test_heatmap(self):
        customer = self.customer("Heatmap Hortense")
        # Sunday 2025-06-01 23:30 UTC is Monday 07:30 in Shanghai: three orders in that
        # cell, one on Wednesday evening, and a quotation that does not count.
        moments = [
            datetime(2025, 6, 1, 23, 30),
            datetime(2025, 6, 8, 23, 5),
            datetime(2025, 6, 15, 23, 59),
            datetime(2025, 6, 4, 12, 0),
        ]
        for moment in moments:
            self.order(customer, moment, 50.0)
        self.order(customer, datetime(2025, 6, 5, 3, 0), 50.0, confirm=False)
        mine = self.confirmed_orders().filtered(lambda order: order.partner_id == customer)
        cells = self.heatmap_cells(mine)
        self.assertEqual(cells, {"0-7": 3, "2-20": 1})
        orders = self.confirmed_orders()
        start_chart_tour(
            self,
            "/odoo/action-customer_segmentation.action_sale_order_heatmap",
            "customer_segmentation_heatmap",
            {
                "total": len(orders),
                "cells": self.heatmap_cells(orders),
                "customer": customer.name,
                "customer_total": len(mine),
                "busiest": [0, 7, 3],
            },
        )

    def test_heatmap_empty(self):
        action = self.env.ref("customer_segmentation.action_sale_order_heatmap").copy(
            {"domain": "[('state', '=', 'sale'), ('partner_id.name', '=', 'Nobody')]"}
        )
        self.start_tour(
            f"/odoo/action-{action.id}",
            "customer_segmentation_heatmap_empty",
            login="admin",
        )
