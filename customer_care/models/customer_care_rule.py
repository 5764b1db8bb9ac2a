from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .satisfaction import satisfaction_class_sql, satisfaction_sql

TEMPLATE_EDITOR_GROUP = "mail.group_mail_template_editor"
MAX_INTERVAL_DAYS = 3650
MAX_DEADLINE_DAYS = 365
MAX_HOLDOUT_PERCENT = 50

TRIGGERS = [
    ("enter", "On entering the class"),
    ("recurring", "Recurring while in the class"),
    ("inactivity", "After inactivity"),
]
ASSIGNEES = [
    ("salesperson", "Customer's salesperson"),
    ("account_manager", "Customer's account manager"),
    ("account_manager_salesperson", "Account manager, else salesperson"),
    ("fixed", "A fixed user"),
    ("team_leader", "Sales team leader"),
]


class CustomerCareRule(models.Model):
    _name = "customer.care.rule"
    _description = "Customer Care Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # Who is targeted: a customer matches when it satisfies every criterion that is set.
    lifecycle_stage_ids = fields.Many2many(
        "customer.class.value",
        "customer_care_rule_stage_rel",
        "rule_id",
        "value_id",
        string="Lifecycle Stages",
        domain=[("kind", "=", "lifecycle_stage")],
        help="Customers in any of these lifecycle stages; empty means any stage.",
    )
    segment_ids = fields.Many2many(
        "customer.rfm.segment",
        string="RFM Segments",
        help="Customers in any of these RFM segments; empty means any segment.",
    )
    value_tier_ids = fields.Many2many(
        "customer.class.value",
        "customer_care_rule_tier_rel",
        "rule_id",
        "value_id",
        string="Value Tiers",
        domain=[("kind", "=", "value_tier")],
        help="Customers of any of these value tiers; empty means any tier.",
    )
    customer_type_ids = fields.Many2many(
        "customer.class.value",
        "customer_care_rule_type_rel",
        "rule_id",
        "value_id",
        string="Customer Types",
        domain=[("kind", "=", "customer_type")],
        help="Customers of any of these types; empty means any type.",
    )
    payment_class_ids = fields.Many2many(
        "customer.class.value",
        "customer_care_rule_payment_class_rel",
        "rule_id",
        "value_id",
        string="Payment Classes",
        domain=[("kind", "=", "payment_class")],
        help="Customers of any of these payment classes (how they pay their invoices), for "
        "example risky payers to call before the next delivery; empty means any.",
    )
    satisfaction_class_ids = fields.Many2many(
        "customer.class.value",
        "customer_care_rule_satisfaction_class_rel",
        "rule_id",
        "value_id",
        string="Satisfaction",
        domain=[("kind", "=", "satisfaction_class")],
        help="Customers whose last satisfaction score, given when a care activity was done, "
        "is in any of these classes: unsatisfied (1 or 2), neutral (3), satisfied (4 or 5). "
        "Customers without a score never match; empty means any customer.",
    )
    partner_domain = fields.Char(
        "Extra Conditions",
        default="[]",
        help="Further conditions on the customer (the commercial entity), as an Odoo domain.",
    )
    trigger = fields.Selection(
        TRIGGERS,
        required=True,
        default="enter",
        help="On entering the class: once each time a customer enters the targeted class. "
        "Recurring: every N days while the customer stays in the class, counted from the last "
        "activity of this rule (its done date, or its creation). After inactivity: when the "
        "customer had no done activity and no order for N days.",
    )
    interval_days = fields.Integer(
        "Every / After (days)",
        default=30,
        help="Recurring: days between two activities. After inactivity: days without a done "
        "activity and without an order.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        domain="[('res_model', 'in', [False, 'res.partner'])]",
        help="Type of the activity scheduled on the customer.",
    )
    summary = fields.Char(
        translate=True,
        help="Title of the activity; placeholders such as {{ object.name }} are replaced by "
        "the customer's values.",
    )
    note = fields.Html(
        translate=True,
        help="Instructions in the activity; placeholders such as {{ object.name }} are replaced "
        "by the customer's values. Placeholders other than the customer's name and key "
        "figures are code: only mail template editors may write them.",
    )
    deadline_days = fields.Integer(
        "Deadline (days)", default=3, help="The activity is due this many days after it is created."
    )
    assignee = fields.Selection(
        ASSIGNEES,
        required=True,
        default="salesperson",
        help="Who gets the activity: the customer's salesperson, the dedicated account manager "
        "set on the customer (or, when none is set, the salesperson), a fixed user, or the "
        "leader of the customer's sales team.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Fixed User",
        check_company=True,
        domain="[('share', '=', False)]",
        help="For 'a fixed user'.",
    )
    fallback_user_id = fields.Many2one(
        "res.users",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Gets the activity when the chosen assignee is not set on the customer, is "
        "archived or does not work for the rule's company; defaults to the fallback user of "
        "the Settings.",
    )
    notify_assignee = fields.Boolean(
        "Notify the Assignee",
        default=True,
        help="Send each assignee Odoo's 'activity assigned to you' message, as when somebody "
        "assigns an activity by hand. Off: the activities only appear in the assignee's "
        "activities and counter, as those Odoo schedules in bulk (better for rules that act "
        "on thousands of customers).",
    )

    plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Playbook",
        check_company=True,
        domain="[('res_model', '=', 'res.partner'), ('template_ids', '!=', False)]",
        help="Launch this activity plan of contacts instead of a single activity: each of its "
        "steps is scheduled as Odoo's 'Launch plan' would, due after the step's delay from "
        "the day of the launch, and assigned to the step's default user or, for steps to "
        "assign at launch, to the rule's assignee.",
    )
    plan_stop_on_order = fields.Boolean(
        "Stop on Order",
        help="The steps of the playbook still to do are cancelled when the customer confirms "
        "a sale order after the launch (checked at each run of the care rules).",
    )
    plan_stop_on_reply = fields.Boolean(
        "Stop on Reply",
        help="The steps of the playbook still to do are cancelled when the customer (or one "
        "of its contacts) writes an e-mail or a message after the launch (checked at each "
        "run of the care rules).",
    )

    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'res.partner')]",
        help="Optional e-mail sent to the customer by the rule.",
    )
    ask_churn_reason = fields.Boolean(
        "Ask the Churn Reason",
        help="The activity asks why the customer left; the reason chosen when it is done is "
        "kept on the customer.",
    )
    log_ids = fields.One2many("customer.care.log", "rule_id", string="Actions")
    open_count = fields.Integer(
        "Open Actions", compute="_compute_counts", help="Activities of this rule still to do."
    )
    done_count = fields.Integer(
        "Done Actions", compute="_compute_counts", help="Activities of this rule done."
    )
    mail_mode = fields.Selection(
        [("activity", "Activity only"), ("both", "Activity and e-mail"), ("email", "E-mail only")],
        string="Action",
        required=True,
        default="activity",
        help="Schedule the activity, send the e-mail template as well, or send only the e-mail.",
    )
    holdout_percent = fields.Integer(
        "Holdout (%)",
        default=10,
        help="Share of the targeted customers kept as a control group: they get no activity "
        "and no e-mail, only a 'held out' line in the care actions, and the Care Effectiveness "
        "report compares them with the treated customers. The draw is a hash of the rule, the "
        "customer and the number of the customer's earlier actions of the rule: the same "
        "customers on a rerun, a new draw each time a customer enters the class again. "
        "0 acts on everyone; at most 50.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._check_text_rights()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self._check_text_rights()
        return result

    def _update_field_translations(self, field_name, translations, digest=None, source_lang=""):
        result = super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )
        for lang in translations:
            self.with_context(lang=lang)._check_text_rights()
        return result

    def _text_has_code(self):
        """The summary or the note has placeholders beyond the customer's key figures."""
        render = self.env["mail.render.mixin"]
        return any(
            render._has_unsafe_expression_template_inline_template(str(text), "res.partner")
            for rule in self.sudo()
            for text in (rule.summary, rule.note)
            if text
        )

    def _check_text_rights(self):
        """As for mail templates: code in the texts is for mail template editors only."""
        if (
            not self.env.su
            and not self.env.user.has_group(TEMPLATE_EDITOR_GROUP)
            and self._text_has_code()
        ):
            raise AccessError(
                self.env._(
                    "Only members of the group %(group)s may write placeholders other than the "
                    "customer's name and key figures in care rules.",
                    group=self.env.ref(TEMPLATE_EDITOR_GROUP).name,
                )
            )

    def _text_author(self):
        """The user as whom the texts' code runs: the rule's last editor, who must (still)
        be an active mail template editor. Raises UserError otherwise."""
        self.ensure_one()
        author = self.sudo().write_uid
        if not (author.active and author.has_group(TEMPLATE_EDITOR_GROUP)):
            raise UserError(
                self.env._(
                    "Rule %(rule)s has placeholders that only a mail template editor may "
                    "write, and its last editor (%(user)s) is not one: it does nothing until a "
                    "template editor saves it again.",
                    rule=self.name,
                    user=author.name,
                )
            )
        return author

    @api.constrains("trigger", "interval_days", "deadline_days")
    def _check_days(self):
        for rule in self:
            if rule.trigger != "enter" and not 1 <= rule.interval_days <= MAX_INTERVAL_DAYS:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the number of days must be between 1 and %(max)s.",
                        rule=rule.name,
                        max=MAX_INTERVAL_DAYS,
                    )
                )
            if not 0 <= rule.deadline_days <= MAX_DEADLINE_DAYS:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the deadline must be between 0 and %(max)s days.",
                        rule=rule.name,
                        max=MAX_DEADLINE_DAYS,
                    )
                )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for rule in self:
            try:
                self.env["res.partner"].search_count(rule._partner_domain(), limit=1)
            except (ValueError, SyntaxError, KeyError, TypeError) as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the extra conditions are not a valid domain on "
                        "contacts (%(error)s).",
                        rule=rule.name,
                        error=error,
                    )
                ) from error

    @api.constrains("assignee", "user_id", "mail_mode", "mail_template_id")
    def _check_assignee(self):
        for rule in self:
            if rule.assignee == "fixed" and not rule.user_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s: choose the fixed user.", rule=rule.name)
                )
            if rule.mail_mode != "activity" and not rule.mail_template_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s: choose the e-mail template to send.", rule=rule.name)
                )

    @api.constrains("holdout_percent")
    def _check_holdout_percent(self):
        for rule in self:
            if not 0 <= rule.holdout_percent <= MAX_HOLDOUT_PERCENT:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the holdout share must be between 0 and %(max)s %%.",
                        rule=rule.name,
                        max=MAX_HOLDOUT_PERCENT,
                    )
                )

    @api.constrains("plan_id", "mail_mode")
    def _check_plan(self):
        for rule in self.filtered("plan_id"):
            if rule.plan_id.res_model != "res.partner" or not rule.plan_id.template_ids:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the playbook must be an activity plan of contacts with "
                        "at least one activity.",
                        rule=rule.name,
                    )
                )
            if rule.mail_mode == "email":
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: a rule that only sends e-mails launches no playbook.",
                        rule=rule.name,
                    )
                )

    @api.depends("log_ids.state")
    def _compute_counts(self):
        counts = {
            (rule.id, state): count
            for rule, state, count in self.env["customer.care.log"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id", "state"], ["__count"]
            )
        }
        for rule in self:
            rule.open_count = counts.get((rule.id, "open"), 0)
            rule.done_count = counts.get((rule.id, "done"), 0)

    # ------------------------------------------------------------------ SQL

    def _partner_domain(self):
        return Domain(literal_eval(self.partner_domain or "[]"))

    def _target_sql(self):
        """Commercial entities of the rule's company in the targeted class; archived ones
        too until the classification drops their profile (``_due_sql`` leaves them out).
        The partners are read only for what the profile does not hold: joined to every
        profile, they were all hashed for each rule (1.6 million at a million customers)."""
        self.ensure_one()
        conditions = [SQL("p.company_id = %s", self.company_id.id)]
        for values, column in (
            (self.lifecycle_stage_ids.mapped("code"), SQL.identifier("p", "lifecycle_stage")),
            (self.value_tier_ids.mapped("code"), SQL.identifier("p", "value_tier")),
            (self.payment_class_ids.mapped("code"), SQL.identifier("p", "payment_class")),
            (self.segment_ids.ids, SQL.identifier("p", "segment_id")),
        ):
            if values:
                conditions.append(SQL("%s = ANY(%s)", column, values))
        if self.customer_type_ids:
            conditions.append(
                SQL(
                    "p.partner_id IN (SELECT id FROM res_partner WHERE customer_type = ANY(%s))",
                    self.customer_type_ids.mapped("code"),
                )
            )
        if self.satisfaction_class_ids:
            conditions.append(
                SQL(
                    "p.partner_id IN (SELECT s.partner_id FROM (%s) s WHERE %s = ANY(%s))",
                    satisfaction_sql(self.company_id.id),
                    satisfaction_class_sql(SQL.identifier("s", "last_score")),
                    self.satisfaction_class_ids.mapped("code"),
                )
            )
        domain = self._partner_domain()
        if not domain.is_true():
            partners = self.env["res.partner"].with_company(self.company_id)._search(domain)
            conditions.append(SQL("p.partner_id IN %s", partners.subselect()))
        return SQL(
            "SELECT p.partner_id FROM customer_profile p WHERE %s", SQL(" AND ").join(conditions)
        )

    def _assignee_sql(self):
        """The user to assign, from the customer's row ``rp``: the chosen assignee, else the
        rule's fallback user, else the company's; each only if active, internal and working
        for the rule's company."""
        self.ensure_one()
        company = self.company_id
        partners = self.env["res.partner"].with_company(company)
        salesperson = SQL.identifier("rp", "user_id")
        manager = partners._field_to_sql("rp", "care_account_manager_id")
        chosen = {
            "salesperson": [salesperson],
            "account_manager": [manager],
            "account_manager_salesperson": [manager, salesperson],
            "fixed": [SQL("%s::int", self.user_id.id or None)],
            "team_leader": [
                SQL(
                    """(SELECT t.user_id FROM crm_team_member tm
                      JOIN crm_team t ON t.id = tm.crm_team_id
                     WHERE tm.user_id = rp.user_id AND tm.active AND t.active
                       AND t.user_id IS NOT NULL
                       AND (t.company_id = %s OR t.company_id IS NULL)
                     ORDER BY t.sequence, t.id LIMIT 1)""",
                    company.id,
                )
            ],
        }[self.assignee]

        # Not correlated: PostgreSQL hashes the company's users once, not a lookup per row.
        users = SQL(
            """SELECT u.id FROM res_users u
                 JOIN res_company_users_rel cu ON cu.user_id = u.id AND cu.cid = %s
                WHERE u.active AND NOT u.share""",
            company.id,
        )

        def valid(user):
            return SQL("CASE WHEN %s IN (%s) THEN %s END", user, users, user)

        fallbacks = [
            SQL("%s::int", self.fallback_user_id.id or None),
            SQL("%s::int", company.customer_care_fallback_user_id.id or None),
        ]
        return SQL("COALESCE(%s)", SQL(", ").join(valid(user) for user in chosen + fallbacks))

    # ------------------------------------------------------------------ actions

    def action_preview(self):
        """The customers this rule would act on now."""
        self.ensure_one()
        engine = self.env["customer.care.engine"].with_company(self.company_id)
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            if self.trigger in ("enter", "recurring"):
                engine._sync_members(self)
            self.env.cr.execute(engine._due_sql(self))
            partner_ids = [partner for partner, _user in self.env.cr.fetchall()]
            savepoint.rollback()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers %(rule)s would act on now", rule=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", partner_ids)],
            "context": {"create": False},
        }

    def action_run(self):
        """Apply this rule now."""
        self.env["customer.care.engine"]._check_access_manager()
        created = 0
        for company, rules in self.grouped("company_id").items():
            result = self.env["customer.care.engine"].with_company(company).run(rules)
            if result is False:
                raise UserError(self.env._("Care rules are already running; try again shortly."))
            created += sum(result.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s care actions created.", count=created),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.readonly
    def action_view_logs(self):
        self.ensure_one()
        self.env["customer.care.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_care.action_customer_care_log"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action

    @api.model
    def run_care_rules(self):
        """Apply every active rule of the current company now (public API; Customer Insight
        managers). Returns {rule id: actions created}, or False if a run is in progress."""
        return self.env["customer.care.engine"].run()
