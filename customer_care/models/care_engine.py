"""Applies the care rules of a company in two phases.

1. ``_claim`` finds in SQL the customers a rule must act on now and claims each of them
   with a log line "to schedule", with its assignee (a unique index makes a second claim
   for the same need impossible); the rule's holdout share gets a "held out" line instead,
   which handles the need without any action (the control group of the effectiveness
   report).
2. ``_act`` takes the claimed lines in batches, creates their activities as
   ``mail.activity.create`` would (texts rendered and sanitized, assignee following the
   customer and notified) and sends the rule's e-mails.

An interactive run does both in one transaction. The scheduled job does one claim or one
batch per transaction, so it finishes at any size: what was claimed and not yet scheduled
is simply the next batch of the next call. Runs of one company are serialised by the engine
lock.
"""

import html
import logging
import math
from collections import Counter, defaultdict
from datetime import timedelta
from functools import reduce

import lxml.html
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import safe_eval

from odoo.addons.customer_segmentation.tools import (
    analyze_if_grown,
    analyze_if_stale,
    tune_transaction,
)

_logger = logging.getLogger(__name__)


def _in_column(field):
    """Whether the value of ``field`` is a column, directly or through related fields."""
    while field.related and not field.store:
        field = field.related_field
    return field.store and field.column_type is not None


