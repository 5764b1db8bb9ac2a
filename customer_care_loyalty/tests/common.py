from odoo.addons.customer_care.tests.common import CareCase


class OfferCase(CareCase):
    """CareCase with a 10 % coupon programme of the company and a product to sell."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.coupon_program("Welcome 10%")
        cls.item = cls.env["product.product"].create({"name": "Offer item", "list_price": 200})

    @classmethod
    def coupon_program(cls, name, company=None):
        Program = cls.env["loyalty.program"].with_context(default_program_type="coupons")
        values = {"name": name}  # the type from the context: Odoo's defaults for it
        if company:
            values["company_id"] = company.id
        return Program.create(values)

    @classmethod
    def offer_rule(cls, stages=("new",), **values):
        return cls.rule(
            list(stages),
            loyalty_program_id=cls.program.id,
            note="<p>Offer {{ object.care_loyalty_code }}</p>",
            **values,
        )

    def order_with_code(self, partner, code, quantity=3):
        """A quotation of ``partner`` with ``code`` applied through sale_loyalty's flow."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": self.item.id, "product_uom_qty": quantity})],
            }
        )
        status = order._try_apply_code(code)
        self.assertNotIn("error", status)
        for card, rewards in status.items():
            self.assertNotIn("error", order._apply_program_reward(rewards[:1], card))
        return order
