from odoo.tests import HttpCase, tagged

from odoo.addons.customer_care.tests.test_tours import new_classified_customer
from odoo.addons.customer_segmentation.tests.common import MenusTourMixin


@tagged("post_install", "-at_install")
class TestMenusTour(MenusTourMixin, HttpCase):
    addon = "customer_care_mass_mailing"


@tagged("post_install", "-at_install")
class TestAudienceTour(HttpCase):
    """ "Send a mailing to this class" from the classified customers and from a segment."""

    def setUp(self):
        super().setUp()
        self.customer = new_classified_customer(self.env)
        self.customer.email = "tour.customer@example.com"
        self.env.ref("base.user_admin").email = "admin@example.com"  # the mailing's sender

    def test_audience_tour(self):
        """Filtered on a class, the manager opens a mailing to it and saves it; its
        recipients are the class."""
        self.start_tour(
            "/odoo/action-customer_segmentation.action_customer_insight_partners",
            "customer_audience_tour",
            login="admin",
        )
        mailing = self.env["mailing.mailing"].search([("subject", "=", "Tour class mailing")])
        self.assertEqual(mailing.customer_audience_company_id, self.env.company)
        recipients = self.env["res.partner"].browse(mailing._get_recipients())
        self.assertEqual(
            recipients,
            self.env["res.partner"].search(
                [
                    ("customer_lifecycle_stage", "!=", False),
                    "|",
                    ("is_company", "=", True),
                    ("parent_id", "=", False),
                    ("name", "ilike", "Tour Customer"),
                ]
            ),
        )
        self.assertIn(self.customer, recipients)

    def test_audience_segment_tour(self):
        """From a segment's form, the new mailing's audience is the segment."""
        segment = self.customer.rfm_segment_id
        segment.name = "Tour Segment"
        self.start_tour(
            f"/odoo/action-customer_segmentation.action_customer_rfm_segment/{segment.id}",
            "customer_audience_segment_tour",
            login="admin",
        )
