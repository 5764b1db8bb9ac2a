from datetime import date

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import INTERNAL_GROUP, contacts_scope

from .satisfaction import (
    SATISFACTION_CLASS_SCORES,
    SATISFACTION_CLASSES,
    satisfaction_class,
    satisfaction_sql,
)

INEQUALITIES = {"<", "<=", ">", ">="}


class ResPartner(models.Model):
    _inherit = "res.partner"

    care_account_manager_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        company_dependent=True,
        domain="[('share', '=', False)]",
        groups=INTERNAL_GROUP,
        help="Dedicated account manager of the customer in the current company; care rules "
        "can assign their activities to this person. Contacts share their company's account "
        "manager.",
    )
    care_churn_reason_id = fields.Many2one(
        "customer.churn.reason",
        string="Churn Reason",
        company_dependent=True,
        groups=INTERNAL_GROUP,
        help="Why the customer left the current company: set when a win-back activity is done "
        "with a reason, or by hand.",
    )
    care_churn_note = fields.Text(
        "Churn Note",
        company_dependent=True,
        groups=INTERNAL_GROUP,
        help="Details of why the customer left the current company and what could win them back.",
    )
    care_last_contact_date = fields.Date(
        "Last Contact",
        compute="_compute_care_contact_dates",
        search="_search_care_last_contact_date",
        groups=INTERNAL_GROUP,
        help="Date of the last activity done, or of the last meeting held, with the customer "
        "(its contacts and its opportunities included).",
    )
    care_next_contact_date = fields.Date(
        "Next Planned Contact",
        compute="_compute_care_contact_dates",
        search="_search_care_next_contact_date",
        groups=INTERNAL_GROUP,
        help="Earliest deadline among the activities still to do on the customer, its contacts "
        "and its opportunities.",
    )
    care_log_ids = fields.One2many(
        "customer.care.log",
        "partner_id",
        string="Care Actions",
        groups=INTERNAL_GROUP,
        help="Activities and e-mails the care rules created for this customer.",
    )

    customer_satisfaction_avg = fields.Float(
        "Average Satisfaction",
        digits=(16, 2),
        compute="_compute_customer_satisfaction",
        search="_search_customer_satisfaction_avg",
        groups=INTERNAL_GROUP,
        help="Mean of the satisfaction scores (1 to 5) given when the customer's care "
        "activities of the current company were done; empty without a score.",
    )
    customer_satisfaction_last = fields.Integer(
        "Last Satisfaction",
        compute="_compute_customer_satisfaction",
        search="_search_customer_satisfaction_last",
        groups=INTERNAL_GROUP,
        help="Satisfaction score (1 to 5) of the customer's care activity of the current "
        "company done last with a score (the latest created on the same day); empty without "
        "a score.",
    )
    customer_satisfaction_class = fields.Selection(
        SATISFACTION_CLASSES,
        string="Satisfaction",
        compute="_compute_customer_satisfaction",
        search="_search_customer_satisfaction_class",
        groups=INTERNAL_GROUP,
        help="From the last satisfaction score: unsatisfied (1 or 2), neutral (3), satisfied "
        "(4 or 5); empty without a score.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "care_account_manager_id",
            "care_churn_reason_id",
            "care_churn_note",
        ]

    def mail_allowed_qweb_expressions(self):
        # The key figures that care rule texts may show without template-editor rights.
        return super().mail_allowed_qweb_expressions() + tuple(
            f"object.{path}"
            for path in (
                "customer_lifecycle_stage",
                "customer_value_tier",
                "customer_type",
                "customer_first_order_date",
                "customer_last_order_date",
                "customer_order_count",
                "rfm_recency_days",
                "rfm_frequency",
                "rfm_score",
                "rfm_segment_id.name",
                "care_last_contact_date",
            )
        )

    # ------------------------------------------------------------------ contact dates

    @api.model
    def _care_contacts_sql(self, partners=None):
        """(partner_id, day) of every past contact: activities done on a contact or on one of
        its opportunities, meetings held with it; of the contacts of ``partners`` only
        (commercial partners, as for ``contacts_scope``), when given."""
        return SQL(
            """
            SELECT a.res_id AS partner_id, a.date_done AS day FROM mail_activity a
             WHERE a.res_model = 'res.partner' AND NOT a.active AND a.date_done IS NOT NULL %s
            UNION ALL
            SELECT l.partner_id, a.date_done FROM mail_activity a
              JOIN crm_lead l ON a.res_model = 'crm.lead' AND l.id = a.res_id
             WHERE NOT a.active AND a.date_done IS NOT NULL AND l.partner_id IS NOT NULL %s
            UNION ALL
            SELECT r.res_partner_id, e.start::date FROM calendar_event_res_partner_rel r
              JOIN calendar_event e ON e.id = r.calendar_event_id
             WHERE e.active AND e.start <= now() AT TIME ZONE 'UTC' %s
            """,
            contacts_scope(SQL("a.res_id"), partners),
            contacts_scope(SQL("l.partner_id"), partners),
            contacts_scope(SQL("r.res_partner_id"), partners),
        )

    @api.model
    def _care_planned_sql(self, partners=None):
        """(partner_id, day) of every activity still to do on a contact or its opportunities
        (of the contacts of ``partners`` only, when given)."""
        return SQL(
            """
            SELECT a.res_id AS partner_id, a.date_deadline AS day FROM mail_activity a
             WHERE a.res_model = 'res.partner' AND a.active %s
            UNION ALL
            SELECT l.partner_id, a.date_deadline FROM mail_activity a
              JOIN crm_lead l ON a.res_model = 'crm.lead' AND l.id = a.res_id
             WHERE a.active AND l.partner_id IS NOT NULL %s
            """,
            contacts_scope(SQL("a.res_id"), partners),
            contacts_scope(SQL("l.partner_id"), partners),
        )

    @api.model
    def _care_contact_sql(self, partner, since):
        """EXISTS-subquery: the commercial entity ``partner`` had a contact after ``since``."""
        return SQL(
            """SELECT 1 FROM (%s) x JOIN res_partner c ON c.id = x.partner_id
                WHERE c.commercial_partner_id = %s AND x.day > %s""",
            self._care_contacts_sql(),
            partner,
            since,
        )

    def _care_dates_by_entity(self, dates_sql, aggregate):
        """{commercial partner id: aggregate of the days of ``dates_sql``}, which must be
        scoped to the contacts of ``self``'s commercial partners (else it reads every
        activity: 0.35 s for a customer's form at 1m)."""
        self.env.cr.execute(
            SQL(
                """SELECT c.commercial_partner_id, %s(x.day) FROM (%s) x
                     JOIN res_partner c ON c.id = x.partner_id
                    GROUP BY c.commercial_partner_id""",
                SQL(aggregate),
                dates_sql,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.depends("commercial_partner_id")
    def _compute_care_contact_dates(self):
        self.env.flush_all()
        entities = self.commercial_partner_id.ids
        last = self._care_dates_by_entity(self._care_contacts_sql(entities), "MAX")
        planned = self._care_dates_by_entity(self._care_planned_sql(entities), "MIN")
        for partner in self:
            partner.care_last_contact_date = last.get(partner.commercial_partner_id.id)
            partner.care_next_contact_date = planned.get(partner.commercial_partner_id.id)

    def _search_care_date(self, dates_sql, aggregate, operator, value):
        if isinstance(value, str):
            value = fields.Date.to_date(value)
        if operator == "in" and value and all(v is False for v in value):
            having = SQL("TRUE")
            negate = True
        elif operator in INEQUALITIES and isinstance(value, date):
            having = SQL("%s(x.day) %s %s", SQL(aggregate), SQL(operator), value)
            negate = False
        else:
            return NotImplemented
        self.env.flush_all()  # activities and meetings are read in SQL below
        entities = SQL(
            """(SELECT c.commercial_partner_id FROM (%s) x
                  JOIN res_partner c ON c.id = x.partner_id
                 GROUP BY c.commercial_partner_id HAVING %s)""",
            dates_sql,
            having,
        )
        domain = Domain("commercial_partner_id", "in", entities)
        return ~domain if negate else domain

    def _search_care_last_contact_date(self, operator, value):
        return self._search_care_date(self._care_contacts_sql(), "MAX", operator, value)

    def _search_care_next_contact_date(self, operator, value):
        return self._search_care_date(self._care_planned_sql(), "MIN", operator, value)

    # ------------------------------------------------------------------ satisfaction

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_satisfaction(self):
        self.env["customer.care.log"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT s.partner_id, s.avg_score, s.last_score FROM (%s) s "
                "WHERE s.partner_id = ANY(%s)",
                satisfaction_sql(self.env.company.id),
                self.commercial_partner_id.ids,
            )
        )
        scores = {partner: (avg, last) for partner, avg, last in self.env.cr.fetchall()}
        for partner in self:
            avg, last = scores.get(partner.commercial_partner_id.id, (False, False))
            partner.customer_satisfaction_avg = avg
            partner.customer_satisfaction_last = last
            partner.customer_satisfaction_class = last and satisfaction_class(last)

    def _search_satisfaction(self, condition):
        """Partners whose commercial entity's current-company scores (columns avg_score,
        last_score) meet the SQL ``condition``; ``None``: those without a score."""
        self.env["customer.care.log"].flush_model()
        entities = SQL(
            "(SELECT s.partner_id FROM (%s) s WHERE %s)",
            satisfaction_sql(self.env.company.id),
            condition or SQL("TRUE"),
        )
        domain = Domain("commercial_partner_id", "in", entities)
        return ~domain if condition is None else domain

    def _search_satisfaction_score(self, column, operator, value):
        column = SQL.identifier("s", column)
        if operator == "in":
            scores = [v for v in value if v is not False]
            if not all(isinstance(v, int | float) for v in scores):
                return NotImplemented
            domain = self._search_satisfaction(
                SQL("%s = ANY(%s)", column, scores) if scores else SQL("FALSE")
            )
            return domain | self._search_satisfaction(None) if False in value else domain
        if operator in INEQUALITIES and isinstance(value, int | float):
            return self._search_satisfaction(SQL("%s %s %s", column, SQL(operator), value))
        return NotImplemented

    def _search_customer_satisfaction_avg(self, operator, value):
        return self._search_satisfaction_score("avg_score", operator, value)

    def _search_customer_satisfaction_last(self, operator, value):
        return self._search_satisfaction_score("last_score", operator, value)

    def _search_customer_satisfaction_class(self, operator, value):
        if operator != "in":
            return NotImplemented
        ranges = [SATISFACTION_CLASS_SCORES[code] for code in value if code]
        domain = self._search_satisfaction(
            SQL(" OR ").join(
                SQL("s.last_score BETWEEN %s AND %s", low, high) for low, high in ranges
            )
            if ranges
            else SQL("FALSE")
        )
        return domain | self._search_satisfaction(None) if False in value else domain

    @api.readonly
    def action_view_care_logs(self):
        self.ensure_one()
        self.env["customer.care.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_care.action_customer_care_log"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action
