from odoo import fields, models

ACQUISITION_HELP = (
    "Taken from the customer's earliest lead, opportunity or sale order that carries UTM "
    "data (source, medium or campaign), unless a manager set it by hand."
)


class CustomerAcquisition(models.Model):
    """How one commercial entity came to one company: its first touchpoint's channel."""

    _name = "customer.acquisition"
    _description = "Customer Acquisition"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade", index=True
    )
    channel_id = fields.Many2one(
        "customer.channel",
        string="Acquisition Channel",
        ondelete="set null",
        index=True,
        help=ACQUISITION_HELP,
    )
    channel_type = fields.Selection(related="channel_id.channel_type", string="Channel Type")
    source_id = fields.Many2one(
        "utm.source", string="Source", ondelete="set null", help=ACQUISITION_HELP
    )
    medium_id = fields.Many2one(
        "utm.medium", string="UTM Medium", ondelete="set null", help=ACQUISITION_HELP
    )
    campaign_id = fields.Many2one(
        "utm.campaign", string="Campaign", ondelete="set null", help=ACQUISITION_HELP
    )
    date = fields.Date(
        "Acquisition Date", help="Date (UTC) of the first touchpoint, or as set by a manager."
    )
    is_manual = fields.Boolean(
        "Set by Hand",
        help="A manager set this acquisition; recomputations keep it until it is reset.",
    )

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one acquisition per company."
    )
