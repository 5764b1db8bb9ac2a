from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestMenusTour(HttpCase):
    def test_menus_manager(self):
        self.start_tour("/odoo", "customer_clv_menus_manager", login="admin")
