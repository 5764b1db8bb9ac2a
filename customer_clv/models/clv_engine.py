"""Fits the purchase (BG/NBD) and spend (Gamma-Gamma) models of a company and writes every
customer's predictions from the latest fit."""

import io
import logging
from contextlib import contextmanager

import numpy as np
import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tools import (
    analyze_if_stale,
    partner_scope,
    tune_transaction,
)

from ..tools import clv_math

_logger = logging.getLogger(__name__)

MIN_REPEAT_CUSTOMERS = 200
PREDICTION_WEEKS = 90 / 7
NEW_PREDICTIONS_TABLE = "customer_clv_new_predictions"
NEW_PREDICTIONS = SQL.identifier(NEW_PREDICTIONS_TABLE)
SUMMARY = SQL.identifier("customer_clv_summary")
# A nightly refresh rewrites the predictions of the customers with new transactions and of
# one in this many of the others (by id, in turn), so that each is at most this many days
# old: a prediction moves little in a day, and rewriting a million of them took 25 s of
# the night.
REFRESH_DAYS = 7


@contextmanager
def _copy_allowed():
    """Odoo's wait callback does not support COPY: it is set aside meanwhile, as Odoo does."""
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(callback)


class CustomerClvEngine(models.AbstractModel):
    _name = "customer.clv.engine"
    _inherit = ["customer.insight.engine"]
    _description = "Customer Value Engine"

    _lock_key = 1129075798  # arbitrary constant ("CCLV")

    # ------------------------------------------------------------------ scheduled job

    @api.model
    def _cron_fit_models(self):
        """Monthly: refit every company's models (one company per transaction). A call out
        of time leaves the next companies to the next call, which starts again with the
        first: the companies fitted in this run are left out."""
        companies = self.env["res.company"].search([])
        self._cron_per_company(
            companies.filtered(lambda company: not self._done_in_run(company.clv_fitted_run)),
            "_step_fit",
        )

    @api.private
    def _step_fit(self):
        """Fit ``env.company`` (a long step); a company without enough data, or whose fit
        does not converge, keeps its previous model. Returns 0, or None if locked or if the
        fit waits for the next pass."""
        company = self.env.company
        if not self._long_step_may_start() or not self._try_lock(company):
            return None
        try:
            self._fit_company(fields.Date.today())
        except UserError as error:
            _logger.info("No new value model for %s: %s", company.name, error)
        company.sudo().clv_fitted_run = self._cron_run_key()
        return 0

    # ------------------------------------------------------------------ fit

    @api.private
    def _fit_company(self, end):
        """Fit on ``env.company``'s transactions up to ``end``, store the fit, refresh the
        predictions and return the new ``customer.clv.model``."""
        company = self.env.company
        fit = self._fit(company, end)
        model = (
            self.env["customer.clv.model"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "fitted_at": fields.Datetime.now(),
                    "calibration_end": end,
                    "customer_count": fit["customer_count"],
                    "repeat_customer_count": fit["repeat_customer_count"],
                    "bgnbd_log_likelihood": fit["bgnbd_log_likelihood"],
                    "gg_log_likelihood": fit["gg_log_likelihood"],
                    **dict(
                        zip(
                            ("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b"),
                            fit["bgnbd"],
                            strict=True,
                        )
                    ),
                    **dict(zip(("gg_p", "gg_q", "gg_v"), fit["gamma_gamma"], strict=True)),
                }
            )
        )
        self._refresh_predictions(model, fields.Date.today())
        self._copy_classes(company)
        return model.with_env(self.env)

    @api.private
    def _customer_summary(self, company, end, start=None):
        """Arrays (partner ids, x, t_x, T, m) from the company's transactions up to ``end``
        (and from ``start`` when given), same-day transactions merged."""
        self.env.flush_all()
        tune_transaction(self.env.cr)
        return self._summary_arrays(self._summary_sql(company, end, start=start), end)

    def _summary_sql(self, company, end, partner_ids=None, start=None):
        """(partner_id, x, first_date, last_date, m) of the customers ``partner_ids``
        (everyone if None): repeat purchase days, first and last purchase day and average
        amount of the repeat days, from the transactions up to ``end`` (from ``start``)."""
        segmentation = self.env["customer.segmentation.engine"].with_company(company)
        return SQL(
            """
            SELECT partner_id, COUNT(*) - 1 AS x, MIN(tx_date) AS first_date,
                   MAX(tx_date) AS last_date, COALESCE(AVG(amount) FILTER (WHERE rn > 1), 0) AS m
              FROM (SELECT partner_id, tx_date, SUM(amount) AS amount,
                           ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY tx_date) AS rn
                      FROM (%(transactions)s) tx
                     WHERE n = 1 %(start)s
                     GROUP BY partner_id, tx_date) days
             GROUP BY partner_id
            """,
            transactions=segmentation._transactions_sql(company, end, partner_ids),
            start=SQL("AND tx_date >= %s", start) if start else SQL(),
        )

    def _summary_arrays(self, summary, end):
        """Arrays (partner ids, x, t_x, T, m) of the rows of the query ``summary``
        (columns of ``_summary_sql``), t_x and T in weeks at ``end``. Read by COPY and
        parsed by numpy: fetched as Python values, a million customers took seconds."""
        query = SQL(
            """COPY (SELECT partner_id, x, (last_date - first_date) / 7.0,
                            (%s::date - first_date) / 7.0, m
                       FROM (%s) s ORDER BY partner_id) TO STDOUT""",
            end,
            summary,
        )
        rows = io.StringIO()
        with _copy_allowed():
            self.env.cr.copy_expert(self.env.cr.mogrify(query), rows)
        if not rows.tell():
            return (np.array([], dtype=int),) + tuple(np.array([], dtype=float) for _ in range(4))
        rows.seek(0)
        partner_ids, x, t_x, T, m = np.loadtxt(rows, delimiter="\t", ndmin=2, unpack=True)
        return partner_ids.astype(int), x, t_x, T, m

    def _stage_summary(self, company, as_of, fresh_ids):
        """Temporary table ``SUMMARY`` of the ``_summary_sql`` as of ``as_of`` of the
        customers to predict: everyone when ``fresh_ids`` is None, else ``fresh_ids``,
        aggregated again, and the ``_refresh_turn`` of the others, as stored on their
        predictions (their transactions did not change since)."""
        stored = SQL()
        if fresh_ids is not None:
            stored = SQL(
                """UNION ALL
                   SELECT partner_id, repeat_purchases, first_purchase_date, last_purchase_date,
                          avg_repeat_spend
                     FROM customer_clv_prediction
                    WHERE company_id = %s AND %s
                      AND partner_id NOT IN (SELECT unnest(%s::int[]))""",
                company.id,
                self._refresh_turn(as_of),
                list(fresh_ids),
            )
        self.env.cr.execute(
            SQL(
                """DROP TABLE IF EXISTS %(summary)s;
                   CREATE TEMP TABLE %(summary)s ON COMMIT DROP AS %(fresh)s %(stored)s;
                   ANALYZE %(summary)s""",
                summary=SUMMARY,
                fresh=self._summary_sql(company, as_of, fresh_ids),
                stored=stored,
            )
        )

    @api.private
    def _fit(self, company, end):
        """Fitted parameters and log-likelihoods on the transactions up to ``end``; a
        UserError when there are too few repeat customers or the fit does not converge."""
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
        try:
            bgnbd, bgnbd_ll = clv_math.fit_bgnbd(x, t_x, T)
            gamma_gamma, gg_ll = clv_math.fit_gamma_gamma(x[repeat], m[repeat])
        except clv_math.FitError as error:
            raise UserError(
                self.env._(
                    "The value models of %(company)s did not converge on the purchases up to "
                    "%(date)s (%(reason)s); the previous model and predictions are kept.",
                    company=company.name,
                    date=end,
                    reason=error,
                )
            ) from error
        if gamma_gamma[1] <= 1:
            raise UserError(
                self.env._(
                    "The spend model of %(company)s has no finite average (q = %(q)s ≤ 1); "
                    "the previous model and predictions are kept.",
                    company=company.name,
                    q=round(float(gamma_gamma[1]), 4),
                )
            )
        return {
            "bgnbd": bgnbd,
            "gamma_gamma": gamma_gamma,
            "bgnbd_log_likelihood": bgnbd_ll,
            "gg_log_likelihood": gg_ll,
            "customer_count": len(x),
            "repeat_customer_count": int(repeat.sum()),
        }

    # ------------------------------------------------------------------ predictions

    def _refresh_turn(self, as_of):
        """Condition on ``partner_id``: the customers whose turn it is to be predicted again
        as of ``as_of`` in a nightly refresh (one in ``REFRESH_DAYS``)."""
        return SQL(
            "MOD(partner_id, %s) = %s",
            REFRESH_DAYS,
            fields.Date.to_date(as_of).toordinal() % REFRESH_DAYS,
        )

    @api.private
    def _refresh_predictions(self, model, as_of, fresh_ids=None):
        """Predictions as of ``as_of`` from this fit of every customer of ``model``'s
        company, or of ``fresh_ids`` (inputs aggregated again) and of the others whose turn
        it is (see ``_stage_summary``); only the rows whose values changed are written.
        Returns their number. The customers' class is left to ``_copy_classes`` (a
        classification run copies it once it has run)."""
        company = model.company_id
        self.env.flush_all()
        tune_transaction(self.env.cr)
        self._stage_summary(company, as_of, fresh_ids)
        partner_ids, x, t_x, T, m = self._summary_arrays(SQL("SELECT * FROM %s", SUMMARY), as_of)
        bgnbd, gamma_gamma = model._params()
        alive = clv_math.p_alive(bgnbd, x, t_x, T)
        value = clv_math.lifetime_value(
            bgnbd, gamma_gamma, 12, company.clv_monthly_discount_rate / 100, x, t_x, T, m
        )
        risk = np.where(
            alive < company.clv_churn_risk_high,
            "high",
            np.where(alive < company.clv_churn_risk_medium, "medium", "low"),
        )
        self._stage_predictions(
            partner_ids,
            np.round(alive, 4),
            np.round(clv_math.expected_purchases(bgnbd, PREDICTION_WEEKS, x, t_x, T), 4),
            np.round(clv_math.expected_average_spend(gamma_gamma, x, m), 2),
            np.round(value, 2),
            risk,
        )
        self.env.cr.execute(self._prediction_upsert_sql(company, model, fresh_ids))
        written = self.env.cr.rowcount
        # After a fit that wrote most of them, the classes are copied and the queue's
        # customers looked up on the new statistics: on none (a table never analyzed),
        # a batch's copy scanned every prediction of the company (0.85 s to 0.02 s at 1m).
        analyze_if_stale(self.env.cr, "customer_clv_prediction", committed=False)
        return written

    @api.private
    def _copy_classes(self, company, partner_ids=None):
        """Copy the class (segment, lifecycle stage) of the customers ``partner_ids`` (all if
        None) from their classification in ``company`` onto their predictions, where it
        differs."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_clv_prediction pr
                   SET segment_id = c.segment_id, lifecycle_stage = c.lifecycle_stage
                  FROM (SELECT pr.id, p.segment_id, p.lifecycle_stage
                          FROM customer_clv_prediction pr
                          LEFT JOIN customer_profile p
                            ON p.partner_id = pr.partner_id AND p.company_id = pr.company_id
                         WHERE pr.company_id = %s %s) c
                 WHERE pr.id = c.id
                   AND (pr.segment_id, pr.lifecycle_stage)
                       IS DISTINCT FROM (c.segment_id, c.lifecycle_stage)
                """,
                company.id,
                partner_scope(SQL.identifier("pr", "partner_id"), partner_ids),
            )
        )
        self.env["customer.clv.prediction"].invalidate_model()

    def _stage_predictions(self, *columns):
        """Copy the new predictions (columns of ``NEW_PREDICTIONS``, as arrays) into that
        temporary table, as Odoo copies its XML ids: a million values sent as the literal
        arrays of a statement took seconds to write and more to parse."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """DROP TABLE IF EXISTS %(new)s;
                   CREATE TEMP TABLE %(new)s (
                       partner_id int, p_alive numeric, purchases numeric, spend numeric,
                       value numeric, risk varchar) ON COMMIT DROP""",
                new=NEW_PREDICTIONS,
            )
        )
        lines = ("\t".join(map(str, row)) for row in zip(*columns, strict=True))
        with _copy_allowed():
            cr.copy_from(io.StringIO("\n".join(lines)), NEW_PREDICTIONS_TABLE)
        cr.execute(SQL("ANALYZE %s", NEW_PREDICTIONS))

    def _prediction_upsert_sql(self, company, model, fresh_ids=None):
        """Write the staged predictions with their inputs (``SUMMARY``); delete those of
        the customers aggregated again (``fresh_ids``, everyone if None) who have none."""
        return SQL(
            """
            WITH new AS (
                SELECT n.*, s.x, s.first_date, s.last_date, s.m
                  FROM %(new)s n JOIN %(summary)s s ON s.partner_id = n.partner_id
            ),
            removed AS (
                DELETE FROM customer_clv_prediction c
                 WHERE c.company_id = %(company)s %(fresh)s
                   AND NOT EXISTS (SELECT 1 FROM new WHERE new.partner_id = c.partner_id)
            ),
            -- Rows equal to their stored one are skipped: an upsert would lock them.
            changed AS (
                SELECT new.* FROM new
                  LEFT JOIN customer_clv_prediction c
                    ON c.partner_id = new.partner_id AND c.company_id = %(company)s
                 WHERE (c.model_id, c.p_alive, c.expected_purchases_90d, c.expected_avg_spend,
                        c.predicted_clv_12m, c.churn_risk, c.repeat_purchases,
                        c.first_purchase_date, c.last_purchase_date, c.avg_repeat_spend)
                       IS DISTINCT FROM (%(model)s, new.p_alive, new.purchases, new.spend,
                                         new.value, new.risk, new.x, new.first_date,
                                         new.last_date, new.m)
            )
            INSERT INTO customer_clv_prediction (
                partner_id, company_id, model_id, p_alive, expected_purchases_90d,
                expected_avg_spend, predicted_clv_12m, churn_risk, repeat_purchases,
                first_purchase_date, last_purchase_date, avg_repeat_spend,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, %(company)s, %(model)s, p_alive, purchases, spend, value, risk,
                   x, first_date, last_date, m,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM changed
            ON CONFLICT (partner_id, company_id) DO UPDATE
               SET model_id = EXCLUDED.model_id, p_alive = EXCLUDED.p_alive,
                   expected_purchases_90d = EXCLUDED.expected_purchases_90d,
                   expected_avg_spend = EXCLUDED.expected_avg_spend,
                   predicted_clv_12m = EXCLUDED.predicted_clv_12m,
                   churn_risk = EXCLUDED.churn_risk,
                   repeat_purchases = EXCLUDED.repeat_purchases,
                   first_purchase_date = EXCLUDED.first_purchase_date,
                   last_purchase_date = EXCLUDED.last_purchase_date,
                   avg_repeat_spend = EXCLUDED.avg_repeat_spend, write_date = EXCLUDED.write_date
            """,
            summary=SUMMARY,
            new=NEW_PREDICTIONS,
            company=company.id,
            fresh=partner_scope(SQL.identifier("c", "partner_id"), fresh_ids),
            model=model.id,
            uid=self.env.uid,
        )
