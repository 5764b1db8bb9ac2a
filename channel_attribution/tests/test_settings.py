from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..hooks import post_init_hook
from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestSettingsBounds(ChannelCase):
    def test_days_are_bounded(self):
        for values in (
            {"channel_attribution_half_life_days": 0},
            {"channel_attribution_half_life_days": 10**6},
            {"channel_attribution_lookback_days": -1},
            {"channel_attribution_lookback_days": 10**6},
        ):
            with (
                self.subTest(values=values),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.company.write(values)

    def test_costs_are_finite(self):
        for amount in (float("nan"), float("inf"), -1.0):
            with (
                self.subTest(amount=amount),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.env["customer.channel.cost"].create(
                    {"channel_id": self.ads.id, "amount": amount}
                )

    def test_time_decay_never_underflows(self):
        """Every earlier touchpoint counts (lookback 0) with a one-day half-life: years old
        touchpoints weigh 2^-1000 instead of an underflow error."""
        self.company.write(
            {"channel_attribution_lookback_days": 0, "channel_attribution_half_life_days": 1}
        )
        partner = self.customer("Old contact")
        self.lead(partner, self.at(2019, 1, 1), self.src_ads)
        self.lead(partner, self.at(2020, 1, 1), self.src_search)
        order = self.order(partner, self.at(2025, 6, 30), 700)
        self.channel_engine.recompute()
        shares = self.attribution(order, "time_decay")
        self.assertEqual(sum(shares.values()), 700)
        self.assertEqual(set(shares), {self.ads, self.search})

    def test_a_settings_change_restarts_the_scheduled_recomputation(self):
        self.company.write({"channel_attribution_as_of": "2025-01-01"})
        self.company.channel_attribution_cursor = 1234
        cron = self.env.ref("channel_attribution.ir_cron_recompute_attribution")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.company.channel_attribution_half_life_days = 14
        self.assertFalse(self.company.channel_attribution_as_of)
        self.assertFalse(self.company.channel_attribution_cursor)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )

    def test_install_schedules_the_backfill(self):
        """On a large database the install transaction must stay short: the hook only
        starts the scheduled job."""
        partner = self.customer("Existing")
        self.lead(partner, self.at(2025, 6, 1), self.src_ads)
        self.order(partner, self.at(2025, 6, 2), 10)
        cron = self.env.ref("channel_attribution.ir_cron_recompute_attribution")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        post_init_hook(self.env)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertFalse(
            self.env["customer.channel.attribution"].search([("partner_id", "=", partner.id)])
        )
