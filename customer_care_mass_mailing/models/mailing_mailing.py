from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.customer_segmentation.tools import USER_GROUP

MAILING_GROUP = "mass_mailing.group_mass_mailing_user"


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    customer_audience_company_id = fields.Many2one(
        "res.company",
        string="Audience Company",
        readonly=True,
        index="btree_not_null",
        help="The company whose customer class the mailing was sent to (set by “Send a "
        "mailing to this class”); its recipients are that class when the mailing is sent.",
    )
    customer_audience_segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="Audience Segment",
        readonly=True,
        index="btree_not_null",
        help="The RFM segment the mailing was sent to, when it was sent from a segment.",
    )

    @api.model
    def _customer_audience_action(self, domain, segment=None):
        """A new mailing, in form view, to the partners of ``domain`` in the current
        company; the audience names the company, so it is evaluated at send time for it."""
        user = self.env.user
        if not (user.has_group(MAILING_GROUP) and user.has_group(USER_GROUP)):
            raise AccessError(
                self.env._(
                    "Only Customer Insight users who may send mailings can send a mailing "
                    "to a customer class."
                )
            )
        company = self.env.company
        audience = self.env["res.partner"]._customer_audience_domain(domain, company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mailing to a Customer Class"),
            "res_model": "mailing.mailing",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_mailing_type": "mail",
                "default_mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "default_mailing_domain": repr(list(audience)),
                "default_customer_audience_company_id": company.id,
                "default_customer_audience_segment_id": segment.id if segment else False,
            },
        }
