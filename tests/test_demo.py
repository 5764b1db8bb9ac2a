from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    def test_the_demo_company_gets_value_predictions_and_care_activities(self):
        """What `make demo` loads: the generated customers, their classification, the care
        rules applied (some activities done), the value models fitted and mailings sent to
        the classes."""
        demo = self.env["customer.insight.demo"]
        customers = demo._generate()
        self.env["customer.segmentation.engine"]._run()
        self.env["customer.segmentation.engine"]._replay_now(24)
        demo._generate_care_follow_up()
        demo._generate_value_models()
        demo._generate_class_mailings()
        predictions = self.env["customer.clv.prediction"].search(
            [("partner_id", "in", customers.ids)]
        )
        self.assertGreater(len(predictions), len(customers) // 2)
        logs = self.env["customer.care.log"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(set(logs.mapped("state")), {"open", "done"})
        self.assertEqual(set(logs.filtered("satisfaction").mapped("state")), {"done"})
        self.assertTrue(
            self.env["customer.profile"].search([("partner_id", "in", customers.ids)]).segment_id
        )
        replayed = self.env["customer.segment.snapshot"].search([("replayed", "=", True)])
        self.assertEqual(len(set(replayed.mapped("date"))), 24, "two years of month-ends")
        churn = self.env["customer.care.metrics"].search_count([("fact", "=", "churn")])
        self.assertGreater(churn, 10, "the churn chart starts two years back")
        per_segment = self.env["customer.care.mailing.metrics"]._read_group(
            [], ["segment_id"], ["sent_count:sum", "opened_count:sum", "clicked_count:sum"]
        )
        self.assertGreater(len(per_segment), 3, "mailings reached several segments")
        for segment, sent, opened, clicked in per_segment:
            self.assertTrue(sent >= opened >= clicked, f"plausible figures for {segment.name}")
        totals = [sum(group[column] for group in per_segment) for column in (1, 2, 3)]
        self.assertTrue(totals[0] > totals[1] > totals[2] > 0, "some opened, fewer clicked")
