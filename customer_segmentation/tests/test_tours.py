from odoo.tests import HttpCase, tagged

from .common import MenusTourMixin


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "customer_segmentation"
