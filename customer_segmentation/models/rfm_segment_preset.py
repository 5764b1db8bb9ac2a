from odoo import api, fields, models


class CustomerRfmSegmentPreset(models.Model):
    _name = "customer.rfm.segment.preset"
    _description = "RFM Segment Preset"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key of the preset, used by integrations and data files.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    segment_ids = fields.One2many(
        "customer.rfm.segment",
        "preset_id",
        string="Segments",
        help="Segments of this preset; the first one (by sequence) whose score ranges match "
        "a customer's R, F and M scores is the customer's segment.",
    )
    segment_count = fields.Integer(compute="_compute_segment_count")

    _code_uniq = models.UniqueIndex("(code)", "The preset code must be unique.")

    @api.depends("segment_ids")
    def _compute_segment_count(self):
        for preset in self:
            preset.segment_count = len(preset.segment_ids)
