from odoo.tests import HttpCase, tagged

from odoo.addons.customer_segmentation.tests.common import create_insight_users


@tagged("post_install", "-at_install")
class TestMenusTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_insight_users(cls.env)

    def test_menus_manager(self):
        self.start_tour("/odoo", "channel_attribution_menus_manager", login="admin")

    def test_menus_user(self):
        self.start_tour("/odoo", "channel_attribution_menus_user", login="ci_user")
