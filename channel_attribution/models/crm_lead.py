from odoo import api, models

UTM_FIELDS = ("source_id", "medium_id", "campaign_id", "partner_id")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._enqueue_touchpoint_partners()
        return leads

    def write(self, vals):
        touched = any(field in vals for field in UTM_FIELDS)
        if touched and "partner_id" in vals:
            self._enqueue_touchpoint_partners()  # the former customer loses a touchpoint
        result = super().write(vals)
        if touched:
            self._enqueue_touchpoint_partners()
        return result

    def unlink(self):
        self._enqueue_touchpoint_partners()  # their customers lose a touchpoint
        return super().unlink()

    def _handle_partner_assignment(
        self, force_partner_id=False, create_missing=True, with_parent=None
    ):
        """A customer created or linked from a lead gets the lead's UTM as acquisition now."""
        result = super()._handle_partner_assignment(
            force_partner_id=force_partner_id,
            create_missing=create_missing,
            with_parent=with_parent,
        )
        for company, leads in self.grouped("company_id").items():
            partners = leads.partner_id.commercial_partner_id
            if partners:
                self.env["customer.channel.engine"].with_company(
                    company or self.env.company
                )._recompute_acquisition(partners.ids)
        return result

    def _enqueue_touchpoint_partners(self):
        self.env["customer.segmentation.queue"]._enqueue(
            ((lead.company_id or self.env.company).id, lead.partner_id.commercial_partner_id.id)
            for lead in self
            if lead.partner_id and (lead.source_id or lead.medium_id or lead.campaign_id)
        )
