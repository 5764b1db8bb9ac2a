from odoo import fields, models

from ..tools import LIFECYCLE_STAGES, VALUE_TIERS


class CustomerSegmentHistory(models.Model):
    """One line each time a customer's stage, segment or value tier changes."""

    _name = "customer.segment.history"
    _description = "Customer Classification Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _log_access = False  # date and user_id say when and by whom

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Datetime(
        required=True,
        readonly=True,
        help="As-of date of the classification run that made the change, or when a manager "
        "pinned the class.",
    )
    cause = fields.Selection(
        [
            ("run", "Classification run"),
            ("replay", "Replayed from transactions"),
            ("pin", "Pinned by a manager"),
        ],
        required=True,
        readonly=True,
        help="Classification run: the engine reclassified the customer from its transactions; "
        "replayed from transactions: the change a run at that past month-end would have made, "
        "reconstructed when the history was replayed; pinned by a manager: a manager set the "
        "class by hand.",
    )
    reason = fields.Char(readonly=True, help="The manager's reason, for pins.")
    user_id = fields.Many2one("res.users", string="By", readonly=True, ondelete="set null")
    stage_from = fields.Selection(LIFECYCLE_STAGES, "Stage Before", readonly=True)
    stage_to = fields.Selection(LIFECYCLE_STAGES, "Stage After", readonly=True)
    segment_from_id = fields.Many2one(
        "customer.rfm.segment", "Segment Before", readonly=True, ondelete="set null"
    )
    segment_to_id = fields.Many2one(
        "customer.rfm.segment", "Segment After", readonly=True, ondelete="set null"
    )
    tier_from = fields.Selection(VALUE_TIERS, "Value Tier Before", readonly=True)
    tier_to = fields.Selection(VALUE_TIERS, "Value Tier After", readonly=True)

    _partner_company_date_idx = models.Index("(partner_id, company_id, date)")
    _company_date_idx = models.Index("(company_id, date)")
