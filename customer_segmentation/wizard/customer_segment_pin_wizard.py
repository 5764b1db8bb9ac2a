from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import LIFECYCLE_STAGES


class CustomerSegmentPinWizard(models.TransientModel):
    _name = "customer.segment.pin.wizard"
    _description = "Pin a Customer's Class"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The commercial entity whose class is pinned in the current company.",
    )
    pinned_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Lifecycle Stage",
        help="Stage to keep whatever the transactions say; leave empty to let runs decide.",
    )
    pinned_segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        domain="[('preset_id', '=', preset_id)]",
        help="Segment to keep whatever the scores say; leave empty to let runs decide.",
    )
    preset_id = fields.Many2one(
        "customer.rfm.segment.preset", default=lambda self: self.env.company.rfm_segment_preset_id
    )
    reason = fields.Char(required=True, help="Why this class is pinned; kept in the history.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner and partner.customer_profile_id:
            values.setdefault("pinned_stage", partner.customer_lifecycle_stage)
            values.setdefault("pinned_segment_id", partner.rfm_segment_id.id)
        return values

    def action_pin(self):
        self.ensure_one()
        if not (self.pinned_stage or self.pinned_segment_id):
            raise UserError(self.env._("Choose a lifecycle stage, a segment or both to pin."))
        company = self.env.company
        partner = self.partner_id.commercial_partner_id
        Profile = self.env["customer.profile"].sudo()
        profile = Profile.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        if not profile:
            profile = Profile.create({"partner_id": partner.id, "company_id": company.id})
        new_stage = self.pinned_stage or profile.lifecycle_stage
        new_segment = self.pinned_segment_id or profile.segment_id
        if (new_stage, new_segment) != (profile.lifecycle_stage, profile.segment_id):
            self.env["customer.segment.history"].sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date": fields.Datetime.now(),
                    "cause": "pin",
                    "reason": self.reason,
                    "user_id": self.env.uid,
                    "stage_from": profile.lifecycle_stage,
                    "stage_to": new_stage,
                    "segment_from_id": profile.segment_id.id,
                    "segment_to_id": new_segment.id,
                    "tier_from": profile.value_tier,
                    "tier_to": profile.value_tier,
                }
            )
        profile.write(
            {
                "pinned_stage": self.pinned_stage,
                "pinned_segment_id": self.pinned_segment_id.id,
                "pin_reason": self.reason,
                "pinned_by_id": self.env.uid,
                "pinned_on": fields.Datetime.now(),
                "lifecycle_stage": new_stage,
                "segment_id": new_segment.id,
                "segmented_at": fields.Datetime.now(),
            }
        )
        engine = self.env["customer.segmentation.engine"]
        engine._unstage(company, partner.ids)
        profile.flush_recordset()
        engine._profiles_changed(company, partner.ids)
        return {"type": "ir.actions.act_window_close"}
