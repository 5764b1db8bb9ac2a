import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

from ..tools import check_finite

MAX_DAYS = 36500  # a hundred years: any longer day count is a typo
MAX_AMOUNT = 1e15
MAX_REPLAY_MONTHS = 120
AMOUNT_FIELDS = ("customer_high_value_amount", "customer_medium_value_amount")
# The customers' stored figures depend on these: a change aggregates everyone again.
# Settings the stored figures depend on; and the scoring method, as a run that aggregates
# nobody again keeps the stored quantile scores.
FIGURE_SETTINGS = {
    "customer_transaction_source",
    "rfm_window_days",
    "currency_id",
    "rfm_scoring_method",
}


def parse_breakpoints(text):
    """Four finite increasing numbers written "a,b,c,d", as floats; ValueError otherwise."""
    values = [float(part) for part in (text or "").split(",") if part.strip()]
    if (
        len(values) != 4
        or not all(math.isfinite(value) for value in values)
        or any(a >= b for a, b in zip(values, values[1:], strict=False))
    ):
        raise ValueError(text)
    return values


class ResCompany(models.Model):
    _inherit = "res.company"

    rfm_window_days = fields.Integer(
        "RFM Window (days)",
        default=730,
        help="Transactions dated after (as-of date - this many days) count for frequency and "
        "monetary value; 0 takes all history.",
    )
    customer_new_days = fields.Integer(
        "New Customer Days",
        default=90,
        help="A customer whose first transaction is at most this many days old is new.",
    )
    customer_at_risk_days = fields.Integer(
        "At-Risk Days",
        default=180,
        help="A customer whose last transaction is more than this many days old is at risk.",
    )
    customer_churn_days = fields.Integer(
        "Churn Days",
        default=365,
        help="A customer whose last transaction is more than this many days old has churned.",
    )
    customer_transaction_source = fields.Selection(
        [("sale_order", "Confirmed sale orders"), ("invoice", "Posted customer invoices")],
        default="sale_order",
        required=True,
        help="What counts as a customer's transaction: confirmed sale orders (untaxed amount "
        "converted at the order's rate) or posted customer invoices net of credit notes.",
    )
    rfm_scoring_method = fields.Selection(
        [("quantile", "Quantiles"), ("threshold", "Fixed thresholds")],
        default="quantile",
        required=True,
        help="Quantiles: scores follow each customer's rank in the population (each score "
        "covers about a fifth of it). Fixed thresholds: scores follow the breakpoints below.",
    )
    rfm_r_thresholds = fields.Char(
        "Recency Breakpoints",
        default="30,90,180,365",
        help="Four increasing numbers of days: R = 5 at or below the first, 4 at or below "
        "the second, 3 at or below the third, 2 at or below the fourth, 1 above.",
    )
    rfm_f_thresholds = fields.Char(
        "Frequency Breakpoints",
        default="2,3,5,10",
        help="Four increasing transaction counts: F = 1 below the first, 2 from the first, "
        "3 from the second, 4 from the third, 5 from the fourth.",
    )
    rfm_m_thresholds = fields.Char(
        "Monetary Breakpoints",
        default="1000,5000,20000,100000",
        help="Four increasing amounts in the company currency: M = 1 below the first, 2 from "
        "the first, 3 from the second, 4 from the third, 5 from the fourth.",
    )
    customer_value_tier_method = fields.Selection(
        [("m_score", "From the M score"), ("amount", "Fixed amounts")],
        default="m_score",
        required=True,
        help="From the M score: high when M = 5, medium when M is 3 or 4, low otherwise. "
        "Fixed amounts: compare the monetary value in the window with the amounts below.",
    )
    customer_high_value_amount = fields.Monetary(
        "High Value From",
        currency_field="currency_id",
        default=100000,
        help="Monetary value in the window from which a customer is of high value.",
    )
    customer_medium_value_amount = fields.Monetary(
        "Medium Value From",
        currency_field="currency_id",
        default=20000,
        help="Monetary value in the window from which a customer is of medium value.",
    )
    customer_vip_criterion = fields.Selection(
        [("tier", "High value tier"), ("tier_frequency", "High value tier and frequent buyer")],
        "VIP Criterion",
        default="tier_frequency",
        required=True,
        help="Who is a VIP (a high-value customer): of the high value tier; or of the high "
        "value tier and with an F score at least the minimum below (buys often and much).",
    )
    customer_vip_min_f_score = fields.Integer(
        "VIP Minimum F Score",
        default=4,
        help="With the criterion 'high value tier and frequent buyer': the lowest F score "
        "(1-5) of a VIP.",
    )
    customer_intent_probability = fields.Float(
        "Intent From Probability (%)",
        default=50.0,
        help="A prospect (no transaction yet) with a sent quotation, or an open opportunity "
        "whose probability is at least this percentage, shows purchase intent.",
    )
    customer_payment_prompt_days = fields.Integer(
        "Prompt Payer Days",
        default=15,
        help="A customer who pays invoices in at most this many days on average, with nothing "
        "overdue and a late payment rate below the late rate, is a prompt payer.",
    )
    customer_payment_late_rate = fields.Float(
        "Late Payer Rate (%)",
        default=30.0,
        help="A customer who paid at least this percent of invoices after their due date, or "
        "has an invoice overdue, is a late payer.",
    )
    customer_payment_risky_days = fields.Integer(
        "Risky Payer Days",
        default=60,
        help="A customer with an invoice overdue by more than this many days is a risky payer.",
    )
    rfm_segment_preset_id = fields.Many2one(
        "customer.rfm.segment.preset",
        "RFM Segment Preset",
        default=lambda self: self.env.ref(
            "customer_segmentation.rfm_preset_international", raise_if_not_found=False
        ),
        help="Which set of segments maps R, F and M scores to a segment.",
    )
    customer_segmentation_as_of = fields.Date(
        "Classified As Of",
        readonly=True,
        help="As-of date of the last complete classification run; recency is counted to it.",
    )
    customer_segmentation_last_run = fields.Datetime(
        "Last Classification Run", readonly=True, help="When the last complete run finished."
    )
    customer_segmentation_watermark = fields.Datetime(
        "Classification Watermark",
        readonly=True,
        help="When the last complete run began reading transactions: the next one aggregates "
        "again only the customers whose transactions were written or dated since, or left "
        "the RFM window. Cleared when a setting the figures depend on changes.",
    )

    customer_history_replay_months = fields.Integer(
        "Replayed Months",
        default=24,
        help="After the company's first classification, its history is replayed for this "
        "many past month-ends from the transactions (0: no replay), so that trend and churn "
        "charts start with meaningful figures.",
    )
    customer_history_observed_from = fields.Date(
        "History Observed From",
        readonly=True,
        help="As-of date of the company's first classification: history and snapshots from "
        "this date are observed by the runs, those before it are replayed.",
    )
    customer_history_replayed_from = fields.Date(
        "History Replayed From",
        readonly=True,
        help="First month-end of the history replayed from the transactions, if any.",
    )
    customer_history_replay_next = fields.Date(
        "Next Replayed Date",
        readonly=True,
        help="Next date the scheduled replay of the history classifies; empty when no "
        "replay is under way.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_finite(self, vals, AMOUNT_FIELDS)
        return super().create(vals_list)

    @api.model
    def _full_run_settings(self):
        """Settings whose change makes the next classification run a full one (other
        addons add theirs)."""
        return FIGURE_SETTINGS

    def write(self, vals):
        check_finite(self, vals, AMOUNT_FIELDS)
        changed = self.filtered(
            lambda company: any(
                self._fields[name].convert_to_write(company[name], company) != vals[name]
                for name in self._full_run_settings() & set(vals)
            )
        )
        result = super().write(vals)
        if changed:
            changed.customer_segmentation_watermark = False
        return result

    @api.model
    def _assign_default_rfm_segment_preset(self):
        """Give the companies existing at installation the default preset (the field's
        default only serves companies created later), before any demo data is classified."""
        preset = self.env.ref("customer_segmentation.rfm_preset_international")
        self.search([("rfm_segment_preset_id", "=", False)]).rfm_segment_preset_id = preset

    def _customer_history_action(self, xmlid):
        """The window action ``xmlid`` of a chart over the classification history, named
        with the dates from which its figures are replayed and observed."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        observed = self.customer_history_observed_from
        if observed and self.customer_history_replayed_from:
            action["name"] = self.env._(
                "%(name)s (replayed from %(replayed)s, observed from %(observed)s)",
                name=action["name"],
                replayed=format_date(self.env, self.customer_history_replayed_from),
                observed=format_date(self.env, observed),
            )
        elif observed:
            action["name"] = self.env._(
                "%(name)s (observed from %(observed)s)",
                name=action["name"],
                observed=format_date(self.env, observed),
            )
        return action

    def _rfm_breakpoints(self):
        """The recency, frequency and monetary breakpoints of the fixed-threshold scoring."""
        self.ensure_one()
        return [
            parse_breakpoints(text)
            for text in (self.rfm_r_thresholds, self.rfm_f_thresholds, self.rfm_m_thresholds)
        ]

    @api.constrains(
        "rfm_window_days", "customer_new_days", "customer_at_risk_days", "customer_churn_days"
    )
    def _check_customer_days(self):
        for company in self:
            days = (
                company.rfm_window_days,
                company.customer_new_days,
                company.customer_at_risk_days,
                company.customer_churn_days,
            )
            if not all(0 <= value <= MAX_DAYS for value in days):
                raise ValidationError(
                    self.env._("Day counts must be between 0 and %(max)s days.", max=MAX_DAYS)
                )
            if not 0 < company.customer_at_risk_days < company.customer_churn_days:
                raise ValidationError(
                    self.env._(
                        "At-risk days must be positive and smaller than churn days "
                        "(%(at_risk)s, %(churn)s).",
                        at_risk=company.customer_at_risk_days,
                        churn=company.customer_churn_days,
                    )
                )

    @api.constrains(
        "customer_payment_prompt_days", "customer_payment_late_rate", "customer_payment_risky_days"
    )
    def _check_payment_thresholds(self):
        for company in self:
            days = (company.customer_payment_prompt_days, company.customer_payment_risky_days)
            if not all(0 <= value <= MAX_DAYS for value in days):
                raise ValidationError(
                    self.env._("Day counts must be between 0 and %(max)s days.", max=MAX_DAYS)
                )
            if not 0 < company.customer_payment_late_rate <= 100:
                raise ValidationError(
                    self.env._("The late payer rate must be a percentage above 0 and at most 100.")
                )

    @api.constrains(
        "customer_vip_min_f_score", "customer_intent_probability", "customer_history_replay_months"
    )
    def _check_vip_intent_and_replay(self):
        for company in self:
            if not 0 <= company.customer_history_replay_months <= MAX_REPLAY_MONTHS:
                raise ValidationError(
                    self.env._(
                        "Replay between 0 and %(max)s months of history.", max=MAX_REPLAY_MONTHS
                    )
                )
            if not 1 <= company.customer_vip_min_f_score <= 5:
                raise ValidationError(self.env._("The VIP minimum F score must be from 1 to 5."))
            if not 0 <= company.customer_intent_probability <= 100:
                raise ValidationError(
                    self.env._("The intent probability must be a percentage from 0 to 100.")
                )

    @api.constrains("rfm_r_thresholds", "rfm_f_thresholds", "rfm_m_thresholds")
    def _check_rfm_thresholds(self):
        for company in self:
            for label, text in (
                (self.env._("Recency"), company.rfm_r_thresholds),
                (self.env._("Frequency"), company.rfm_f_thresholds),
                (self.env._("Monetary"), company.rfm_m_thresholds),
            ):
                try:
                    parse_breakpoints(text)
                except ValueError:
                    raise ValidationError(
                        self.env._(
                            "%(label)s breakpoints must be four finite increasing numbers "
                            'separated by commas, such as "30,90,180,365"; got "%(text)s".',
                            label=label,
                            text=text or "",
                        )
                    ) from None

    @api.constrains("customer_high_value_amount", "customer_medium_value_amount")
    def _check_value_amounts(self):
        for company in self:
            amounts = (company.customer_medium_value_amount, company.customer_high_value_amount)
            if not all(math.isfinite(amount) and amount <= MAX_AMOUNT for amount in amounts):
                raise ValidationError(
                    self.env._(
                        "The value amounts must be numbers below %(max)s.", max=f"{MAX_AMOUNT:g}"
                    )
                )
            if not 0 <= company.customer_medium_value_amount < company.customer_high_value_amount:
                raise ValidationError(
                    self.env._("The medium value amount must be below the high value amount.")
                )
