from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_clv.models.customer_clv_prediction import CHURN_RISKS
from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, PAYMENT_CLASSES, VALUE_TIERS

DELIVERED = ("sent", "open", "reply")


class CustomerCareMailingMetrics(models.Model):
    """The e-mails of the mailings sent to customer classes, with the class of their
    recipient in the audience's company: sent, delivered, opened, clicked, replied, bounced."""

    _name = "customer.care.mailing.metrics"
    _inherit = ["customer.insight.report"]
    _description = "Mailing Metrics per Customer Class"
    _auto = False
    _order = "date desc"
    _depends = {
        "mailing.trace": [
            "mass_mailing_id",
            "model",
            "res_id",
            "trace_status",
            "sent_datetime",
            "links_click_datetime",
            "is_test_trace",
        ],
        "mailing.mailing": ["customer_audience_company_id", "customer_audience_segment_id"],
        "customer.profile": ["segment_id", "lifecycle_stage", "value_tier", "payment_class"],
        "customer.clv.prediction": ["churn_risk"],
    }
    _rates = {
        "open_rate": ("opened_count", "delivered_count", 100.0),
        "click_rate": ("clicked_count", "delivered_count", 100.0),
        "reply_rate": ("replied_count", "delivered_count", 100.0),
        "bounce_rate": ("bounced_count", "sent_count", 100.0),
    }

    date = fields.Date("Sent On", readonly=True, help="Day the e-mail was sent (or queued).")
    company_id = fields.Many2one("res.company", readonly=True)
    mailing_id = fields.Many2one("mailing.mailing", string="Mailing", readonly=True)
    audience_segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="Audience Segment",
        readonly=True,
        help="The RFM segment the mailing was sent to, when it was sent from a segment.",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        help="The recipient's segment at the last classification of the audience's company.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        readonly=True,
        help="The recipient's stage at the last classification of the audience's company.",
    )
    value_tier = fields.Selection(
        VALUE_TIERS,
        readonly=True,
        help="The recipient's value tier at the last classification of the audience's company.",
    )
    payment_class = fields.Selection(
        PAYMENT_CLASSES,
        readonly=True,
        help="The recipient's payment class at the last classification of the audience's company.",
    )
    churn_risk = fields.Selection(
        CHURN_RISKS,
        readonly=True,
        help="The recipient's predicted churn risk in the audience's company.",
    )
    sent_count = fields.Integer("Sent", readonly=True, help="E-mails sent.")
    delivered_count = fields.Integer(
        "Delivered", readonly=True, help="E-mails sent that did not bounce."
    )
    opened_count = fields.Integer("Opened", readonly=True, help="E-mails opened or replied to.")
    clicked_count = fields.Integer(
        "Clicked", readonly=True, help="E-mails with at least one link clicked."
    )
    replied_count = fields.Integer("Replied", readonly=True, help="E-mails replied to.")
    bounced_count = fields.Integer("Bounced", readonly=True, help="E-mails that bounced.")
    open_rate = fields.Float(
        "Open Rate (%)", readonly=True, aggregator="sum", help="Opened ÷ delivered × 100."
    )
    click_rate = fields.Float(
        "Click Rate (%)", readonly=True, aggregator="sum", help="Clicked ÷ delivered × 100."
    )
    reply_rate = fields.Float(
        "Reply Rate (%)", readonly=True, aggregator="sum", help="Replied ÷ delivered × 100."
    )
    bounce_rate = fields.Float(
        "Bounce Rate (%)", readonly=True, aggregator="sum", help="Bounced ÷ sent × 100."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT t.id, COALESCE(t.sent_datetime, t.create_date)::date AS date,
                   m.customer_audience_company_id AS company_id, m.id AS mailing_id,
                   m.customer_audience_segment_id AS audience_segment_id,
                   rp.commercial_partner_id AS partner_id, p.segment_id, p.lifecycle_stage,
                   p.value_tier, p.payment_class, c.churn_risk,
                   (t.sent_datetime IS NOT NULL)::int AS sent_count,
                   (t.trace_status IN %(delivered)s)::int AS delivered_count,
                   (t.trace_status IN ('open', 'reply'))::int AS opened_count,
                   (t.links_click_datetime IS NOT NULL)::int AS clicked_count,
                   (t.trace_status = 'reply')::int AS replied_count,
                   (t.trace_status = 'bounce')::int AS bounced_count, %(rates)s
              FROM mailing_trace t
              JOIN mailing_mailing m
                ON m.id = t.mass_mailing_id AND m.customer_audience_company_id IS NOT NULL
              JOIN res_partner rp ON rp.id = t.res_id
              LEFT JOIN customer_profile p
                ON p.partner_id = rp.commercial_partner_id
               AND p.company_id = m.customer_audience_company_id
              LEFT JOIN customer_clv_prediction c
                ON c.partner_id = rp.commercial_partner_id
               AND c.company_id = m.customer_audience_company_id
             WHERE t.model = 'res.partner' AND t.is_test_trace IS NOT TRUE
            """,
            delivered=DELIVERED,
            rates=self._rate_columns_sql(),
        )
