from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_date

from ..models.care_engine import CustomerCareEngine
from .common import CareCase


@tagged("post_install", "-at_install")
class TestPlanRules(CareCase):
    """Care rules that launch an activity plan (a playbook) instead of one activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.desk = new_test_user(cls.env, "care_desk", groups="sales_team.group_sale_salesman")
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.email = cls.env.ref("mail.mail_activity_data_email")
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.plan = cls.env["mail.activity.plan"].create(
            {
                "name": "Onboarding",
                "res_model": "res.partner",
                "template_ids": [
                    Command.create(
                        {
                            "activity_type_id": cls.call.id,
                            "summary": "Welcome call",
                            "note": "<p>Say hello</p>",
                            "responsible_type": "on_demand",
                        }
                    ),
                    Command.create(
                        {
                            "activity_type_id": cls.email.id,
                            "delay_count": 3,
                            "delay_from": "after_plan_date",
                            "responsible_type": "other",
                            "responsible_id": cls.desk.id,
                        }
                    ),
                    Command.create(
                        {
                            "activity_type_id": cls.todo.id,
                            "summary": "Satisfaction check",
                            "delay_count": 2,
                            "delay_unit": "weeks",
                            "delay_from": "after_plan_date",
                            "responsible_type": "on_demand",
                        }
                    ),
                    Command.create(
                        {
                            "activity_type_id": cls.todo.id,
                            "summary": "Prepare the file",
                            "delay_count": 1,
                            "delay_unit": "months",
                            "delay_from": "before_plan_date",
                            "responsible_type": "on_demand",
                        }
                    ),
                ],
            }
        )

    def plan_rule(self, stages=("new",), **values):
        return self.rule(list(stages), **{"plan_id": self.plan.id, **values})

    def steps(self, log, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=active)
            .search([("care_log_id", "=", log.id)], order="date_deadline, id")
        )

    def snapshot(self, partner):
        """The activities on ``partner`` and its followers, as comparable values."""
        self.env.flush_all()
        self.env.invalidate_all()
        activities = sorted(
            (
                a.activity_type_id.id,
                a.summary or "",
                str(a.note or ""),
                a.date_deadline,
                a.user_id.id,
                a.automated,
                a.res_model,
                a.user_tz or "",
            )
            for a in self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            )
        )
        followers = sorted(
            (f.partner_id.id, tuple(sorted(f.subtype_ids.ids)))
            for f in self.env["mail.followers"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            )
        )
        return activities, followers

    def test_steps_equal_odoo_plan_launch(self):
        """The steps of a launch are those of Odoo's 'Launch plan' wizard on the same
        customer with the rule's assignee as the user to ask at launch."""
        rule = self.plan_rule()
        with self.env.cr.savepoint(flush=False) as savepoint:
            self.assertEqual(self.care.run(rule)[rule.id], 1)
            ours = self.snapshot(self.new)
            log = self.logs(rule, self.new)
            self.assertEqual(len(self.steps(log)), 4)
            savepoint.rollback()
        self.env.invalidate_all()
        wizard = (
            self.env["mail.activity.schedule"]
            .with_context(active_model="res.partner", active_ids=self.new.ids)
            .create(
                {
                    "plan_id": self.plan.id,
                    "plan_on_demand_user_id": self.rep.id,
                    "plan_date": fields.Date.today(),
                }
            )
        )
        wizard.action_schedule_plan()
        theirs = self.snapshot(self.new)
        self.assertEqual(ours, theirs)
        # and against an independent computation of the delays and assignees
        today = fields.Date.today()
        expected = [
            (today, self.rep),
            (today + timedelta(days=3), self.desk),
            (today + timedelta(weeks=2), self.rep),
            (today - relativedelta(months=1), self.rep),
        ]
        self.assertEqual(
            sorted((a[3], a[4]) for a in ours[0]), sorted((d, u.id) for d, u in expected)
        )
        self.assertIn(self.rep.partner_id.id, [f[0] for f in ours[1]])
        self.assertIn(self.desk.partner_id.id, [f[0] for f in ours[1]])

    def test_one_log_per_launch_pointing_to_the_first_step(self):
        rule = self.plan_rule()
        self.care.run(rule)
        log = self.logs(rule, self.new)
        steps = self.steps(log)
        self.assertEqual(len(log), 1)
        self.assertEqual((log.state, log.plan_id, log.activity_id), ("open", self.plan, steps[0]))
        self.assertEqual(log.date_deadline, fields.Date.today() - relativedelta(months=1))
        self.assertEqual(rule.open_count, 1)
        message = self.new.message_ids.filtered(lambda m: "Onboarding" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(
            (message.message_type, message.subtype_id, message.is_internal, message.author_id),
            ("notification", self.env.ref("mail.mt_note"), True, self.env.user.partner_id),
        )
        for step in steps:
            self.assertIn(
                f"{step.summary or step.activity_type_id.name}, assigned to "
                f"{step.user_id.name}, due on the {format_date(self.env, step.date_deadline)}",
                message.body,
            )
        self.assertFalse(any(self.care.run(rule).values()), "never launched twice")

    def test_batches_are_sized_by_the_steps(self):
        """A batch holds as many launches as its activities allow (four steps: a quarter of
        a batch), and a run of several batches schedules every launch once."""
        extra = [self.customer(f"New {i}", user_id=self.rep.id) for i in range(4)]
        for partner in extra:
            self.order(partner, self.today - timedelta(days=2), 10)
        self.engine.run()
        rule = self.plan_rule(notify_assignee=False)
        with patch.object(CustomerCareEngine, "_batch_size", 8):
            self.assertEqual(self.care._batch_size_of(rule), 2)
            self.assertEqual(self.care.run(rule), {rule.id: 5})
        logs = self.logs(rule)
        self.assertEqual(logs.partner_id, self.new | self.env["res.partner"].concat(*extra))
        self.assertEqual(set(logs.mapped("state")), {"open"})
        for log in logs:
            self.assertEqual(len(self.steps(log)), 4)

    def test_steps_done_one_by_one(self):
        """The launch stays open while steps are left; what is recorded with a step is kept;
        the last step done makes it done, and the rule does not launch again for the same
        entry into the class."""
        rule = self.plan_rule()
        self.care.run(rule)
        log = self.logs(rule, self.new)
        first, second, third, last = self.steps(log).with_user(self.rep)
        third.care_satisfaction = "4"
        third.action_feedback(feedback="Happy")
        self.assertEqual((log.state, log.activity_id), ("open", first))
        self.assertEqual(log.satisfaction, "4")
        first.action_feedback(feedback="Called")
        self.assertEqual((log.state, log.activity_id), ("open", second))
        self.assertEqual(log.date_deadline, second.date_deadline)
        (second | last).sudo().action_feedback(feedback="All done")
        self.assertEqual((log.state, log.satisfaction, log.outcome), ("done", "4", "All done"))
        self.assertEqual(rule.done_count, 1)
        self.assertEqual(len(self.steps(log, active=False)), 4, "done steps are kept")
        self.assertFalse(any(self.care.run(rule).values()))

    def test_deleting_the_steps(self):
        rule = self.plan_rule()
        self.care.run(rule)
        log = self.logs(rule, self.new)
        steps = self.steps(log)
        steps[0].unlink()
        self.assertEqual((log.state, log.activity_id), ("open", steps[1]))
        steps[1:].unlink()
        self.assertEqual(log.state, "cancelled")

    def test_a_vanished_step_is_replaced_by_the_next(self):
        rule = self.plan_rule()
        self.care.run(rule)
        log = self.logs(rule, self.new)
        steps = self.steps(log)
        self.env.cr.execute("DELETE FROM mail_activity WHERE id = %s", [steps[0].id])
        self.env.invalidate_all()
        self.assertFalse(any(self.care.run(rule).values()), "no second launch")
        self.assertEqual((log.state, log.activity_id), ("open", steps[1]))

    def test_stop_on_order(self):
        rule = self.plan_rule(plan_stop_on_order=True)
        keep = self.plan_rule(name="Keeps going")
        self.care.run(rule | keep)
        log, kept = self.logs(rule, self.new), self.logs(keep, self.new)
        self.steps(log)[0].action_feedback(feedback="Called")
        self.age_logs(log | kept, 1)
        self.care.run(rule | keep)
        self.assertEqual(log.state, "open", "no order since the launch yet")
        self.order(self.new, self.today, 100)
        self.assertEqual((log.state, log.stop_reason), ("stopped", "order"), "at confirmation")
        self.care.run(rule | keep)
        self.assertEqual(log.date_stopped, fields.Date.today())
        self.assertFalse(self.steps(log), "the steps left are deleted")
        self.assertEqual(len(self.steps(log, active=False)), 1, "the done step is kept")
        self.assertEqual(kept.state, "open")
        self.assertEqual(len(self.steps(kept)), 4)
        note = self.new.message_ids.filtered(lambda m: "stopped" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Satisfaction check", note.body)
        self.assertFalse(any(self.care.run(rule).values()), "same entry into the class")

    def test_stop_on_reply(self):
        contact = self.env["res.partner"].create({"name": "Ann", "parent_id": self.new.id})
        rule = self.plan_rule(plan_stop_on_reply=True)
        orders_only = self.plan_rule(name="Orders only", plan_stop_on_order=True)
        self.care.run(rule | orders_only)
        log, other = self.logs(rule, self.new), self.logs(orders_only, self.new)
        self.age_logs(log | other, 1)
        self.new.message_post(body="Internal remark", message_type="comment")
        self.care.run(rule | orders_only)
        self.assertEqual(log.state, "open", "a message by us is no reply")
        self.new.message_post(body="Thanks!", message_type="email", author_id=contact.id)
        self.assertEqual((log.state, log.stop_reason), ("stopped", "reply"), "as they wrote")
        self.care.run(rule | orders_only)
        self.assertEqual(other.state, "open")

    def test_stop_whoever_confirms(self):
        """A salesperson without care rights confirms the order: the playbook stops."""
        rule = self.plan_rule(plan_stop_on_order=True)
        self.care.run(rule)
        log = self.logs(rule, self.new)
        self.age_logs(log, 1)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.new.id,
                "user_id": self.desk.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        order.with_user(self.desk).action_confirm()
        self.assertEqual((log.state, log.stop_reason), ("stopped", "order"))
        self.assertFalse(self.steps(log))

    def test_stopped_launches_keep_the_metrics_meaningful(self):
        rule = self.plan_rule(plan_stop_on_order=True)
        self.care.run(rule)
        log = self.logs(rule, self.new)
        self.age_logs(log, 1)
        self.order(self.new, self.today, 100)
        self.care.run(rule)
        self.assertEqual((rule.open_count, rule.done_count), (0, 0))
        self.env.flush_all()
        report = self.env["customer.care.report"].search([("rule_id", "=", rule.id)])
        self.assertEqual(sum(report.mapped("planned_count")), 1)
        self.assertEqual(sum(report.mapped("cancelled_count")), 0)

    def test_account_manager_else_salesperson(self):
        manager = self.users["manager"]
        rule = self.rule(["vip", "new"], assignee="account_manager_salesperson")
        self.vip.care_account_manager_id = manager
        self.care.run(rule)
        self.assertEqual(self.logs(rule, self.vip).activity_id.user_id, manager)
        self.assertEqual(self.logs(rule, self.new).activity_id.user_id, self.rep)

    def test_plan_must_fit(self):
        lead_plan = self.env["mail.activity.plan"].create(
            {
                "name": "Lead plan",
                "res_model": "crm.lead",
                "template_ids": [Command.create({"activity_type_id": self.call.id})],
            }
        )
        with self.assertRaises(ValidationError):
            self.plan_rule(plan_id=lead_plan.id)
        template = self.env["mail.template"].create(
            {"name": "Hello", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaises(ValidationError):
            self.plan_rule(mail_mode="email", mail_template_id=template.id)
        company_b = self.env["res.company"].create({"name": "Company B"})
        plan_b = self.env["mail.activity.plan"].search([("company_id", "=", company_b.id)], limit=1)
        with self.assertRaises(UserError):
            self.plan_rule(plan_id=plan_b.id)


@tagged("post_install", "-at_install")
class TestPlaybookAccess(CareCase):
    """Managers edit the playbooks of contacts of their companies; nobody else edits them,
    and the link of a step to its care action is for sales people."""

    def test_managers_edit_playbooks_of_contacts(self):
        manager = self.users["manager"]
        plans = self.env["mail.activity.plan"].with_user(manager)
        plan = plans.create(
            {
                "name": "Mine",
                "res_model": "res.partner",
                "template_ids": [
                    Command.create(
                        {"activity_type_id": self.env.ref("mail.mail_activity_data_call").id}
                    )
                ],
            }
        )
        plan.template_ids.delay_count = 2
        plan.name = "Renamed"
        lead_plan = self.env["mail.activity.plan"].create(
            {"name": "Leads", "res_model": "crm.lead"}
        )
        with self.assertRaises(AccessError):
            lead_plan.with_user(manager).name = "Hijacked"
        rule = self.rule(["new"]).with_user(manager)
        rule.plan_id = plan
        for login in ("user", "rep", "plain"):
            with self.assertRaises(AccessError):
                plan.with_user(self.users[login]).name = login
            with self.assertRaises(AccessError):
                rule.with_user(self.users[login]).plan_stop_on_order = True

    def test_step_link_is_for_sales_people(self):
        rule = self.rule(
            ["new"], plan_id=self.env.ref(f"customer_care.care_plan_new_{self.company.id}").id
        )
        self.care.run(rule)
        log = self.logs(rule, self.new)
        step = log.activity_id
        self.assertEqual(step.with_user(self.rep).care_log_id, log)
        with self.assertRaises(AccessError):
            step.with_user(self.users["plain"]).care_log_id  # noqa: B018
        portal = new_test_user(self.env, "care_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.env["customer.care.rule"].with_user(portal).search([("plan_id", "!=", False)])


@tagged("post_install", "-at_install")
class TestShippedPlaybooks(CareCase):
    def test_every_company_gets_the_playbooks(self):
        main = self.env.ref("base.main_company")
        company_b = self.env["res.company"].create({"name": "Company B"})
        for company in main | company_b:
            plans = self.env["mail.activity.plan"].search([("company_id", "=", company.id)])
            names = set(plans.mapped("name"))
            self.assertLessEqual(
                {
                    "Welcome and onboarding",
                    "VIP dedicated service",
                    "Targeted marketing",
                    "Revisit and promotions",
                    "Win-back",
                },
                names,
            )
            welcome = self.env.ref(f"customer_care.care_plan_new_{company.id}")
            self.assertEqual(welcome.res_model, "res.partner")
            self.assertEqual(
                [
                    (t.activity_type_id.id, t.delay_count, t.delay_from)
                    for t in welcome.template_ids
                ],
                [
                    (self.env.ref("mail.mail_activity_data_call").id, 0, "after_plan_date"),
                    (self.env.ref("mail.mail_activity_data_email").id, 3, "after_plan_date"),
                    (self.env.ref("mail.mail_activity_data_call").id, 14, "after_plan_date"),
                ],
            )
        company_b._create_care_playbooks()
        self.assertEqual(
            self.env["mail.activity.plan"].search_count([("company_id", "=", company_b.id)]),
            5,
            "created once",
        )

    def test_shipped_rules_launch_them(self):
        vip = self.env.ref("customer_care.care_rule_vip_revisit")
        main = self.env.ref("base.main_company")
        self.assertEqual(vip.plan_id, self.env.ref(f"customer_care.care_plan_vip_{main.id}"))
        self.assertEqual(vip.assignee, "account_manager_salesperson")
        win_back = self.env.ref("customer_care.care_rule_churned_win_back")
        self.assertTrue(win_back.plan_stop_on_order)
        at_risk = self.env.ref("customer_care.care_rule_at_risk_check_in")
        self.assertFalse(at_risk.plan_id)
