from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES

from ..models.care_engine import card_orders_sql


class CustomerCareOfferReport(models.Model):
    """The coupons and gift cards care rules issued, with their use on confirmed sales
    orders: one row per card, dated and classed by its first care action."""

    _name = "customer.care.offer.report"
    _inherit = ["customer.insight.report"]
    _description = "Care Offer Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "customer.care.log": ["date", "rule_id", "partner_id", "company_id", "loyalty_card_id"],
        "customer.segment.history": ["date", "stage_to", "segment_to_id"],
        "customer.profile": ["lifecycle_stage", "segment_id"],
        "loyalty.card": ["program_id"],
        "sale.order": ["state", "amount_untaxed", "currency_rate"],
        "sale.order.line": ["coupon_id", "reward_id", "order_id"],
    }
    _rates = {"use_rate": ("used_count", "issued_count", 100.0)}

    date = fields.Date(
        "Issued On", readonly=True, help="Day the card was issued (its first care action)."
    )
    rule_id = fields.Many2one(
        "customer.care.rule", readonly=True, help="The care rule that issued the card."
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, help="The customer the card is for."
    )
    company_id = fields.Many2one("res.company", readonly=True, help="The care rule's company.")
    card_id = fields.Many2one(
        "loyalty.card",
        string="Card",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The coupon or gift card.",
    )
    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The loyalty programme of the card.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        readonly=True,
        help="The customer's lifecycle stage when the card was issued.",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        help="The customer's RFM segment when the card was issued.",
    )
    issued_count = fields.Integer("Issued", readonly=True, help="Cards issued by care rules.")
    used_count = fields.Integer(
        "Used",
        readonly=True,
        help="Cards that paid for a reward on at least one confirmed sales order.",
    )
    order_count = fields.Integer(
        "Orders", readonly=True, help="Confirmed sales orders on which the card paid for a reward."
    )
    revenue = fields.Float(
        "Revenue",
        readonly=True,
        help="Untaxed total, in the company's currency, of the confirmed sales orders on "
        "which the card paid for a reward (an order with two care cards counts for both).",
    )
    use_rate = fields.Float(
        "Use Rate (%)", readonly=True, aggregator="sum", help="Used ÷ issued × 100."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id, l.date::date AS date, l.rule_id, l.partner_id, l.company_id,
                   l.loyalty_card_id AS card_id, c.program_id,
                   COALESCE(h.stage_to, p.lifecycle_stage) AS lifecycle_stage,
                   COALESCE(h.segment_to_id, p.segment_id) AS segment_id,
                   1 AS issued_count, (o.order_count > 0)::int AS used_count,
                   o.order_count, COALESCE(o.revenue, 0.0) AS revenue, %(rates)s
              FROM (SELECT DISTINCT ON (loyalty_card_id) * FROM customer_care_log
                     WHERE loyalty_card_id IS NOT NULL ORDER BY loyalty_card_id, id) l
              JOIN loyalty_card c ON c.id = l.loyalty_card_id
              LEFT JOIN customer_profile p
                ON p.partner_id = l.partner_id AND p.company_id = l.company_id
              LEFT JOIN LATERAL (
                  SELECT sh.stage_to, sh.segment_to_id FROM customer_segment_history sh
                   WHERE sh.partner_id = l.partner_id AND sh.company_id = l.company_id
                     AND sh.date <= l.date
                   ORDER BY sh.date DESC, sh.id DESC LIMIT 1
              ) h ON TRUE
              LEFT JOIN LATERAL (
                  SELECT COUNT(*) AS order_count,
                         SUM(so.amount_untaxed
                             / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                               ELSE so.currency_rate END) AS revenue
                    FROM (%(orders)s) so
              ) o ON TRUE
            """,
            orders=card_orders_sql(SQL.identifier("l", "loyalty_card_id")),
            rates=self._rate_columns_sql(),
        )
