from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import run_cron_until_done

from ..models.care_engine import CustomerCareEngine
from .common import CareCase


@tagged("post_install", "-at_install")
class TestCareEngine(CareCase):
    def test_on_entering_acts_once_and_again_after_reentry(self):
        rule = self.rule(["new"], deadline_days=3)
        result = self.care.run(rule)
        self.assertEqual(result[rule.id], 1)  # Nobody's Co has no salesperson: waits
        log = self.logs(rule, self.new)
        activity = log.activity_id
        self.assertEqual(activity.res_id, self.new.id)
        self.assertEqual(activity.user_id, self.rep)
        self.assertEqual(activity.summary, "Call New Co")
        self.assertIn(str(self.new.customer_last_order_date), activity.note)
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=3))
        self.assertIn(self.rep.partner_id, self.new.message_partner_ids, "the assignee follows")
        self.assertIn(activity, self.new.activity_ids)
        self.assertEqual(self.care.run(rule)[rule.id], 0)
        activity.action_feedback("Called, all fine")
        self.assertEqual(
            (log.state, log.outcome, log.date_done), ("done", "Called, all fine", self.today)
        )
        self.assertEqual(self.care.run(rule)[rule.id], 0, "still in the class: once is enough")
        profile = self.profile(self.new)
        profile.sudo().lifecycle_stage = "active"
        self.care.run(rule)
        profile.sudo().lifecycle_stage = "new"
        self.assertEqual(self.care.run(rule)[rule.id], 1, "re-entering the class acts again")
        self.assertEqual(len(self.logs(rule, self.new)), 2)

    def test_entering_customers_become_members_in_one_write(self):
        """A customer entering the class is inserted as a member already marked acted on
        when claimed, not inserted and then updated (PostgreSQL would check its foreign
        keys twice); one left waiting for an assignee is marked when claimed later."""
        rule = self.rule(["new"])

        def member_updates():
            self.env.cr.execute(
                "SELECT n_tup_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'customer_care_member'"
            )
            return self.env.cr.fetchone()[0]

        updates = member_updates()
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        self.assertEqual(member_updates(), updates)
        members = self.env["customer.care.member"].search([("rule_id", "=", rule.id)])
        acted = {member.partner_id: member.acted for member in members}
        self.assertEqual(acted, {self.new: True, self.nobody: False})
        self.nobody.user_id = self.rep
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        self.assertEqual(member_updates(), updates + 1)
        self.assertTrue(members.filtered(lambda m: m.partner_id == self.nobody).acted)

    def test_an_archived_customer_is_not_acted_on(self):
        """Archived before the classification drops its profile: no action, and one when
        it is restored while still in the class."""
        rule = self.rule(["new"])
        self.new.action_archive()
        self.assertEqual(self.care.run(rule)[rule.id], 0)
        self.new.action_unarchive()
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        self.assertEqual(len(self.logs(rule, self.new)), 1)

    def test_recurring_counts_from_the_last_done_or_created_action(self):
        rule = self.rule(["vip"], trigger="recurring", interval_days=30)
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        first = self.logs(rule, self.vip)
        self.assertEqual(self.care.run(rule)[rule.id], 0, "an open action exists")
        first.activity_id.action_feedback("ok")
        self.assertEqual(self.care.run(rule)[rule.id], 0, "done today: next in 30 days")
        self.age_logs(first, 29)
        self.assertEqual(self.care.run(rule)[rule.id], 0)
        self.age_logs(first, 2)
        self.assertEqual(self.care.run(rule)[rule.id], 1)
        second = self.logs(rule, self.vip, "open")
        second.activity_id.unlink()
        self.assertEqual(second.state, "cancelled")
        self.assertEqual(self.care.run(rule)[rule.id], 0, "cancelled today: counted from creation")
        self.age_logs(second, 31)
        self.assertEqual(self.care.run(rule)[rule.id], 1)

    def test_inactivity(self):
        rule = self.rule(["vip", "new", "churned"], trigger="inactivity", interval_days=30)
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.churned, "the others ordered recently")
        quiet = self.customer("Quiet VIP", user_id=self.rep.id)
        self.order(quiet, self.today - timedelta(days=40), 10)
        self.engine.run()
        quiet.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.rep.id
        ).action_feedback("met")
        self.care.run(rule)
        self.assertFalse(self.logs(rule, quiet), "a contact done today resets the clock")

    def test_assignees_and_fallbacks(self):
        manager = self.users["manager"]
        fixed = self.users["user"]
        self.vip.care_account_manager_id = manager
        team = self.env["crm.team"].create({"name": "East", "user_id": fixed.id})
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.rep.id})
        cases = {
            "salesperson": self.rep,
            "account_manager": manager,
            "fixed": fixed,
            "team_leader": fixed,
        }
        for assignee, expected in cases.items():
            rule = self.rule(["vip"], assignee=assignee, user_id=fixed.id)
            self.care.run(rule)
            self.assertEqual(self.logs(rule, self.vip).activity_id.user_id, expected, assignee)
        rule = self.rule(["new"], fallback_user_id=manager.id)
        self.care.run(rule)
        self.assertEqual(self.logs(rule, self.nobody).user_id, manager)
        self.company.customer_care_fallback_user_id = fixed
        rule = self.rule(["new"])
        self.care.run(rule)
        self.assertEqual(self.logs(rule, self.nobody).user_id, fixed)

    def test_email_modes(self):
        template = self.env["mail.template"].create(
            {
                "name": "Come back",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "We miss you, {{ object.name }}",
                "body_html": "<p>Hello</p>",
                "email_to": "gone@example.com",
            }
        )
        email_only = self.rule(["churned"], mail_mode="email", mail_template_id=template.id)
        self.care.run(email_only)
        log = self.logs(email_only, self.churned)
        self.assertEqual((log.state, log.activity_id.id), ("done", False))
        mails = self.env["mail.mail"].search([("subject", "=", "We miss you, Gone Co")])
        self.assertEqual(len(mails), 1)
        both = self.rule(["churned"], mail_mode="both", mail_template_id=template.id)
        self.care.run(both)
        self.assertTrue(self.logs(both, self.churned).activity_id)
        self.assertEqual(
            len(self.env["mail.mail"].search([("subject", "=", "We miss you, Gone Co")])), 2
        )

    def test_archived_or_edited_rules(self):
        rule = self.rule(["vip"])
        self.care.run()
        open_activity = self.logs(rule, self.vip).activity_id
        rule.action_archive()
        rule.lifecycle_stage_ids = self.stage("new")
        self.assertFalse(self.care.run().get(rule.id))
        self.assertTrue(open_activity.active, "open activities stay")
        rule.action_unarchive()
        self.care.run()
        self.assertTrue(self.logs(rule, self.new), "the edited class applies at once")

    def test_an_unknown_trigger_raises(self):
        """A trigger without its selection method (``_due_sql_<trigger>``) is an error, not
        another trigger's behaviour."""
        rule = self.rule(["vip"])
        self.env.cr.execute(
            "UPDATE customer_care_rule SET trigger = 'birthday' WHERE id = %s", [rule.id]
        )
        rule.invalidate_recordset()
        with self.assertRaises(UserError):
            self.care.run(rule)

    def test_archived_customers_are_not_targeted(self):
        rule = self.rule(["vip", "new"])
        self.vip.action_archive()
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.new)

    def test_preview_lists_what_a_run_does(self):
        rule = self.rule(["new", "vip"])
        action = rule.action_preview()
        previewed = self.env["res.partner"].search(action["domain"])
        self.assertEqual(previewed, self.new | self.vip)
        self.assertFalse(self.env["customer.care.member"].search([("rule_id", "=", rule.id)]))
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, previewed)
        self.assertFalse(self.env["res.partner"].search(rule.action_preview()["domain"]))

    def test_extra_conditions_domain(self):
        rule = self.rule(["new", "vip"], partner_domain="[('name', 'ilike', 'VIP')]")
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.vip)
        with self.assertRaises(ValidationError):
            rule.partner_domain = "[('no_such_field', '=', 1)]"

    def test_payment_class_target(self):
        """A rule for risky payers acts on the customers with an invoice long overdue."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.vip.id,
                "invoice_date": self.today - timedelta(days=100),
                "invoice_date_due": self.today - timedelta(days=90),
                "invoice_line_ids": [(0, 0, {"name": "Goods", "price_unit": 900, "tax_ids": []})],
            }
        )
        invoice.action_post()
        self.engine.run()
        rule = self.rule(
            [],
            payment_class_ids=[(6, 0, self.env.ref("customer_care.class_payment_class_risky").ids)],
        )
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.vip)

    def test_run_killed_after_a_batch_is_finished_without_duplicates(self):
        """Claimed customers are scheduled a batch per transaction by the scheduled job:
        whatever stops it, the next call goes on; nobody is claimed or scheduled twice."""
        extra = [self.customer(f"New {i}", user_id=self.rep.id) for i in range(5)]
        for partner in extra:
            self.order(partner, self.today - timedelta(days=2), 10)
        self.engine.run()
        rule = self.rule(["new"])
        with patch.object(CustomerCareEngine, "_message_batch_size", 2):
            self.assertEqual(self.care._step_apply_rules(), 4, "6 claimed: 3 batches + 1 claim")
            self.assertEqual(self.care._step_apply_rules(), 3, "a batch scheduled")
            calls = run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertEqual(calls, 3, "two batches left, then a claim that finds nobody")
        logs = self.logs(rule)
        self.assertEqual(len(logs), 6)
        self.assertEqual(len(logs.partner_id), 6)
        self.assertEqual(len(logs.activity_id), 6)
        self.assertEqual(set(logs.mapped("state")), {"open"})

    def test_scheduled_run_ends_with_the_batches_it_claimed(self):
        """Once what the rules claimed in a scheduled run is scheduled, the run is over:
        they do not look for customers twice in one run."""
        extra = [self.customer(f"New {i}", user_id=self.rep.id) for i in range(5)]
        for partner in extra:
            self.order(partner, self.today - timedelta(days=2), 10)
        self.engine.run()
        rule = self.rule(["new"])
        first = self.env["res.company"].create({"name": "AAA first company", "sequence": 0})
        cron = self.env.ref("customer_care.ir_cron_run_care_rules").sudo()
        cron.lastcall = fields.Datetime.now() - timedelta(days=1)
        steps = []
        step = CustomerCareEngine._step_apply_rules

        def counted_step(engine):
            steps.append(engine.env.company)
            return step(engine)

        with (
            patch.object(CustomerCareEngine, "_message_batch_size", 2),
            patch.object(CustomerCareEngine, "_step_apply_rules", counted_step),
        ):
            calls = run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertEqual(calls, 5, "the first company's claim; a claim, then three batches")
        self.assertEqual(len(self.logs(rule, state="open")), 6)
        self.assertTrue(self.company.care_claimed_run)
        self.assertEqual(steps.count(first), 1, "a company done is not taken again")

    def test_every_scheduled_run_claims(self):
        """A run done in one pass still lets the next run claim: Odoo moves the job's last
        call, when a run completes, to the start of its last pass (before the claim)."""
        rule = self.rule(["new"])
        cron = self.env.ref("customer_care.ir_cron_run_care_rules").sudo()
        cron.lastcall = fields.Datetime.now() - timedelta(days=1)
        run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertLessEqual(cron.lastcall, fields.Datetime.now())
        late = self.customer("Late", user_id=self.rep.id)
        self.order(late, self.today - timedelta(days=1), 10)
        self.engine.run()
        run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertEqual(len(self.logs(rule, late)), 1)

    def test_scheduled_run_after_a_run_now(self):
        """A manager's run does not count as the scheduled job's: its next run claims."""
        rule = self.rule(["new"])
        cron = self.env.ref("customer_care.ir_cron_run_care_rules").sudo()
        cron.lastcall = fields.Datetime.now() - timedelta(days=1)
        self.care.run(rule)
        self.assertFalse(self.company.care_claimed_run)
        late = self.customer("Late", user_id=self.rep.id)
        self.order(late, self.today - timedelta(days=1), 10)
        self.engine.run()
        run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertEqual(len(self.logs(rule, late)), 1)

    def test_a_second_open_action_is_impossible(self):
        rule = self.rule(["vip"])
        self.care.run(rule)
        with self.assertRaises(odoo.tools.sql.psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env["customer.care.log"].create(
                {
                    "rule_id": rule.id,
                    "partner_id": self.vip.id,
                    "company_id": self.company.id,
                    "date": "2025-01-01",
                }
            )
            self.env.flush_all()

    def test_concurrent_run_is_skipped(self):
        rule = self.rule(["vip"])
        other = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)", [CustomerCareEngine._lock_key, self.company.id]
            )
            self.assertIs(self.care.run(rule), False)
        finally:
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [CustomerCareEngine._lock_key, self.company.id]
            )
            other.close()
        self.assertEqual(self.care.run(rule)[rule.id], 1)

    def test_cron_respects_the_setting(self):
        rule = self.rule(["vip"])
        self.company.customer_care_enabled = False
        run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertFalse(self.logs(rule))
        self.company.customer_care_enabled = True
        run_cron_until_done(self, "customer_care.ir_cron_run_care_rules")
        self.assertTrue(self.logs(rule))

    def test_access(self):
        rule = self.rule(["vip"])
        with self.assertRaises(AccessError):
            rule.with_user(self.users["user"]).action_run()
        with self.assertRaises(AccessError):
            self.env["customer.care.rule"].with_user(self.users["user"]).run_care_rules()
        rule.with_user(self.users["manager"]).action_run()
        self.assertTrue(self.env["customer.care.log"].with_user(self.rep).search([]))
