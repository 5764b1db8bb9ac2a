import logging
from datetime import timedelta

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_segmentation.models.segmentation_engine import tune_transaction

from . import clv_math

_logger = logging.getLogger(__name__)

MIN_REPEAT_CUSTOMERS = 200
PREDICTION_WEEKS = 90 / 7
GRADES = [("A", "A: reliable"), ("B", "B: usable"), ("C", "C: weak")]


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

    # ------------------------------------------------------------------ data

    @api.model
    def _customer_summary(self, company, end, start=None):
        """Arrays (partner ids, x, t_x, T, m) from the company's transactions up to ``end``
        (and from ``start`` when given), same-day transactions merged."""
        engine = self.env["customer.segmentation.engine"].with_company(company)
        self.env.flush_all()
        tune_transaction(self.env.cr)
        self.env.cr.execute(
            SQL(
                """
                WITH days AS (
                    SELECT partner_id, tx_date, SUM(amount) AS amount,
                           ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY tx_date) AS rn
                      FROM (%(transactions)s) tx
                     WHERE n = 1 %(start)s
                     GROUP BY partner_id, tx_date
                )
                SELECT partner_id, COUNT(*) - 1,
                       (MAX(tx_date) - MIN(tx_date)) / 7.0,
                       (%(end)s::date - MIN(tx_date)) / 7.0,
                       COALESCE(AVG(amount) FILTER (WHERE rn > 1), 0)
                  FROM days GROUP BY partner_id ORDER BY partner_id
                """,
                transactions=engine._transactions_sql(company, end, None),
                start=SQL("AND tx_date >= %s", start) if start else SQL(),
                end=end,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return (np.array([], dtype=int),) + tuple(np.array([], dtype=float) for _ in range(4))
        partner_ids, x, t_x, T, m = (np.array(column) for column in zip(*rows, strict=True))
        return partner_ids, x.astype(float), t_x.astype(float), T.astype(float), m.astype(float)

    @api.model
    def _fit(self, company, end):
        """Fitted parameters and log-likelihoods on the transactions up to ``end``."""
        _ids, x, t_x, T, m = self._customer_summary(company, end)
        repeat = (x > 0) & (m > 0)
        if repeat.sum() < MIN_REPEAT_CUSTOMERS:
            raise UserError(
                self.env._(
                    "%(company)s has %(count)s customers with repeat purchases up to %(date)s; "
                    "predictions need at least %(minimum)s. No prediction was made.",
                    company=company.name,
                    count=int(repeat.sum()),
                    date=end,
                    minimum=MIN_REPEAT_CUSTOMERS,
                )
            )
        bgnbd, bgnbd_ll = clv_math.fit_bgnbd(x, t_x, T)
        gamma_gamma, gg_ll = clv_math.fit_gamma_gamma(x[repeat], m[repeat])
        return {
            "bgnbd": bgnbd,
            "gamma_gamma": gamma_gamma,
            "bgnbd_log_likelihood": bgnbd_ll,
            "gg_log_likelihood": gg_ll,
            "customer_count": len(x),
            "repeat_customer_count": int(repeat.sum()),
        }

    # ------------------------------------------------------------------ API

    @api.model
    def fit_for_company(self, calibration_end=None):
        """Fit the models on ``env.company``'s transactions up to ``calibration_end``
        (default today), refresh the customers' predictions, and return the new record."""
        company = self.env.company
        end = fields.Date.to_date(calibration_end) or fields.Date.today()
        fit = self._fit(company, end)
        model = self.create(
            {
                "company_id": company.id,
                "fitted_at": fields.Datetime.now(),
                "calibration_end": end,
                "customer_count": fit["customer_count"],
                "repeat_customer_count": fit["repeat_customer_count"],
                "bgnbd_log_likelihood": fit["bgnbd_log_likelihood"],
                "gg_log_likelihood": fit["gg_log_likelihood"],
                **dict(
                    zip(("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b"), fit["bgnbd"], strict=True)
                ),
                **dict(zip(("gg_p", "gg_q", "gg_v"), fit["gamma_gamma"], strict=True)),
            }
        )
        model._refresh_predictions(fields.Date.today())
        return model

    @api.model
    def _latest(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)

    def _params(self):
        self.ensure_one()
        return (
            (self.bgnbd_r, self.bgnbd_alpha, self.bgnbd_a, self.bgnbd_b),
            (self.gg_p, self.gg_q, self.gg_v),
        )

    def _refresh_predictions(self, as_of):
        """Predictions of every customer of the company as of ``as_of`` from this fit;
        only the rows whose values changed are written."""
        self.ensure_one()
        company = self.company_id
        partner_ids, x, t_x, T, m = self._customer_summary(company, as_of)
        bgnbd, gamma_gamma = self._params()
        alive = clv_math.p_alive(bgnbd, x, t_x, T)
        purchases = clv_math.expected_purchases(bgnbd, PREDICTION_WEEKS, x, t_x, T)
        spend = clv_math.expected_average_spend(gamma_gamma, x, m)
        value = clv_math.lifetime_value(
            bgnbd, gamma_gamma, 12, company.clv_monthly_discount_rate / 100, x, t_x, T, m
        )
        risk = np.where(
            alive < company.clv_churn_risk_high,
            "high",
            np.where(alive < company.clv_churn_risk_medium, "medium", "low"),
        )
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    SELECT * FROM unnest(%(partners)s::int[], %(alive)s::numeric[],
                                         %(purchases)s::numeric[], %(spend)s::numeric[],
                                         %(value)s::numeric[], %(risk)s::varchar[])
                           AS n(partner_id, p_alive, purchases, spend, value, risk)
                ),
                removed AS (
                    DELETE FROM customer_clv_prediction c
                     WHERE c.company_id = %(company)s
                       AND NOT EXISTS (SELECT 1 FROM new WHERE new.partner_id = c.partner_id)
                )
                INSERT INTO customer_clv_prediction (
                    partner_id, company_id, model_id, p_alive, expected_purchases_90d,
                    expected_avg_spend, predicted_clv_12m, churn_risk,
                    create_uid, create_date, write_uid, write_date)
                SELECT partner_id, %(company)s, %(model)s, ROUND(p_alive, 4), ROUND(purchases, 4),
                       ROUND(spend, 2), ROUND(value, 2), risk,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM new
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET model_id = EXCLUDED.model_id, p_alive = EXCLUDED.p_alive,
                       expected_purchases_90d = EXCLUDED.expected_purchases_90d,
                       expected_avg_spend = EXCLUDED.expected_avg_spend,
                       predicted_clv_12m = EXCLUDED.predicted_clv_12m,
                       churn_risk = EXCLUDED.churn_risk, write_date = EXCLUDED.write_date
                 WHERE (customer_clv_prediction.model_id, customer_clv_prediction.p_alive,
                        customer_clv_prediction.expected_purchases_90d,
                        customer_clv_prediction.expected_avg_spend,
                        customer_clv_prediction.predicted_clv_12m,
                        customer_clv_prediction.churn_risk)
                       IS DISTINCT FROM (EXCLUDED.model_id, EXCLUDED.p_alive,
                        EXCLUDED.expected_purchases_90d, EXCLUDED.expected_avg_spend,
                        EXCLUDED.predicted_clv_12m, EXCLUDED.churn_risk)
                """,
                partners=partner_ids.tolist(),
                alive=alive.tolist(),
                purchases=purchases.tolist(),
                spend=spend.tolist(),
                value=value.tolist(),
                risk=risk.tolist(),
                company=company.id,
                model=self.id,
                uid=self.env.uid,
            )
        )
        written = self.env.cr.rowcount
        self.env["customer.clv.prediction"].invalidate_model()
        return written

    def action_holdout_check(self):
        """Refit without the last ``holdout_weeks`` weeks, predict them, compare and grade."""
        for model in self:
            company = model.company_id
            weeks = model.holdout_weeks
            if weeks <= 0:
                raise UserError(self.env._("The holdout needs a positive number of weeks."))
            split = model.calibration_end - timedelta(weeks=weeks)
            fit = self._fit(company, split)
            partner_ids, x, t_x, T, _m = self._customer_summary(company, split)
            predicted = clv_math.expected_purchases(fit["bgnbd"], float(weeks), x, t_x, T)
            ids, _x, _tx, _T, _m = self._customer_summary(
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

    @api.model
    def _cron_fit_models(self):
        for company in self.env["res.company"].search([]):
            try:
                self.with_company(company).fit_for_company()
                self.env["ir.cron"]._commit_progress(1)
            except UserError as error:
                self.env.cr.rollback()
                _logger.info("No value model for %s: %s", company.name, error)
            except Exception:
                self.env.cr.rollback()
                _logger.exception("Fitting the value model of %s failed", company.name)
