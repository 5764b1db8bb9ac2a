import hashlib
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CareCase

POPULATION = 1200


def held_out(rule, partner_id, entry, percent):
    """The draw, computed here apart from the engine's SQL: md5("rule:customer:entry")."""
    digest = hashlib.md5(f"{rule.id}:{partner_id}:{entry}".encode()).hexdigest()
    return int(digest[:8], 16) < percent * 2**32 // 100


@tagged("post_install", "-at_install")
class TestHoldout(CareCase):
    """A generated population of new customers, all of one salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crowd = cls.env["res.partner"].create(
            [
                {"name": f"Crowd {i}", "is_company": True, "user_id": cls.rep.id}
                for i in range(POPULATION)
            ]
        )
        # classified new, as a classification run would write it (without 1200 orders)
        cls.env["customer.profile"].sudo().create(
            [
                {"partner_id": partner.id, "company_id": cls.company.id, "lifecycle_stage": "new"}
                for partner in cls.crowd
            ]
        )

    def crowd_rule(self, pattern="Crowd %", **values):
        domain = f"[('name', '=like', '{pattern}')]"
        values = {"holdout_percent": 10, "notify_assignee": False, **values}
        return self.rule(["new"], partner_domain=domain, **values)

    def expected(self, rule, entry=0, partners=None):
        if partners is None:
            partners = self.env["res.partner"].search(rule._partner_domain()) & self.crowd
        return {p for p in partners.ids if held_out(rule, p, entry, rule.holdout_percent)}

    def assert_drawn_again(self, rule, held):
        """The held-out customers, due again (the treated ones still have their activity
        open), are drawn anew for their second entry."""
        second = self.logs(rule, state="holdout") - held
        self.assertEqual(set(second.partner_id.ids), self.expected(rule, 1, held.partner_id))
        self.assertTrue(second)
        self.assertNotEqual(second.partner_id, held.partner_id)
        treated_now = (self.logs(rule, state="open") - held).filtered(
            lambda log: log.partner_id in held.partner_id
        )
        self.assertEqual(treated_now.partner_id, held.partner_id - second.partner_id)
        self.assertTrue(treated_now.activity_id)

    def test_share_is_within_tolerance_and_the_draw_is_reproducible(self):
        rule = self.crowd_rule()
        self.env.flush_all()
        with self.env.cr.savepoint() as savepoint:
            self.care.run(rule)
            first = set(self.logs(rule, state="holdout").partner_id.ids)
            savepoint.rollback()
        self.env.invalidate_all()
        result = self.care.run(rule)
        held = set(self.logs(rule, state="holdout").partner_id.ids)
        self.assertEqual(held, first, "a rerun holds out the same customers")
        self.assertEqual(held, self.expected(rule), "md5 of rule, customer and entry")
        share = len(held) / POPULATION
        # 10 % of 1200: standard deviation 0.87 point; 4.5 of them either side
        self.assertAlmostEqual(share, 0.10, delta=0.04)
        self.assertEqual(result[rule.id], POPULATION - len(held), "actions for the others only")
        holdouts = self.logs(rule, state="holdout")
        self.assertFalse(holdouts.activity_id)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", list(held))]
            )
        )
        self.assertEqual(set(holdouts.mapped("lifecycle_stage")), {"new"}, "class when targeted")
        self.assertEqual(holdouts.user_id, self.rep, "who would have acted")
        self.assertEqual(len(self.logs(rule, state="open")), POPULATION - len(held))

        other = self.crowd_rule(name="Other rule")
        self.care.run(other)
        other_held = set(self.logs(other, state="holdout").partner_id.ids)
        self.assertEqual(other_held, self.expected(other))
        self.assertNotEqual(other_held, held, "each rule draws its own control group")

    def test_holdout_handles_the_need_once_and_reentry_draws_again(self):
        template = self.env["mail.template"].create(
            {
                "name": "Hello",
                "subject": "Hello",
                "model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        # the customers named Crowd 1..., a third held out, activity and e-mail for the others
        rule = self.crowd_rule(
            "Crowd 1%", holdout_percent=33, mail_mode="both", mail_template_id=template.id
        )
        size = len(self.env["res.partner"].search(rule._partner_domain()))
        before = self.env["mail.mail"].search([], order="id desc", limit=1).id
        self.care.run(rule)
        held = self.logs(rule, state="holdout")
        self.assertEqual(set(held.partner_id.ids), self.expected(rule))
        self.assertTrue(held)
        mails = self.env["mail.mail"].search(
            [("id", ">", before), ("model", "=", "res.partner"), ("subject", "=", "Hello")]
        )
        self.assertTrue(mails)
        self.assertFalse(set(mails.mapped("res_id")) & set(held.partner_id.ids), "no e-mail")
        self.assertEqual(self.care.run(rule)[rule.id], 0, "never acted upon twice")
        self.assertEqual(len(self.logs(rule)), size, "nor held out twice")
        self.assertFalse(held.activity_id)
        self.assertEqual(held.mapped("state"), ["holdout"] * len(held))

        # Everybody leaves the class and enters it again: a new draw per entry.
        profiles = self.env["customer.profile"].search([("partner_id", "in", self.crowd.ids)])
        profiles.sudo().lifecycle_stage = "active"
        self.care.run(rule)
        profiles.sudo().lifecycle_stage = "new"
        self.care.run(rule)
        self.assert_drawn_again(rule, held)
        self.assertEqual(len(self.logs(rule)), size + len(held))

    def test_recurring_holdout_waits_the_interval(self):
        rule = self.crowd_rule(trigger="recurring", interval_days=30)
        self.care.run(rule)
        held = self.logs(rule, state="holdout")
        self.assertEqual(self.care.run(rule)[rule.id], 0)
        self.age_logs(self.logs(rule), 31)
        self.care.run(rule)
        self.assert_drawn_again(rule, held)

    def test_counts_and_analysis_leave_holdouts_apart(self):
        rule = self.crowd_rule(deadline_days=0)
        self.care.run(rule)
        held = len(self.logs(rule, state="holdout"))
        treated = POPULATION - held
        self.assertEqual((rule.open_count, rule.done_count), (treated, 0))
        self.logs(rule, state="open")[:10].activity_id.action_feedback("ok")
        self.env.flush_all()
        self.env.cr.execute(  # every line of the rule was due yesterday
            "UPDATE customer_care_log SET date_deadline = %s WHERE rule_id = %s",
            [self.today - timedelta(days=1), rule.id],
        )
        self.env.invalidate_all()
        [(planned, holdout, done, overdue, done_rate)] = self.env[
            "customer.care.report"
        ]._read_group(
            [("rule_id", "=", rule.id)],
            aggregates=[
                "planned_count:sum",
                "holdout_count:sum",
                "done_count:sum",
                "overdue_count:sum",
                "done_rate:sum",
            ],
        )
        self.assertEqual((planned, holdout, done), (treated, held, 10))
        self.assertEqual(overdue, treated - 10, "held-out customers are never overdue")
        self.assertAlmostEqual(done_rate, 1000.0 / treated)

    def test_holdout_share_bounds(self):
        for percent in (-1, 51):
            with self.subTest(percent=percent), self.assertRaises(ValidationError):
                self.rule(["new"], holdout_percent=percent)
        rule = self.rule(["new"], holdout_percent=50)
        with self.assertRaises(ValidationError):
            rule.holdout_percent = 60
        self.assertEqual(self.env["customer.care.rule"].create({"name": "x"}).holdout_percent, 10)
