from odoo.tests import HttpCase, tagged

from odoo.addons.customer_segmentation.tests.common import MenusTourMixin


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "channel_attribution"
