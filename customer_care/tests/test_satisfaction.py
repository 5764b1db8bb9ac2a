import random
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CareCase

CLASSES = {1: "unsatisfied", 2: "unsatisfied", 3: "neutral", 4: "satisfied", 5: "satisfied"}


@tagged("post_install", "-at_install")
class TestSatisfaction(CareCase):
    def done_logs(self, rows, company=None):
        """Done care actions [(partner, days ago, score or None)] of the company."""
        rule = self.rule(["new"], company_id=(company or self.company).id, active=False)
        return (
            self.env["customer.care.log"]
            .sudo()
            .create(
                [
                    {
                        "rule_id": rule.id,
                        "partner_id": partner.id,
                        "company_id": (company or self.company).id,
                        "date": self.today - timedelta(days=days + 1),
                        "date_done": self.today - timedelta(days=days),
                        "state": "done",
                        "satisfaction": score and str(score),
                    }
                    for partner, days, score in rows
                ]
            )
        )

    def test_score_and_comment_kept_when_the_activity_is_done(self):
        rule = self.rule(["new"])
        self.care.run(rule)
        activity = self.logs(rule, self.new).activity_id
        self.assertTrue(activity.care_ask_satisfaction)
        other = self.vip.activity_schedule("mail.mail_activity_data_call", user_id=self.rep.id)
        self.assertFalse(other.care_ask_satisfaction, "not a care activity")
        activity.with_user(self.rep).write(
            {"care_satisfaction": "2", "care_satisfaction_comment": "Delivery was late"}
        )
        activity.with_user(self.rep).action_feedback("Called")
        log = self.logs(rule, self.new)
        self.assertEqual(
            (log.state, log.satisfaction, log.satisfaction_comment, log.outcome),
            ("done", "2", "Delivery was late", "Called"),
        )
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.new.id})
        for partner in (self.new, contact):
            self.assertEqual(partner.customer_satisfaction_last, 2)
            self.assertEqual(partner.customer_satisfaction_avg, 2.0)
            self.assertEqual(partner.customer_satisfaction_class, "unsatisfied")
        self.assertIn(
            contact,
            self.env["res.partner"].search([("customer_satisfaction_class", "=", "unsatisfied")]),
        )

    def test_done_without_score(self):
        rule = self.rule(["vip"])
        self.care.run(rule)
        self.logs(rule, self.vip).activity_id.action_feedback("No answer")
        self.assertFalse(self.logs(rule, self.vip).satisfaction)
        self.assertFalse(self.vip.customer_satisfaction_last)
        self.assertFalse(self.vip.customer_satisfaction_class)

    def test_average_last_and_class_against_the_logs(self):
        rng = random.Random(13)
        company_b = self.env["res.company"].create({"name": "Care B"})
        self.env.user.company_ids |= company_b
        customers = [self.customer(f"S{i}") for i in range(12)]
        rows = {self.company: [], company_b: []}
        for company, company_rows in rows.items():
            for partner in customers[:-1]:  # the last customer has no score
                for _ in range(rng.randint(0, 4)):
                    score = rng.choice([None, 1, 2, 3, 4, 5])
                    company_rows.append((partner, rng.randint(0, 5), score))
            self.done_logs(company_rows, company)
        open_log = self.done_logs([(customers[0], 0, 5)])
        open_log.state = "open"  # open actions do not count
        for company, company_rows in rows.items():
            Partner = self.env["res.partner"].with_company(company)
            expected = {}
            # the log done last; on the same day, the one created last (created in order)
            for partner, days, score in company_rows:
                if score is not None:
                    scores, last = expected.get(partner.id, ([], None))
                    if last is None or days <= last[0]:
                        last = (days, score)
                    expected[partner.id] = (scores + [score], last)
            for partner in Partner.browse([c.id for c in customers]):
                scores, last = expected.get(partner.id, ([], None))
                self.assertAlmostEqual(
                    partner.customer_satisfaction_avg,
                    sum(scores) / len(scores) if scores else 0,
                    places=2,
                )
                self.assertEqual(partner.customer_satisfaction_last, last[1] if last else 0)
                self.assertEqual(
                    partner.customer_satisfaction_class, CLASSES[last[1]] if last else False
                )
            ids = [c.id for c in customers]
            for code in ("unsatisfied", "neutral", "satisfied"):
                found = Partner.search(
                    [("id", "in", ids), ("customer_satisfaction_class", "=", code)]
                )
                want = {p for p, (_s, last) in expected.items() if CLASSES[last[1]] == code}
                self.assertEqual(set(found.ids), want, code)
            found = Partner.search([("id", "in", ids), ("customer_satisfaction_avg", ">=", 3)])
            want = {p for p, (scores, _l) in expected.items() if sum(scores) >= 3 * len(scores)}
            self.assertEqual(set(found.ids), want)
            found = Partner.search([("id", "in", ids), ("customer_satisfaction_last", "=", False)])
            self.assertEqual(set(found.ids), set(ids) - set(expected))
            found = Partner.search(
                [("id", "in", ids), ("customer_satisfaction_last", "in", [False, 4])]
            )
            want = {p for p, (_s, last) in expected.items() if last[1] == 4}
            self.assertEqual(set(found.ids), want | (set(ids) - set(expected)))
        self.assertNotEqual(expected, {}, "the generated data has scores")

    def test_rule_targets_a_satisfaction_class(self):
        self.done_logs([(self.new, 5, 5), (self.new, 1, 1), (self.vip, 2, 4), (self.churned, 3, 3)])
        unsatisfied = self.env.ref("customer_care.class_satisfaction_class_unsatisfied")
        rule = self.rule(
            ["new", "vip", "churned", "active"], satisfaction_class_ids=[(6, 0, unsatisfied.ids)]
        )
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.new, "last score 1")
        neutral = self.env.ref("customer_care.class_satisfaction_class_neutral")
        rule.satisfaction_class_ids = neutral | unsatisfied
        self.care.run(rule)
        self.assertEqual(self.logs(rule).partner_id, self.new | self.churned)

    def test_access(self):
        rule = self.rule(["new"])
        self.care.run(rule)
        activity = self.logs(rule, self.new).activity_id
        portal = new_test_user(self.env, "care_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.new.with_user(portal).read(["customer_satisfaction_avg"])
        with self.assertRaises(AccessError):
            self.new.with_user(portal).read(["customer_satisfaction_last"])
        with self.assertRaises(AccessError):
            activity.with_user(portal).write({"care_satisfaction": "1"})
        with self.assertRaises(AccessError):
            activity.with_user(portal).action_feedback("Nice try")
        log = self.logs(rule, self.new)
        self.assertEqual((log.state, log.satisfaction), ("open", False))
        with self.assertRaises(AccessError):
            log.with_user(portal).read(["satisfaction"])
        with self.assertRaises(AccessError):
            log.with_user(self.rep).write({"satisfaction": "5"})
        self.assertFalse(self.new.with_user(self.users["plain"]).customer_satisfaction_class)
