from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import OfferCase


@tagged("post_install", "-at_install")
class TestOffers(OfferCase):
    def cards(self):
        return self.env["loyalty.card"].search([("program_id", "=", self.program.id)])

    def report(self, rule):
        self.env["customer.care.offer.report"].invalidate_model()
        return self.env["customer.care.offer.report"].search([("rule_id", "=", rule.id)])

    def test_one_card_per_customer_and_step(self):
        rule = self.offer_rule(loyalty_validity_days=45)
        self.care.run(rule)
        log = self.logs(rule, self.new)
        card = log.loyalty_card_id
        self.assertEqual(self.cards(), card)
        self.assertEqual(
            (card.partner_id, card.points, card.expiration_date),
            (self.new, 1.0, self.today + timedelta(days=45)),
        )
        self.assertEqual(card.history_ids.issued, 1.0)
        self.assertIn(card.code, log.activity_id.note)
        self.assertEqual(self.new.care_loyalty_code, card.code)
        self.care.run(rule)
        self.assertEqual(self.cards(), card, "a rerun issues nothing new")
        self.assertEqual(self.logs(rule), log)
        # The activity vanishes (deleted in SQL): the same need is claimed again.
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM mail_activity WHERE id = %s", [log.activity_id.id])
        self.env.invalidate_all()
        self.care.run(rule)
        again = self.logs(rule, self.new) - log
        self.assertEqual((log.state, again.state), ("cancelled", "open"))
        self.assertEqual(again.loyalty_card_id, card, "the same need, the same card")
        self.assertEqual(self.cards(), card)

    def test_next_action_reuses_the_unused_card(self):
        rule = self.offer_rule(stages=("vip",), trigger="recurring", interval_days=30)
        self.care.run(rule)
        first = self.logs(rule, self.vip)
        first.activity_id.action_feedback(feedback="Called")
        self.age_logs(first, 31)
        self.care.run(rule)
        second = self.logs(rule, self.vip) - first
        self.assertEqual(second.loyalty_card_id, first.loyalty_card_id, "still unused")
        self.order_with_code(self.vip, first.loyalty_card_id.code).action_confirm()
        second.activity_id.action_feedback(feedback="Called")
        self.age_logs(first | second, 31)
        self.care.run(rule)
        third = self.logs(rule, self.vip) - first - second
        self.assertTrue(third.loyalty_card_id)
        self.assertNotEqual(third.loyalty_card_id, first.loyalty_card_id, "the first was used")
        self.assertEqual(len(self.cards()), 2)

    def test_use_counted_on_confirmed_orders(self):
        rule = self.offer_rule(stages=("new", "vip", "churned"))
        self.care.run(rule)
        card = self.logs(rule, self.new).loyalty_card_id
        order = self.order_with_code(self.new, card.code)
        self.assertEqual(self.report(rule).mapped("used_count"), [0, 0, 0], "a quotation")
        order.action_confirm()
        self.assertEqual(card.points, 0)
        self.order(self.vip, self.today, 500)  # an order without the card: no use
        rows = self.report(rule)
        self.assertEqual(len(rows), 3)
        used = rows.filtered("used_count")
        self.assertEqual((used.partner_id, used.order_count), (self.new, 1))
        expected = sum(order.order_line.mapped("price_subtotal"))
        self.assertAlmostEqual(used.revenue, expected, places=2)
        self.assertAlmostEqual(expected, 540.0, places=2, msg="3 x 200, 10 % off")
        self.assertEqual(used.lifecycle_stage, "new", "the class when issued")
        [group] = self.env["customer.care.offer.report"]._read_group(
            [("rule_id", "=", rule.id)], [], ["issued_count:sum", "used_count:sum", "use_rate:sum"]
        )
        self.assertEqual(group[:2], (3, 1))
        self.assertAlmostEqual(group[2], 100 / 3)
        by_stage = dict(
            self.env["customer.care.offer.report"]._read_group(
                [("rule_id", "=", rule.id)], ["lifecycle_stage"], ["revenue:sum"]
            )
        )
        self.assertAlmostEqual(by_stage["new"], expected, places=2)
        self.assertEqual((by_stage["vip"], by_stage["churned"]), (0.0, 0.0))

    def test_one_email_with_the_code(self):
        """The rule's e-mail carries the code; the programme's own e-mail is not sent."""
        template = self.env.ref("customer_care_loyalty.mail_template_care_offer")
        self.new.email = "new@example.com"
        self.vip.email = "vip@example.com"
        self.assertTrue(
            self.program.communication_plan_ids.filtered(lambda c: c.trigger == "create")
        )
        rule = self.offer_rule(mail_mode="email", mail_template_id=template.id)
        activity_rule = self.offer_rule(stages=("vip",))
        self.care.run(rule | activity_rule)
        card = self.logs(rule, self.new).loyalty_card_id
        mails = self.env["mail.mail"].search([("recipient_ids", "=", self.new.id)])
        self.assertEqual(len(mails), 1)
        self.assertIn(card.code, mails.body_html)
        self.assertEqual(mails.model, "res.partner")
        cards = card | self.logs(activity_rule, self.vip).loyalty_card_id
        self.assertEqual(len(cards), 2)
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "loyalty.card"), ("res_id", "in", cards.ids)]
            )
        )

    def test_archived_programme_issues_nothing(self):
        rule = self.offer_rule()
        self.program.action_archive()
        self.care.run(rule)
        self.assertTrue(self.logs(rule, self.new).activity_id)
        self.assertFalse(self.logs(rule, self.new).loyalty_card_id)

    def test_offer_checks(self):
        promotion = self.env["loyalty.program"].create(
            {"name": "Promo", "program_type": "promotion"}
        )
        with self.assertRaises(ValidationError):
            self.offer_rule().loyalty_program_id = promotion
        with self.assertRaises(ValidationError):
            self.offer_rule(loyalty_points=0)
        with self.assertRaises(ValidationError):
            self.offer_rule(loyalty_validity_days=-1)
        other_company = self.env["res.company"].create({"name": "Offer Co B"})
        elsewhere = self.coupon_program("Elsewhere", company=other_company)
        with self.assertRaises(UserError):
            self.offer_rule().loyalty_program_id = elsewhere
