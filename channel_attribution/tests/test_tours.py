from odoo.tests import HttpCase, tagged

from odoo.addons.customer_segmentation.tests.common import MenusTourMixin


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "channel_attribution"

    def test_channel_form_shows_the_sales_volume(self):
        self.start_tour(
            "/odoo/action-channel_attribution.action_customer_channel",
            "channel_attribution_channel_form",
            login="admin",
        )
