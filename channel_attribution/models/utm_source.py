from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL


class UtmSource(models.Model):
    _inherit = "utm.source"

    customer_channel_ids = fields.Many2many(
        "customer.channel",
        "customer_channel_utm_source_rel",
        "source_id",
        "channel_id",
        string="Channels",
        help="Channels this source maps to (at most one per company).",
    )
    customer_channel_id = fields.Many2one(
        "customer.channel",
        string="Channel",
        compute="_compute_customer_channel_id",
        inverse="_inverse_customer_channel_id",
        search="_search_customer_channel_id",
        help="Channel of this source in the current company; leads and orders with this "
        "source count for it. Empty: they fall into Unassigned unless their medium maps.",
    )
    customer_is_used = fields.Boolean(
        "Used",
        compute="_compute_customer_touchpoint_count",
        search="_search_customer_is_used",
        help="Some lead, opportunity or sale order of the current company has this source.",
    )
    customer_touchpoint_count = fields.Integer(
        "Touchpoints",
        compute="_compute_customer_touchpoint_count",
        help="Leads, opportunities and sale orders of the current company with this source.",
    )

    def _company_channels(self):
        company = self.env.company
        return self.customer_channel_ids.filtered(
            lambda c: c.active and c.company_id in (company, self.env["res.company"])
        ).sorted(lambda c: (not c.company_id, c.sequence, c.id))

    @api.depends("customer_channel_ids")
    @api.depends_context("company")
    def _compute_customer_channel_id(self):
        for source in self:
            source.customer_channel_id = source._company_channels()[:1]

    def _inverse_customer_channel_id(self):
        # Through the channels, so that their checks and re-attribution run.
        for source in self:
            (source._company_channels() - source.customer_channel_id).write(
                {"source_ids": [(3, source.id)]}
            )
            if source.customer_channel_id:
                source.customer_channel_id.write({"source_ids": [(4, source.id)]})

    def _search_customer_channel_id(self, operator, value):
        if operator != "in":
            return NotImplemented
        company = self.env.company
        channels = Domain(
            "customer_channel_ids",
            "any",
            [
                ("active", "=", True),
                ("company_id", "in", [company.id, False]),
            ],
        )
        mapped = Domain("customer_channel_ids", "in", [v for v in value if v]) & channels
        return mapped | ~channels if False in value else mapped

    @api.depends_context("company")
    def _compute_customer_touchpoint_count(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT source_id, COUNT(*) FROM (
                    SELECT source_id FROM crm_lead
                     WHERE source_id = ANY(%(ids)s)
                       AND (company_id = %(company)s OR company_id IS NULL)
                    UNION ALL
                    SELECT source_id FROM sale_order
                     WHERE source_id = ANY(%(ids)s) AND company_id = %(company)s
                ) t GROUP BY source_id
                """,
                ids=self.ids,
                company=self.env.company.id,
            )
        )
        counts = dict(self.env.cr.fetchall())
        for source in self:
            source.customer_touchpoint_count = counts.get(source.id, 0)
            source.customer_is_used = bool(source.customer_touchpoint_count)

    def _search_customer_is_used(self, operator, value):
        if operator != "in":
            return NotImplemented
        used = Domain(
            "id",
            "in",
            SQL(
                "(SELECT source_id FROM crm_lead WHERE company_id = %(company)s "
                "OR company_id IS NULL UNION SELECT source_id FROM sale_order "
                "WHERE company_id = %(company)s)",
                company=self.env.company.id,
            ),
        )
        return used if True in value else ~used
