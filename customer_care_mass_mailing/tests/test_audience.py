from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import run_cron_until_done

from .common import AudienceCase


@tagged("post_install", "-at_install")
class TestAudience(AudienceCase):
    def recipients(self, mailing, company=None):
        """The recipients mass_mailing computes at send time, as ``company``."""
        env = self.env(context={"allowed_company_ids": [(company or self.company).id]})
        return env["res.partner"].browse(mailing.with_env(env)._get_recipients())

    def test_classes_differ_per_company(self):
        """The fixture: the churned customer of the main company is new in the other."""
        self.assertEqual(self.churned.customer_lifecycle_stage, "churned")
        self.assertEqual(self.churned.with_company(self.other).customer_lifecycle_stage, "new")
        profiles = (self.churned | self.contact).customer_profile_ids
        self.assertEqual(profiles.company_id, self.company | self.other)
        self.assertEqual(self.contact.customer_profile_ids.partner_id, self.new)

    def test_stage_audience_is_the_class_whatever_the_sending_company(self):
        action = (
            self.env["res.partner"]
            .with_context(active_domain=[("customer_lifecycle_stage", "=", "new")])
            .action_send_customer_mailing()
        )
        mailing = self.mailing(action)
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        self.assertEqual(mailing.customer_audience_company_id, self.company)
        self.assertIn(str(("company_id", "=", self.company.id)), mailing.mailing_domain)
        expected = self.members(self.company, "lifecycle_stage", "new")
        self.assertEqual(expected, self.new | self.nobody | self.contact)
        self.assertEqual(self.recipients(mailing), expected)
        self.assertEqual(self.recipients(mailing, self.other), expected)
        # Evaluated at send time: a customer who enters the class is in the audience.
        self.order(self.vip, self.today, 10, company_id=self.other.id)
        other_action = (
            self.env["res.partner"]
            .with_company(self.other)
            .with_context(active_domain=[("customer_lifecycle_stage", "=", "new")])
            .action_send_customer_mailing()
        )
        other_mailing = self.mailing(other_action)
        self.assertEqual(self.recipients(other_mailing), self.churned)
        self.engine.with_company(self.other).run()
        self.assertEqual(
            self.recipients(other_mailing), self.members(self.other, "lifecycle_stage", "new")
        )
        self.assertEqual(self.recipients(other_mailing), self.churned | self.vip)

    def test_segment_audience(self):
        segment = self.vip.rfm_segment_id
        self.assertTrue(segment)
        action = segment.with_user(self.marketer).action_send_customer_mailing()
        mailing = self.mailing(action, self.marketer)
        self.assertEqual(mailing.customer_audience_segment_id, segment)
        expected = self.members(self.company, "segment_id", segment.id)
        self.assertIn(self.vip, expected)
        self.assertEqual(self.recipients(mailing, self.other), expected)

    def test_negative_and_saved_search_conditions_keep_their_meaning(self):
        """A saved search mixing classes, a negation and plain partner fields: the audience,
        evaluated as the other company, is what the search finds in the main company."""
        search = [
            ("customer_lifecycle_stage", "!=", "churned"),
            ("customer_value_tier", "!=", False),
            ("email", "ilike", "co@"),
            ("customer_churn_risk", "in", [False, "low", "medium", "high"]),
        ]
        audience = self.env["res.partner"]._customer_audience_domain(search, self.company)
        Partner = self.env["res.partner"].with_company(self.other)
        self.assertEqual(Partner.search(audience), self.env["res.partner"].search(Domain(search)))
        self.assertEqual(Partner.search(audience), self.new | self.vip | self.nobody)

    def test_a_filter_reading_the_current_company_elsewhere_is_refused(self):
        with self.assertRaisesRegex(UserError, "depends on the current company"):
            self.env["res.partner"].with_context(
                active_domain=[("customer_satisfaction_class", "=", "satisfied")]
            ).action_send_customer_mailing()

    def test_sent_by_the_mailing_job_as_another_company(self):
        """Queued, then sent by Email Marketing's own job (which runs as its cron user, in
        that user's company): the e-mails go to the class of the mailing's company."""
        action = (
            self.env["res.partner"]
            .with_company(self.other)
            .with_context(active_domain=[("customer_lifecycle_stage", "=", "new")])
            .action_send_customer_mailing()
        )
        mailing = self.mailing(action)
        mailing.action_put_in_queue()
        run_cron_until_done(self, "mass_mailing.ir_cron_mass_mailing_queue")
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(set(traces.mapped("res_id")), set(self.churned.ids))
        self.assertEqual(mailing.state, "done")

    def test_access(self):
        segment = self.vip.rfm_segment_id
        for user in (self.portal, self.rep, self.users["plain"], self.mailer, self.users["user"]):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                segment.with_user(user).action_send_customer_mailing()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["res.partner"].with_user(user).with_context(
                    active_domain=[]
                ).action_send_customer_mailing()
        for user in (self.marketer, self.marketing_manager):
            action = segment.with_user(user).action_send_customer_mailing()
            self.assertEqual(action["res_model"], "mailing.mailing")
            self.assertTrue(self.mailing(action, user))

    def test_bad_search_is_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "not a valid filter"):
            self.env["res.partner"].with_context(
                active_domain=[("name", "no-such-operator", 1)]
            ).action_send_customer_mailing()
