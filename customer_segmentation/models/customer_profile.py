from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import LIFECYCLE_STAGES, PAYMENT_CLASSES, USER_GROUP, VALUE_TIERS, WEEKDAYS

HELP = {
    "region": "The customer's address as it was at the last classification run.",
    "first_order_date": "Date (UTC) of the customer's first transaction in this company, over all "
    "history up to the as-of date of the last run.",
    "last_order_date": "Date (UTC) of the customer's last transaction in this company, over all "
    "history up to the as-of date of the last run.",
    "order_count": "Number of transactions (confirmed sale orders, or posted invoices, as set "
    "in Settings) of the customer in this company, over all history.",
    "total_revenue": "Untaxed amount of all the customer's transactions, in the company "
    "currency (orders: untaxed amount / currency rate; invoices: net of credit notes).",
    "avg_order_value": "Total revenue divided by the number of transactions.",
    "rfm_frequency": "F: number of transactions dated in the RFM window "
    "(as-of date - window days < date <= as-of date).",
    "rfm_monetary": "M: untaxed amount of the transactions dated in the RFM window, in the "
    "company currency.",
    "rfm_recency_days": "R: days from the customer's last transaction to the as-of date of the "
    "last run.",
    "score": "Quantile method: k = 1 + the number of customers of the RFM population with a "
    "strictly worse value, n = population size, score = ceil(5k / n); fixed thresholds: "
    "position of the value among the four breakpoints set in Settings. 5 is best.",
    "rfm_score": "The R, F and M scores written side by side, for example 534.",
    "segment_id": "First segment of the company's preset (by sequence) whose R, F and M ranges "
    "contain the customer's scores, unless a manager pinned another one.",
    "value_tier": "High when M = 5, medium when M is 3 or 4, low otherwise (or by the fixed "
    "amounts set in Settings). Empty for customers without a transaction in the window.",
    "lifecycle_stage": "First rule that applies: churned (days since the last transaction > "
    "churn days), at risk (> at-risk days), new (first transaction at most 'new days' ago), "
    "VIP (meets the VIP criterion of Settings: value tier high, and F score at least the "
    "minimum if so set), active (any other customer with a transaction); without a "
    "transaction: intent (a sent quotation, or an open opportunity at or above the intent "
    "probability of Settings), potential (an open opportunity or a draft quotation). A "
    "manager's pin wins.",
    "high_value": "Meets the VIP criterion of Settings (value tier high, and F score at least "
    "the minimum if so set), whatever the lifecycle stage: a new or at-risk customer of high "
    "value is flagged rather than hidden.",
    "segmented_at": "When the engine last changed this customer's figures or classes.",
    "aggregated_at": "When the run that last wrote this customer's figures began to aggregate "
    "them from the documents; a nightly run does not aggregate again a customer whose "
    "documents were not written after it.",
    "aggregated_as_of": "The as-of date of the run that last wrote this customer's figures.",
    "paid_invoice_count": "Posted customer invoices of the company fully paid (paid or in "
    "payment) by the last run; credit notes and invoices cancelled by a credit note excluded.",
    "avg_days_to_pay": "Mean, over the fully paid invoices, of the days from the invoice date to "
    "the date of the last payment or credit note reconciled with it (0 when paid in advance).",
    "p90_days_to_pay": "90th percentile (continuous) of the same days to pay: nine invoices in "
    "ten were paid within this many days.",
    "late_payment_rate": "Percent of the fully paid invoices whose last payment is dated after "
    "the invoice's due date.",
    "overdue_amount": "Amount still due, in the company currency, on the posted customer "
    "invoices due before the as-of date of the last run.",
    "overdue_count": "Posted customer invoices not fully paid and due before the as-of date of "
    "the last run.",
    "oldest_overdue_date": "Due date of the customer's oldest overdue invoice.",
    "open_receivable": "Amount still due, in the company currency, on all the customer's posted "
    "invoices, net of open credit notes.",
    "payment_class": "First rule that applies, with the thresholds set in Settings: risky (an "
    "invoice overdue by more than the risky days), late (late payment rate at or above the "
    "late rate, or an invoice overdue), prompt (average days to pay at most the prompt days), "
    "normal (any other customer with a posted invoice). Empty without invoices.",
    "preferred_weekday": "Day of the week on which the customer placed most of their confirmed "
    "sale orders (whatever the transaction source), in the time zone of the company's contact, "
    "else of the user; a tie goes to the earliest day, Monday first.",
    "preferred_hour": "Hour of the day (0-23) at which the customer placed most of their "
    "confirmed sale orders, in the same time zone; a tie goes to the earliest hour.",
    "preferred_team_id": "Sales team (Odoo's sales channel: a sales team, the website, the "
    "point of sale...) of most of the customer's confirmed sale orders; a tie goes to the "
    "team created first. Empty when no order has a sales team.",
    "avg_days_between_orders": "Mean gap in days between consecutive distinct days with a "
    "confirmed sale order (same time zone). Empty with fewer than two order days.",
    "order_interval_deviation": "Standard deviation (sample) of the same gaps, in days: small "
    "next to the average gap means the customer orders regularly. Empty with fewer than three "
    "order days.",
    "discount_order_rate": "Percent of the customer's confirmed sale orders with a discount: a "
    "line with a discount percentage, or a negative line (reward, discount product).",
    "last_interaction_date": "Date (UTC) of the customer's last interaction up to the as-of "
    "date of the last run: a message, e-mail or done activity on the customer, its contacts, "
    "its sale orders or its opportunities in this company, a meeting one of its contacts "
    "attends, or a confirmed sale order.",
    "days_since_interaction": "Days from the last interaction to the as-of date of the last run.",
    "interaction_count_90d": "Number of interactions (as for the last interaction) dated in "
    "the 90 days up to the as-of date of the last run.",
    "interactions_expire_on": "When the oldest interaction counted in the 90 days leaves the "
    "window: the next run from that day counts the customer's interactions again.",
    "top_category": "Product categories in which the customer spent most: untaxed amount of the "
    "confirmed sale order lines in the company currency, the largest first (up to three).",
}


