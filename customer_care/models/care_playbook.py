"""Playbooks: care rules that launch an activity plan instead of a single activity.

One care action (log line) per launch, whatever the number of steps: the steps are the
activities linked to it by ``care_log_id``, its ``activity_id`` is the first step still to
do, and it stays open until none is left, so the rule never launches the plan twice for
the same need. At each run, the launches whose customer ordered or replied since are
stopped, when their rule says so: the steps still to do are deleted, the done ones kept.
An order confirmed or a message written by the customer stops them at once.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.misc import format_date


class CustomerCareEngine(models.AbstractModel):
    _inherit = "customer.care.engine"

    # ------------------------------------------------------------------ launch

    def _plan_steps(self, rule, today):
        """[(activity type, summary, note, deadline, user or None)] of the rule's plan
        launched ``today``, as Odoo's 'Launch plan' computes them: the step's delay from the
        plan date, its default user if it has one (else the rule's assignee, given per
        customer), its summary and note or those of its activity type."""
        note = self.env["mail.activity"]._fields["note"]
        steps = []
        for template in rule.plan_id.template_ids:
            activity_type = template.activity_type_id
            user = template.responsible_id if template.responsible_type == "other" else None
            steps.append(
                (
                    activity_type.id,
                    template.summary or activity_type.summary or None,
                    note.convert_to_column(
                        template.note or activity_type.default_note, self.env["mail.activity"]
                    )
                    or None,
                    template._get_date_deadline(today),
                    user.id if user else None,
                )
            )
        return steps

    def _schedule_plan(self, rule, rows, today):
        """Create every step of the rule's plan for these claimed lines in one INSERT (as
        ``_schedule_activities`` does for one activity), point each line to its first step,
        announce the activities and log the launch on the customers."""
        steps = self._plan_steps(rule, today)
        columns = list(zip(*rows, strict=True))
        step_columns = list(zip(*steps, strict=True))
        self.env.cr.execute(
            SQL(
                """
                WITH created AS (
                    INSERT INTO mail_activity (
                        res_model_id, res_model, res_id, res_name, activity_type_id, summary,
                        note, date_deadline, user_id, user_tz, automated, active, care_log_id,
                        create_uid, create_date, write_uid, write_date)
                    SELECT %(model_id)s, 'res.partner', v.partner_id, rp.complete_name,
                           s.type_id, s.summary, s.note, s.deadline, u.id, up.tz, FALSE, TRUE,
                           v.log_id, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(logs)s::int[], %(partners)s::int[], %(users)s::int[])
                           AS v(log_id, partner_id, user_id)
                     CROSS JOIN unnest(%(types)s::int[], %(summaries)s::varchar[],
                                       %(notes)s::text[], %(deadlines)s::date[],
                                       %(step_users)s::int[]) WITH ORDINALITY
                           AS s(type_id, summary, note, deadline, user_id, step)
                      JOIN res_partner rp ON rp.id = v.partner_id
                      JOIN res_users u ON u.id = COALESCE(s.user_id, v.user_id)
                      JOIN res_partner up ON up.id = u.partner_id
                     ORDER BY v.log_id, s.step
                    RETURNING id, res_id, user_id, date_deadline, summary, activity_type_id,
                              care_log_id
                ),
                launched AS (
                    UPDATE customer_care_log l
                       SET activity_id = f.id, activity_type_id = f.activity_type_id,
                           date_deadline = f.date_deadline, plan_id = %(plan)s, state = 'open'
                      FROM (SELECT DISTINCT ON (care_log_id) * FROM created
                             ORDER BY care_log_id, date_deadline, id) f
                     WHERE l.id = f.care_log_id
                )
                SELECT id, res_id, user_id, date_deadline, summary, activity_type_id
                  FROM created ORDER BY id
                """,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                logs=list(columns[0]),
                partners=list(columns[1]),
                users=list(columns[2]),
                types=list(step_columns[0]),
                summaries=list(step_columns[1]),
                notes=list(step_columns[2]),
                deadlines=list(step_columns[3]),
                step_users=list(step_columns[4]),
                plan=rule.plan_id.id,
            )
        )
        created = self.env.cr.fetchall()
        self.env["customer.care.log"].invalidate_model()
        self._announce_activities(rule, [row[:4] for row in created], today)
        self._log_plan_started(rule, created)

    def _log_plan_started(self, rule, created):
        """As Odoo's 'Launch plan': a note on each customer lists the steps, their
        assignee and deadline (``created``: [(activity, customer, assignee, deadline,
        summary, activity type)])."""
        names = {
            record.id: record.name
            for model, column in (("res.users", 2), ("mail.activity.type", 5))
            for record in self.env[model].browse({row[column] for row in created})
        }
        dates = {day: format_date(self.env, day) for day in {row[3] for row in created}}
        # The launches of a batch mostly share their steps: each line is written once.
        line = self.env._("%(activity)s, assigned to %(name)s, due on the %(deadline)s")
        texts = {}
        lines = {}
        for _activity, partner_id, user_id, deadline, summary, type_id in created:
            key = (summary or names[type_id], user_id, deadline)
            if key not in texts:
                texts[key] = line % {
                    "activity": key[0],
                    "name": names[user_id],
                    "deadline": dates[deadline],
                }
            lines.setdefault(partner_id, []).append(texts[key])
        title = self.env._(
            'The playbook "%(plan)s" of the care rule "%(rule)s" has been started',
            plan=rule.plan_id.name,
            rule=rule.name,
        )
        self._log_on_customers(title, lines)

    def _log_on_customers(self, title, lines):
        """A note ``title`` with a list of ``lines`` {customer id: [text]} on each customer,
        written in one INSERT with the values of Odoo's ``_message_log_batch`` (texts
        escaped, no notification)."""
        Thread = self.env["mail.thread"]
        author_id, email_from = Thread._message_compute_author()
        partner_ids = list(lines)
        body_of = {}  # customers with the same lines get the same body, written once
        for texts in map(tuple, lines.values()):
            if texts not in body_of:
                body_of[texts] = str(
                    Markup("<p>%s</p><ul>%s</ul>")
                    % (title, Markup().join(Markup("<li>%s</li>") % text for text in texts))
                )
        bodies = [body_of[tuple(lines[partner])] for partner in partner_ids]
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message (
                    model, res_id, body, message_type, subtype_id, is_internal, author_id,
                    email_from, reply_to, message_id, email_add_signature, date,
                    create_uid, create_date, write_uid, write_date)
                SELECT 'res.partner', v.res_id, v.body, 'notification', %(subtype)s, TRUE,
                       %(author)s, %(email_from)s, %(reply_to)s, %(message_id)s, FALSE,
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(partners)s::int[], %(bodies)s::text[]) AS v(res_id, body)
                """,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from,
                reply_to=Thread._notify_get_reply_to(default=email_from, author_id=author_id)[
                    False
                ],
                message_id=generate_tracking_message_id("message-notify"),
                now=now,
                uid=self.env.uid,
                partners=partner_ids,
                bodies=bodies,
            )
        )
        self.env["mail.message"].invalidate_model()
        self.env["res.partner"].invalidate_model(["message_ids"])

    # ------------------------------------------------------------------ follow-up

    @api.private
    def _follow_plans(self, company):
        """Stop the launches whose customer ordered or replied since, as their rule asks,
        and point the others whose current step vanished to their next step."""
        self._stop_plans(company)
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_care_log l
                   SET activity_id = a.id, activity_type_id = a.activity_type_id,
                       date_deadline = a.date_deadline
                  FROM (SELECT DISTINCT ON (a.care_log_id) a.* FROM mail_activity a
                          JOIN customer_care_log l ON l.id = a.care_log_id
                         WHERE l.company_id = %s AND l.state = 'open' AND l.activity_id IS NULL
                           AND a.active
                         ORDER BY a.care_log_id, a.date_deadline, a.id) a
                 WHERE l.id = a.care_log_id
                """,
                company.id,
            )
        )
        self.env["customer.care.log"].invalidate_model()

    @api.private
    def _stop_plans(self, company=None, partner_ids=None):
        """Open launches of rules that stop on an order (a sale order of the customer
        confirmed after the launch) or a reply (an e-mail or message written by the customer
        or one of its contacts after the launch) are stopped; their steps still to do are
        deleted and the stop is noted on the customer. Those of ``company`` (at each run)
        or of the customers ``partner_ids`` (as soon as they order or write). Returns the
        stopped lines' ids."""
        scope = (
            SQL("l.company_id = %s", company.id)
            if company
            else SQL("l.partner_id = ANY(%s)", list(partner_ids))
        )
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "date_order"])
        self.env["mail.message"].flush_model(["author_id", "message_type", "date"])
        self.env["customer.care.log"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT MIN(l.date) FROM customer_care_log l
                    WHERE %s AND l.state = 'open' AND l.plan_id IS NOT NULL""",
                scope,
            )
        )
        (first_launch,) = cr.fetchone()
        if not first_launch:
            return []
        # Each reason is a semi-join over all the open launches at once: as sub-plans per
        # launch, the planner scanned every message for each of them (quadratic). Only the
        # orders and messages since the first open launch are read (a literal date, so
        # that the planner reads the recent orders by date).
        cr.execute(
            SQL(
                """
                WITH launched AS (
                    SELECT l.id, l.partner_id, l.company_id, l.date,
                           r.plan_stop_on_order, r.plan_stop_on_reply
                      FROM customer_care_log l
                      JOIN customer_care_rule r ON r.id = l.rule_id
                     WHERE %(scope)s AND l.state = 'open' AND l.plan_id IS NOT NULL
                       AND (r.plan_stop_on_order OR r.plan_stop_on_reply)
                ),
                reasons AS (
                    SELECT l.id, 'order' AS reason FROM launched l
                     WHERE l.plan_stop_on_order AND EXISTS (
                           SELECT 1 FROM res_partner c
                             JOIN sale_order so ON so.partner_id = c.id
                            WHERE c.commercial_partner_id = l.partner_id
                              AND so.company_id = l.company_id
                              AND so.state = 'sale' AND so.date_order > l.date
                              AND so.date_order > %(first_launch)s)
                    UNION ALL
                    SELECT l.id, 'reply' FROM launched l
                     WHERE l.plan_stop_on_reply AND EXISTS (
                           SELECT 1 FROM res_partner c
                             JOIN mail_message m ON m.author_id = c.id
                            WHERE c.commercial_partner_id = l.partner_id
                              AND m.message_type IN ('email', 'comment')
                              AND m.date > l.date AND m.date > %(first_launch)s)
                )
                UPDATE customer_care_log l
                   SET state = 'stopped', stop_reason = s.reason, date_stopped = %(today)s
                  FROM (SELECT DISTINCT ON (id) id, reason FROM reasons
                         ORDER BY id, reason = 'reply') s
                 WHERE l.id = s.id
                RETURNING l.id
                """,
                today=fields.Date.today(),
                scope=scope,
                first_launch=first_launch,
            )
        )
        log_ids = [row[0] for row in cr.fetchall()]
        if not log_ids:
            return log_ids
        self.env["customer.care.log"].invalidate_model()
        logs = self.env["customer.care.log"].browse(log_ids)
        steps = self.env["mail.activity"].sudo().search([("care_log_id", "in", log_ids)])
        reasons = dict(logs._fields["stop_reason"]._description_selection(self.env))
        steps_of = steps.grouped("care_log_id")
        lines = {}
        for log in logs:
            left = steps_of.get(log, steps.browse())
            lines.setdefault(log.partner_id.id, []).append(
                self.env._(
                    '"%(plan)s" of the care rule "%(rule)s" (%(reason)s); steps cancelled: '
                    "%(steps)s",
                    plan=log.plan_id.name,
                    rule=log.rule_id.name,
                    reason=reasons[log.stop_reason],
                    steps=", ".join(s.summary or s.activity_type_id.name for s in left) or "-",
                )
            )
        steps.unlink()
        self._log_on_customers(self.env._("Care playbooks stopped:"), lines)
        return log_ids
