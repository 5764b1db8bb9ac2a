from datetime import timedelta

from odoo.tests import tagged

from .common import CareCase


@tagged("post_install", "-at_install")
class TestPartnerCare(CareCase):
    def test_last_and_next_contact_dates(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.vip.id})
        self.assertFalse(self.vip.care_last_contact_date)
        done = contact.activity_schedule("mail.mail_activity_data_call", user_id=self.rep.id)
        done.action_feedback("Talked")
        lead = self.env["crm.lead"].create(
            {"name": "Upsell", "type": "opportunity", "partner_id": self.vip.id}
        )
        lead.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.today + timedelta(days=4),
            user_id=self.rep.id,
        )
        self.vip.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.today + timedelta(days=9),
            user_id=self.rep.id,
        )
        self.env.invalidate_all()
        self.assertEqual(self.vip.care_last_contact_date, self.today)
        self.assertEqual(contact.care_last_contact_date, self.today)
        self.assertEqual(self.vip.care_next_contact_date, self.today + timedelta(days=4))
        meeting_day = self.today - timedelta(days=1)
        self.env["calendar.event"].create(
            {
                "name": "Visit",
                "start": f"{meeting_day} 09:00:00",
                "stop": f"{meeting_day} 10:00:00",
                "partner_ids": [(6, 0, self.churned.ids)],
            }
        )
        self.env.invalidate_all()
        self.assertEqual(self.churned.care_last_contact_date, meeting_day)

    def test_no_contact_and_overdue_filters(self):
        Partner = self.env["res.partner"]
        self.vip.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.rep.id
        ).action_feedback("ok")
        limit = self.today - timedelta(days=90)
        no_contact = Partner.search(
            ["|", ("care_last_contact_date", "=", False), ("care_last_contact_date", "<", limit)]
        )
        self.assertIn(self.new, no_contact)
        self.assertNotIn(self.vip, no_contact)
        recent = Partner.search([("care_last_contact_date", ">=", self.today)])
        self.assertEqual(recent, self.vip)
        rule = self.rule(["new"])
        self.care.run(rule)
        overdue = [
            ("care_log_ids", "any", [("state", "=", "open"), ("date_deadline", "<", self.today)])
        ]
        self.assertFalse(Partner.search(overdue))
        self.env.cr.execute(
            "UPDATE customer_care_log SET date_deadline = %s WHERE rule_id = %s",
            [self.today - timedelta(days=1), rule.id],
        )
        self.env.invalidate_all()
        self.assertEqual(Partner.search(overdue), self.new)

    def test_churn_reason_from_the_win_back_activity(self):
        rule = self.rule(["churned"], ask_churn_reason=True)
        self.care.run(rule)
        activity = self.logs(rule, self.churned).activity_id
        self.assertTrue(activity.care_ask_churn_reason)
        price = self.env.ref("customer_care.churn_reason_price")
        activity.care_churn_reason_id = price
        activity.action_feedback("Too expensive since the new tariff")
        self.assertEqual(self.churned.care_churn_reason_id, price)
        log = self.logs(rule, self.churned)
        self.assertEqual((log.state, log.churn_reason_id), ("done", price))
        contact = self.env["res.partner"].create({"name": "Ex buyer", "parent_id": self.churned.id})
        self.assertEqual(contact.care_churn_reason_id, price, "contacts share the reason")

    def test_account_manager_is_shared_with_contacts(self):
        self.vip.care_account_manager_id = self.users["manager"]
        contact = self.env["res.partner"].create({"name": "Assistant", "parent_id": self.vip.id})
        self.assertEqual(contact.care_account_manager_id, self.users["manager"])
