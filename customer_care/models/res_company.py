from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)
MAX_EFFECTIVENESS_WINDOW_DAYS = 730
CALL = "mail.mail_activity_data_call"
EMAIL = "mail.mail_activity_data_email"
MEETING = "mail.mail_activity_data_meeting"

# The care strategies of the seeds, per class, as activity plans: (activity type, summary,
# days after the launch, instructions) per step, and what the shipped rule of the class
# becomes when it launches the playbook.
PLAYBOOKS = {
    "new": {
        "name": _lt("Welcome and onboarding"),
        "rule": "care_rule_new_welcome",
        "rule_values": {},
        "steps": [
            (
                CALL,
                _lt("Welcome call"),
                0,
                _lt(
                    "Thank the customer for the first order, check that it went well and explain "
                    "how to reach us."
                ),
            ),
            (
                EMAIL,
                _lt("Send the welcome pack"),
                3,
                _lt("Send the welcome pack: getting started guide, contacts and current offers."),
            ),
            (
                CALL,
                _lt("Satisfaction check"),
                14,
                _lt(
                    "Ask how satisfied the customer is with the first order and the onboarding; "
                    "record the score when you mark this done."
                ),
            ),
        ],
    },
    "vip": {
        "name": _lt("VIP dedicated service"),
        "rule": "care_rule_vip_revisit",
        "rule_values": {"assignee": "account_manager_salesperson"},
        "steps": [
            (
                CALL,
                _lt("Personal VIP call"),
                0,
                _lt("Call the customer personally: thank them, ask what they need next."),
            ),
            (
                EMAIL,
                _lt("Exclusive VIP offer"),
                2,
                _lt("Send an exclusive offer matched to what the customer buys."),
            ),
            (
                MEETING,
                _lt("VIP review meeting"),
                10,
                _lt(
                    "Meet the customer to review their satisfaction and plans for the next months."
                ),
            ),
        ],
    },
    "potential": {
        "name": _lt("Targeted marketing"),
        "rule": "care_rule_potential_follow_up",
        "rule_values": {"plan_stop_on_order": True, "plan_stop_on_reply": True},
        "steps": [
            (
                EMAIL,
                _lt("Send tailored content"),
                0,
                _lt("Send the content that matches the prospect's interest."),
            ),
            (
                CALL,
                _lt("Follow-up call"),
                4,
                _lt("Call to answer questions and propose a next step."),
            ),
            (EMAIL, _lt("First-order offer"), 10, _lt("Send an offer for a first order.")),
        ],
    },
    "active": {
        "name": _lt("Revisit and promotions"),
        "rule": "care_rule_active_quarterly",
        "rule_values": {"plan_stop_on_order": True},
        "steps": [
            (
                CALL,
                _lt("Revisit call"),
                0,
                _lt("Review the customer's needs and present new products."),
            ),
            (
                EMAIL,
                _lt("Current promotions"),
                5,
                _lt("Send the current promotions that fit what the customer buys."),
            ),
        ],
    },
    "churned": {
        "name": _lt("Win-back"),
        "rule": "care_rule_churned_win_back",
        "rule_values": {"plan_stop_on_order": True},
        "steps": [
            (
                CALL,
                _lt("Win-back call"),
                0,
                _lt(
                    "Learn why the customer left (record the churn reason when you mark this "
                    "done) and what would bring them back."
                ),
            ),
            (
                EMAIL,
                _lt("Win-back offer"),
                3,
                _lt("Send an offer that answers the reason the customer gave."),
            ),
            (CALL, _lt("Win-back follow-up"), 14, _lt("Call to follow up on the offer.")),
        ],
    },
}


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_care_enabled = fields.Boolean(
        "Customer Care Engine",
        default=True,
        help="When set, the scheduled action applies the care rules of this company.",
    )
    customer_care_fallback_user_id = fields.Many2one(
        "res.users",
        string="Care Fallback User",
        help="Gets the care activities whose rule finds no assignee and names no fallback user.",
    )
    care_purchase_months_outdated = fields.Boolean(
        "Ordering Customers Outdated",
        default=True,
        readonly=True,
        help="Set by each complete classification run: the care engine then brings the "
        "ordering customers per month and class that the care metrics read up to date.",
    )
    care_purchase_months_since = fields.Datetime(
        "Ordering Customers Updated",
        readonly=True,
        help="When the care engine last brought the ordering customers per month up to "
        "date: the customers whose orders were written since, or whose class changed, are "
        "counted again at its next update. Empty: every customer is counted again.",
    )
    care_claimed_run = fields.Char(
        "Care Rules Last Applied In",
        readonly=True,
        help="The run of the scheduled job (its last call date as Odoo gives it) in which "
        "the care rules of this company last looked for the customers to act on. That run "
        "ends once the customers found in it are scheduled.",
    )
    care_effectiveness_window_days = fields.Integer(
        "Effectiveness Window (days)",
        default=90,
        help="The Care Effectiveness report compares treated and held-out customers over this "
        "many days after the rule chose them (orders, revenue, churn and win-back in the "
        "window); customers chosen more recently are left out until their window is over.",
    )

    @api.constrains("care_effectiveness_window_days")
    def _check_care_effectiveness_window_days(self):
        for company in self:
            if not 1 <= company.care_effectiveness_window_days <= MAX_EFFECTIVENESS_WINDOW_DAYS:
                raise ValidationError(
                    self.env._(
                        "The care effectiveness window is 1 to %(max)s days.",
                        max=MAX_EFFECTIVENESS_WINDOW_DAYS,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_care_playbooks()
        return companies

    @api.model
    def _ship_care_playbooks(self):
        """The shipped playbooks for every company (at installation and update)."""
        self.search([])._create_care_playbooks()

    def _create_care_playbooks(self):
        """Create the shipped playbooks these companies lack, as activity plans of contacts
        named in the language of the company; the company's shipped care rule of each class
        launches its new playbook (when it launches none yet)."""
        Plan = self.env["mail.activity.plan"].sudo()
        for company in self:
            lang = company.partner_id.lang or self.env.lang or "en_US"
            for key, playbook in PLAYBOOKS.items():
                xmlid = f"customer_care.care_plan_{key}_{company.id}"
                if self.env.ref(xmlid, raise_if_not_found=False):
                    continue
                plan = Plan.create(
                    {
                        "name": playbook["name"]._translate(lang),
                        "res_model": "res.partner",
                        "company_id": company.id,
                        "template_ids": [
                            Command.create(
                                {
                                    "sequence": 10 * (index + 1),
                                    "activity_type_id": self.env.ref(type_xmlid).id,
                                    "summary": summary._translate(lang),
                                    "note": Markup("<p>%s</p>") % note._translate(lang),
                                    "delay_count": days,
                                    "delay_unit": "days",
                                    "delay_from": "after_plan_date",
                                    "responsible_type": "on_demand",
                                }
                            )
                            for index, (type_xmlid, summary, days, note) in enumerate(
                                playbook["steps"]
                            )
                        ],
                    }
                )
                self.env["ir.model.data"]._update_xmlids(
                    [{"xml_id": xmlid, "record": plan, "noupdate": True}]
                )
                rule = self.env.ref(f"customer_care.{playbook['rule']}", raise_if_not_found=False)
                if rule and rule.company_id == company and not rule.plan_id:
                    rule.sudo().write({"plan_id": plan.id, **playbook["rule_values"]})
