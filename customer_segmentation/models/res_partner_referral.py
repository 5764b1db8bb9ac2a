from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import INTERNAL_GROUP, USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        ondelete="set null",
        groups=INTERNAL_GROUP,
        help="Who recommended this customer. Set by hand, or carried over when a lead is "
        "linked to the customer: the contact named exactly as the lead's 'Referred By' (when "
        "only one has that name), else the contact of the partner-referral channel the lead "
        "came through. A referrer already set is never replaced. Contacts share their "
        "company's referrer.",
    )
    customer_referral_count = fields.Integer(
        "Referrals",
        compute="_compute_customer_referrals",
        groups=INTERNAL_GROUP,
        help="Customers (companies and individuals, not their contacts) referred by this "
        "customer or one of its contacts.",
    )
    customer_referral_revenue = fields.Monetary(
        "Referred Revenue",
        compute="_compute_customer_referrals",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help="Total revenue, in the current company, of the customers this customer referred "
        "(the sum of their total revenue).",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["customer_referrer_id"]

    @api.constrains("customer_referrer_id")
    def _check_customer_referrer_id(self):
        for partner in self:
            referrer = partner.customer_referrer_id
            if referrer and referrer.commercial_partner_id == partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(customer)s cannot be referred by itself or by one of its contacts.",
                        customer=partner.commercial_partner_id.display_name,
                    )
                )

    def _referred_customers_sql(self):
        """(referrer entity, customer, total revenue in the current company) of the customers
        referred by these partners' commercial entities, among the allowed companies'."""
        return SQL(
            """SELECT ref.commercial_partner_id AS referrer_id, c.id AS customer_id,
                      COALESCE(p.total_revenue, 0) AS revenue
                 FROM res_partner c
                 JOIN res_partner ref ON ref.id = c.customer_referrer_id
                 LEFT JOIN customer_profile p ON p.partner_id = c.id AND p.company_id = %s
                WHERE c.id = c.commercial_partner_id AND c.active
                  AND (c.company_id IS NULL OR c.company_id = ANY(%s))
                  AND ref.commercial_partner_id = ANY(%s)""",
            self.env.company.id,
            self.env.companies.ids,
            self.commercial_partner_id.ids,
        )

    @api.depends("commercial_partner_id")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_customer_referrals(self):
        self.env["res.partner"].flush_model(["customer_referrer_id", "commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                "SELECT r.referrer_id, COUNT(*), SUM(r.revenue) FROM (%s) r GROUP BY r.referrer_id",
                self._referred_customers_sql(),
            )
        )
        figures = {
            referrer: (count, revenue) for referrer, count, revenue in self.env.cr.fetchall()
        }
        for partner in self:
            count, revenue = figures.get(partner.commercial_partner_id.id, (0, 0.0))
            partner.customer_referral_count = count
            partner.customer_referral_revenue = revenue

    @api.readonly
    def action_view_customer_referrals(self):
        """The customers referred by this customer."""
        self.ensure_one()
        self.check_access("read")
        self._check_field_access(self._fields["customer_referrer_id"], "read")
        self.env.cr.execute(SQL("SELECT r.customer_id FROM (%s) r", self._referred_customers_sql()))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Referred by %(customer)s", customer=self.commercial_partner_id.name
            ),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", [row[0] for row in self.env.cr.fetchall()])],
            "context": {"create": False},
        }
