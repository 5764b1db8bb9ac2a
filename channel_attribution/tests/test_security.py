from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_segmentation.tests.common import create_insight_users


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})

    def test_channel_access(self):
        Channel = self.env["customer.channel"]
        Channel.with_user(self.users["plain"]).search([])
        with self.assertRaises(AccessError):
            Channel.with_user(self.users["user"]).create({"name": "Fair"})
        channel = Channel.with_user(self.users["manager"]).create({"name": "Fair"})
        with self.assertRaises(AccessError):
            self.env["customer.channel.cost"].with_user(self.users["rep"]).search([])
        self.env["customer.channel.cost"].with_user(self.users["manager"]).create(
            {"channel_id": channel.id, "amount": 100}
        )

    def test_multi_company(self):
        """A channel of another company is invisible; a shared one is visible."""
        Channel = self.env["customer.channel"]
        other = Channel.create({"name": "Other", "company_id": self.company_b.id})
        shared = Channel.create({"name": "Shared"})
        visible = Channel.with_user(self.users["user"]).search([])
        self.assertIn(shared, visible)
        self.assertNotIn(other, visible)

    def test_daily_revenue_by_channel_access(self):
        """Customer Insight users read the revenue of their companies; others read none."""
        Daily = self.env["customer.channel.revenue.daily"]
        rows = Daily.create(
            [
                {
                    "company_id": company.id,
                    "date": "2026-01-01",
                    "channel_id": self.env.ref("channel_attribution.channel_unassigned").id,
                    "attribution_model": "linear",
                    "amount": 10,
                }
                for company in self.env.company | self.company_b
            ]
        )
        self.assertEqual(
            Daily.with_user(self.users["user"]).search([("id", "in", rows.ids)]), rows[0]
        )
        for name in ("rep", "plain"):
            with self.assertRaises(AccessError):
                Daily.with_user(self.users[name]).search([])
