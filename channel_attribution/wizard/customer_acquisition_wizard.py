from odoo import api, fields, models


class CustomerAcquisitionWizard(models.TransientModel):
    _name = "customer.acquisition.wizard"
    _description = "Set a Customer's Acquisition"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        help="The commercial entity whose acquisition is set in the current company.",
    )
    channel_id = fields.Many2one("customer.channel", string="Channel", required=True)
    source_id = fields.Many2one("utm.source", string="Source")
    medium_id = fields.Many2one("utm.medium", string="UTM Medium")
    campaign_id = fields.Many2one("utm.campaign", string="Campaign")
    date = fields.Date("Acquisition Date", default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        acquisition = (
            self.env["res.partner"].browse(values.get("partner_id")).customer_acquisition_id
        )
        if acquisition:
            for name in ("channel_id", "source_id", "medium_id", "campaign_id"):
                values[name] = acquisition[name].id
            values["date"] = acquisition.date
        return values

    def _acquisition(self):
        partner = self.partner_id.commercial_partner_id
        Acquisition = self.env["customer.acquisition"]
        return Acquisition.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        ) or Acquisition.create({"partner_id": partner.id, "company_id": self.env.company.id})

    def action_save(self):
        """Keep this acquisition whatever the touchpoints say."""
        self.ensure_one()
        self._acquisition().write(
            {
                "channel_id": self.channel_id.id,
                "source_id": self.source_id.id,
                "medium_id": self.medium_id.id,
                "campaign_id": self.campaign_id.id,
                "date": self.date,
                "is_manual": True,
            }
        )
        return {"type": "ir.actions.act_window_close"}

    def action_reset(self):
        """Forget the manual acquisition and take it from the touchpoints again."""
        self.ensure_one()
        self._acquisition().is_manual = False
        partner = self.partner_id.commercial_partner_id
        self.env["customer.channel.engine"].recompute(partner.ids)
        return {"type": "ir.actions.act_window_close"}
