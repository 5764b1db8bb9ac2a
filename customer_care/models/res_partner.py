from datetime import date

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import INTERNAL_GROUP

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
    def _care_contacts_sql(self):
        """(partner_id, day) of every past contact: activities done on a contact or on one of
        its opportunities, meetings held with it."""
        return SQL(
            """
            SELECT a.res_id AS partner_id, a.date_done AS day FROM mail_activity a
             WHERE a.res_model = 'res.partner' AND NOT a.active AND a.date_done IS NOT NULL
            UNION ALL
            SELECT l.partner_id, a.date_done FROM mail_activity a
              JOIN crm_lead l ON a.res_model = 'crm.lead' AND l.id = a.res_id
             WHERE NOT a.active AND a.date_done IS NOT NULL AND l.partner_id IS NOT NULL
            UNION ALL
            SELECT r.res_partner_id, e.start::date FROM calendar_event_res_partner_rel r
              JOIN calendar_event e ON e.id = r.calendar_event_id
             WHERE e.active AND e.start <= now() AT TIME ZONE 'UTC'
            """
        )

    @api.model
    def _care_planned_sql(self):
        """(partner_id, day) of every activity still to do on a contact or its opportunities."""
        return SQL(
            """
            SELECT a.res_id AS partner_id, a.date_deadline AS day FROM mail_activity a
             WHERE a.res_model = 'res.partner' AND a.active
            UNION ALL
            SELECT l.partner_id, a.date_deadline FROM mail_activity a
              JOIN crm_lead l ON a.res_model = 'crm.lead' AND l.id = a.res_id
             WHERE a.active AND l.partner_id IS NOT NULL
            """
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
        self.env.cr.execute(
            SQL(
                """SELECT c.commercial_partner_id, %s(x.day) FROM (%s) x
                     JOIN res_partner c ON c.id = x.partner_id
                    WHERE c.commercial_partner_id = ANY(%s)
                    GROUP BY c.commercial_partner_id""",
                SQL(aggregate),
                dates_sql,
                self.commercial_partner_id.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.depends("commercial_partner_id")
    def _compute_care_contact_dates(self):
        self.env.flush_all()
        last = self._care_dates_by_entity(self._care_contacts_sql(), "MAX")
        planned = self._care_dates_by_entity(self._care_planned_sql(), "MIN")
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

    @api.readonly
    def action_view_care_logs(self):
        self.ensure_one()
        self.env["customer.care.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_care.action_customer_care_log"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action
