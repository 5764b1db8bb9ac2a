from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import create_insight_users


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)

    def test_groups(self):
        manager = self.env.ref("customer_segmentation.group_customer_insight_manager")
        user = self.env.ref("customer_segmentation.group_customer_insight_user")
        privilege = self.env.ref("customer_segmentation.res_groups_privilege_customer_insight")
        self.assertEqual(manager.privilege_id, privilege)
        self.assertEqual(user.privilege_id, privilege)
        self.assertIn(user, manager.implied_ids)
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "customer_segmentation.group_customer_insight_manager"
            )
        )
        sale_manager = self.env.ref("sales_team.group_sale_manager")
        self.assertIn(user, sale_manager.all_implied_ids)

    def test_model_access(self):
        """Every model has access rules; outsiders cannot read the classification."""
        for model in (
            "customer.profile",
            "customer.segment.history",
            "customer.segment.snapshot",
            "customer.region.summary",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.users["plain"]).search([])
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.users["rep"]).search([])
            self.env[model].with_user(self.users["user"]).search([])
        segments = self.env["customer.rfm.segment"]
        segments.with_user(self.users["plain"]).search([])
        with self.assertRaises(AccessError):
            segments.with_user(self.users["user"]).create(
                {
                    "name": "X",
                    "code": "x",
                    "preset_id": self.env.ref("customer_segmentation.rfm_preset_international").id,
                }
            )
        segments.with_user(self.users["manager"]).create(
            {
                "name": "X",
                "code": "x",
                "preset_id": self.env.ref("customer_segmentation.rfm_preset_international").id,
            }
        )

    def test_every_model_has_access_rules(self):
        model_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "customer_segmentation"), ("model", "=", "ir.model")])
            .mapped("res_id")
        )
        for model in self.env["ir.model"].browse(model_ids):
            if not self.env[model.model]._abstract:
                self.assertTrue(model.access_ids, f"{model.model} has no access rule")
