from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

CHANNEL_TYPES = [
    ("online_ads", "Online Ads"),
    ("search_engine", "Search Engine"),
    ("social_media", "Social Media"),
    ("email_marketing", "E-mail Marketing"),
    ("partner_referral", "Partner Referral"),
    ("trade_show", "Trade Show"),
    ("telemarketing", "Telemarketing"),
    ("offline_store", "Offline Store"),
    ("other", "Other"),
]


class CustomerChannel(models.Model):
    _name = "customer.channel"
    _description = "Acquisition Channel"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    channel_type = fields.Selection(
        CHANNEL_TYPES,
        string="Type",
        required=True,
        default="other",
        help="Family of the channel, used to group channels in reports.",
    )
    source_ids = fields.Many2many(
        "utm.source",
        "customer_channel_utm_source_rel",
        "channel_id",
        "source_id",
        string="UTM Sources",
        help="Leads, opportunities and orders with one of these sources come from this channel. "
        "A source maps to one channel per company; the source wins over the medium.",
    )
    medium_ids = fields.Many2many(
        "utm.medium",
        "customer_channel_utm_medium_rel",
        "channel_id",
        "medium_id",
        string="UTM Mediums",
        help="Documents whose source maps to no channel come from this channel when their "
        "medium is one of these. A medium maps to one channel per company.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Channel Contact", help="Agency, partner or organiser to talk to."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Who manages this channel and its budget.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to use the channel in every company.",
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    cost_ids = fields.One2many("customer.channel.cost", "channel_id", string="Costs")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_scorecard", help="Currency of the current company."
    )
    # Scorecard: the last N days (context key channel_scorecard_days, default 30) against
    # the N days before, under the attribution model of the Settings.
    scorecard_revenue = fields.Monetary(
        "Revenue",
        compute="_compute_scorecard",
        help="Revenue attributed to the channel over the period.",
    )
    scorecard_previous_revenue = fields.Monetary(
        "Previous Revenue",
        compute="_compute_scorecard",
        help="Revenue attributed to the channel over the period before.",
    )
    scorecard_growth = fields.Float(
        "Growth (%)",
        compute="_compute_scorecard",
        help="(Revenue − previous revenue) ÷ previous revenue × 100; 0 when the period "
        "before had no revenue.",
    )
    scorecard_leads = fields.Integer(
        "Leads", compute="_compute_scorecard", help="Leads and opportunities created."
    )
    scorecard_conversion_rate = fields.Float(
        "Conversion (%)",
        compute="_compute_scorecard",
        help="Opportunities won ÷ (won + lost) × 100 over the period.",
    )
    scorecard_new_customers = fields.Integer(
        "New Customers",
        compute="_compute_scorecard",
        help="Customers acquired through the channel over the period who ordered.",
    )
    scorecard_orders = fields.Integer(
        "Orders",
        compute="_compute_scorecard",
        help="Confirmed orders over the period, each in the channel of its own UTM source or "
        "medium (see Channel Performance).",
    )
    scorecard_units = fields.Float(
        "Units Sold",
        compute="_compute_scorecard",
        digits="Product Unit",
        help="Units of these orders' product lines, in each product's unit of measure.",
    )
    scorecard_avg_order_value = fields.Monetary(
        "Average Order Value",
        compute="_compute_scorecard",
        help="Untaxed revenue of these orders ÷ their number.",
    )
    scorecard_cost = fields.Monetary(
        "Cost", compute="_compute_scorecard", help="Costs recorded over the period."
    )
    scorecard_return_on_cost = fields.Float(
        "Return on Cost (%)",
        compute="_compute_scorecard",
        help="(Revenue − cost) ÷ cost × 100 over the period.",
    )

    @api.depends_context("company", "channel_scorecard_days")
    def _compute_scorecard(self):
        days = self.env.context.get("channel_scorecard_days") or 30
        today = fields.Date.context_today(self)
        start = today - timedelta(days=days - 1)
        previous_start = start - timedelta(days=days)
        Report = self.env["customer.channel.report"]
        current = Report._period_figures(start, today, self.ids)
        previous = Report._period_figures(previous_start, start - timedelta(days=1), self.ids)
        for channel in self:
            now, before = current.get(channel.id, {}), previous.get(channel.id, {})
            revenue, previous_revenue = (
                now.get("attributed_revenue") or 0,
                before.get("attributed_revenue") or 0,
            )
            channel.currency_id = self.env.company.currency_id
            channel.scorecard_revenue = revenue
            channel.scorecard_previous_revenue = previous_revenue
            channel.scorecard_growth = (
                (revenue - previous_revenue) * 100 / previous_revenue if previous_revenue else 0
            )
            channel.scorecard_leads = now.get("lead_count") or 0
            channel.scorecard_conversion_rate = now.get("conversion_rate") or 0
            channel.scorecard_new_customers = now.get("new_customer_count") or 0
            channel.scorecard_orders = now.get("order_count") or 0
            channel.scorecard_units = now.get("units_sold") or 0
            channel.scorecard_avg_order_value = now.get("order_value_avg") or 0
            channel.scorecard_cost = now.get("cost") or 0
            channel.scorecard_return_on_cost = now.get("return_on_cost") or 0

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels._requeue_mapped_customers(channels.source_ids, channels.medium_ids)
        return channels

    def write(self, vals):
        mapping_fields = {"source_ids", "medium_ids", "active", "company_id", "sequence"}
        if not mapping_fields & set(vals):
            return super().write(vals)
        sources, mediums = self.source_ids, self.medium_ids
        result = super().write(vals)
        self._requeue_mapped_customers(sources | self.source_ids, mediums | self.medium_ids)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_unassigned(self):
        if self.env.ref("channel_attribution.channel_unassigned", raise_if_not_found=False) in self:
            raise UserError(
                self.env._(
                    "The Unassigned channel collects unmapped sources; it cannot be deleted."
                )
            )

    def unlink(self):
        # Their attribution and daily revenue go with them (cascade).
        sources, mediums = self.source_ids, self.medium_ids
        result = super().unlink()
        self._requeue_mapped_customers(sources, mediums)
        return result

    def _requeue_mapped_customers(self, sources, mediums):
        """Queue, in one statement, the customers with a touchpoint whose source or medium
        changed channel, so that the queue job re-attributes them."""
        if not (sources or mediums):
            return
        self.env["customer.channel.engine"]._refresh_mapped_leads(sources, mediums)
        self.env.flush_all()
        self.env["customer.segmentation.queue"]._enqueue_sql(
            SQL(
                """
                SELECT t.company_id, rp.commercial_partner_id AS partner_id
                  FROM (
                    SELECT COALESCE(l.company_id, c.id) AS company_id, l.partner_id
                      FROM crm_lead l
                      JOIN res_company c ON l.company_id IS NULL OR c.id = l.company_id
                     WHERE l.partner_id IS NOT NULL
                       AND (l.source_id = ANY(%(sources)s) OR l.medium_id = ANY(%(mediums)s))
                    UNION
                    SELECT so.company_id, so.partner_id FROM sale_order so
                     WHERE so.source_id = ANY(%(sources)s) OR so.medium_id = ANY(%(mediums)s)
                  ) t
                  JOIN res_partner rp ON rp.id = t.partner_id
                """,
                sources=sources.ids,
                mediums=mediums.ids,
            )
        )
        self.env.ref("customer_segmentation.ir_cron_process_segmentation_queue").sudo()._trigger()

    @api.constrains("source_ids", "medium_ids", "company_id", "active")
    def _check_unique_mapping(self):
        """A source (or medium) maps to at most one active channel per company."""
        for channel in self.filtered("active"):
            domain = [("id", "!=", channel.id)]
            if channel.company_id:
                domain.append(("company_id", "in", [channel.company_id.id, False]))
            others = self.search(domain)
            for field_name in ("source_ids", "medium_ids"):
                for other in others:
                    clash = channel[field_name] & other[field_name]
                    if clash:
                        raise ValidationError(
                            self.env._(
                                "%(utm)s already maps to channel %(other)s; a source or medium "
                                "maps to one channel per company.",
                                utm=clash[0].name,
                                other=other.display_name,
                            )
                        )
