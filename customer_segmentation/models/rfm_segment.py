from odoo import api, fields, models
from odoo.exceptions import ValidationError

SCORE_HELP = "Scores run from 1 (worst) to 5 (best)."


class CustomerRfmSegment(models.Model):
    _name = "customer.rfm.segment"
    _description = "RFM Segment"
    _order = "preset_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key of the segment (for example 'champions'), unique within "
        "its preset; integrations and care rules rely on it.",
    )
    preset_id = fields.Many2one(
        "customer.rfm.segment.preset",
        string="Preset",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(
        default=10,
        help="Segments are tried in this order; the first whose ranges match wins.",
    )
    active = fields.Boolean(default=True)
    color = fields.Integer(help="Colour of the segment's badge.")
    r_min = fields.Integer("R from", default=1, required=True, help=SCORE_HELP)
    r_max = fields.Integer("R to", default=5, required=True, help=SCORE_HELP)
    f_min = fields.Integer("F from", default=1, required=True, help=SCORE_HELP)
    f_max = fields.Integer("F to", default=5, required=True, help=SCORE_HELP)
    m_min = fields.Integer(
        "M from", default=1, required=True, help=SCORE_HELP + " Leave 1 to 5 to ignore M."
    )
    m_max = fields.Integer("M to", default=5, required=True, help=SCORE_HELP)
    description = fields.Text(translate=True, help="Who the customers of this segment are.")
    recommended_action = fields.Text(
        translate=True, help="What to do with the customers of this segment."
    )
    customer_count = fields.Integer(
        "Customers",
        compute="_compute_customer_count",
        help="Customers of the current company currently in this segment.",
    )

    _preset_code_uniq = models.UniqueIndex(
        "(preset_id, code)", "The segment code must be unique within its preset."
    )

    @api.constrains("r_min", "r_max", "f_min", "f_max", "m_min", "m_max")
    def _check_ranges(self):
        for segment in self:
            for low, high in (
                (segment.r_min, segment.r_max),
                (segment.f_min, segment.f_max),
                (segment.m_min, segment.m_max),
            ):
                if not 1 <= low <= high <= 5:
                    raise ValidationError(
                        self.env._(
                            "Segment %(segment)s: every score range must satisfy "
                            "1 ≤ from ≤ to ≤ 5.",
                            segment=segment.display_name,
                        )
                    )

    @api.depends_context("company")
    def _compute_customer_count(self):
        counts = dict(
            self.env["customer.profile"]
            .sudo()
            ._read_group(
                [("company_id", "=", self.env.company.id), ("segment_id", "in", self.ids)],
                ["segment_id"],
                ["__count"],
            )
        )
        for segment in self:
            segment.customer_count = counts.get(segment, 0)

    @api.readonly
    def action_view_customers(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_segmentation.action_customer_insight_partners"
        )
        action["domain"] = [("rfm_segment_id", "=", self.id)]
        action["context"] = {}
        return action
