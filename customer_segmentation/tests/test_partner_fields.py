from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SegmentationCase, create_insight_users


@tagged("post_install", "-at_install")
class TestPartnerFields(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)
        cls.vip = cls.customer("Big Co", country_id=cls.env.ref("base.cn").id, email="a@b.cn")
        cls.contact = cls.env["res.partner"].create({"name": "Ms Li", "parent_id": cls.vip.id})
        cls.churned = cls.customer("Old Co")
        cls.orders(
            [(cls.vip, cls.AS_OF - timedelta(days=200 + 10 * i), 5000) for i in range(5)]
            + [(cls.churned, date(2023, 1, 1), 10)]
            + [(cls.customer(f"Filler {i}"), cls.AS_OF - timedelta(days=300), 10) for i in range(4)]
        )
        cls.engine.run(as_of=cls.AS_OF)

    def test_search_group_and_sort_like_stored_fields(self):
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search([("customer_lifecycle_stage", "=", "churned")]), self.churned
        )
        self.assertEqual(
            Partner.search(
                [
                    ("customer_lifecycle_stage", "=", "at_risk"),
                    ("id", "in", (self.vip | self.contact).ids),
                ]
            ),
            self.vip | self.contact,
        )
        both = [("id", "in", (self.vip | self.churned).ids)]
        self.assertEqual(
            Partner.search([*both, "!", ("customer_lifecycle_stage", "=", "churned")]), self.vip
        )
        segment = self.profile(self.vip).segment_id
        self.assertEqual(
            Partner.search([*both, ("rfm_segment_id.name", "=", segment.name)]), self.vip
        )
        unclassified = Partner.search([("customer_lifecycle_stage", "=", False)])
        self.assertNotIn(self.vip, unclassified)
        self.assertIn(self.env.ref("base.main_partner"), unclassified)
        groups = dict(
            Partner._read_group(
                [("customer_lifecycle_stage", "!=", False), ("parent_id", "=", False)],
                ["customer_lifecycle_stage"],
                ["__count"],
            )
        )
        self.assertEqual(groups, {"at_risk": 5, "churned": 1})
        by_segment = Partner._read_group(
            [("id", "=", self.vip.id)], ["rfm_segment_id"], ["__count"]
        )
        self.assertEqual(by_segment[0][0], self.profile(self.vip).segment_id)
        ordered = Partner.search(
            [("customer_order_count", ">=", 1), ("parent_id", "=", False)],
            order="customer_total_revenue desc",
        )
        self.assertEqual(ordered[0], self.vip)
        self.assertEqual(Partner.search([("rfm_recency_days", ">", 365)]), self.churned)

    def test_fields_follow_the_current_company(self):
        company_b = self.env["res.company"].create({"name": "B"})
        self.assertEqual(self.vip.with_company(company_b).customer_lifecycle_stage, False)
        self.assertEqual(self.contact.customer_total_revenue, 25000)
        self.assertEqual(self.contact.customer_currency_id, self.company.currency_id)
        self.assertEqual(self.vip.rfm_recency_days, 200)

    def test_monetary_fields_need_the_user_group(self):
        rep_partner = self.vip.with_user(self.users["rep"])
        self.assertEqual(rep_partner.customer_lifecycle_stage, "at_risk")
        with self.assertRaises(AccessError):
            _revenue = rep_partner.customer_total_revenue
        self.assertEqual(self.vip.with_user(self.users["user"]).customer_total_revenue, 25000)

    def test_only_managers_recompute_and_pin(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.users["user"]).recompute_customer_segmentation()
        self.assertTrue(
            self.env["res.partner"]
            .with_user(self.users["manager"])
            .recompute_customer_segmentation(as_of=self.AS_OF)
        )
        with self.assertRaises(AccessError):
            self.env["customer.segment.pin.wizard"].with_user(self.users["user"]).create(
                {"partner_id": self.vip.id, "pinned_stage": "vip", "reason": "x"}
            )
        with self.assertRaises(AccessError):
            self.vip.with_user(self.users["user"]).action_unpin_customer_class()

    def test_pin_needs_a_class(self):
        wizard = self.env["customer.segment.pin.wizard"].with_context(
            default_partner_id=self.vip.id
        )
        with Form(wizard) as form:
            form.reason = "Nothing chosen"
            form.pinned_stage = False
            form.pinned_segment_id = self.env["customer.rfm.segment"]
        with self.assertRaises(UserError):
            form.record.action_pin()

    def test_customer_type_and_completeness(self):
        person = self.env["res.partner"].create({"name": "Zhang San"})
        self.assertEqual(person.customer_type, "individual")
        self.assertTrue(person.customer_profile_incomplete)
        self.vip.write({"customer_type": "government", "user_id": self.env.user.id})
        self.assertEqual(
            self.contact.customer_type, "government", "contacts share the company's type"
        )
        self.assertEqual(self.vip.customer_profile_completeness, 100)
        self.assertFalse(self.vip.customer_profile_incomplete)
        incomplete = self.env["res.partner"].search([("customer_profile_incomplete", "=", True)])
        self.assertIn(person, incomplete)
        self.assertNotIn(self.vip, incomplete)
        self.assertEqual(self.churned.customer_profile_completeness, 0)

    def test_settings_are_validated(self):
        for values in (
            {"rfm_f_thresholds": "1,2,3"},
            {"rfm_r_thresholds": "30,20,180,365"},
            {"rfm_m_thresholds": "a,b,c,d"},
            {"customer_at_risk_days": 400},
            {"customer_new_days": -1},
            {"customer_medium_value_amount": 10**9},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.company.write(values)

    def test_settings_form_saves_and_recomputes(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.customer_churn_days = 2000
        action = settings.save().action_recompute_customer_segmentation()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.company.customer_churn_days, 2000)
        self.assertEqual(self.churned.customer_lifecycle_stage, "at_risk")

    def test_the_profile_keeps_the_region_of_the_last_run(self):
        Profile = self.env["customer.profile"]
        by_country = dict(Profile._read_group([], ["country_id"], ["__count"]))
        self.assertEqual(by_country[self.env.ref("base.cn")], 1)
        self.vip.write({"country_id": self.env.ref("base.fr").id, "city": "Lyon"})
        self.assertEqual(self.profile(self.vip).country_id, self.env.ref("base.cn"), "until a run")
        stats = self.engine.run(as_of=self.AS_OF)
        self.assertEqual(stats["written"], 1, "only the customer who moved")
        self.assertEqual(
            (self.profile(self.vip).country_id, self.profile(self.vip).city),
            (self.env.ref("base.fr"), "Lyon"),
        )

    def test_the_form_shows_the_classes_as_badges_under_the_name(self):
        """Every internal user sees the class badges in the form's title area; the fields
        behind them stay hidden from portal users."""
        for login in ("manager", "user", "rep", "plain"):
            user = self.users[login]
            arch = self.env["res.partner"].with_user(user).get_views([(False, "form")])
            self.assertIn('name="customer_class_badges"', arch["views"]["form"]["arch"])
            form = Form(self.vip.with_user(user))
            self.assertEqual(form.customer_lifecycle_stage, "at_risk")
            self.assertTrue(form.customer_high_value, "meets the VIP criterion, at risk")
        portal = self.env["res.users"].create(
            {
                "name": "Portal",
                "login": "ci_portal_badges",
                "group_ids": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.vip.with_user(portal).read(["customer_high_value"])
