from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    def test_the_demo_company_gets_value_predictions_and_care_activities(self):
        """What `make demo` loads: the generated customers, their classification, a year of
        past care measured against its control group, the care rules applied (some
        activities done), the value models fitted the care offers
        issued (some used) and mailings sent to the classes."""
        demo = self.env["customer.insight.demo"]
        customers = demo._generate()
        self.env["customer.segmentation.engine"]._run()
        self.env["customer.segmentation.engine"]._replay_now(24)
        demo._generate_care_history()
        demo._generate_care_follow_up()
        demo._generate_value_models()
        demo._generate_care_offers()
        demo._generate_class_mailings()
        predictions = self.env["customer.clv.prediction"].search(
            [("partner_id", "in", customers.ids)]
        )
        self.assertGreater(len(predictions), len(customers) // 2)
        logs = self.env["customer.care.log"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(set(logs.mapped("state")), {"open", "done", "holdout", "stopped"})
        self.assertEqual(set(logs.filtered("satisfaction").mapped("state")), {"done"})
        # launched by this run (the past care of the effectiveness report has no steps)
        since = fields.Datetime.now() - timedelta(days=1)
        playbooks = logs.filtered(lambda log: log.plan_id and log.date > since)
        self.assertTrue(playbooks, "the shipped rules launch playbooks")
        # stopped: the customers who ordered with their coupon since the launch
        self.assertEqual(set(playbooks.mapped("state")), {"open", "done", "stopped"})
        steps = self.env["mail.activity"].with_context(active_test=False)
        done = steps.search([("care_log_id", "in", playbooks.ids), ("active", "=", False)])
        self.assertGreater(
            len(done.care_log_id),
            len(playbooks.filtered(lambda log: log.state == "done")),
            "some playbooks are under way: their first step done",
        )
        self.assertTrue(
            self.env["customer.profile"].search([("partner_id", "in", customers.ids)]).segment_id
        )
        replayed = self.env["customer.segment.snapshot"].search([("replayed", "=", True)])
        self.assertEqual(len(set(replayed.mapped("date"))), 24, "two years of month-ends")
        [(treated, held_out, uplift)] = self.env["customer.care.effectiveness"]._read_group(
            [("metric", "=", "repurchase")],
            aggregates=["treated_count:sum", "holdout_count:sum", "uplift:sum"],
        )
        self.assertGreater(treated, 5 * held_out, "a year of past care, about 10 % held out")
        self.assertGreater(held_out, 10)
        self.assertGreater(uplift, 5, "the care's known effect: more treated customers reorder")
        churn = self.env["customer.care.metrics"].search_count([("fact", "=", "churn")])
        self.assertGreater(churn, 10, "the churn chart starts two years back")
        [(issued, used, revenue)] = self.env["customer.care.offer.report"]._read_group(
            [("partner_id", "in", customers.ids)],
            aggregates=["issued_count:sum", "used_count:sum", "revenue:sum"],
        )
        self.assertGreater(issued, used, "offers issued, some used")
        self.assertGreater(used, 0)
        self.assertGreater(revenue, 0)
        per_segment = self.env["customer.care.mailing.metrics"]._read_group(
            [], ["segment_id"], ["sent_count:sum", "opened_count:sum", "clicked_count:sum"]
        )
        self.assertGreater(len(per_segment), 3, "mailings reached several segments")
        for segment, sent, opened, clicked in per_segment:
            self.assertTrue(sent >= opened >= clicked, f"plausible figures for {segment.name}")
        totals = [sum(group[column] for group in per_segment) for column in (1, 2, 3)]
        self.assertTrue(totals[0] > totals[1] > totals[2] > 0, "some opened, fewer clicked")
