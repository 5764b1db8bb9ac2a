from ast import literal_eval
from collections import Counter

from odoo.tests import tagged

from .common import AudienceCase


@tagged("post_install", "-at_install")
class TestMailingMetrics(AudienceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["customer.insight.demo"]._generate_class_mailings(seed=7)
        cls.traces = cls.env["mailing.trace"].search(
            [("mass_mailing_id.customer_audience_company_id", "=", cls.company.id)]
        )

    def test_demo_mailings_per_class(self):
        mailings = self.traces.mass_mailing_id
        self.assertTrue(mailings.customer_audience_segment_id)
        self.assertEqual(set(mailings.mapped("state")), {"done"})
        for mailing in mailings:
            recipients = set(mailing.mailing_trace_ids.mapped("res_id"))
            audience = self.env["res.partner"].search(
                [("id", "in", list(recipients))] + literal_eval(mailing.mailing_domain)
            )
            self.assertEqual(set(audience.ids), recipients, "traces go to the class")

    def test_statistics_per_segment_are_sums_of_the_traces(self):
        """Counts per recipient's segment, and rates from the sums, against the traces."""
        expected = Counter()
        for trace in self.traces:
            segment = self.env["res.partner"].browse(trace.res_id).rfm_segment_id
            expected[segment, "sent"] += bool(trace.sent_datetime)
            expected[segment, "delivered"] += trace.trace_status in ("sent", "open", "reply")
            expected[segment, "opened"] += trace.trace_status in ("open", "reply")
            expected[segment, "clicked"] += bool(trace.links_click_datetime)
            expected[segment, "bounced"] += trace.trace_status == "bounce"
        groups = self.env["customer.care.mailing.metrics"]._read_group(
            [("company_id", "=", self.company.id)],
            ["segment_id"],
            [
                "sent_count:sum",
                "opened_count:sum",
                "clicked_count:sum",
                "bounced_count:sum",
                "open_rate:sum",
                "click_rate:sum",
                "bounce_rate:sum",
            ],
        )
        self.assertTrue(groups)
        for segment, sent, opened, clicked, bounced, open_rate, click_rate, bounce_rate in groups:
            delivered = expected[segment, "delivered"]
            self.assertEqual(
                (sent, opened, clicked, bounced),
                tuple(expected[segment, key] for key in ("sent", "opened", "clicked", "bounced")),
            )
            if delivered:
                self.assertAlmostEqual(open_rate, 100.0 * opened / delivered)
                self.assertAlmostEqual(click_rate, 100.0 * clicked / delivered)
            self.assertAlmostEqual(bounce_rate, 100.0 * bounced / sent)

    def test_other_company_does_not_see_them(self):
        metrics = self.env["customer.care.mailing.metrics"].with_user(self.marketer)
        self.assertTrue(metrics.search_count([]))
        self.assertFalse(metrics.with_context(allowed_company_ids=[self.other.id]).search_count([]))