class CustomerCareEngine(models.AbstractModel):
    _name = "customer.care.engine"
    _inherit = ["customer.insight.engine"]
    _description = "Customer Care Engine"

    # Claimed customers scheduled per transaction: activities created in bulk, or (rules
    # that send e-mails or Odoo's assignment messages, milliseconds each) fewer.
    _batch_size = 2000
    _message_batch_size = 200
    _lock_key = 1129268050  # arbitrary constant ("CCAR")

    # ------------------------------------------------------------------ entry points

    @api.model
    def run(self, rules=None):
        """Apply ``rules`` (default: the active rules of ``env.company``) in one
        transaction; Customer Insight managers only. Returns {rule id: actions created},
        or False if another run holds the company's lock."""
        self._check_access_manager()
        return self._run(rules)

    @api.model
    def _run(self, rules=None):
        """``run`` without the access check."""
        company = self.env.company
        rules = rules or self._rules(company)
        self.env.flush_all()
        tune_transaction(self.env.cr)
        if not self._try_lock(company):
            _logger.info("Care rules of %s already running, skipped", company.name)
            return False
        self._refresh_purchase_months(company)
        self._follow_plans(company)
        self._close_vanished_activities(company)
        for rule in rules:
            self._claim(rule)
        result = dict.fromkeys(rules.ids, 0)
        for rule in rules:
            after = 0  # the lines scheduled in this transaction are skipped by their id
            while rows := self._pending_lines(rule, after):
                result[rule.id] += self._act(rule, rows)
                after = rows[-1][0]
        _logger.info("Care rules of %s: %s actions", company.name, sum(result.values()))
        return result

    @api.model
    def _cron_apply_rules(self):
        companies = self.env["res.company"].search([("customer_care_enabled", "=", True)])
        # A company whose rules claimed in this run and whose claims are all scheduled is
        # done: each call of the job would otherwise start with it again.
        done = companies.filtered(
            lambda company: self._claimed_in_run(company) and not self._pending_batches(company)
        )
        self._cron_per_company(companies - done, "_step_apply_rules")

    def _claimed_in_run(self, company):
        """Whether the rules of ``company`` claimed in the scheduled job's current run."""
        return self._done_in_run(company.care_claimed_run)

    @api.private
    def _step_apply_rules(self):
        """One transaction of the scheduled run of ``env.company``: a batch of claimed
        customers to schedule, else a claim by every rule (a long step). The run is over
        when what the rules claimed in it is scheduled, or when they claim nobody (lines
        left by an earlier run are scheduled first, then the rules claim). Returns the steps
        left, or None if another run holds the lock or the claim waits for the next pass."""
        company = self.env.company
        self.env.flush_all()
        tune_transaction(self.env.cr)
        if not self._try_lock(company):
            return None
        rules = self._rules(company)
        if batch := self._next_batch(company, rules):
            self._act(*batch)
            left = self._pending_batches(company)
            return left if self._claimed_in_run(company) else left + 1  # else a claim follows
        if not self._long_step_may_start():
            return None
        self._refresh_purchase_months(company)
        self._follow_plans(company)
        self._close_vanished_activities(company)
        claimed = 0
        for rule in rules:
            try:
                claimed += self._claim(rule)
            except UserError as error:
                _logger.warning("%s", error)
        company.sudo().care_claimed_run = self._cron_run_key()
        return self._pending_batches(company) + 1 if claimed else 0

    @api.private
    def _refresh_purchase_months(self, company):
        """Bring the ordering customers per month and class of ``company`` (what the care
        metrics read) up to date when the classification ran since the last update: the
        customers whose orders or contacts were written since, or whose class changed,
        are taken out of the counts as they were counted (customer.order.months) and
        counted again from their orders. The first update counts everyone."""
        if not company.care_purchase_months_outdated:
            return
        cr = self.env.cr
        since = company.care_purchase_months_since
        if since:
            self._stage_changed_order_months(company, since)
            changed = SQL("(SELECT partner_id FROM care_order_months_changed)")
            scope = SQL("(m.partner_id IS NULL OR m.partner_id IN %s)", changed)
            counted_again = SQL("rp.commercial_partner_id IN %s", changed)
        else:
            cr.execute(
                SQL(
                    """DELETE FROM customer_purchase_month WHERE company_id = %(company)s;
                       DELETE FROM customer_order_months WHERE company_id = %(company)s""",
                    company=company.id,
                )
            )
            scope, counted_again = SQL("FALSE"), SQL("TRUE")
        cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS care_order_months_new;
                CREATE TEMP TABLE care_order_months_new ON COMMIT DROP AS
                SELECT o.partner_id, p.segment_id, p.lifecycle_stage, o.months
                  FROM (SELECT rp.commercial_partner_id AS partner_id,
                               array_agg(DISTINCT date_trunc('month', so.date_order)::date
                                         ORDER BY date_trunc('month', so.date_order)::date)
                                   AS months
                          FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                         WHERE so.state = 'sale' AND so.company_id = %(company)s
                           AND %(counted_again)s
                         GROUP BY 1) o
                  LEFT JOIN customer_profile p
                    ON p.partner_id = o.partner_id AND p.company_id = %(company)s
                """,
                company=company.id,
                counted_again=counted_again,
            )
        )
        self._count_order_months(company, scope)
        company.sudo().write(
            {"care_purchase_months_outdated": False, "care_purchase_months_since": cr.now()}
        )
        self.env["customer.purchase.month"].invalidate_model()

    @api.private
    def _stage_changed_order_months(self, company, since):
        """The customers to count again (table care_order_months_changed): those of the
        orders and contacts written since ``since``, and those counted under another class
        than their current one."""
        self.env.cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS care_order_months_changed;
                CREATE TEMP TABLE care_order_months_changed ON COMMIT DROP AS
                SELECT rp.commercial_partner_id AS partner_id
                  FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.write_date >= %(since)s
                UNION
                SELECT commercial_partner_id FROM res_partner WHERE write_date >= %(since)s
                UNION
                SELECT m.partner_id FROM customer_order_months m
                  LEFT JOIN customer_profile p
                    ON p.partner_id = m.partner_id AND p.company_id = m.company_id
                 WHERE m.company_id = %(company)s
                   AND (m.segment_id, m.lifecycle_stage)
                       IS DISTINCT FROM (p.segment_id, p.lifecycle_stage);
                ANALYZE care_order_months_changed
                """,
                company=company.id,
                since=since,
            )
        )

    @api.private
    def _count_order_months(self, company, scope):
        """Apply to the counts per month and class the difference between the customers'
        months as counted (the rows of customer.order.months in ``scope``) and as they are
        now (care_order_months_new), then store the new ones in their place."""
        key = SQL(
            """pm.company_id = %s AND pm.date = d.month
               AND COALESCE(pm.segment_id, 0) = COALESCE(d.segment_id, 0)
               AND COALESCE(pm.lifecycle_stage, '') = COALESCE(d.lifecycle_stage, '')""",
            company.id,
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE TEMP TABLE care_order_months_delta ON COMMIT DROP AS
                SELECT month, segment_id, lifecycle_stage, SUM(sign) AS ordering,
                       COALESCE(SUM(sign) FILTER (WHERE month > first_month), 0) AS repeat
                  FROM (SELECT unnest(months) AS month, months[1] AS first_month,
                               segment_id, lifecycle_stage, sign
                          FROM (SELECT months, segment_id, lifecycle_stage, -1 AS sign
                                  FROM customer_order_months m
                                 WHERE m.company_id = %(company)s AND %(scope)s
                                UNION ALL
                                SELECT months, segment_id, lifecycle_stage, 1
                                  FROM care_order_months_new) moved) x
                 GROUP BY 1, 2, 3
                HAVING SUM(sign) != 0
                    OR COALESCE(SUM(sign) FILTER (WHERE month > first_month), 0) != 0;
                UPDATE customer_purchase_month pm
                   SET ordering_count = pm.ordering_count + d.ordering,
                       repeat_count = pm.repeat_count + d.repeat
                  FROM care_order_months_delta d WHERE %(key)s;
                INSERT INTO customer_purchase_month (
                    company_id, date, segment_id, lifecycle_stage, ordering_count, repeat_count)
                SELECT %(company)s, d.month, d.segment_id, d.lifecycle_stage, d.ordering, d.repeat
                  FROM care_order_months_delta d
                 WHERE NOT EXISTS (SELECT 1 FROM customer_purchase_month pm WHERE %(key)s);
                DELETE FROM customer_purchase_month
                 WHERE company_id = %(company)s AND ordering_count <= 0;
                DROP TABLE care_order_months_delta;
                DELETE FROM customer_order_months m WHERE m.company_id = %(company)s AND %(scope)s;
                INSERT INTO customer_order_months (
                    company_id, partner_id, segment_id, lifecycle_stage, months)
                SELECT %(company)s, partner_id, segment_id, lifecycle_stage, months
                  FROM care_order_months_new
                """,
                company=company.id,
                scope=scope,
                key=key,
            )
        )

    # ------------------------------------------------------------------ phase 1: claim

    @api.private
    def _rules(self, company):
        return self.env["customer.care.rule"].search(
            [("company_id", "=", company.id)], order="sequence, id"
        )

    @api.private
    def _claim(self, rule):
        """Claim every customer ``rule`` must act on now with a log line to schedule;
        return how many."""
        if rule._text_has_code():
            rule._text_author()  # raises when nobody may run the code
        has_members = rule.trigger in ("enter", "recurring")
        if has_members:
            self._sync_members(rule)
        analyze_if_stale(
            self.env.cr, "customer_care_member", "customer_care_log", "customer_care_rule"
        )
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH claimed AS (
                    INSERT INTO customer_care_log (
                        rule_id, partner_id, company_id, user_id, activity_type_id, date,
                        state, lifecycle_stage, segment_id,
                        create_uid, create_date, write_uid, write_date)
                    SELECT %(rule)s, due.partner_id, %(company)s, due.user_id, %(type)s,
                           %(now)s, CASE WHEN %(held_out)s THEN 'holdout' ELSE 'pending' END,
                           p.lifecycle_stage, p.segment_id, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM (%(due)s) due
                      LEFT JOIN customer_profile p
                        ON p.partner_id = due.partner_id AND p.company_id = %(company)s
                      LEFT JOIN (SELECT partner_id, COUNT(*) AS entries FROM customer_care_log
                                  WHERE rule_id = %(rule)s AND state != 'cancelled'
                                  GROUP BY partner_id) e ON e.partner_id = due.partner_id
                    ON CONFLICT (rule_id, partner_id) WHERE state IN ('pending', 'open')
                    DO NOTHING
                    RETURNING partner_id
                ),
                acted AS (
                    UPDATE customer_care_member m SET acted = TRUE FROM claimed c
                     WHERE m.rule_id = %(rule)s AND m.partner_id = c.partner_id AND NOT m.acted
                )%(entered)s
                SELECT COUNT(*) FROM claimed
                """,
                rule=rule.id,
                company=rule.company_id.id,
                type=None if rule.mail_mode == "email" else rule.activity_type_id.id,
                now=now,
                uid=self.env.uid,
                entered=self._entered_sql(rule, now) if has_members else SQL(),
                due=self._due_sql(rule),
                held_out=self._holdout_sql(
                    rule, SQL.identifier("due", "partner_id"), SQL("COALESCE(e.entries, 0)")
                ),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.private
    def _holdout_sql(self, rule, partner, entry):
        """Whether the customer ``partner`` falls in the holdout share of ``rule``: the
        first 32 bits of md5("rule:customer:entry") below the share, where ``entry`` counts
        the rule's earlier actions for the customer, cancelled ones aside (both SQL
        expressions). Reproducible on a rerun; a customer entering the class again is
        drawn anew."""
        return SQL(
            "('x' || left(md5(concat_ws(':', %s, %s, %s)), 8))::bit(32)::bigint < %s",
            rule.id,
            partner,
            entry,
            rule.holdout_percent * 2**32 // 100,
        )

    @api.private
    def _due_sql(self, rule):
        """(partner_id, user_id) of the customers ``rule`` must act on now: those its
        trigger selects, not archived, without an action of the rule under way, and with
        an assignee (unless the rule only sends e-mails)."""
        selector = getattr(self, f"_due_sql_{rule.trigger}", None)
        if selector is None:
            raise UserError(
                self.env._("Unknown care rule trigger: %(trigger)s", trigger=rule.trigger)
            )
        return SQL(
            """
            SELECT * FROM (
                SELECT d.partner_id, %(assignee)s AS user_id
                  FROM (%(due)s) d
                  JOIN res_partner rp ON rp.id = d.partner_id
                 WHERE rp.active AND NOT EXISTS (
                       SELECT 1 FROM customer_care_log l
                        WHERE l.rule_id = %(rule)s AND l.partner_id = d.partner_id
                          AND l.state IN ('pending', 'open'))
            ) due WHERE %(email_only)s OR due.user_id IS NOT NULL
            ORDER BY due.partner_id
            """,
            due=selector(rule, fields.Date.today()),
            rule=rule.id,
            assignee=rule._assignee_sql(),
            email_only=rule.mail_mode == "email",
        )

    def _due_sql_enter(self, rule, today):
        """Members of the class the rule has not acted on since they entered it, and the
        customers entering it now."""
        return SQL(
            """SELECT m.partner_id FROM customer_care_member m WHERE m.rule_id = %s AND NOT m.acted
               UNION ALL SELECT partner_id FROM care_member_new""",
            rule.id,
        )

    def _due_sql_recurring(self, rule, today):
        """Members of the class, entering ones included, without an action of the rule
        (done, or created when not done) in the last ``interval_days``."""
        return SQL(
            """
            SELECT m.partner_id
              FROM (SELECT partner_id FROM customer_care_member WHERE rule_id = %(rule)s
                    UNION ALL SELECT partner_id FROM care_member_new) m
             WHERE NOT EXISTS (
                   SELECT 1 FROM customer_care_log l
                    WHERE l.rule_id = %(rule)s AND l.partner_id = m.partner_id
                      AND COALESCE(l.date_done, l.date::date) > %(since)s)
            """,
            rule=rule.id,
            since=today - timedelta(days=rule.interval_days),
        )

    def _due_sql_inactivity(self, rule, today):
        """Customers of the class without an action of the rule, an order or a contact in
        the last ``interval_days``."""
        since = today - timedelta(days=rule.interval_days)
        return SQL(
            """
            SELECT t.partner_id FROM (%(targets)s) t
             WHERE NOT EXISTS (
                     SELECT 1 FROM customer_care_log l
                      WHERE l.rule_id = %(rule)s AND l.partner_id = t.partner_id
                        AND l.date::date > %(since)s)
               AND NOT EXISTS (
                     SELECT 1 FROM customer_profile p
                      WHERE p.partner_id = t.partner_id AND p.company_id = %(company)s
                        AND p.last_order_date > %(since)s)
               AND NOT EXISTS (%(recent_contact)s)
            """,
            targets=rule._target_sql(),
            rule=rule.id,
            company=rule.company_id.id,
            since=since,
            recent_contact=self.env["res.partner"]._care_contact_sql(
                SQL.identifier("t", "partner_id"), since
            ),
        )

    @api.private
    def _sync_members(self, rule):
        """Members who left the rule's class are forgotten, so that re-entering acts again;
        the customers entering it are staged in the temporary table care_member_new, and
        become members when the rule claims (``_entered_sql``). Inserted there with their
        flag already set, a member is written once: marking a row of the same transaction
        makes PostgreSQL check its foreign keys again."""
        self.env.cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS care_member_new;
                CREATE TEMP TABLE care_member_new (partner_id int) ON COMMIT DROP;
                WITH targets AS (%(targets)s),
                gone AS (
                    DELETE FROM customer_care_member m
                     WHERE m.rule_id = %(rule)s
                       AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.partner_id = m.partner_id)
                )
                INSERT INTO care_member_new
                SELECT t.partner_id FROM targets t
                 WHERE NOT EXISTS (SELECT 1 FROM customer_care_member m
                                    WHERE m.rule_id = %(rule)s AND m.partner_id = t.partner_id);
                ANALYZE care_member_new
                """,
                targets=rule._target_sql(),
                rule=rule.id,
            )
        )

    def _entered_sql(self, rule, now):
        """The claim's insert of the customers entering the class of ``rule`` as members
        since ``now``, acted on if claimed (``claimed``) or with an action of the rule
        under way."""
        return SQL(
            """,
            entered AS (
                INSERT INTO customer_care_member (rule_id, partner_id, company_id, date_from, acted)
                SELECT %(rule)s, n.partner_id, %(company)s, %(now)s,
                       c.partner_id IS NOT NULL OR EXISTS (
                           SELECT 1 FROM customer_care_log l
                            WHERE l.rule_id = %(rule)s AND l.partner_id = n.partner_id
                              AND l.state IN ('pending', 'open'))
                  FROM care_member_new n LEFT JOIN claimed c ON c.partner_id = n.partner_id
                ON CONFLICT (rule_id, partner_id) DO NOTHING
            )""",
            rule=rule.id,
            company=rule.company_id.id,
            now=now,
        )

    @api.private
    def _close_vanished_activities(self, company):
        """Open actions whose activity vanished without anybody deleting it (removed in
        SQL, e.g. with its assignee) are cancelled, and their need is open again: the
        rule acts anew, with an assignee who exists."""
        self.env.cr.execute(
            SQL(
                """
                WITH vanished AS (
                    UPDATE customer_care_log SET state = 'cancelled'
                     WHERE company_id = %s AND state = 'open' AND activity_id IS NULL
                    RETURNING rule_id, partner_id
                )
                UPDATE customer_care_member m SET acted = FALSE FROM vanished v
                 WHERE m.rule_id = v.rule_id AND m.partner_id = v.partner_id
                """,
                company.id,
            )
        )

    # ------------------------------------------------------------------ phase 2: act

    def _batch_size_of(self, rule):
        """Activities in bulk are cheap (a playbook's launch creates one per step); a message
        or an e-mail per customer is not."""
        if rule.mail_mode != "activity" or rule.notify_assignee:
            return self._message_batch_size
        return max(self._batch_size // max(len(rule.plan_id.template_ids), 1), 1)

    @api.private
    def _next_batch(self, company, rules):
        """(rule, [(log id, partner id, user id)]): the next claimed lines to schedule, of
        one rule, or None when nothing is left to schedule."""
        self.env.cr.execute(
            SQL(
                """SELECT rule_id FROM customer_care_log
                    WHERE company_id = %s AND state = 'pending' AND rule_id = ANY(%s)
                    ORDER BY rule_id LIMIT 1""",
                company.id,
                rules.ids,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        rule = self.env["customer.care.rule"].browse(row[0])
        return rule, self._pending_lines(rule)

    def _pending_lines(self, rule, after=0):
        """[(log id, partner id, user id)]: the next batch of claimed lines of ``rule`` to
        schedule, after the line ``after``. Within one transaction the index still holds the
        lines it scheduled: starting after the last of them keeps each batch from reading
        them all again."""
        self.env.cr.execute(
            SQL(
                """SELECT id, partner_id, user_id FROM customer_care_log
                    WHERE company_id = %s AND state = 'pending' AND rule_id = %s AND id > %s
                    ORDER BY id LIMIT %s""",
                rule.company_id.id,
                rule.id,
                after,
                self._batch_size_of(rule),
            )
        )
        return self.env.cr.fetchall()

    @api.private
    def _pending_batches(self, company):
        self.env.cr.execute(
            SQL(
                """SELECT rule_id, COUNT(*) FROM customer_care_log
                    WHERE company_id = %s AND state = 'pending' GROUP BY rule_id""",
                company.id,
            )
        )
        Rule = self.env["customer.care.rule"]
        return sum(
            math.ceil(count / self._batch_size_of(Rule.browse(rule_id)))
            for rule_id, count in self.env.cr.fetchall()
        )

    @api.private
    def _act(self, rule, rows):
        """Schedule the activities and send the e-mails of these claimed lines; return
        how many. Lines whose texts may not be rendered any more are cancelled."""
        # The tables grow by every batch: plans (foreign key checks included) on the
        # statistics of the nearly empty tables of a first run would scan them each time.
        analyze_if_grown(
            self.env.cr,
            "mail_activity",
            "mail_followers",
            "mail_followers_mail_message_subtype_rel",
            "mail_message",
        )
        self._prepare_actions(rule, [log for log, _partner, _user in rows])
        try:
            texts_by_lang = self._render_by_lang(rule, rows)
        except UserError as error:
            _logger.warning("%s", error)
            self._set_state([log for log, _partner, _user in rows], "cancelled")
            return 0
        today = fields.Date.today()
        if rule.plan_id and rule.mail_mode != "email":
            self._schedule_plan(rule, rows, today)
        elif rule.mail_mode != "email":
            self._schedule_activities(rule, rows, texts_by_lang, today)
        if rule.mail_mode != "activity":
            rule.mail_template_id.send_mail_batch([partner for _log, partner, _user in rows])
        if rule.mail_mode == "email":
            self._set_state([log for log, _partner, _user in rows], "done", date_done=today)
        self.env["customer.care.log"].invalidate_model()
        self.env.invalidate_all()  # the batch's customers leave the cache: memory stays flat
        return len(rows)

    def _prepare_actions(self, rule, log_ids):
        """Hook called with the claimed lines of ``rule`` before their texts are rendered and
        their activities and e-mails created: what the actions hand out is prepared here
        (customer_care_loyalty issues the rule's coupons)."""

    def _set_state(self, log_ids, state, date_done=None):
        self.env.cr.execute(
            SQL(
                "UPDATE customer_care_log SET state = %s, date_done = %s WHERE id = ANY(%s)",
                state,
                date_done,
                log_ids,
            )
        )

    def _render_by_lang(self, rule, rows):
        """{partner id: (summary, note)} in each assignee's language; notes sanitized as
        the note field of ``mail.activity`` does."""
        if rule.mail_mode == "email" or rule.plan_id:
            return {}
        users = self.env["res.users"].browse({user for _log, _partner, user in rows})
        lang_of = {user.id: user.lang or "en_US" for user in users}
        partners_by_lang = defaultdict(list)
        for _log, partner, user in rows:
            partners_by_lang[lang_of[user]].append(partner)
        texts = {}
        for lang, partner_ids in partners_by_lang.items():
            localized = rule.with_context(lang=lang)
            summaries = self._render_text(
                localized, localized.summary or localized.name, partner_ids, str
            )
            notes = self._render_note(localized, localized.note or "", partner_ids)
            texts.update(
                (partner_id, (summaries[partner_id], notes[partner_id]))
                for partner_id in partner_ids
            )
        return texts

    def _render_note(self, rule, note, partner_ids):
        """{partner id: sanitized note}. When the placeholders are the customer's key
        figures and stand in text, the template is sanitized once and the values escaped
        as the sanitizer writes text, which gives the same notes as sanitizing each one."""
        activity = self.env["mail.activity"]
        field = activity._fields["note"]

        def sanitize(html):
            return field.convert_to_column(html, activity) or ""

        template = sanitize(note)
        expressions = {e for _s, e, _d in parse_inline_template(template) if e}
        allowed = set(self.env["res.partner"].mail_allowed_qweb_expressions())
        in_text = not any(
            "{{" in value
            for element in lxml.html.fragment_fromstring(
                template or "<p/>", create_parent="div"
            ).iter()
            for value in element.attrib.values()
        )
        if expressions <= allowed and in_text:

            def quote(value):
                if isinstance(value, Markup):  # an HTML field (a signature): sanitized
                    return sanitize(value)
                return html.escape(str(value), quote=False)

            return self._render_text(rule, template, partner_ids, quote)
        notes = self._render_text(rule, note, partner_ids, escape)
        return {partner_id: sanitize(value) for partner_id, value in notes.items()}

    def _render_text(self, rule, text, partner_ids, quote):
        """{partner id: ``text`` with its placeholders replaced by their values passed
        through ``quote``}. The customer's name and key figures are read for everyone at
        once; any other placeholder is code, evaluated as the rule's last editor, a mail
        template editor."""
        template = parse_inline_template(str(text))
        expressions = {expression for _s, expression, _d in template if expression}
        allowed = set(self.env["res.partner"].mail_allowed_qweb_expressions())
        if expressions <= allowed:
            partners = self.env["res.partner"].with_context(lang=rule.env.lang).browse(partner_ids)
            values = self._key_figures(partners, expressions)

            def value_of(partner, expression):
                return values[expression][partner.id]

        else:
            author = rule._text_author()
            partners = self.env["res.partner"].with_user(author).browse(partner_ids)
            variables = self.env["mail.render.mixin"].with_user(author)._render_eval_context()

            def value_of(partner, expression):
                try:
                    return safe_eval(expression, {**variables, "object": partner})
                except Exception as error:
                    raise UserError(
                        self.env._(
                            "Rule %(rule)s: the placeholder %(expression)s failed: %(error)s",
                            rule=rule.name,
                            expression=expression,
                            error=error,
                        )
                    ) from error

        return {
            partner.id: "".join(
                string
                + (str(quote(value_of(partner, expression) or default)) if expression else "")
                for string, expression, default in template
            )
            for partner in partners
        }

    def _key_figures(self, partners, expressions):
        """{expression: {partner id: value}} of ``object.<field>[.<path>]`` expressions, as
        the ORM gives them. The partner fields that live in a column (per-company
        classification included) are read for every partner in one query; those computed on
        the per-company record (a profile's recency) are computed on the records that query
        finds, all together; a path goes on through the ORM from the few records they link,
        as do the other computed fields."""
        Partner = partners.browse()
        links = Partner._company_record_links()
        names = {expression.split(".")[1] for expression in expressions}
        in_sql = sorted(name for name in names if _in_column(Partner._fields[name]))
        on_link = {}  # name: (link, field of the linked record)
        for name in sorted(names - set(in_sql)):
            link, _dot, fname = (Partner._fields[name].related or "").partition(".")
            if link in links and "." not in fname:
                on_link[name] = (link, fname)
        link_names = sorted({link for link, _fname in on_link.values()})
        query = Partner._search([("id", "in", partners.ids)], active_test=False)
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(Partner._table, "id"),
                *(Partner._field_to_sql(Partner._table, name, query) for name in in_sql),
                *(Partner._field_to_sql(Partner._table, link, query) for link in link_names),
            )
        )

        def as_partner_value(name, value):
            field = Partner._fields[name]
            return field.convert_to_record(field.convert_to_cache(value, Partner), Partner)

        by_field = {name: {} for name in names}
        linked = {}
        for partner_id, *row in rows:
            for name, value in zip(in_sql, row[: len(in_sql)], strict=True):
                by_field[name][partner_id] = as_partner_value(name, value)
            linked[partner_id] = dict(zip(link_names, row[len(in_sql) :], strict=True))
        for name, (link, fname) in on_link.items():
            records = (
                self.env[links[link]]
                .sudo()
                .browse(sorted({ids[link] for ids in linked.values() if ids[link]}))
            )
            value_of = {record.id: record[fname] for record in records}  # one prefetch
            by_field[name] = {
                partner_id: as_partner_value(name, value_of.get(ids[link], False))
                for partner_id, ids in linked.items()
            }
        for name in names - set(in_sql) - set(on_link):
            by_field[name] = {partner.id: partner[name] for partner in partners}
        values = {}
        for expression in expressions:
            name, *path = expression.split(".")[1:]
            values[expression] = {
                partner_id: reduce(lambda record, attr: record[attr], path, value)
                for partner_id, value in by_field[name].items()
            }
        return values

    def _schedule_activities(self, rule, rows, texts, today):
        """Create the activities of these claimed lines in one INSERT (notes sanitized as
        the field of ``mail.activity`` does), then announce them."""
        deadline = today + timedelta(days=rule.deadline_days)
        log_ids, partner_ids, user_ids = (list(column) for column in zip(*rows, strict=True))
        self.env.cr.execute(
            SQL(
                """
                WITH created AS (
                    INSERT INTO mail_activity (
                        res_model_id, res_model, res_id, res_name, activity_type_id, summary,
                        note, date_deadline, user_id, user_tz, automated, active,
                        create_uid, create_date, write_uid, write_date)
                    SELECT %(model_id)s, 'res.partner', v.partner_id, rp.complete_name,
                           %(type)s, v.summary, v.note, %(deadline)s, v.user_id, up.tz, TRUE,
                           TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(partners)s::int[], %(users)s::int[], %(summaries)s::varchar[],
                                  %(notes)s::text[]) AS v(partner_id, user_id, summary, note)
                      JOIN res_partner rp ON rp.id = v.partner_id
                      JOIN res_users u ON u.id = v.user_id
                      JOIN res_partner up ON up.id = u.partner_id
                    RETURNING id, res_id, user_id, date_deadline
                )
                UPDATE customer_care_log l
                   SET activity_id = created.id, state = 'open', date_deadline = %(deadline)s
                  FROM created,
                       unnest(%(logs)s::int[], %(partners)s::int[]) AS v(log_id, partner_id)
                 WHERE l.id = v.log_id AND created.res_id = v.partner_id
                RETURNING created.id, created.res_id, created.user_id, created.date_deadline
                """,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                type=rule.activity_type_id.id,
                deadline=deadline,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partners=partner_ids,
                users=user_ids,
                summaries=[texts[partner][0] for partner in partner_ids],
                notes=[texts[partner][1] or None for partner in partner_ids],
                logs=log_ids,
            )
        )
        self._announce_activities(rule, self.env.cr.fetchall(), today)

    def _announce_activities(self, rule, created, today):
        """What ``mail.activity.create`` does after the insert of these activities
        ([(activity id, customer id, assignee id, deadline)]): assignees follow the customer,
        their counter of activities due is updated and, if the rule says so, they get Odoo's
        assignment message."""
        activities = self.env["mail.activity"].browse(row[0] for row in created)
        self._subscribe_assignees([row[1] for row in created], [row[2] for row in created])
        self.env["mail.activity"].invalidate_model()
        if rule.notify_assignee:
            activities.filtered(lambda a: a.user_id != self.env.user).sudo().action_notify()
        due = Counter(user for _activity, _partner, user, deadline in created if deadline <= today)
        for user in self.env["res.users"].browse(due):
            user._bus_send(
                "mail.activity/updated", {"activity_created": True, "count_diff": due[user.id]}
            )

    def _subscribe_assignees(self, partner_ids, user_ids):
        """As ``message_subscribe``: each assignee follows the customer with the default
        subtypes of contacts."""
        subtypes = self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        self.env.cr.execute(
            SQL(
                """
                WITH followers AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT 'res.partner', v.partner_id, u.partner_id
                      FROM unnest(%s::int[], %s::int[]) AS v(partner_id, user_id)
                      JOIN res_users u ON u.id = v.user_id
                    ON CONFLICT DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel
                SELECT f.id, s FROM followers f, unnest(%s::int[]) s
                """,
                partner_ids,
                user_ids,
                subtypes.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
