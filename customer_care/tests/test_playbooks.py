from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDefaultPlaybooks(TransactionCase):
    def test_each_playbook_acts_on_its_class(self):
        customers = self.env["customer.insight.demo"]._generate(size=90, seed=4)
        self.env["customer.segmentation.engine"].run()
        rules = self.env["customer.care.rule"].search([("company_id", "=", self.env.company.id)])
        playbooks = {
            "care_rule_vip_revisit": "vip",
            "care_rule_new_welcome": "new",
            "care_rule_at_risk_check_in": "at_risk",
            "care_rule_churned_win_back": "churned",
            "care_rule_potential_follow_up": "potential",
            "care_rule_active_quarterly": "active",
        }
        self.assertEqual(
            rules, rules.browse([self.env.ref(f"customer_care.{x}").id for x in playbooks])
        )
        rules.holdout_percent = 0  # every customer of the class gets the playbook's action
        result = self.env["customer.care.rule"].run_care_rules()
        for xmlid, stage in playbooks.items():
            rule = self.env.ref(f"customer_care.{xmlid}")
            logs = self.env["customer.care.log"].search([("rule_id", "=", rule.id)])
            self.assertTrue(logs, xmlid)
            self.assertEqual(result[rule.id], len(logs))
            self.assertEqual(
                set(logs.partner_id.mapped("customer_lifecycle_stage")), {stage}, xmlid
            )
            expected = customers.filtered(
                lambda p, s=stage: p.customer_lifecycle_stage == s and p.user_id
            )
            if xmlid != "care_rule_potential_follow_up":
                self.assertEqual(logs.partner_id, expected, xmlid)
            self.assertTrue(all(log.activity_id.user_id == log.partner_id.user_id for log in logs))
        win_back = self.env.ref("customer_care.care_rule_churned_win_back")
        self.assertTrue(win_back.ask_churn_reason)
        self.assertFalse(any(self.env["customer.care.rule"].run_care_rules().values()))
