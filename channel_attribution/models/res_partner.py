from odoo import api, fields, models

from odoo.addons.customer_segmentation.tools import INTERNAL_GROUP

from .customer_acquisition import ACQUISITION_HELP


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_acquisition_id = fields.Many2one(
        "customer.acquisition",
        string="Acquisition Record",
        compute="_compute_customer_acquisition_id",
        search="_search_customer_acquisition_id",
        help="How this contact's commercial entity came to the current company.",
        groups=INTERNAL_GROUP,
    )
    acquisition_channel_id = fields.Many2one(
        related="customer_acquisition_id.channel_id",
        string="Acquisition Channel",
        help=ACQUISITION_HELP,
        groups=INTERNAL_GROUP,
    )
    acquisition_channel_type = fields.Selection(
        related="customer_acquisition_id.channel_id.channel_type",
        string="Acquisition Channel Type",
        help="Type of the acquisition channel.",
        groups=INTERNAL_GROUP,
    )
    acquisition_source_id = fields.Many2one(
        related="customer_acquisition_id.source_id",
        string="Acquisition Source",
        help=ACQUISITION_HELP,
        groups=INTERNAL_GROUP,
    )
    acquisition_medium_id = fields.Many2one(
        related="customer_acquisition_id.medium_id",
        string="Acquisition Medium",
        help=ACQUISITION_HELP,
        groups=INTERNAL_GROUP,
    )
    acquisition_campaign_id = fields.Many2one(
        related="customer_acquisition_id.campaign_id",
        string="Acquisition Campaign",
        help=ACQUISITION_HELP,
        groups=INTERNAL_GROUP,
    )
    acquisition_date = fields.Date(
        related="customer_acquisition_id.date",
        string="Acquisition Date",
        help="Date (UTC) of the first touchpoint, or as set by a manager.",
        groups=INTERNAL_GROUP,
    )
    acquisition_is_manual = fields.Boolean(
        related="customer_acquisition_id.is_manual",
        string="Acquisition Set by Hand",
        help="A manager set the acquisition; recomputations keep it until it is reset.",
        groups=INTERNAL_GROUP,
    )

    @api.model
    def _company_record_links(self):
        return {
            **super()._company_record_links(),
            "customer_acquisition_id": "customer.acquisition",
        }

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_acquisition_id(self):
        self._compute_company_record("customer_acquisition_id")

    def _search_customer_acquisition_id(self, operator, value):
        return self._search_company_record("customer_acquisition_id", operator, value)

    def action_edit_acquisition(self):
        self.ensure_one()
        self.env["customer.channel.engine"]._check_access_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Acquisition"),
            "res_model": "customer.acquisition.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
