from collections import Counter
from datetime import date
from unittest.mock import patch

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.customer_segmentation.models.segmentation_engine import (
    CustomerSegmentationEngine as SegmentationEngine,
)
from odoo.addons.customer_segmentation.tests.common import (
    SegmentationCase,
    create_insight_users,
    run_cron_until_done,
)

from ..tools import clv_math
from .common import cdnow_transactions, load_customers_and_orders

CALIBRATION_END = date(1997, 9, 30)


def first(value):
    return float(np.asarray(value).ravel()[0])


@tagged("post_install", "-at_install")
class TestCustomerValue(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = load_customers_and_orders(cls.env, cdnow_transactions(), cls.company)
        cls.model = cls.env["customer.clv.model"].fit_for_company(CALIBRATION_END)

    def assertClose(self, actual, expected, tolerance=0.005):
        """Within ``tolerance`` relative, or a cent for amounts that round to zero."""
        limit = max(tolerance * abs(expected), 0.01 if abs(expected) < 1 else 0)
        self.assertLessEqual(abs(actual - expected), limit, (actual, expected))

    def test_cdnow_parameters(self):
        model = self.model
        self.assertEqual((model.customer_count, model.repeat_customer_count), (2357, 946))
        for actual, expected in (
            (model.bgnbd_r, 0.2426),
            (model.bgnbd_alpha, 4.4136),
            (model.bgnbd_a, 0.7929),
            (model.bgnbd_b, 2.4259),
            (model.gg_p, 6.250),
            (model.gg_q, 3.744),
            (model.gg_v, 15.44),
        ):
            self.assertClose(actual, expected)

    def test_customer_predictions_match_the_formulas(self):
        """Against the Lifetimes implementation, for customers of every kind."""
        self.env["customer.clv.engine"]._refresh_predictions(self.model, CALIBRATION_END)
        ids, x, t_x, T, m = self.env["customer.clv.engine"]._customer_summary(
            self.company, CALIBRATION_END
        )
        bgnbd = BetaGeoFitter()
        bgnbd.params_ = pd.Series(
            dict(zip("r alpha a b".split(), self.model._params()[0], strict=True))
        )
        bgnbd.predict = bgnbd.conditional_expected_number_of_purchases_up_to_time
        spend = GammaGammaFitter()
        spend.params_ = pd.Series(dict(zip("p q v".split(), self.model._params()[1], strict=True)))
        picks = [int(np.argmax(x)), int(np.argmin(x)), int(np.argmax(m)), 10, 500, 1500]
        Partner = self.env["res.partner"]
        for index in picks:
            partner = Partner.browse(int(ids[index]))
            frequency, recency, age, amount = x[index], t_x[index], T[index], m[index]
            self.assertAlmostEqual(
                partner.customer_p_alive,
                first(bgnbd.conditional_probability_alive(frequency, recency, age)),
                places=4,
            )
            self.assertAlmostEqual(
                partner.customer_expected_purchases_90d,
                first(
                    bgnbd.conditional_expected_number_of_purchases_up_to_time(
                        90 / 7, frequency, recency, age
                    )
                ),
                places=2,
            )
            if frequency:
                expected_spend = spend.conditional_expected_average_profit(
                    pd.Series([frequency]), pd.Series([amount])
                ).iloc[0]
                self.assertAlmostEqual(
                    partner.customer_expected_avg_spend, expected_spend, places=2
                )
                value = spend.customer_lifetime_value(
                    bgnbd,
                    pd.Series([frequency]),
                    pd.Series([recency]),
                    pd.Series([age]),
                    pd.Series([amount]),
                    time=12,
                    discount_rate=0.01,
                    freq="W",
                ).iloc[0]
                # Lifetimes rounds a month to 4.345 weeks, we use 365 / 12 / 7.
                self.assertClose(partner.customer_predicted_clv_12m, value, tolerance=0.001)

    def test_churn_risk_bands_and_refresh_writes_only_changes(self):
        self.assertGreater(
            self.env["customer.clv.engine"]._refresh_predictions(self.model, CALIBRATION_END), 2000
        )
        self.assertEqual(
            self.env["customer.clv.engine"]._refresh_predictions(self.model, CALIBRATION_END), 0
        )
        predictions = self.env["customer.clv.prediction"].search(
            [("company_id", "=", self.company.id)]
        )
        for prediction in predictions[:200]:
            expected = (
                "high"
                if prediction.p_alive < 0.3
                else "medium"
                if prediction.p_alive < 0.6
                else "low"
            )
            self.assertEqual(prediction.churn_risk, expected)

    def test_refresh_of_fresh_customers_equals_a_full_refresh(self):
        """A refresh aggregates again only the customers given; the others' inputs are read
        from their predictions: the result is that of a full refresh."""
        engine = self.env["customer.clv.engine"]
        fields = [
            "partner_id",
            "p_alive",
            "expected_purchases_90d",
            "expected_avg_spend",
            "predicted_clv_12m",
            "churn_risk",
            "repeat_purchases",
            "first_purchase_date",
            "last_purchase_date",
            "avg_repeat_spend",
        ]

        def predictions():
            self.env.invalidate_all()
            return sorted(
                self.env["customer.clv.prediction"].search_read(
                    [("company_id", "=", self.company.id)], fields, load=False
                ),
                key=lambda row: row["partner_id"],
            )

        engine._refresh_predictions(self.model, CALIBRATION_END)
        Partner = self.env["res.partner"]
        repeat = Partner.browse(next(iter(self.partners.values())))
        new = Partner.create({"name": "New buyer"})
        for partner in (repeat, new):
            self.order(partner, date(1997, 9, 20), 80)
        engine._refresh_predictions(self.model, CALIBRATION_END, [repeat.id, new.id])
        incremental = predictions()
        self.assertEqual(len(incremental), 2358)
        engine._refresh_predictions(self.model, CALIBRATION_END)
        self.assertEqual(incremental, predictions())

        # A week later, a nightly refresh predicts again the customers with new orders and
        # those whose turn it is (one in seven, by id); the others keep last week's values.
        later = date(1997, 10, 7)
        self.order(repeat, later, 20)
        last_week = {row["partner_id"]: row for row in predictions()}
        engine._refresh_predictions(self.model, later, [repeat.id])
        nightly = {row["partner_id"]: row for row in predictions()}
        engine._refresh_predictions(self.model, later)
        full = {row["partner_id"]: row for row in predictions()}
        turn = {pid for pid in full if pid % 7 == later.toordinal() % 7} | {repeat.id}
        self.assertTrue(200 < len(turn) < 500)
        for pid in full:
            bought = full[pid]["last_purchase_date"] != last_week[pid]["last_purchase_date"]
            if bought and pid != repeat.id:
                continue  # the data set's own orders of that week, not given as fresh here
            self.assertEqual(nightly[pid], (full if pid in turn else last_week)[pid], pid)
        self.assertNotEqual(last_week[repeat.id], full[repeat.id])

    def test_prediction_settings_make_the_next_run_predict_everyone(self):
        self.company.customer_segmentation_watermark = "2026-01-01 00:00:00"
        self.company.clv_at_risk_threshold = 0.25  # does not change the predictions
        self.assertTrue(self.company.customer_segmentation_watermark)
        self.company.clv_churn_risk_high = 0.2
        self.assertFalse(self.company.customer_segmentation_watermark)

    def test_holdout_check_grades_the_model(self):
        self.model.holdout_weeks = 13
        self.model.action_holdout_check()
        self.assertGreater(self.model.holdout_actual, 0)
        self.assertGreater(self.model.holdout_correlation, 0.3)
        self.assertIn(self.model.quality_grade, ("A", "B"))

    def test_options_at_risk_and_value_tier(self):
        self.company.clv_at_risk_by_p_alive = True
        self.company.clv_at_risk_threshold = 0.5
        self.engine.run(as_of=CALIBRATION_END)
        predictions = self.env["customer.clv.prediction"].search(
            [("company_id", "=", self.company.id)]
        )
        leaving = predictions.filtered(lambda p: p.p_alive < 0.5).partner_id
        stages = set(leaving.mapped("customer_lifecycle_stage"))
        self.assertLessEqual(stages, {"at_risk", "churned"})
        self.assertIn("at_risk", stages)
        self.company.clv_value_tier_by_clv = True
        self.engine.run(as_of=CALIBRATION_END)
        best = predictions.sorted("predicted_clv_12m", reverse=True)[:20].partner_id
        self.assertEqual(set(best.mapped("customer_value_tier")), {"high"})

    def test_a_fit_that_does_not_converge_keeps_the_previous_model(self):
        self.env["customer.clv.engine"]._refresh_predictions(self.model, CALIBRATION_END)
        before = self.env["customer.clv.prediction"].search_read(
            [("company_id", "=", self.company.id)], ["p_alive", "model_id"]
        )
        with patch.object(clv_math, "MAX_ITERATIONS", 1), self.assertRaises(UserError) as error:
            self.env["customer.clv.model"].fit_for_company(CALIBRATION_END)
        self.assertIn("did not converge", str(error.exception))
        self.assertEqual(self.env["customer.clv.model"]._latest(self.company), self.model)
        after = self.env["customer.clv.prediction"].search_read(
            [("company_id", "=", self.company.id)], ["p_alive", "model_id"]
        )
        self.assertEqual(after, before)

    def test_holdout_weeks_are_bounded(self):
        for weeks in (0, 10**6):
            self.model.holdout_weeks = weeks
            with self.assertRaises(UserError):
                self.model.action_holdout_check()

    def test_monthly_job_through_the_cron_runner(self):
        calls = run_cron_until_done(self, "customer_clv.ir_cron_fit_clv_models")
        self.assertGreaterEqual(calls, 1)
        latest = self.env["customer.clv.model"]._latest(self.company)
        self.assertNotEqual(latest, self.model, "refitted up to today")
        self.assertEqual(latest.customer_count, self.model.customer_count)

    def test_each_company_is_fitted_once_per_run(self):
        """Each call of the job has an expired time slice, so it does one company: a company
        done earlier in the run (fitted, or with too little data) is not taken again, and
        the run reaches the next one. Before, every call began again with the first."""
        first = self.env["res.company"].create({"name": "AAA first by name, no sales"})
        models = self.env["customer.clv.model"]
        before = models.search([])
        run_cron_until_done(self, "customer_clv.ir_cron_fit_clv_models")
        fitted = models.search([]) - before
        self.assertEqual(fitted.company_id, self.company)
        self.assertEqual(len(fitted), 1)
        self.assertTrue(first.clv_fitted_run)
        self.assertEqual(self.company.clv_fitted_run, first.clv_fitted_run)

    def test_the_p_alive_rule_follows_churned_whatever_the_order(self):
        """CLV inserts its rule after the rule named "churned": reordering or adding
        lifecycle rules does not move it."""
        self.company.clv_at_risk_by_p_alive = True
        standard = SegmentationEngine._lifecycle_rules

        def reordered(engine, company, as_of):
            rules = standard(engine, company, as_of)
            vip = rules.pop(-1)
            return [("dormant", SQL("FALSE"), "at_risk"), vip, *rules]

        with patch.object(SegmentationEngine, "_lifecycle_rules", reordered):
            names = [
                name
                for name, _condition, _stage in self.engine._lifecycle_rules(
                    self.company, CALIBRATION_END
                )
            ]
        self.assertEqual(names, ["dormant", "vip", "churned", "p_alive", "at_risk", "new"])

    def test_too_little_data_is_refused(self):
        small = self.env["res.company"].create({"name": "Small shop"})
        customer = self.customer("Only one")
        self.order(customer, date(2025, 1, 1), 10, company_id=small.id)
        self.order(customer, date(2025, 2, 1), 10, company_id=small.id)
        with self.assertRaises(UserError):
            self.env["customer.clv.model"].with_company(small).fit_for_company()
        self.assertFalse(
            self.env["customer.clv.prediction"].search([("company_id", "=", small.id)])
        )
        self.assertFalse(self.env["customer.clv.model"].search([("company_id", "=", small.id)]))

    def test_access_and_companies(self):
        users = create_insight_users(self.env)
        with self.assertRaises(AccessError):
            self.env["customer.clv.model"].with_user(users["user"]).fit_for_company()
        with self.assertRaises(AccessError):
            self.env["customer.clv.prediction"].with_user(users["rep"]).search([])
        rows = self.env["customer.clv.prediction"].with_user(users["user"]).search([])
        self.assertEqual(set(rows.company_id.ids), {self.company.id})
        partner = self.env["res.partner"].browse(next(iter(self.partners.values())))
        self.assertFalse(
            partner.with_company(self.env["res.company"].create({"name": "B"})).customer_churn_risk
        )

    def test_predictions_group_and_search_by_the_customers_class(self):
        self.run_engine(as_of=CALIBRATION_END)
        Prediction = self.env["customer.clv.prediction"]
        predictions = Prediction.search([])
        profiles = self.env["customer.profile"].search(
            [("company_id", "=", self.company.id), ("partner_id", "in", predictions.partner_id.ids)]
        )
        self.assertTrue(profiles)
        groups = Prediction._read_group([], ["segment_id"], ["__count"])
        self.assertEqual(
            {segment.id: count for segment, count in groups if segment},
            Counter(p.segment_id.id for p in profiles if p.segment_id),
        )
        segment = profiles.filtered("segment_id")[:1].segment_id
        found = Prediction.search([("segment_id", "=", segment.id)])
        self.assertEqual(len(found), len(profiles.filtered(lambda p: p.segment_id == segment)))
        self.assertEqual(found.profile_id.segment_id, segment)
        self.assertEqual(
            found.mapped("lifecycle_stage"), found.profile_id.mapped("lifecycle_stage")
        )
        # The value predictions pivot (segment × churn risk, stage), from the copied class.
        sets = Prediction._read_grouping_sets(
            [], [["segment_id", "churn_risk"], ["lifecycle_stage"]], ["predicted_clv_12m:sum"]
        )
        expected = Counter()
        for prediction in predictions:
            key = (prediction.profile_id.segment_id.id, prediction.churn_risk)
            expected[key] += prediction.predicted_clv_12m
        self.assertEqual(
            {(segment.id, risk): round(total, 2) for segment, risk, total in sets[0]},
            {key: round(total, 2) for key, total in expected.items()},
        )
        stages = Counter(p.profile_id.lifecycle_stage for p in predictions)
        self.assertEqual(
            dict(Prediction._read_group([], ["lifecycle_stage"], ["__count"])), dict(stages)
        )
        # A pin and a run of a few customers copy their new class at once.
        pinned, other = predictions[0], predictions[1]
        self.env["customer.segment.pin.wizard"].create(
            {"partner_id": pinned.partner_id.id, "pinned_stage": "churned", "reason": "Closed"}
        ).action_pin()
        self.assertEqual(pinned.lifecycle_stage, "churned")
        self.env["customer.profile"].search(
            [("partner_id", "=", other.partner_id.id), ("company_id", "=", self.company.id)]
        ).pinned_segment_id = segment  # outside any run: copied by the next one
        self.run_engine(as_of=CALIBRATION_END, partner_ids=other.partner_id.ids)
        self.assertEqual(other.segment_id, segment)
        self.assertEqual(other.segment_id, other.profile_id.segment_id)
