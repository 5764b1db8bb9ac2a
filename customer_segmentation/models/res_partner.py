from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..tools import CUSTOMER_TYPES, INTERNAL_GROUP, USER_GROUP
from .customer_profile import HELP


def _profile_field(field_type, name, **kwargs):
    """A read-only partner field showing the current company's profile of the commercial
    entity; searchable, sortable and groupable through ``customer_profile_id``."""
    kwargs.setdefault("groups", INTERNAL_GROUP)
    return field_type(related=f"customer_profile_id.{name}", **kwargs)


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_profile_id = fields.Many2one(
        "customer.profile",
        string="Classification Profile",
        compute="_compute_customer_profile_id",
        search="_search_customer_profile_id",
        groups=INTERNAL_GROUP,
        help="The classification of this contact's commercial entity in the current company.",
    )
    customer_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_customer_currency_id",
        groups=INTERNAL_GROUP,
        help="Currency of the current company, in which the customer's amounts are shown.",
    )
    customer_first_order_date = _profile_field(
        fields.Date, "first_order_date", help=HELP["first_order_date"]
    )
    customer_last_order_date = _profile_field(
        fields.Date, "last_order_date", help=HELP["last_order_date"]
    )
    customer_order_count = _profile_field(
        fields.Integer, "order_count", string="Transactions", help=HELP["order_count"]
    )
    customer_total_revenue = _profile_field(
        fields.Monetary,
        "total_revenue",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["total_revenue"],
    )
    customer_avg_order_value = _profile_field(
        fields.Monetary,
        "avg_order_value",
        string="Average Order Value",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["avg_order_value"],
    )
    rfm_recency_days = _profile_field(
        fields.Integer, "rfm_recency_days", string="Recency (days)", help=HELP["rfm_recency_days"]
    )
    rfm_frequency = _profile_field(
        fields.Integer, "rfm_frequency", string="Frequency", help=HELP["rfm_frequency"]
    )
    rfm_monetary = _profile_field(
        fields.Monetary,
        "rfm_monetary",
        string="Monetary",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["rfm_monetary"],
    )
    rfm_r_score = _profile_field(
        fields.Integer, "rfm_r_score", string="R Score", help=HELP["score"]
    )
    rfm_f_score = _profile_field(
        fields.Integer, "rfm_f_score", string="F Score", help=HELP["score"]
    )
    rfm_m_score = _profile_field(
        fields.Integer, "rfm_m_score", string="M Score", help=HELP["score"]
    )
    rfm_score = _profile_field(fields.Char, "rfm_score", string="RFM Score", help=HELP["rfm_score"])
    rfm_segment_id = _profile_field(
        fields.Many2one, "segment_id", string="RFM Segment", help=HELP["segment_id"]
    )
    customer_value_tier = _profile_field(
        fields.Selection, "value_tier", string="Value Tier", help=HELP["value_tier"]
    )
    customer_lifecycle_stage = _profile_field(
        fields.Selection, "lifecycle_stage", string="Lifecycle Stage", help=HELP["lifecycle_stage"]
    )
    customer_high_value = _profile_field(
        fields.Boolean, "high_value", string="High Value", help=HELP["high_value"]
    )
    customer_segmented_at = _profile_field(
        fields.Datetime, "segmented_at", string="Classified On", help=HELP["segmented_at"]
    )
    customer_is_pinned = _profile_field(
        fields.Boolean,
        "is_pinned",
        string="Class Pinned",
        help="A manager pinned this customer's stage or segment; runs keep it.",
    )
    customer_pin_reason = _profile_field(
        fields.Char, "pin_reason", string="Pin Reason", help="Why a manager pinned the class."
    )
    customer_paid_invoice_count = _profile_field(
        fields.Integer,
        "paid_invoice_count",
        string="Paid Invoices",
        help=HELP["paid_invoice_count"],
    )
    customer_avg_days_to_pay = _profile_field(
        fields.Float,
        "avg_days_to_pay",
        string="Average Days to Pay",
        digits=(16, 1),
        help=HELP["avg_days_to_pay"],
    )
    customer_p90_days_to_pay = _profile_field(
        fields.Float,
        "p90_days_to_pay",
        string="Days to Pay (90th Percentile)",
        digits=(16, 1),
        help=HELP["p90_days_to_pay"],
    )
    customer_late_payment_rate = _profile_field(
        fields.Float,
        "late_payment_rate",
        string="Late Payment Rate (%)",
        digits=(16, 1),
        help=HELP["late_payment_rate"],
    )
    customer_overdue_amount = _profile_field(
        fields.Monetary,
        "overdue_amount",
        string="Overdue Amount",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["overdue_amount"],
    )
    customer_overdue_count = _profile_field(
        fields.Integer, "overdue_count", string="Overdue Invoices", help=HELP["overdue_count"]
    )
    customer_open_receivable = _profile_field(
        fields.Monetary,
        "open_receivable",
        string="Open Receivable",
        currency_field="customer_currency_id",
        groups=USER_GROUP,
        help=HELP["open_receivable"],
    )
    customer_payment_class = _profile_field(
        fields.Selection, "payment_class", string="Payment Class", help=HELP["payment_class"]
    )
    customer_preferred_weekday = _profile_field(
        fields.Selection,
        "preferred_weekday",
        string="Preferred Weekday",
        help=HELP["preferred_weekday"],
    )
    customer_preferred_hour = _profile_field(
        fields.Integer, "preferred_hour", string="Preferred Hour", help=HELP["preferred_hour"]
    )
    customer_last_interaction_date = _profile_field(
        fields.Date,
        "last_interaction_date",
        string="Last Interaction",
        help=HELP["last_interaction_date"],
    )
    customer_days_since_interaction = _profile_field(
        fields.Integer,
        "days_since_interaction",
        string="Days Since Last Interaction",
        help=HELP["days_since_interaction"],
    )
    customer_interaction_count_90d = _profile_field(
        fields.Integer,
        "interaction_count_90d",
        string="Interactions (90 Days)",
        help=HELP["interaction_count_90d"],
    )
    customer_preferred_team_id = _profile_field(
        fields.Many2one,
        "preferred_team_id",
        string="Preferred Sales Channel",
        help=HELP["preferred_team_id"],
    )
    customer_avg_days_between_orders = _profile_field(
        fields.Float,
        "avg_days_between_orders",
        string="Average Days Between Orders",
        digits=(16, 1),
        help=HELP["avg_days_between_orders"],
    )
    customer_order_interval_deviation = _profile_field(
        fields.Float,
        "order_interval_deviation",
        string="Order Interval Deviation (days)",
        digits=(16, 1),
        help=HELP["order_interval_deviation"],
    )
    customer_discount_order_rate = _profile_field(
        fields.Float,
        "discount_order_rate",
        string="Orders with Discount (%)",
        digits=(16, 1),
        help=HELP["discount_order_rate"],
    )
    customer_top_category_id = _profile_field(
        fields.Many2one, "top_category_1_id", string="Top Category", help=HELP["top_category"]
    )
    customer_top_category_ids = _profile_field(
        fields.Many2many, "top_category_ids", string="Top Categories", help=HELP["top_category"]
    )
    customer_credit_limit_use = fields.Float(
        "Credit Limit Used (%)",
        digits=(16, 1),
        compute="_compute_customer_credit_limit_use",
        groups=USER_GROUP,
        help="Open receivable ÷ the customer's credit limit × 100, when credit limits are "
        "enabled in the Invoicing settings and the customer has one (its own or the "
        "company's default); empty otherwise.",
    )
    customer_type = fields.Selection(
        CUSTOMER_TYPES,
        compute="_compute_customer_type",
        store=True,
        readonly=False,
        groups=INTERNAL_GROUP,
        help="Individuals are set automatically; for companies choose SME, large enterprise, "
        "multinational, government or non-profit. Contacts share their company's type.",
    )
    customer_profile_completeness = fields.Integer(
        "Profile Completeness (%)",
        compute="_compute_customer_profile_completeness",
        groups=INTERNAL_GROUP,
        help="Share of the four key facts that are filled in: a way to reach the customer "
        "(e-mail or phone), country, customer type and salesperson.",
    )
    customer_profile_incomplete = fields.Boolean(
        "Incomplete Profile",
        compute="_compute_customer_profile_completeness",
        search="_search_customer_profile_incomplete",
        groups=INTERNAL_GROUP,
        help="E-mail and phone, country, customer type or salesperson is missing.",
    )
    customer_segment_history_ids = fields.One2many(
        "customer.segment.history",
        compute="_compute_customer_segment_history_ids",
        string="Classification History",
        groups=USER_GROUP,
        help="Changes of stage, segment and value tier of the commercial entity in the "
        "current company, newest first.",
    )

    # ------------------------------------------------------------------ per-company records
    @api.model
    def _company_record_links(self):
        """{field: model}: partner fields linking a contact to the current company's record
        of its commercial entity in a model with columns partner_id and company_id. Related
        fields through such a link read, search, group and sort like stored fields."""
        return {"customer_profile_id": "customer.profile"}

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_profile_id(self):
        self._compute_company_record("customer_profile_id")

    def _search_customer_profile_id(self, operator, value):
        return self._search_company_record("customer_profile_id", operator, value)

    def _compute_company_record(self, field_name):
        records = (
            self.env[self._company_record_links()[field_name]]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {record.partner_id.id: record.id for record in records}
        for partner in self:
            partner[field_name] = by_partner.get(partner.commercial_partner_id.id)

    def _search_company_record(self, field_name, operator, value):
        if operator in ("any", "any!") and isinstance(value, Domain):
            return self._company_record_matches(field_name, value)
        if operator in ("any", "any!"):
            return self._commercial_partner_in(field_name, Domain("id", "in", value))
        if operator != "in":
            return NotImplemented
        domain = self._commercial_partner_in(
            field_name, Domain("id", "in", [v for v in value if v])
        )
        if False in value:
            domain |= ~self._commercial_partner_in(field_name, Domain.TRUE)
        return domain

    def _commercial_partner_in(self, field_name, record_domain):
        """Partners whose commercial entity has a current-company record matching."""
        model = self.env[self._company_record_links()[field_name]].sudo()
        records = model._search(Domain("company_id", "=", self.env.company.id) & record_domain)
        return Domain(
            "commercial_partner_id",
            "in",
            records.subselect(SQL.identifier(model._table, "partner_id")),
        )

    def _company_record_matches(self, field_name, record_domain):
        """Partners whose commercial entity has a current-company record matching, as a
        condition on the join that grouping and sorting by the link's fields add (one join
        of the records for the whole query, not a join more for the filter)."""
        model = self.env[self._company_record_links()[field_name]].sudo()
        record_domain = record_domain.optimize_full(model)

        def to_sql(partners, alias, query):
            record_alias = partners._company_record_join(alias, field_name, query)
            return SQL(
                "(%s IS NOT NULL AND %s)",
                SQL.identifier(record_alias, "id"),
                record_domain._to_sql(model, record_alias, query),
            )

        return Domain.custom(to_sql=to_sql)

    def _field_to_sql(self, alias, field_expr, query=None):
        """Read a per-company link in SQL as a join on the commercial entity and the current
        company, so that the related fields group and sort in lists and pivots."""
        if field_expr not in self._company_record_links():
            return super()._field_to_sql(alias, field_expr, query)
        if query is None:
            table = self.env[self._company_record_links()[field_expr]]._table
            return SQL(
                "(SELECT r.id FROM %s r WHERE r.partner_id = %s AND r.company_id = %s)",
                SQL.identifier(table),
                super()._field_to_sql(alias, "commercial_partner_id"),
                self.env.company.id,
            )
        return SQL.identifier(self._company_record_join(alias, field_expr, query), "id")

    def _traverse_related_sql(self, alias, field, query):
        """A field related to a column of a per-company record reads it from the record's
        join (grouping by the classification joined the profiles twice: once on the
        commercial entity, once more by the profile's id)."""
        link, _dot, fname = field.related.partition(".")
        if (
            link not in self._company_record_links()
            or "." in fname
            or query is None
            or not (self.env.su or field.compute_sudo)
        ):
            return super()._traverse_related_sql(alias, field, query)
        model = self.sudo().env[self._company_record_links()[link]]
        return model, model._fields[fname], self._company_record_join(alias, link, query)

    def _company_record_join(self, alias, field_name, query):
        """Alias of the current company's record of the link ``field_name``, LEFT JOINed
        once per query on the commercial entity of ``alias``."""
        table = self.env[self._company_record_links()[field_name]]._table
        commercial = super()._field_to_sql(alias, "commercial_partner_id", query)
        company_id = self.env.company.id
        record_alias = query.make_alias(alias, f"{table}_{company_id}")
        query.add_join(
            "LEFT JOIN",
            record_alias,
            table,
            SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(record_alias, "partner_id"),
                commercial,
                SQL.identifier(record_alias, "company_id"),
                company_id,
            ),
        )
        return record_alias

    @api.depends_context("company")
    def _compute_customer_currency_id(self):
        self.customer_currency_id = self.env.company.currency_id

    @api.depends("customer_open_receivable")
    @api.depends_context("company")
    def _compute_customer_credit_limit_use(self):
        enabled = self.env.company.account_use_credit_limit
        for partner in self:
            limit = enabled and partner.commercial_partner_id.sudo().credit_limit
            partner.customer_credit_limit_use = (
                100 * partner.customer_open_receivable / limit if limit and limit > 0 else False
            )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_segment_history_ids(self):
        History = self.env["customer.segment.history"]
        for partner in self:
            partner.customer_segment_history_ids = History.search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", self.env.company.id),
                ]
            )

    # ------------------------------------------------------------------ type, completeness

    @api.depends("is_company", "parent_id")
    def _compute_customer_type(self):
        for partner in self:
            if not partner.is_company and not partner.parent_id:
                partner.customer_type = "individual"
            elif partner.customer_type == "individual":
                partner.customer_type = False
            else:
                partner.customer_type = partner.customer_type

    def _auto_init(self):
        # Fill the new column in SQL rather than computing it partner by partner.
        if not column_exists(self.env.cr, "res_partner", "customer_type"):
            create_column(self.env.cr, "res_partner", "customer_type", "varchar")
            self.env.cr.execute(
                "UPDATE res_partner SET customer_type = 'individual' "
                "WHERE NOT is_company AND parent_id IS NULL"
            )
        return super()._auto_init()

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["customer_type"]

    @api.depends("email", "phone", "country_id", "customer_type", "user_id")
    def _compute_customer_profile_completeness(self):
        for partner in self:
            facts = (
                partner.email or partner.phone,
                partner.country_id,
                partner.customer_type,
                partner.user_id,
            )
            filled = sum(1 for fact in facts if fact)
            partner.customer_profile_completeness = 100 * filled // len(facts)
            partner.customer_profile_incomplete = filled < len(facts)

    def _search_customer_profile_incomplete(self, operator, value):
        if operator != "in":
            return NotImplemented
        incomplete = Domain.OR(
            [
                Domain("email", "=", False) & Domain("phone", "=", False),
                Domain("country_id", "=", False),
                Domain("customer_type", "=", False),
                Domain("user_id", "=", False),
            ]
        )
        return incomplete if True in value else ~incomplete

    # ------------------------------------------------------------------ freshness

    def write(self, vals):
        changed = self.browse()
        if "active" in vals:
            # Archived customers leave the classification, restored ones come back.
            changed = self.filtered(lambda partner: partner.active != bool(vals["active"]))
        if {"parent_id", "is_company"} & set(vals):
            # A contact changing entity takes its transactions along: the entity it leaves
            # (its commercial partner now) and the one it joins both change.
            changed |= self | self.commercial_partner_id
        result = super().write(vals)
        if changed:
            changed._enqueue_classified_companies()
        if "tz" in vals:
            # The behaviour profile reads order times in the company's time zone.
            companies = self.env["res.company"].sudo().search([("partner_id", "in", self.ids)])
            companies.customer_segmentation_watermark = False
        return result

    def _enqueue_classified_companies(self):
        """Queue these contacts' commercial entities in every company that classifies them."""
        self.env.flush_all()
        self.env["customer.segmentation.queue"]._enqueue_sql(
            SQL(
                """SELECT p.company_id, p.partner_id FROM customer_profile p
                    WHERE p.partner_id = ANY(%(ids)s)
                   UNION
                   SELECT c.id, rp.commercial_partner_id FROM res_partner rp, res_company c
                    WHERE rp.id = ANY(%(ids)s) AND rp.active""",
                ids=self.commercial_partner_id.ids,
            )
        )

    # ------------------------------------------------------------------ actions

    @api.model
    def recompute_customer_segmentation(self, as_of=None):
        """Reclassify every customer of the current company as of ``as_of`` (default today).

        Public API; reserved to Customer Insight managers. Returns the engine's row counts,
        or False when another run of the company is in progress.
        """
        return self.env["customer.segmentation.engine"].run(as_of=as_of)

    @api.model
    def replay_customer_history(self, months=24):
        """Replay the current company's classification history for the ``months``
        month-ends before its first classification, from the transactions, at once
        (classifying the company first if it never was); replaces an earlier replay.

        Public API; reserved to Customer Insight managers. Returns the first replayed
        month-end and the number of dates classified.
        """
        engine = self.env["customer.segmentation.engine"]
        engine._check_access_manager()
        return engine._replay_now(int(months))

    def action_pin_customer_class(self):
        self.ensure_one()
        self.env["customer.segmentation.engine"]._check_access_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pin Class"),
            "res_model": "customer.segment.pin.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_unpin_customer_class(self):
        """Drop the pins of these customers and reclassify them from their transactions."""
        engine = self.env["customer.segmentation.engine"]
        engine._check_access_manager()
        partners = self.commercial_partner_id
        profiles = self.env["customer.profile"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.env.company.id)]
        )
        profiles.sudo().write(
            {
                "pinned_stage": False,
                "pinned_segment_id": False,
                "pin_reason": False,
                "pinned_by_id": False,
                "pinned_on": False,
            }
        )
        engine._run(partner_ids=partners.ids)
        return True

    @api.readonly
    def action_view_segment_history(self):
        self.ensure_one()
        self.env["customer.segment.history"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_segmentation.action_customer_segment_history"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action
