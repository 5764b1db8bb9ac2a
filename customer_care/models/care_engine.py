"""Applies the care rules of a company: finds in SQL the customers each rule must act on
now, claims them with an open log line (a unique index makes a second claim impossible),
then schedules their activities and e-mails in batches.

A run killed mid-way rolls its current batch back, and the next run finds the same
customers still due; concurrent runs of a company are serialised by an advisory lock.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from functools import reduce

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.rendering_tools import parse_inline_template

from odoo.addons.customer_segmentation.models.segmentation_engine import tune_transaction

_logger = logging.getLogger(__name__)


class CustomerCareEngine(models.AbstractModel):
    _name = "customer.care.engine"
    _description = "Customer Care Engine"

    _batch_size = 2000
    _lock_key = 1129268050  # arbitrary constant ("CCAR")

    @api.model
    def run(self, rules=None, commit=False):
        """Apply ``rules`` (default: the active rules of ``env.company``); return
        {rule id: actions created}, or False if another run holds the company's lock."""
        company = self.env.company
        rules = rules or self.env["customer.care.rule"].search(
            [("company_id", "=", company.id)], order="sequence, id"
        )
        self.env.flush_all()
        tune_transaction(self.env.cr)
        function = "pg_try_advisory_lock" if commit else "pg_try_advisory_xact_lock"
        self.env.cr.execute(SQL("SELECT %s(%s, %s)", SQL(function), self._lock_key, company.id))
        if not self.env.cr.fetchone()[0]:
            _logger.info("Care rules of %s already running, skipped", company.name)
            return False
        try:
            result = {rule.id: self._run_rule(rule, commit) for rule in rules}
        except Exception:
            if commit:
                self.env.cr.rollback()
            raise
        finally:
            if commit:
                self.env.cr.execute(
                    SQL("SELECT pg_advisory_unlock(%s, %s)", self._lock_key, company.id)
                )
        _logger.info("Care rules of %s: %s actions", company.name, sum(result.values()))
        return result

    # ------------------------------------------------------------------ selection

    @api.model
    def _due_sql(self, rule, today):
        """(partner_id, user_id) of the customers ``rule`` must act on today."""
        if rule.trigger == "enter":
            due = SQL(
                "SELECT m.partner_id FROM customer_care_member m "
                "WHERE m.rule_id = %s AND NOT m.acted",
                rule.id,
            )
        elif rule.trigger == "recurring":
            due = SQL(
                """
                SELECT m.partner_id FROM customer_care_member m
                 WHERE m.rule_id = %(rule)s
                   AND NOT EXISTS (
                       SELECT 1 FROM customer_care_log l
                        WHERE l.rule_id = %(rule)s AND l.partner_id = m.partner_id
                          AND COALESCE(l.date_done, l.date::date) > %(since)s)
                """,
                rule=rule.id,
                since=today - timedelta(days=rule.interval_days),
            )
        else:
            since = today - timedelta(days=rule.interval_days)
            due = SQL(
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
                    SQL("t.partner_id"), since
                ),
            )
        # Activities need someone to do them: without an assignee the customer waits.
        return SQL(
            """
            SELECT * FROM (
                SELECT d.partner_id, %(assignee)s AS user_id
                  FROM (%(due)s) d
                  JOIN res_partner rp ON rp.id = d.partner_id
                 WHERE NOT EXISTS (
                       SELECT 1 FROM customer_care_log l
                        WHERE l.rule_id = %(rule)s AND l.partner_id = d.partner_id
                          AND l.state = 'open')
            ) due WHERE %(email_only)s OR due.user_id IS NOT NULL
            ORDER BY due.partner_id
            """,
            due=due,
            rule=rule.id,
            assignee=rule._assignee_sql(),
            email_only=rule.mail_mode == "email",
        )

    def _sync_members(self, rule):
        """Customers entering the rule's class become members (not acted yet); those who
        left are forgotten, so that re-entering acts again."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH targets AS (%(targets)s),
                gone AS (
                    DELETE FROM customer_care_member m
                     WHERE m.rule_id = %(rule)s
                       AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.partner_id = m.partner_id)
                )
                INSERT INTO customer_care_member (rule_id, partner_id, company_id, date_from, acted)
                SELECT %(rule)s, t.partner_id, %(company)s, %(now)s,
                       EXISTS (SELECT 1 FROM customer_care_log l
                                WHERE l.rule_id = %(rule)s AND l.partner_id = t.partner_id
                                  AND l.state = 'open')
                  FROM targets t
                ON CONFLICT (rule_id, partner_id) DO NOTHING
                """,
                targets=rule._target_sql(),
                rule=rule.id,
                company=rule.company_id.id,
                now=now,
            )
        )

    # ------------------------------------------------------------------ actions

    def _run_rule(self, rule, commit):
        today = fields.Date.today()
        if rule.trigger in ("enter", "recurring"):
            self._sync_members(rule)
        self.env.cr.execute(self._due_sql(rule, today))
        due = self.env.cr.fetchall()
        created = 0
        for start in range(0, len(due), self._batch_size):
            batch = due[start : start + self._batch_size]
            created += self._act(rule, batch, today)
            self.env.invalidate_all()  # the batch's customers leave the cache: memory stays flat
            if commit:
                self.env["ir.cron"]._commit_progress(len(batch))
        return created

    def _act(self, rule, batch, today):
        """Claim the batch with open log lines, then schedule and send; return the count."""
        now = fields.Datetime.now()
        email_only = rule.mail_mode == "email"
        partners, users = zip(*batch, strict=True)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_care_log (
                    rule_id, partner_id, company_id, user_id, activity_type_id, date,
                    date_deadline, date_done, state, create_uid, create_date, write_uid, write_date)
                SELECT %(rule)s, d.partner_id, %(company)s, d.user_id, %(type)s, %(now)s,
                       %(deadline)s, %(done)s, %(state)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(partners)s::int[], %(users)s::int[]) AS d(partner_id, user_id)
                ON CONFLICT (rule_id, partner_id) WHERE state = 'open' DO NOTHING
                RETURNING id, partner_id, user_id
                """,
                rule=rule.id,
                company=rule.company_id.id,
                type=None if email_only else rule.activity_type_id.id,
                now=now,
                deadline=None if email_only else today + timedelta(days=rule.deadline_days),
                done=today if email_only else None,
                state="done" if email_only else "open",
                uid=self.env.uid,
                partners=list(partners),
                users=[user or None for user in users],
            )
        )
        claimed = self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_care_member SET acted = TRUE "
                "WHERE rule_id = %s AND partner_id = ANY(%s)",
                rule.id,
                list(partners),
            )
        )
        if not claimed:
            return 0
        partner_ids = [partner for _log, partner, _user in claimed]
        if rule.mail_mode != "email":
            self._schedule_activities(rule, claimed, today)
        if rule.mail_mode != "activity":
            rule.mail_template_id.send_mail_batch(partner_ids)
        self.env["customer.care.log"].invalidate_model()
        return len(claimed)

    def _schedule_activities(self, rule, claimed, today):
        """Create the activities of the claimed log lines in one INSERT, texts rendered in
        each assignee's language."""
        users = self.env["res.users"].browse({user for _log, _partner, user in claimed})
        lang_of = {user.id: user.lang or "en_US" for user in users}
        by_lang = defaultdict(list)
        for row in claimed:
            by_lang[lang_of[row[2]]].append(row)
        rows = []
        for lang, lang_rows in by_lang.items():
            partner_ids = [partner_id for _log, partner_id, _user in lang_rows]
            summaries, notes = self._render_texts(rule.with_context(lang=lang), partner_ids)
            rows += [
                (log_id, partner_id, user_id, summaries[partner_id], notes[partner_id])
                for log_id, partner_id, user_id in lang_rows
            ]
        log_ids, partner_ids, user_ids, summaries, notes = (
            list(column) for column in zip(*rows, strict=True)
        )
        deadline = today + timedelta(days=rule.deadline_days)
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
                    RETURNING id, res_id
                )
                UPDATE customer_care_log l SET activity_id = created.id
                  FROM created,
                       unnest(%(logs)s::int[], %(partners)s::int[]) AS v(log_id, partner_id)
                 WHERE l.id = v.log_id AND created.res_id = v.partner_id
                """,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                type=rule.activity_type_id.id,
                deadline=deadline,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partners=partner_ids,
                users=user_ids,
                summaries=summaries,
                notes=notes,
                logs=log_ids,
            )
        )
        # As mail.activity.create: assignees follow the customer and hear of it on the bus.
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
        self.env["mail.activity"].invalidate_model()
        self.env["mail.followers"].invalidate_model()
        if deadline <= today:
            for user in users:
                count = user_ids.count(user.id)
                user._bus_send(
                    "mail.activity/updated", {"activity_created": True, "count_diff": count}
                )

    def _render_texts(self, rule, partner_ids):
        """({partner id: summary}, {partner id: note}) of ``rule`` for these customers.

        Placeholders limited to the customer's key figures (the expressions res.partner
        allows to every user) are read once per customer for both texts; any other
        placeholder goes through Odoo's template renderer and its access checks."""
        texts = (rule.summary or rule.name, rule.note or "")
        parsed = [parse_inline_template(str(text)) for text in texts]
        expressions = {
            expression for template in parsed for _s, expression, _d in template if expression
        }
        partners = self.env["res.partner"].browse(partner_ids)
        if not expressions <= set(partners.mail_allowed_qweb_expressions()):
            render = self.env["mail.render.mixin"]._render_template
            return tuple(render(text, "res.partner", partner_ids) for text in texts)
        paths = {expression: expression.split(".")[1:] for expression in expressions}
        results = ({}, {})
        for partner in partners:
            values = {
                expression: reduce(lambda record, name: record[name], path, partner)
                for expression, path in paths.items()
            }
            for result, template in zip(results, parsed, strict=True):
                result[partner.id] = "".join(
                    string + (str(values[expression] or default) if expression else "")
                    for string, expression, default in template
                )
        return results
