from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL


class CustomerCareEngine(models.AbstractModel):
    _inherit = "customer.care.engine"

    def _prepare_actions(self, rule, log_ids):
        super()._prepare_actions(rule, log_ids)
        if rule.sudo().loyalty_program_id.active:
            self._issue_loyalty_cards(rule, log_ids)

    def _issue_loyalty_cards(self, rule, log_ids):
        """Give each of these care actions of ``rule`` its card of the rule's programme:
        the card of the rule's previous action for the customer while it is unused (active,
        not expired, with points, on no confirmed order), else a new card, created as Odoo's
        coupon generator does (with its history line). The rule tells the customer (its
        e-mail or activity): the programme's own 'at creation' e-mail is never sent."""
        rule = rule.sudo()  # the rule's offer is issued whoever runs it
        program = rule.loyalty_program_id
        today = fields.Date.today()
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.id, l.partner_id, reuse.card_id
                  FROM customer_care_log l
                  LEFT JOIN LATERAL (
                      SELECT c.id AS card_id
                        FROM customer_care_log p
                        JOIN loyalty_card c ON c.id = p.loyalty_card_id
                       WHERE p.rule_id = l.rule_id AND p.partner_id = l.partner_id
                         AND p.id <> l.id AND c.program_id = %(program)s AND c.active
                         AND c.points > 0
                         AND (c.expiration_date IS NULL OR c.expiration_date >= %(today)s)
                         AND NOT EXISTS (%(used)s)
                       ORDER BY p.id DESC LIMIT 1
                  ) reuse ON TRUE
                 WHERE l.id = ANY(%(logs)s) AND l.loyalty_card_id IS NULL
                 ORDER BY l.id
                """,
                program=program.id,
                today=today,
                used=card_orders_sql(SQL.identifier("c", "id")),
                logs=log_ids,
            )
        )
        new = [(log, partner) for log, partner, card in rows if not card]
        cards = self._create_loyalty_cards(rule, [partner for _log, partner in new])
        pairs = [(log, card) for log, _partner, card in rows if card]
        pairs += [(log, card.id) for (log, _partner), card in zip(new, cards, strict=True)]
        if pairs:
            self.env.cr.execute(
                SQL(
                    """UPDATE customer_care_log l SET loyalty_card_id = v.card_id
                         FROM unnest(%s::int[], %s::int[]) AS v(log_id, card_id)
                        WHERE l.id = v.log_id""",
                    [log for log, _card in pairs],
                    [card for _log, card in pairs],
                )
            )
        self.env["customer.care.log"].invalidate_model(["loyalty_card_id"])
        self.env["res.partner"].invalidate_model(
            ["care_loyalty_card_id", "care_loyalty_code", "care_loyalty_expiration_date"]
        )

    def _create_loyalty_cards(self, rule, partner_ids):
        """New cards of the rule's programme for these customers, with their history line."""
        if not partner_ids:
            return self.env["loyalty.card"]
        days = rule.loyalty_validity_days
        expiration = fields.Date.today() + timedelta(days=days) if days else False
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(loyalty_no_mail=True)
            .create(
                [
                    {
                        "program_id": rule.loyalty_program_id.id,
                        "partner_id": partner_id,
                        "points": rule.loyalty_points,
                        "expiration_date": expiration,
                    }
                    for partner_id in partner_ids
                ]
            )
        )
        self.env["loyalty.history"].sudo().create(
            [
                {
                    "card_id": card.id,
                    "description": self.env._("Care rule: %(rule)s", rule=rule.name),
                    "issued": rule.loyalty_points,
                }
                for card in cards
            ]
        )
        return cards


def card_orders_sql(card):
    """The confirmed sales orders (id, amount_untaxed, currency_rate) on which ``card``
    paid for a reward: what makes a card used."""
    return SQL(
        """SELECT DISTINCT so.id, so.amount_untaxed, so.currency_rate
             FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id
            WHERE sol.coupon_id = %s AND sol.reward_id IS NOT NULL AND so.state = 'sale'""",
        card,
    )
