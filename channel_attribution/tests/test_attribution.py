from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import run_cron_until_done

from ..models import channel_engine
from .common import ChannelCase

MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay")


def cumulated(amount, shares):
    """Amounts per key (in sorted key order) adding up to ``amount`` exactly."""
    result, upto, previous = {}, 0, 0
    keys = sorted(shares)
    for index, key in enumerate(keys):
        upto += shares[key]
        current = amount if index == len(keys) - 1 else round(amount * upto, 2)
        result[key] = round(current - previous, 2)
        previous = current
    return result


@tagged("post_install", "-at_install")
class TestAttribution(ChannelCase):
    def test_each_model_on_three_touchpoints(self):
        partner = self.customer("Three touches")
        self.lead(partner, self.at(2025, 6, 1, 10), self.src_ads)
        self.lead(partner, self.at(2025, 6, 16, 10), self.src_search)
        self.lead(partner, self.at(2025, 6, 23, 10), self.src_social)
        order = self.order(partner, self.at(2025, 6, 30, 10), 1000)
        self.channel_engine.recompute()
        ads, search, social = self.ads, self.search, self.social
        self.assertEqual(self.attribution(order, "first_touch"), {ads: 1000})
        self.assertEqual(self.attribution(order, "last_touch"), {social: 1000})
        ids = {ads.id: ads, search.id: search, social.id: social}
        linear = cumulated(1000, {c: 1 / 3 for c in ids})
        self.assertEqual(self.attribution(order, "linear"), {ids[k]: v for k, v in linear.items()})
        self.assertEqual(
            self.attribution(order, "position_based"), {ads: 400, search: 200, social: 400}
        )
        weights = {ads.id: 2 ** (-29 / 7), search.id: 2 ** (-14 / 7), social.id: 2 ** (-7 / 7)}
        total = sum(weights.values())
        decay = cumulated(1000, {k: w / total for k, w in weights.items()})
        actual = self.attribution(order, "time_decay")
        for channel_id, amount in decay.items():
            self.assertAlmostEqual(actual[ids[channel_id]], amount, places=2)
        self.assertAlmostEqual(sum(actual.values()), 1000, places=2)

    def test_single_touchpoint_and_position_based_pair(self):
        single = self.customer("Single")
        self.lead(single, self.at(2025, 6, 1), self.src_ads)
        order_single = self.order(single, self.at(2025, 6, 2), 500)
        pair = self.customer("Pair")
        self.lead(pair, self.at(2025, 6, 1), self.src_ads)
        self.lead(pair, self.at(2025, 6, 5), self.src_search)
        order_pair = self.order(pair, self.at(2025, 6, 6), 500)
        self.channel_engine.recompute()
        for model in MODELS:
            self.assertEqual(self.attribution(order_single, model), {self.ads: 500}, model)
        self.assertEqual(
            self.attribution(order_pair, "position_based"), {self.ads: 250, self.search: 250}
        )

    def test_ties_in_time_share_the_position(self):
        partner = self.customer("Tie")
        moment = self.at(2025, 6, 1, 9)
        self.lead(partner, moment, self.src_ads)
        self.lead(partner, moment, self.src_search)
        self.lead(partner, self.at(2025, 6, 10), self.src_social)
        order = self.order(partner, self.at(2025, 6, 20), 100)
        self.channel_engine.recompute()
        self.assertEqual(self.attribution(order, "first_touch"), {self.ads: 50, self.search: 50})
        self.assertEqual(self.attribution(order, "last_touch"), {self.social: 100})
        # 50 % to the tied first pair, 50 % to the last touch: no middle.
        self.assertEqual(
            self.attribution(order, "position_based"),
            {self.ads: 25, self.search: 25, self.social: 50},
        )
        everyone_tied = self.customer("All tied")
        self.lead(everyone_tied, moment, self.src_ads)
        self.lead(everyone_tied, moment, self.src_social)
        tied_order = self.order(everyone_tied, self.at(2025, 6, 20), 100)
        self.channel_engine.recompute()
        for model in MODELS:
            self.assertEqual(
                self.attribution(tied_order, model), {self.ads: 50, self.social: 50}, model
            )

    def test_no_touchpoint_goes_to_the_fallback(self):
        partner = self.customer("Old friend")
        self.lead(partner, self.at(2024, 1, 1), self.src_search)  # outside the 90-day window
        order = self.order(partner, self.at(2025, 6, 1), 300)
        self.channel_engine.recompute()
        for model in MODELS:
            self.assertEqual(self.attribution(order, model), {self.unassigned: 300})
        self.company.channel_attribution_fallback = "acquisition"
        self.channel_engine.recompute()
        self.assertEqual(partner.acquisition_channel_id, self.search)
        for model in MODELS:
            self.assertEqual(self.attribution(order, model), {self.search: 300})
        self.company.channel_attribution_lookback_days = 0  # every earlier touchpoint counts
        self.company.channel_attribution_fallback = "unassigned"
        self.channel_engine.recompute()
        self.assertEqual(self.attribution(order, "linear"), {self.search: 300})

    def test_unmapped_source_and_later_touchpoints(self):
        partner = self.customer("Forum")
        self.lead(partner, self.at(2025, 6, 1), self.src_unmapped)
        self.lead(partner, self.at(2025, 7, 1), self.src_ads)  # after the order: ignored
        order = self.order(partner, self.at(2025, 6, 15), 80)
        self.channel_engine.recompute()
        self.assertEqual(self.attribution(order, "linear"), {self.unassigned: 80})
        self.assertEqual(partner.acquisition_channel_id, self.unassigned)
        self.assertEqual(partner.acquisition_source_id, self.src_unmapped)

    def test_order_utm_is_a_touchpoint_and_currency_is_converted(self):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("id", "!=", self.company.currency_id.id), ("name", "in", ["EUR", "CNY"])], limit=1
            )
        )
        currency.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "rate": 4.0,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create({"name": "X", "currency_id": currency.id})
        partner = self.customer("Abroad")
        order = self.order(
            partner,
            self.at(2025, 6, 1),
            1000,
            pricelist_id=pricelist.id,
            source_id=self.src_social.id,
        )
        self.channel_engine.recompute()
        for model in MODELS:
            self.assertEqual(self.attribution(order, model), {self.social: 250}, model)

    def test_every_order_adds_up_under_every_model(self):
        orders = self.env["sale.order"]
        for index in range(12):
            partner = self.customer(f"Mix {index}")
            for step in range(index % 5):
                self.lead(
                    partner, self.at(2025, 5, 1 + 3 * step, step), self.sources[(index + step) % 4]
                )
            orders |= self.order(partner, self.at(2025, 6, 1 + index), 99.99 + index * 13.37)
        self.channel_engine.recompute()
        Attribution = self.env["customer.channel.attribution"]
        for model in MODELS:
            for order in orders:
                rows = Attribution.search(
                    [("order_id", "=", order.id), ("attribution_model", "=", model)]
                )
                self.assertEqual(round(sum(rows.mapped("amount")), 2), order.amount_untaxed, model)

    def test_rerun_writes_nothing_and_cancel_removes_rows(self):
        partner = self.customer("Stable")
        self.lead(partner, self.at(2025, 6, 1), self.src_ads)
        order = self.order(partner, self.at(2025, 6, 2), 10)
        first = self.channel_engine.recompute()
        self.assertEqual(first["written"], 5)
        second = self.channel_engine.recompute()
        self.assertEqual((second["written"], second["deleted"], second["acquisition"]), (0, 0, 0))
        order._action_cancel()
        third = self.channel_engine.recompute()
        self.assertEqual(third["deleted"], 5)

    def test_public_api_recomputes_the_company(self):
        partner = self.customer("Backfilled")
        self.lead(partner, self.at(2025, 6, 1), self.src_ads)
        self.order(partner, date(2025, 6, 2), 10)
        result = self.env["customer.channel.attribution"].recompute_attribution()
        self.assertEqual(result["written"], 5)
        self.assertEqual(partner.acquisition_channel_id, self.ads)
        self.assertEqual(partner.acquisition_date, date(2025, 6, 1))

    def test_nightly_job_through_the_cron_runner_equals_a_full_recompute(self):
        orders = self.env["sale.order"]
        for index in range(9):
            partner = self.customer(f"Night {index}")
            for step in range(1 + index % 3):
                self.lead(partner, self.at(2025, 5, 1 + step), self.sources[(index + step) % 4])
            orders |= self.order(partner, self.at(2025, 6, 1 + index), 100 + index)
        self.channel_engine.recompute()
        reference = self.attribution_rows()
        self.assertRevenueMatchesAttribution()
        # A stale state: one order's rows lost, another order re-dated, a customer's
        # acquisition forgotten; the nightly job repairs all of it, range by range.
        acquisition = orders[2].partner_id.acquisition_channel_id
        self.env.cr.execute(
            "DELETE FROM customer_channel_attribution WHERE order_id = %s", [orders[0].id]
        )
        self.env.cr.execute(
            "UPDATE customer_channel_attribution SET date = date - 30 WHERE order_id = %s",
            [orders[1].id],
        )
        self.env.cr.execute(
            "DELETE FROM customer_acquisition WHERE partner_id = %s", [orders[2].partner_id.id]
        )
        self.env.cr.execute(
            "DELETE FROM customer_channel_revenue WHERE company_id = %s", [self.company.id]
        )
        self.env.cr.execute(
            "UPDATE customer_channel_revenue_daily SET amount = 2 * amount WHERE company_id = %s",
            [self.company.id],
        )
        self.env.cr.execute(
            "INSERT INTO customer_channel_revenue (company_id, date, channel_id, "
            "attribution_model, amount) SELECT company_id, date, channel_id, "
            "attribution_model, SUM(amount) FROM customer_channel_attribution "
            "WHERE company_id = %s GROUP BY 1, 2, 3, 4",
            [self.company.id],
        )
        self.company.channel_attribution_half_life_days = 8  # every share changes: full run
        self.company.channel_attribution_half_life_days = 7
        self.env.invalidate_all()
        # By four customers at a time, then the daily revenue rebuilt a week at a time.
        with (
            patch.object(type(self.channel_engine), "_batch_partners", 4),
            patch.object(channel_engine, "REVENUE_REBUILD_DAYS", 7),
        ):
            calls = run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        self.assertGreater(calls, 8)
        self.assertEqual(self.attribution_rows(), reference)
        self.assertRevenueMatchesAttribution()
        self.assertEqual(orders[2].partner_id.acquisition_channel_id, acquisition)
        self.assertEqual(self.company.channel_attribution_as_of, date.today())
        self.assertFalse(self.company.channel_attribution_cursor)
        self.assertFalse(self.company.channel_attribution_revenue_rebuilt_to)

    def test_nightly_job_re_attributes_only_what_changed_since_its_last_run(self):
        quiet, edited = self.customer("Quiet"), self.customer("Edited")
        for partner in quiet | edited:
            self.lead(partner, self.at(2025, 5, 1), self.src_ads)
        self.order(quiet, self.at(2025, 6, 1), 100)
        order = self.order(edited, self.at(2025, 6, 1), 100)
        self.channel_engine.recompute()
        self.assertTrue(self.company.channel_attribution_watermark)
        # An import doubles an order behind the ORM's back, after the last run.
        self.company.channel_attribution_watermark = datetime(2025, 1, 1)
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = 200, write_date = now() WHERE id = %s",
            [order.id],
        )
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = '2024-12-31' WHERE id != %s", [order.id]
        )
        self.env.cr.execute("UPDATE crm_lead SET write_date = '2024-12-31'")
        queue = self.env["customer.segmentation.queue"]
        queue.search([]).unlink()
        job = self.env.ref("channel_attribution.ir_cron_recompute_attribution")
        job.lastcall = datetime(2025, 1, 2)  # the job last completed after the watermark
        self.assertEqual(
            run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution"), 1
        )
        self.assertEqual(queue.search([]).partner_id, edited, "only the edited customer")
        self.assertGreater(self.company.channel_attribution_watermark, datetime(2025, 1, 1))
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.assertEqual(self.attribution(order, "last_touch"), {self.ads: 200})
        self.assertRevenueMatchesAttribution()

        # The next night: Odoo moved the job's last call to the start of the pass that
        # queued, before the watermark; the job still looks for what changed since.
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = 300, write_date = %s WHERE id = %s",
            [self.company.channel_attribution_watermark + timedelta(seconds=1), order.id],
        )
        self.assertLessEqual(job.lastcall, self.company.channel_attribution_watermark)
        run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        self.assertEqual(queue.search([]).partner_id, edited)
        # A call of the run that queued them (the same last call) finds the company done.
        queue.search([]).unlink()
        job.lastcall = fields.Datetime.to_datetime(self.company.channel_attribution_queued_run)
        run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        self.assertFalse(queue.search([]), "queued once per run, not at every call")

    def test_deleting_a_touchpoint_re_attributes_its_customer(self):
        partner = self.customer("Lost lead")
        self.lead(partner, self.at(2025, 5, 1), self.src_ads)
        social = self.lead(partner, self.at(2025, 5, 10), self.src_social)
        order = self.order(partner, self.at(2025, 6, 1), 100)
        self.channel_engine.recompute()
        self.assertEqual(self.attribution(order, "last_touch"), {self.social: 100})
        self.env["customer.segmentation.queue"].search([]).unlink()
        social.unlink()
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.assertEqual(self.attribution(order, "last_touch"), {self.ads: 100})

    def test_a_sixth_model_is_one_entry(self):
        """An extension adds a model with one entry of ``_attribution_models``: its shares
        are stored, its revenue reported, and a company can choose it."""
        engine = type(self.channel_engine)
        standard = engine._attribution_models

        def with_u_shaped(self):
            share = """CASE WHEN first_ts = last_ts THEN 1.0 / n
                            WHEN ts = first_ts THEN 0.5 / n_first
                            WHEN ts = last_ts THEN 0.5 / n_last ELSE 0 END"""
            return {**standard(self), "u_shaped": ("U-shaped (50/0/50)", share)}

        partner = self.customer("Six models")
        self.lead(partner, self.at(2025, 6, 1), self.src_ads)
        self.lead(partner, self.at(2025, 6, 10), self.src_search)
        self.lead(partner, self.at(2025, 6, 20), self.src_social)
        order = self.order(partner, self.at(2025, 6, 30), 600)
        with patch.object(engine, "_attribution_models", with_u_shaped):
            self.channel_engine.recompute()
            self.assertEqual(self.attribution(order, "u_shaped"), {self.ads: 300, self.social: 300})
            self.company.channel_attribution_model = "u_shaped"
            rows = self.env["customer.channel.report"]._read_group(
                [("fact", "=", "revenue"), ("attribution_model", "=", "u_shaped")],
                ["channel_id"],
                ["model_revenue:sum", "attributed_revenue:sum"],
            )
            self.assertEqual(
                {channel: (revenue, attributed) for channel, revenue, attributed in rows},
                {self.ads: (300, 300), self.social: (300, 300)},
            )
            self.assertRevenueMatchesAttribution()