class CustomerProfile(models.Model):
    """Classification of one commercial entity in one company, written by the engine."""

    _name = "customer.profile"
    _inherit = ["customer.insight.analysis"]
    _description = "Customer Classification Profile"
    _order = "company_id, partner_id"
    _rec_name = "partner_id"
    _log_access = False  # rewritten in bulk by the engine; segmented_at tells when
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
        help="The commercial entity (company, or individual without a company) classified.",
    )
    # Indexed by the head of _company_stage_idx.
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    first_order_date = fields.Date(readonly=True, help=HELP["first_order_date"])
    last_order_date = fields.Date(readonly=True, help=HELP["last_order_date"])
    order_count = fields.Integer("Transactions", readonly=True, help=HELP["order_count"])
    total_revenue = fields.Monetary(readonly=True, groups=USER_GROUP, help=HELP["total_revenue"])
    avg_order_value = fields.Monetary(
        "Average Order Value", readonly=True, groups=USER_GROUP, help=HELP["avg_order_value"]
    )
    rfm_recency_days = fields.Integer(
        "Recency (days)",
        compute="_compute_rfm_recency_days",
        search="_search_rfm_recency_days",
        help=HELP["rfm_recency_days"],
    )
    rfm_frequency = fields.Integer("Frequency", readonly=True, help=HELP["rfm_frequency"])
    rfm_monetary = fields.Monetary(
        "Monetary", readonly=True, groups=USER_GROUP, help=HELP["rfm_monetary"]
    )
    rfm_r_score = fields.Integer("R Score", readonly=True, aggregator="avg", help=HELP["score"])
    rfm_f_score = fields.Integer("F Score", readonly=True, aggregator="avg", help=HELP["score"])
    rfm_m_score = fields.Integer("M Score", readonly=True, aggregator="avg", help=HELP["score"])
    rfm_score = fields.Char("RFM Score", readonly=True, help=HELP["rfm_score"])
    segment_id = fields.Many2one(
        "customer.rfm.segment",
        string="RFM Segment",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help=HELP["segment_id"],
    )
    value_tier = fields.Selection(VALUE_TIERS, readonly=True, help=HELP["value_tier"])
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, readonly=True, help=HELP["lifecycle_stage"]
    )
    high_value = fields.Boolean(readonly=True, help=HELP["high_value"])
    pinned_stage = fields.Selection(
        LIFECYCLE_STAGES,
        readonly=True,
        help="Lifecycle stage set by a manager; the engine keeps it until it is unpinned.",
    )
    pinned_segment_id = fields.Many2one(
        "customer.rfm.segment",
        readonly=True,
        ondelete="set null",
        help="RFM segment set by a manager; the engine keeps it until it is unpinned.",
    )
    pin_reason = fields.Char(readonly=True, help="Why a manager pinned this customer's class.")
    pinned_by_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    pinned_on = fields.Datetime(readonly=True)
    is_pinned = fields.Boolean(
        compute="_compute_is_pinned",
        search="_search_is_pinned",
        help="A manager pinned the stage or the segment.",
    )
    segmented_at = fields.Datetime("Classified On", readonly=True, help=HELP["segmented_at"])
    aggregated_at = fields.Datetime(
        "Figures Aggregated On", readonly=True, help=HELP["aggregated_at"]
    )
    aggregated_as_of = fields.Date(
        "Figures Aggregated As Of", readonly=True, help=HELP["aggregated_as_of"]
    )
    # The customer's region, copied by each run: the analysis by region groups a million
    # profiles without joining their contacts.
    country_id = fields.Many2one(
        "res.country", string="Country", readonly=True, help=HELP["region"]
    )
    state_id = fields.Many2one(
        "res.country.state", string="State", readonly=True, help=HELP["region"]
    )
    city = fields.Char(readonly=True, help=HELP["region"])
    # How the customer pays (posted customer invoices and their reconciliation).
    paid_invoice_count = fields.Integer(
        "Paid Invoices", readonly=True, help=HELP["paid_invoice_count"]
    )
    avg_days_to_pay = fields.Float(
        "Average Days to Pay",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["avg_days_to_pay"],
    )
    p90_days_to_pay = fields.Float(
        "Days to Pay (90th Percentile)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["p90_days_to_pay"],
    )
    late_payment_rate = fields.Float(
        "Late Payment Rate (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["late_payment_rate"],
    )
    overdue_amount = fields.Monetary(readonly=True, groups=USER_GROUP, help=HELP["overdue_amount"])
    overdue_count = fields.Integer("Overdue Invoices", readonly=True, help=HELP["overdue_count"])
    oldest_overdue_date = fields.Date(
        "Oldest Overdue Due Date", readonly=True, help=HELP["oldest_overdue_date"]
    )
    open_receivable = fields.Monetary(
        readonly=True, groups=USER_GROUP, help=HELP["open_receivable"]
    )
    payment_class = fields.Selection(
        PAYMENT_CLASSES, readonly=True, index="btree_not_null", help=HELP["payment_class"]
    )
    # How the customer buys (confirmed sale orders and their lines).
    preferred_weekday = fields.Selection(
        WEEKDAYS, readonly=True, index="btree_not_null", help=HELP["preferred_weekday"]
    )
    preferred_hour = fields.Integer(readonly=True, help=HELP["preferred_hour"])
    preferred_team_id = fields.Many2one(
        "crm.team",
        string="Preferred Sales Channel",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help=HELP["preferred_team_id"],
    )
    avg_days_between_orders = fields.Float(
        "Average Days Between Orders",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["avg_days_between_orders"],
    )
    order_interval_deviation = fields.Float(
        "Order Interval Deviation (days)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["order_interval_deviation"],
    )
    discount_order_rate = fields.Float(
        "Orders with Discount (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help=HELP["discount_order_rate"],
    )
    top_category_1_id = fields.Many2one(
        "product.category",
        string="Top Category",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help=HELP["top_category"],
    )
    top_category_2_id = fields.Many2one(
        "product.category",
        string="Second Category",
        readonly=True,
        ondelete="set null",
        help=HELP["top_category"],
    )
    top_category_3_id = fields.Many2one(
        "product.category",
        string="Third Category",
        readonly=True,
        ondelete="set null",
        help=HELP["top_category"],
    )
    last_interaction_date = fields.Date(readonly=True, help=HELP["last_interaction_date"])
    days_since_interaction = fields.Integer(
        "Days Since Last Interaction",
        compute="_compute_days_since_interaction",
        search="_search_days_since_interaction",
        help=HELP["days_since_interaction"],
    )
    interaction_count_90d = fields.Integer(
        "Interactions (90 Days)",
        readonly=True,
        aggregator="avg",
        help=HELP["interaction_count_90d"],
    )
    interactions_expire_on = fields.Date(
        "Interactions Recounted On", readonly=True, help=HELP["interactions_expire_on"]
    )
    top_category_ids = fields.Many2many(
        "product.category",
        string="Top Categories",
        compute="_compute_top_category_ids",
        search="_search_top_category_ids",
        help=HELP["top_category"],
    )
    # Other partner attributes, for grouping the analysis (joined in SQL).
    customer_type = fields.Selection(related="partner_id.customer_type")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one profile per company."
    )
    _company_stage_idx = models.Index("(company_id, lifecycle_stage)")
    _interactions_expire_idx = models.Index(
        "(company_id, interactions_expire_on) WHERE interactions_expire_on IS NOT NULL"
    )

    @api.depends("last_order_date", "company_id.customer_segmentation_as_of")
    def _compute_rfm_recency_days(self):
        self._compute_days_to_as_of("last_order_date", "rfm_recency_days")

    def _search_rfm_recency_days(self, operator, value):
        return self._search_days_to_as_of("last_order_date", operator, value)

    @api.depends("last_interaction_date", "company_id.customer_segmentation_as_of")
    def _compute_days_since_interaction(self):
        self._compute_days_to_as_of("last_interaction_date", "days_since_interaction")

    def _search_days_since_interaction(self, operator, value):
        return self._search_days_to_as_of("last_interaction_date", operator, value)

    def _compute_days_to_as_of(self, date_field, days_field):
        """``days_field`` = days from ``date_field`` to the as-of date of the last run."""
        for profile in self:
            as_of = profile.company_id.customer_segmentation_as_of or fields.Date.today()
            day = profile[date_field]
            profile[days_field] = (as_of - day).days if day else 0

    def _search_days_to_as_of(self, date_field, operator, value):
        """Days to the as-of date compared with ``value``, as a domain on ``date_field``."""
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
        if operator not in flipped or not isinstance(value, int | float):
            return NotImplemented
        as_of = self.env.company.customer_segmentation_as_of or fields.Date.today()
        return Domain(date_field, flipped[operator], as_of - timedelta(days=value))

    @api.depends("top_category_1_id", "top_category_2_id", "top_category_3_id")
    def _compute_top_category_ids(self):
        for profile in self:
            profile.top_category_ids = (
                profile.top_category_1_id | profile.top_category_2_id | profile.top_category_3_id
            )

    def _search_top_category_ids(self, operator, value):
        """Customers with any of the categories among their three top ones."""
        if operator not in ("in", "any"):
            return NotImplemented
        return Domain.OR(Domain(f"top_category_{rank}_id", operator, value) for rank in (1, 2, 3))

    @api.depends("pinned_stage", "pinned_segment_id")
    def _compute_is_pinned(self):
        for profile in self:
            profile.is_pinned = bool(profile.pinned_stage or profile.pinned_segment_id)

    def _search_is_pinned(self, operator, value):
        if operator != "in":
            return NotImplemented
        pinned = Domain("pinned_stage", "!=", False) | Domain("pinned_segment_id", "!=", False)
        return pinned if True in value else ~pinned
