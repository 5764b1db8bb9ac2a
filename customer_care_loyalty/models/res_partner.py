from odoo import api, fields, models
from odoo.tools import SQL

OFFER_FIELDS = ("care_loyalty_code", "care_loyalty_expiration_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    care_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Last Care Offer",
        compute="_compute_care_loyalty",
        groups="sales_team.group_sale_salesman",
        help="The card of the last care action of the current company that issued one to "
        "this customer.",
    )
    care_loyalty_code = fields.Char(
        "Care Offer Code",
        compute="_compute_care_loyalty",
        groups="base.group_user",
        help="Code of the last care offer: what care rule e-mails and notes show with "
        "{{ object.care_loyalty_code }}.",
    )
    care_loyalty_expiration_date = fields.Date(
        "Care Offer Expires On",
        compute="_compute_care_loyalty",
        groups="base.group_user",
        help="Expiration date of the last care offer; empty when it never expires.",
    )

    @api.depends_context("company")
    def _compute_care_loyalty(self):
        """One query for all the records: the card of each customer's latest care action
        of the current company that has one."""
        self.env["customer.care.log"].flush_model(["partner_id", "company_id", "loyalty_card_id"])
        self.env["loyalty.card"].flush_model(["code", "expiration_date"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT ON (l.partner_id) l.partner_id, c.id, c.code, c.expiration_date
                  FROM customer_care_log l JOIN loyalty_card c ON c.id = l.loyalty_card_id
                 WHERE l.partner_id = ANY(%s) AND l.company_id = %s
                 ORDER BY l.partner_id, l.id DESC
                """,
                [partner_id for partner_id in self.ids if partner_id],
                self.env.company.id,
            )
        )
        cards = {partner_id: values for partner_id, *values in rows}
        for partner in self:
            card_id, code, expiration = cards.get(partner.id, (False, False, False))
            partner.care_loyalty_card_id = card_id
            partner.care_loyalty_code = code
            partner.care_loyalty_expiration_date = expiration

    def mail_allowed_qweb_expressions(self):
        # The offer's code and expiry may be shown by care rule texts without editor rights.
        return super().mail_allowed_qweb_expressions() + tuple(
            f"object.{name}" for name in OFFER_FIELDS
        )
