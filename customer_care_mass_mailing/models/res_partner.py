from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import INTERNAL_GROUP

# {per-company link of the partner: the same records of every company, searchable by company}
ALL_COMPANIES = {
    "customer_profile_id": "customer_profile_ids",
    "customer_clv_prediction_id": "customer_clv_prediction_ids",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_profile_ids = fields.Many2many(
        "customer.profile",
        string="Classification Profiles (All Companies)",
        compute="_compute_customer_profile_ids",
        search="_search_customer_profile_ids",
        groups=INTERNAL_GROUP,
        help="The classifications of this contact's commercial entity in every company you "
        "work in; a mailing audience names its company through them.",
    )
    customer_clv_prediction_ids = fields.Many2many(
        "customer.clv.prediction",
        string="Value Predictions (All Companies)",
        compute="_compute_customer_clv_prediction_ids",
        search="_search_customer_clv_prediction_ids",
        groups=INTERNAL_GROUP,
        help="The value predictions of this contact's commercial entity in every company "
        "you work in; a mailing audience names its company through them.",
    )

    @api.depends("commercial_partner_id")
    def _compute_customer_profile_ids(self):
        self._compute_all_company_records("customer_profile_ids")

    @api.depends("commercial_partner_id")
    def _compute_customer_clv_prediction_ids(self):
        self._compute_all_company_records("customer_clv_prediction_ids")

    def _search_customer_profile_ids(self, operator, value):
        return self._search_all_company_records("customer_profile_ids", operator, value)

    def _search_customer_clv_prediction_ids(self, operator, value):
        return self._search_all_company_records("customer_clv_prediction_ids", operator, value)

    def _all_companies_model(self, field_name):
        link = next(link for link, name in ALL_COMPANIES.items() if name == field_name)
        return self.env[self._company_record_links()[link]]

    def _compute_all_company_records(self, field_name):
        records = self._all_companies_model(field_name).search(
            [("partner_id", "in", self.commercial_partner_id.ids)]
        )
        by_entity = records.grouped("partner_id")
        for partner in self:
            partner[field_name] = by_entity.get(partner.commercial_partner_id, records.browse())

    def _search_all_company_records(self, field_name, operator, value):
        """Partners whose commercial entity has a record matching, in any company of the
        user (any company at all for the superuser, e.g. the mass mailing job)."""
        if operator == "in":
            operator, value = "any", Domain("id", "in", [v for v in value if v])
        if operator not in ("any", "any!"):
            return NotImplemented
        model = self._all_companies_model(field_name).sudo()
        domain = Domain(value)
        if not self.env.su:
            domain &= Domain("company_id", "in", self.env.user.company_ids.ids)
        return Domain(
            "commercial_partner_id",
            "in",
            model._search(domain).subselect(SQL.identifier(model._table, "partner_id")),
        )

    # ------------------------------------------------------------------ audiences

    @api.model
    def _customer_audience_domain(self, domain, company):
        """``domain`` with every condition on a per-company classification (stage, segment,
        tier, payment class, churn risk...) naming ``company``: the audience is the same
        whatever company evaluates it, with the semantics of the current-company fields
        (a negative condition also matches the customers the company does not classify)."""

        def name_company(condition):
            field = self._fields.get(condition.field_expr.split(".")[0])
            path = condition.field_expr.split(".")
            if field and field.related:
                path = field.related.split(".") + path[1:]
            if path[0] not in ALL_COMPANIES:
                self._check_audience_field(field)
                return condition
            return self._audience_condition(
                ALL_COMPANIES[path[0]], ".".join(path[1:]), condition, company
            )

        return Domain(domain).map_conditions(name_company)

    @api.model
    def _audience_condition(self, target, rest, condition, company):
        operator, value = condition.operator, condition.value
        scope = Domain("company_id", "=", company.id)
        if not rest and operator in ("any", "any!", "not any", "not any!"):
            found = Domain(target, "any", scope & Domain(value))
            return ~found if operator.startswith("not") else found
        inner = Domain(rest or "id", operator, value)
        values = value if isinstance(value, list | tuple | set) else [value]
        value_is_null = any(v is False or v is None for v in values)
        negative = operator in Domain.NEGATIVE_OPERATORS
        if negative and not value_is_null:
            return ~Domain(target, "any", scope & ~inner)
        found = Domain(target, "any", scope & inner)
        if not negative and value_is_null:
            found |= ~Domain(target, "any", scope)
        return found

    def _check_audience_field(self, field):
        """A filter that reads the current company elsewhere cannot follow the audience."""
        if field and (field.company_dependent or "company" in field.get_depends(self)[1]):
            raise UserError(
                self.env._(
                    "The filter on “%(field)s” depends on the current company and cannot be "
                    "kept in a mailing audience: remove it and send the mailing again.",
                    field=field._description_string(self.env),
                )
            )

    def action_send_customer_mailing(self):
        """Open a new mailing to the customers of the list's current search (its domain
        comes in the context, from the list's header button) in the current company."""
        try:
            domain = Domain(self.env.context.get("active_domain") or [])
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("The search of the list is not a valid filter.")) from error
        return self.env["mailing.mailing"]._customer_audience_action(domain)
