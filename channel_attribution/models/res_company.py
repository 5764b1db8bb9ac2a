from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .channel_engine import attribution_model_selection

MAX_DAYS = 3650


class ResCompany(models.Model):
    _inherit = "res.company"

    channel_attribution_model = fields.Selection(
        selection=attribution_model_selection,
        string="Attribution Model",
        default="last_touch",
        required=True,
        help="How an order's revenue is shared between the channels of the touchpoints before "
        "it: all to the first or the last one, equally (linear), 40 % first, 40 % last and "
        "20 % shared by the middle (position-based), or by weights halving every half-life "
        "before the order (time decay). Reports default to this model; every model is stored.",
    )
    channel_attribution_half_life_days = fields.Integer(
        "Time-Decay Half-Life (days)",
        default=7,
        help="Time decay: a touchpoint this many days before the order weighs half as much as "
        "one on the order day.",
    )
    channel_attribution_lookback_days = fields.Integer(
        "Lookback Window (days)",
        default=90,
        help="Only touchpoints at most this many days before the order count; 0 counts every "
        "earlier touchpoint.",
    )
    channel_attribution_fallback = fields.Selection(
        [("unassigned", "Unassigned"), ("acquisition", "Customer's acquisition channel")],
        string="Orders Without Touchpoint",
        default="unassigned",
        required=True,
        help="Where the revenue of an order without a touchpoint in the lookback window goes.",
    )

    channel_attribution_as_of = fields.Date(
        "Attribution Computed On",
        readonly=True,
        help="Day the last full recomputation of every customer's acquisition and attributed "
        "revenue finished; emptied by a setting that changes every share, which makes the "
        "next scheduled run a full one.",
    )
    channel_attribution_watermark = fields.Datetime(
        "Attribution Up To",
        readonly=True,
        help="Orders and leads written after this time are re-attributed by the next "
        "scheduled run, which then moves it to the time it ran.",
    )
    channel_attribution_queued_run = fields.Char(
        "Attribution Changes Queued In",
        readonly=True,
        help="The run of the scheduled job (its last call date as Odoo gives it) that last "
        "queued this company's changed customers: the company is done for that run.",
    )
    channel_attribution_cursor = fields.Integer(
        "Attribution Progress",
        readonly=True,
        help="Technical: the scheduled recomputation has done the customers up to this id "
        "(0 when none is under way).",
    )
    channel_attribution_revenue_rebuilt_to = fields.Date(
        "Attribution Revenue Rebuilt Up To",
        readonly=True,
        help="Technical: at the end of a scheduled recomputation, the daily revenue is "
        "rebuilt from the attribution rows a few months per transaction, up to this date.",
    )

    def write(self, vals):
        result = super().write(vals)
        if {
            "channel_attribution_half_life_days",
            "channel_attribution_lookback_days",
            "channel_attribution_fallback",
        } & set(vals):
            # Every stored share depends on these: recompute soon, outside this request,
            # from the first customer on.
            super().write({"channel_attribution_as_of": False, "channel_attribution_cursor": 0})
            self.env.ref("channel_attribution.ir_cron_recompute_attribution").sudo()._trigger()
        return result

    @api.constrains("channel_attribution_half_life_days", "channel_attribution_lookback_days")
    def _check_channel_attribution_days(self):
        for company in self:
            if not 1 <= company.channel_attribution_half_life_days <= MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "The time-decay half-life must be between 1 and %(max)s days.",
                        max=MAX_DAYS,
                    )
                )
            if not 0 <= company.channel_attribution_lookback_days <= MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "The lookback window must be between 0 and %(max)s days.", max=MAX_DAYS
                    )
                )
