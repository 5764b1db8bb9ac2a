from odoo import fields, models

from .customer_profile import HELP


class CustomerSegmentationResult(models.Model):
    """A classification computed by a run and not yet written to the customer's profile.

    A full run stages its whole difference at once and the scheduled job writes it in
    batches, one transaction each; rows of a full run carry its as-of date, so a run
    stopped half-way is finished by the next call. Integer columns on purpose: the rows
    live for minutes, foreign keys would only slow the bulk insert down."""

    _name = "customer.segmentation.result"
    _description = "Pending Customer Classification"
    _log_access = False

    company_id = fields.Integer("Company", required=True, help="Company of the run.")
    partner_id = fields.Integer("Customer", required=True, help="Commercial partner classified.")
    as_of = fields.Date(
        "Classified As Of", required=True, help="As-of date of the run that staged the row."
    )
    is_delete = fields.Boolean(
        "No Longer Classified", help="The customer is no longer classified: delete its profile."
    )
    first_order_date = fields.Date(help=HELP["first_order_date"])
    last_order_date = fields.Date(help=HELP["last_order_date"])
    order_count = fields.Integer("Transactions", help=HELP["order_count"])
    total_revenue = fields.Float(digits=False, help=HELP["total_revenue"])
    avg_order_value = fields.Float(
        "Average Order Value", digits=False, help=HELP["avg_order_value"]
    )
    rfm_frequency = fields.Integer("Frequency", help=HELP["rfm_frequency"])
    rfm_monetary = fields.Float("Monetary", digits=False, help=HELP["rfm_monetary"])
    rfm_r_score = fields.Integer("R Score", help=HELP["score"])
    rfm_f_score = fields.Integer("F Score", help=HELP["score"])
    rfm_m_score = fields.Integer("M Score", help=HELP["score"])
    rfm_score = fields.Char("RFM Score", help=HELP["rfm_score"])
    segment_id = fields.Integer("RFM Segment", help=HELP["segment_id"])
    value_tier = fields.Char("Value Tier", help=HELP["value_tier"])
    lifecycle_stage = fields.Char("Lifecycle Stage", help=HELP["lifecycle_stage"])
    high_value = fields.Boolean(help=HELP["high_value"])
    country_id = fields.Integer("Country", help=HELP["region"])
    state_id = fields.Integer("State", help=HELP["region"])
    city = fields.Char(help=HELP["region"])
    paid_invoice_count = fields.Integer("Paid Invoices", help=HELP["paid_invoice_count"])
    avg_days_to_pay = fields.Float(
        "Average Days to Pay", digits=False, help=HELP["avg_days_to_pay"]
    )
    p90_days_to_pay = fields.Float(
        "Days to Pay (90th Percentile)", digits=False, help=HELP["p90_days_to_pay"]
    )
    late_payment_rate = fields.Float(
        "Late Payment Rate (%)", digits=False, help=HELP["late_payment_rate"]
    )
    overdue_amount = fields.Float(digits=False, help=HELP["overdue_amount"])
    overdue_count = fields.Integer("Overdue Invoices", help=HELP["overdue_count"])
    oldest_overdue_date = fields.Date("Oldest Overdue Due Date", help=HELP["oldest_overdue_date"])
    open_receivable = fields.Float(digits=False, help=HELP["open_receivable"])
    payment_class = fields.Char(help=HELP["payment_class"])
    aggregated_at = fields.Datetime("Figures Aggregated On", help=HELP["aggregated_at"])
    aggregated_as_of = fields.Date("Figures Aggregated As Of", help=HELP["aggregated_as_of"])
    preferred_weekday = fields.Char(help=HELP["preferred_weekday"])
    preferred_hour = fields.Integer(help=HELP["preferred_hour"])
    preferred_team_id = fields.Integer("Preferred Sales Channel", help=HELP["preferred_team_id"])
    avg_days_between_orders = fields.Float(
        "Average Days Between Orders", digits=False, help=HELP["avg_days_between_orders"]
    )
    order_interval_deviation = fields.Float(
        "Order Interval Deviation (days)", digits=False, help=HELP["order_interval_deviation"]
    )
    discount_order_rate = fields.Float(
        "Orders with Discount (%)", digits=False, help=HELP["discount_order_rate"]
    )
    top_category_1_id = fields.Integer("Top Category", help=HELP["top_category"])
    top_category_2_id = fields.Integer("Second Category", help=HELP["top_category"])
    top_category_3_id = fields.Integer("Third Category", help=HELP["top_category"])
    last_interaction_date = fields.Date(help=HELP["last_interaction_date"])
    interaction_count_90d = fields.Integer(
        "Interactions (90 Days)", help=HELP["interaction_count_90d"]
    )
    interactions_expire_on = fields.Date(
        "Interactions Recounted On", help=HELP["interactions_expire_on"]
    )
    old_stage = fields.Char(
        "Stage Before", help="Lifecycle stage stored before the run, for the history."
    )
    old_segment_id = fields.Integer(
        "Segment Before", help="Segment stored before the run, for the history."
    )
    old_tier = fields.Char(
        "Value Tier Before", help="Value tier stored before the run, for the history."
    )

    _company_partner_uniq = models.UniqueIndex("(company_id, partner_id)")
