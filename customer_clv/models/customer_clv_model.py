from datetime import timedelta

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import clv_math

GRADES = [("A", "A: reliable"), ("B", "B: usable"), ("C", "C: weak")]
MAX_HOLDOUT_WEEKS = 520


class CustomerClvModel(models.Model):
    """One fit of the purchase (BG/NBD) and spend (Gamma-Gamma) models for a company."""

    _name = "customer.clv.model"
    _description = "Customer Value Model"
    _order = "fitted_at desc, id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    fitted_at = fields.Datetime(readonly=True, help="When the models were fitted.")
    calibration_end = fields.Date(
        readonly=True, help="Transactions up to this date were used to fit the models."
    )
    customer_count = fields.Integer(
        "Customers", readonly=True, help="Customers with at least one purchase, used by BG/NBD."
    )
    repeat_customer_count = fields.Integer(
        "Repeat Customers",
        readonly=True,
        help="Customers with at least one repeat purchase day, used by Gamma-Gamma.",
    )
    bgnbd_r = fields.Float(
        "r", digits=(16, 6), readonly=True, help="BG/NBD: shape of the purchase rates."
    )
    bgnbd_alpha = fields.Float(
        "alpha", digits=(16, 6), readonly=True, help="BG/NBD: scale of the purchase rates."
    )
    bgnbd_a = fields.Float(
        "a", digits=(16, 6), readonly=True, help="BG/NBD: first shape of the dropout probability."
    )
    bgnbd_b = fields.Float(
        "b", digits=(16, 6), readonly=True, help="BG/NBD: second shape of the dropout probability."
    )
    gg_p = fields.Float(
        "p", digits=(16, 6), readonly=True, help="Gamma-Gamma: shape of the spend per purchase."
    )
    gg_q = fields.Float(
        "q", digits=(16, 6), readonly=True, help="Gamma-Gamma: shape of the customers' mean spend."
    )
    gg_v = fields.Float(
        "v", digits=(16, 6), readonly=True, help="Gamma-Gamma: scale of the customers' mean spend."
    )
    bgnbd_log_likelihood = fields.Float("BG/NBD Log-Likelihood", readonly=True)
    gg_log_likelihood = fields.Float("Gamma-Gamma Log-Likelihood", readonly=True)
    holdout_weeks = fields.Integer(
        default=26,
        help="Holdout check: refit without the last N weeks and compare the predicted repeat "
        "purchases of those weeks with the actual ones.",
    )
    holdout_predicted = fields.Float(
        "Predicted Purchases",
        readonly=True,
        digits=(16, 1),
        help="Repeat purchases the model fitted without the holdout weeks predicted for them.",
    )
    holdout_actual = fields.Integer(
        "Actual Purchases", readonly=True, help="Repeat purchase days that happened in those weeks."
    )
    holdout_error = fields.Float(
        "Total Error (%)",
        readonly=True,
        digits=(16, 1),
        help="(Predicted − actual) ÷ actual × 100 over all customers.",
    )
    holdout_correlation = fields.Float(
        "Per-Customer Correlation",
        readonly=True,
        digits=(16, 3),
        help="Correlation between each customer's predicted and actual purchases.",
    )
    quality_grade = fields.Selection(
        GRADES,
        readonly=True,
        help="A: total error within 10 % and correlation at least 0.5; B: within 25 % and at "
        "least 0.3; C: otherwise. Empty until a holdout check is run.",
    )

    @api.depends("fitted_at", "calibration_end")
    def _compute_name(self):
        for model in self:
            model.name = self.env._("Fit up to %(date)s", date=model.calibration_end or "")

    # ------------------------------------------------------------------ API

    @api.model
    def fit_for_company(self, calibration_end=None):
        """Fit the models on ``env.company``'s transactions up to ``calibration_end``
        (default today), refresh the customers' predictions, and return the new record.
        Public API; Customer Insight managers only."""
        engine = self.env["customer.clv.engine"]
        engine._check_access_manager()
        return engine._fit_company(fields.Date.to_date(calibration_end) or fields.Date.today())

    @api.model
    def _latest(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)

    def _params(self):
        self.ensure_one()
        return (
            (self.bgnbd_r, self.bgnbd_alpha, self.bgnbd_a, self.bgnbd_b),
            (self.gg_p, self.gg_q, self.gg_v),
        )

    def action_holdout_check(self):
        """Refit without the last ``holdout_weeks`` weeks, predict them, compare and grade."""
        engine = self.env["customer.clv.engine"]
        engine._check_access_manager()
        for model in self:
            company = model.company_id
            weeks = model.holdout_weeks
            if not 1 <= weeks <= MAX_HOLDOUT_WEEKS:
                raise UserError(
                    self.env._(
                        "The holdout must be between 1 and %(max)s weeks.", max=MAX_HOLDOUT_WEEKS
                    )
                )
            split = model.calibration_end - timedelta(weeks=weeks)
            fit = engine._fit(company, split)
            partner_ids, x, t_x, T, _m = engine._customer_summary(company, split)
            predicted = clv_math.expected_purchases(fit["bgnbd"], float(weeks), x, t_x, T)
            ids, _x, _tx, _T, _m = engine._customer_summary(
                company, model.calibration_end, start=split + timedelta(days=1)
            )
            actual_by_partner = dict(zip(ids.tolist(), (_x + 1).tolist(), strict=True))
            actual = np.array([actual_by_partner.get(pid, 0.0) for pid in partner_ids.tolist()])
            total_actual = actual.sum()
            error = 100 * (predicted.sum() - total_actual) / total_actual if total_actual else 0.0
            correlation = float(np.corrcoef(predicted, actual)[0, 1]) if actual.std() else 0.0
            if abs(error) <= 10 and correlation >= 0.5:
                grade = "A"
            elif abs(error) <= 25 and correlation >= 0.3:
                grade = "B"
            else:
                grade = "C"
            model.write(
                {
                    "holdout_predicted": float(predicted.sum()),
                    "holdout_actual": int(total_actual),
                    "holdout_error": error,
                    "holdout_correlation": correlation,
                    "quality_grade": grade,
                }
            )
        return True

    def action_fit_now(self):
        self.env["customer.clv.model"].fit_for_company()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "customer_clv.action_customer_clv_model"
        )
