from odoo import fields, models

from odoo.addons.customer_segmentation.tools import LIFECYCLE_STAGES

from .satisfaction import SATISFACTION_SCORES

LOG_STATES = [
    ("pending", "To Schedule"),
    ("open", "Open"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("holdout", "Held Out"),
    ("stopped", "Stopped"),
]
STOP_REASONS = [("order", "The customer ordered"), ("reply", "The customer replied")]
# A rule's action for a customer is under way in these states: never a second one.
ACTIVE_STATES = ("pending", "open")


class CustomerCareLog(models.Model):
    """One care action of a rule for a customer: the activity scheduled or e-mail sent, or
    the playbook launched (one line per launch, whatever its number of steps)."""

    _name = "customer.care.log"
    _description = "Customer Care Action"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    # Indexed by the head of _rule_partner_date_idx.
    rule_id = fields.Many2one(
        "customer.care.rule", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    activity_id = fields.Many2one(
        "mail.activity",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The scheduled activity (kept, archived, once done); of a playbook, its step to "
        "do next.",
    )
    plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Playbook",
        readonly=True,
        ondelete="set null",
        help="The activity plan launched by this action: its steps are the activities linked "
        "to this action, and the action stays open until none is left to do.",
    )
    activity_type_id = fields.Many2one("mail.activity.type", readonly=True, ondelete="set null")
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        readonly=True,
        ondelete="set null",
        help="Who the activity was assigned to.",
    )
    date = fields.Datetime("Created On", required=True, readonly=True)
    date_deadline = fields.Date("Deadline", readonly=True)
    date_done = fields.Date("Done On", readonly=True)
    state = fields.Selection(
        LOG_STATES,
        required=True,
        readonly=True,
        default="open",
        help="To schedule: the rule chose the customer, the activity or e-mail follows within "
        "the same run. Open: the activity (or a step of the playbook) waits to be done. "
        "Done: marked done (every step of the playbook), or the e-mail was sent. Cancelled: "
        "the activity (every step left of the playbook) was deleted without being done. "
        "Held out: the customer was drawn into the rule's control group (its holdout share): "
        "no activity and no e-mail, the need counts as handled, and the Care Effectiveness "
        "report compares these customers with the treated ones. Stopped: the steps of the "
        "playbook still to do were cancelled because the customer ordered or replied.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Stage When Targeted",
        readonly=True,
        help="The customer's lifecycle stage when the rule chose them (copied from the "
        "classification at that moment).",
    )
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="Segment When Targeted",
        readonly=True,
        ondelete="set null",
        help="The customer's RFM segment when the rule chose them (copied from the "
        "classification at that moment).",
    )
    stop_reason = fields.Selection(
        STOP_REASONS,
        readonly=True,
        help="Why the steps of the playbook still to do were cancelled, as its rule asks.",
    )
    date_stopped = fields.Date(
        "Stopped On", readonly=True, help="When the steps of the playbook left were cancelled."
    )
    outcome = fields.Text(readonly=True, help="Feedback given when the activity was done.")
    churn_reason_id = fields.Many2one(
        "customer.churn.reason",
        readonly=True,
        ondelete="set null",
        help="Reason the customer gave for leaving, recorded with a win-back activity.",
    )

    satisfaction = fields.Selection(
        SATISFACTION_SCORES,
        readonly=True,
        help="Satisfaction score (1 = very unsatisfied to 5 = very satisfied) given when the "
        "activity was done; empty when none was given.",
    )
    satisfaction_comment = fields.Text(
        readonly=True, help="What the customer said about their satisfaction."
    )

    _rule_partner_open_uniq = models.UniqueIndex(
        "(rule_id, partner_id) WHERE state IN ('pending', 'open')",
        "A rule keeps at most one open action per customer.",
    )
    _rule_partner_date_idx = models.Index("(rule_id, partner_id, date)")
    _pending_idx = models.Index("(company_id, rule_id, id) WHERE state = 'pending'")
