import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

# Chance that a delivered e-mail is opened, then clicked, per recipient's lifecycle stage.
OPEN_CLICK = {
    "vip": (0.55, 0.45),
    "active": (0.45, 0.35),
    "new": (0.4, 0.3),
    "at_risk": (0.25, 0.25),
    "churned": (0.12, 0.15),
}
SUBJECTS = ("Our new range is here", "A thank-you offer for you", "We miss you: 10% off")


class CustomerInsightDemo(models.AbstractModel):
    _inherit = "customer.insight.demo"

    @api.model
    def _generate_class_mailings(self, seed=20240101):
        """Mailings of ``env.company`` sent to each segment (one and two months ago) and
        to the at-risk and churned customers, with what their recipients did."""
        rng = random.Random(seed)
        now = fields.Datetime.now()
        segments = self.env["customer.rfm.segment"].search([]).filtered("customer_count")
        audiences = [
            (Domain("rfm_segment_id", "=", segment.id), segment, months)
            for segment in segments
            for months in (1, 2)
        ] + [(Domain("customer_lifecycle_stage", "=", stage), None, 1) for stage in OPEN_CLICK]
        Partner = self.env["res.partner"]
        for domain, segment, months in audiences:
            audience = Partner._customer_audience_domain(domain, self.env.company)
            recipients = Partner.search(audience & Domain("email", "!=", False))
            if not recipients:
                continue
            sent = now - timedelta(days=30 * months + rng.randint(0, 10))
            mailing = self.env["mailing.mailing"].create(
                {
                    "subject": rng.choice(SUBJECTS),
                    "body_html": "<p>Dear customer, ...</p>",
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": repr(list(audience)),
                    "customer_audience_company_id": self.env.company.id,
                    "customer_audience_segment_id": segment.id if segment else False,
                    "state": "done",
                    "sent_date": sent,
                }
            )
            self.env["mailing.trace"].create(
                [self._demo_trace(rng, mailing, partner, sent) for partner in recipients]
            )

    def _demo_trace(self, rng, mailing, partner, sent):
        opens, clicks = OPEN_CLICK.get(partner.customer_lifecycle_stage, (0.3, 0.25))
        values = {
            "mass_mailing_id": mailing.id,
            "model": "res.partner",
            "res_id": partner.id,
            "email": partner.email,
            "trace_status": "sent",
            "sent_datetime": sent,
        }
        draw = rng.random()
        if draw < 0.03:
            values["trace_status"] = "bounce"
        elif draw < 0.03 + opens:
            opened = sent + timedelta(hours=rng.randint(1, 72))
            values.update(trace_status="open", open_datetime=opened)
            if rng.random() < clicks:
                values["links_click_datetime"] = opened + timedelta(minutes=rng.randint(1, 30))
            if rng.random() < 0.05:
                values.update(trace_status="reply", reply_datetime=opened + timedelta(hours=2))
        return values
