import random

from odoo import api, models

# (rule of customer_care's playbook, programme type, name, discount % or gift-card value)
OFFERS = (
    ("care_rule_new_welcome", "coupons", "Welcome pack: 10% off the second order", 10),
    ("care_rule_vip_revisit", "gift_card", "VIP exclusive gift card", 200),
    ("care_rule_churned_win_back", "coupons", "Win-back: 15% off your next order", 15),
)


class CustomerInsightDemo(models.AbstractModel):
    _inherit = "customer.insight.demo"

    @api.model
    def _generate_care_offers(self, share=0.35, seed=20240101):
        """Give the welcome, VIP and win-back rules of ``env.company`` an offer, issue it
        for the actions they already took (as if they had it when they ran), and let about
        ``share`` of the customers order again with their code, through sale_loyalty's own
        flow (code applied, reward claimed, order confirmed)."""
        rng = random.Random(seed)
        engine = self.env["customer.care.engine"]
        products = self.env["product.product"].search(
            [("sale_ok", "=", True), ("type", "=", "service"), ("list_price", ">", 0)], limit=8
        )
        for xmlid, program_type, name, value in OFFERS:
            rule = self.env.ref(f"customer_care.{xmlid}", raise_if_not_found=False)
            if not rule or rule.company_id != self.env.company:
                continue
            rule.write(
                {
                    "loyalty_program_id": self._demo_offer_program(program_type, name, value).id,
                    "loyalty_points": value if program_type == "gift_card" else 1,
                    "loyalty_validity_days": 60,
                }
            )
            logs = self.env["customer.care.log"].search(  # this run's actions, not the past
                [("rule_id", "=", rule.id), ("activity_id", "!=", False)], order="id"
            )
            engine._issue_loyalty_cards(rule, logs.ids)
            for log in logs:
                if products and rng.random() < share:
                    self._demo_order_with_offer(rng, log, products)

    def _demo_offer_program(self, program_type, name, value):
        Program = self.env["loyalty.program"].with_context(default_program_type=program_type)
        program = Program.create({"name": name})  # with Odoo's defaults of the type
        if program_type == "coupons":
            program.reward_ids.write({"discount": value, "discount_mode": "percent"})
        return program

    def _demo_order_with_offer(self, rng, log, products):
        """An order of the customer that uses the card of this care action."""
        order = self.env["sale.order"].create(
            {
                "partner_id": log.partner_id.id,
                "user_id": log.partner_id.user_id.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": rng.randint(1, 4)})
                    for product in rng.sample(list(products), min(2, len(products)))
                ],
            }
        )
        status = order._try_apply_code(log.loyalty_card_id.code)
        if "error" in status:
            return
        for card, rewards in status.items():
            order._apply_program_reward(rewards[:1], card)
        # no coupon e-mail from sale_loyalty: it attaches a PDF (wkhtmltopdf) of the card
        order.with_context(loyalty_no_mail=True).action_confirm()
