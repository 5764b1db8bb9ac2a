from odoo.tests import HttpCase, tagged

from odoo.addons.customer_care.tests.test_tours import new_classified_customer
from odoo.addons.customer_segmentation.tests.common import MenusTourMixin


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "customer_care_loyalty"


@tagged("post_install", "-at_install")
class TestOfferTour(HttpCase):
    """A manager gives a rule an offer, runs it, and finds the card in Care Offers."""

    def test_offer_tour(self):
        customer = new_classified_customer(self.env)
        self.env["loyalty.program"].with_context(default_program_type="coupons").create(
            {"name": "Tour coupon"}
        )
        rule = self.env["customer.care.rule"].create(
            {
                "name": "Tour welcome offer",
                "lifecycle_stage_ids": [
                    (6, 0, self.env.ref("customer_care.class_lifecycle_stage_new").ids)
                ],
                "summary": "Welcome {{ object.name }}",
                "partner_domain": "[('name', '=', 'Tour Customer')]",
                "holdout_percent": 0,
            }
        )
        self.start_tour("/odoo", "customer_care_loyalty_offer_tour", login="admin")
        log = self.env["customer.care.log"].search([("rule_id", "=", rule.id)])
        self.assertEqual(log.loyalty_card_id.partner_id, customer)
        self.assertEqual(log.loyalty_card_id.program_id.name, "Tour coupon")
