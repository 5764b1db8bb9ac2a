from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSettingsBounds(SegmentationCase):
    """Settings that would break the nightly job are refused with a message."""

    def assertRefused(self, values):
        with self.assertRaises(ValidationError) as refused, self.env.cr.savepoint():
            self.company.write(values)
            self.env.flush_all()
        self.assertTrue(str(refused.exception))

    def test_day_counts_are_bounded(self):
        for values in (
            {"rfm_window_days": -1},
            {"rfm_window_days": 10**9},
            {"customer_new_days": 100000},
            {"customer_at_risk_days": 0},
            {"customer_churn_days": 10**7},
            {"customer_at_risk_days": 400, "customer_churn_days": 365},
        ):
            with self.subTest(values=values):
                self.assertRefused(values)

    def test_breakpoints_are_four_finite_increasing_numbers(self):
        for text in ("nan,nan,nan,nan", "1,2,3,inf", "-inf,1,2,3", "1,2,3", "4,3,2,1", "a,b,c,d"):
            with self.subTest(text=text):
                self.assertRefused({"rfm_m_thresholds": text})
        self.company.rfm_m_thresholds = "1e3, 5e3, 2e4, 1e5"

    def test_value_amounts_are_finite(self):
        for amount in (float("nan"), float("inf"), 1e20):
            with self.subTest(amount=amount):
                self.assertRefused({"customer_high_value_amount": amount})
