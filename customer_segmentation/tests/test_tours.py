from odoo.tests import HttpCase, tagged

from .common import create_insight_users


@tagged("post_install", "-at_install")
class TestMenusTour(HttpCase):
    """Every menu of the addon opens its view, without JavaScript error, for who may see it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = create_insight_users(cls.env)

    def test_menus_manager(self):
        self.start_tour("/odoo", "customer_segmentation_menus_manager", login="admin")

    def test_menus_user(self):
        self.start_tour("/odoo", "customer_segmentation_menus_user", login="ci_user")
