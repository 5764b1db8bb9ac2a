from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES, VALUE_TIERS

from ..models.customer_care_log import LOG_STATES


class CustomerCareReport(models.Model):
    """Care actions with the class of their customer: planned, done, overdue, on time; the
    held-out customers of the rules' control groups are counted apart, never as planned."""

    _name = "customer.care.report"
    _inherit = ["customer.insight.report"]
    _description = "Care Activity Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "customer.care.log": [
            "date",
            "date_deadline",
            "date_done",
            "state",
            "rule_id",
            "user_id",
            "partner_id",
            "activity_type_id",
            "company_id",
        ],
        "customer.profile": ["lifecycle_stage", "segment_id", "value_tier"],
    }
    _rates = {
        "done_rate": ("done_count", "planned_count", 100.0),
        "on_time_rate": ("on_time_count", "done_count", 100.0),
    }

    date = fields.Date("Planned On", readonly=True)
    rule_id = fields.Many2one("customer.care.rule", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    activity_type_id = fields.Many2one("mail.activity.type", readonly=True)
    state = fields.Selection(LOG_STATES, readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    segment_id = fields.Many2one("customer.rfm.segment", string="RFM Segment", readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    planned_count = fields.Integer(
        "Planned", readonly=True, help="Care actions created (held-out customers aside)."
    )
    holdout_count = fields.Integer(
        "Held Out",
        readonly=True,
        help="Customers the rule chose but kept in its control group: no action, not planned.",
    )
    done_count = fields.Integer("Done", readonly=True, help="Care actions done.")
    overdue_count = fields.Integer(
        "Overdue", readonly=True, help="Care actions still open after their deadline."
    )
    on_time_count = fields.Integer(
        "Done on Time", readonly=True, help="Care actions done on or before their deadline."
    )
    cancelled_count = fields.Integer("Cancelled", readonly=True)
    done_rate = fields.Float(
        "Done (%)", readonly=True, aggregator="sum", help="Done ÷ planned × 100."
    )
    on_time_rate = fields.Float(
        "On Time (%)", readonly=True, aggregator="sum", help="Done on time ÷ done × 100."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id, l.date::date AS date, l.rule_id, l.user_id, l.partner_id, l.company_id,
                   l.activity_type_id, l.state, p.lifecycle_stage, p.segment_id, p.value_tier,
                   (l.state != 'holdout')::int AS planned_count,
                   (l.state = 'holdout')::int AS holdout_count,
                   (l.state = 'done')::int AS done_count,
                   (l.state = 'open' AND l.date_deadline < %(today)s)::int AS overdue_count,
                   (l.state = 'done' AND l.date_done <= l.date_deadline)::int AS on_time_count,
                   (l.state = 'cancelled')::int AS cancelled_count, %(rates)s
              FROM customer_care_log l
              LEFT JOIN customer_profile p
                ON p.partner_id = l.partner_id AND p.company_id = l.company_id
            """,
            today=fields.Date.context_today(self),
            rates=self._rate_columns_sql(),
        )
