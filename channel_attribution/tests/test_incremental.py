import random
from datetime import date, datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import run_cron_until_done

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestIncrementalAttribution(ChannelCase):
    """What the nightly work re-attributes (the freshness queue and the scheduled job's
    watermark) equals a full recompute after random changes of every kind: orders added,
    cancelled and re-dated, touchpoints added, sources mapped to another channel, currency
    rates changed, and documents edited behind the ORM as an import does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(23)
        cls.today = fields.Date.today()
        cls.currency = (
            cls.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("id", "!=", cls.company.currency_id.id), ("name", "in", ["EUR", "CNY"])], limit=1
            )
        )
        cls.currency.active = True
        cls.add_rate(date(2000, 1, 1), 4.0)
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Abroad", "currency_id": cls.currency.id}
        )
        cls.partners = [cls.customer(f"Incremental {index}") for index in range(20)]
        for partner in cls.partners:
            for _lead in range(cls.rng.randint(0, 3)):
                cls.random_lead(partner)
            for _order in range(cls.rng.randint(1, 2)):
                cls.random_order(partner)
        cls.env["customer.segmentation.engine"].run()
        cls.channel_engine.recompute()

    @classmethod
    def add_rate(cls, day, rate):
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.currency.id,
                "rate": rate,
                "name": day,
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def moment(cls, max_days):
        day = cls.today - timedelta(days=cls.rng.randint(0, max_days))
        return datetime.combine(day, time(cls.rng.randint(0, 23)))

    @classmethod
    def random_lead(cls, partner):
        return cls.lead(partner, cls.moment(300), cls.rng.choice(cls.sources))

    @classmethod
    def random_order(cls, partner):
        values = {}
        if cls.rng.random() < 0.3:
            values["source_id"] = cls.rng.choice(cls.sources).id
        if cls.rng.random() < 0.3:
            values["pricelist_id"] = cls.pricelist.id
        amount = cls.rng.choice([40, 99.99, 120, 999])
        return cls.order(partner, cls.moment(250), amount, **values)

    def confirmed_orders(self):
        return self.env["sale.order"].search(
            [("partner_id", "in", [p.id for p in self.partners]), ("state", "=", "sale")]
        )

    def sample_orders(self, count):
        return self.rng.sample(list(self.confirmed_orders()), count)

    def orders_and_touchpoints(self):
        """Through the ORM: orders added, cancelled, re-dated and given another source,
        leads added."""
        rng = self.rng
        orders = self.sample_orders(5)
        for partner in rng.sample(self.partners, 3):
            self.random_order(partner)
        for order in orders[:2]:
            order._action_cancel()
        for order in orders[2:4]:
            order.date_order -= timedelta(days=rng.randint(1, 60))
        orders[4].source_id = rng.choice(self.sources)
        for partner in rng.sample(self.partners, 3):
            self.random_lead(partner)

    def mapping_and_rates(self):
        """A source mapped to another channel; a new rate of the foreign currency, at which
        an order of that currency moved to its date is converted."""
        rng = self.rng
        source = rng.choice(self.sources)
        channels = [self.ads, self.search, self.social, self.env["customer.channel"]]
        source.customer_channel_id = rng.choice(
            [c for c in channels if c != source.customer_channel_id]
        )
        rate_day = self.today - timedelta(days=rng.randint(30, 200))
        self.add_rate(rate_day, rng.choice([3.0, 5.0, 6.5]))
        abroad = self.confirmed_orders().filtered(lambda o: o.currency_id == self.currency)
        rng.choice(list(abroad)).date_order = datetime.combine(rate_day, time(12))

    def imports(self):
        """Behind the ORM, as an import does: an order's amount and another's currency
        rate edited, a lead re-dated. Only the scheduled job's watermark sees them."""
        amount, rate = self.sample_orders(2)
        lead = self.rng.choice(list(self.env["crm.lead"].search([])))
        self.env.flush_all()
        for sql, record in (
            ("UPDATE sale_order SET amount_untaxed = amount_untaxed + 10", amount),
            ("UPDATE sale_order SET currency_rate = currency_rate * 1.25", rate),
            ("UPDATE crm_lead SET create_date = create_date - interval '20 days'", lead),
        ):
            self.env.cr.execute(
                f"{sql}, write_date = now() AT TIME ZONE 'UTC' WHERE id = %s", [record.id]
            )
        self.env.invalidate_all()

    def attribution_state(self):
        """The attribution rows and every customer's acquisition."""
        acquisitions = self.env["customer.acquisition"].search(
            [("company_id", "=", self.company.id)]
        )
        return self.attribution_rows(), sorted(
            (a.partner_id.id, a.channel_id.id, a.source_id.id, a.medium_id.id, a.date)
            for a in acquisitions
        )

    def test_nightly_work_equals_a_full_recompute_after_random_changes(self):
        for changes in [self.orders_and_touchpoints, self.mapping_and_rates, self.imports] * 2:
            before = self.attribution_state()
            self.age_everything()
            changes()
            self.nightly()
            incremental = self.attribution_state()
            self.assertNotEqual(incremental, before, "the changes move some revenue")
            self.assertRevenueMatchesAttribution()
            self.channel_engine.recompute()
            self.assertEqual(incremental, self.attribution_state())
            self.assertRevenueMatchesAttribution()


@tagged("post_install", "-at_install")
class TestChangedFrom(ChannelCase):
    """The queue re-attributes a customer's orders from the day its history changed: an
    order confirmed or re-dated, a lead added; the whole history when the change does not
    say, or when the acquisition the orders without a touchpoint go to was rewritten."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue = cls.env["customer.segmentation.queue"]
        cls.partner = cls.customer("Changed from")
        cls.old_order = cls.order(
            cls.partner, cls.at(2025, 3, 1, 10), 300, source_id=cls.src_ads.id
        )
        cls.channel_engine.recompute()

    def queued_day(self):
        return self.queue._changed_from(self.company, self.partner.ids).get(self.partner.id)

    def mark_old_order(self):
        """Change the old order's stored rows as no computation would: only attributing
        it again puts them back."""
        self.queue.search([]).unlink()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_channel_attribution SET amount = amount + 1 WHERE order_id = %s",
            [self.old_order.id],
        )
        self.env.invalidate_all()

    def old_order_marked(self):
        return self.attribution(self.old_order, "first_touch") == {self.ads: 301}

    def process_queue(self):
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")

    def test_the_queue_keeps_the_earliest_day(self):
        company, partner = self.company.id, self.partner.id
        self.queue._enqueue([(company, partner, date(2025, 5, 1))])
        self.queue._enqueue([(company, partner, date(2025, 4, 1)), (company, partner, None)])
        self.assertIsNone(self.queued_day(), "a change without a day: any day")
        self.queue.search([]).unlink()
        self.queue._enqueue([(company, partner, date(2025, 5, 1))])
        self.queue._enqueue([(company, partner, date(2025, 4, 1))])
        self.queue._enqueue([(company, partner, date(2025, 6, 1))])
        self.assertEqual(self.queued_day(), date(2025, 4, 1))

    def test_orders_before_the_day_keep_their_attribution(self):
        self.age_everything()
        self.mark_old_order()
        new_order = self.order(self.partner, self.at(2025, 6, 1, 10), 500)
        self.assertEqual(self.queued_day(), date(2025, 6, 1), "confirmed, then re-dated")
        self.process_queue()
        self.assertTrue(self.old_order_marked(), "not attributed again")
        self.assertEqual(self.attribution(new_order, "first_touch"), {self.unassigned: 500})
        # Moved before the old order, the new one changed the history from its new day.
        new_order.date_order = self.at(2025, 2, 1, 10)
        self.process_queue()
        self.assertEqual(self.attribution(self.old_order, "first_touch"), {self.ads: 300})

    def test_a_change_without_a_day_attributes_the_whole_history(self):
        self.age_everything()
        self.mark_old_order()
        lead = self.lead(self.customer("Someone else"), self.at(2025, 2, 20), self.src_search)
        lead.partner_id = self.partner  # the former customer's day is not known
        self.assertIsNone(self.queued_day())
        self.process_queue()
        self.assertEqual(self.attribution(self.old_order, "first_touch"), {self.search: 300})

    def test_a_rewritten_acquisition_attributes_the_whole_history(self):
        """Orders without a touchpoint go to the acquisition channel: when the queue
        rewrites it, every order is attributed again."""
        self.company.channel_attribution_fallback = "acquisition"
        partner = self.customer("No touchpoint yet")
        order = self.order(partner, self.at(2025, 3, 1, 10), 200)
        self.channel_engine.recompute()
        self.assertEqual(self.attribution(order, "first_touch"), {self.unassigned: 200})
        self.age_everything()
        self.queue.search([]).unlink()
        self.lead(partner, self.at(2025, 6, 1), self.src_social)
        self.assertTrue(self.queue._changed_from(self.company, partner.ids)[partner.id])
        self.process_queue()
        self.assertEqual(self.attribution(order, "first_touch"), {self.social: 200})

    def test_the_watermark_dates_what_it_can(self):
        """Written behind the ORM: a confirmed order changed the history from the earlier of
        its day and its stored row's; a lead or a quotation, from any day."""
        quoted = self.customer("Quoted")
        quotation = self.order(quoted, self.at(2025, 5, 1), 80, confirm=False)
        self.age_everything()
        self.queue.search([]).unlink()
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = %s, write_date = now() AT TIME ZONE 'UTC' "
            "WHERE id = ANY(%s)",
            [self.at(2025, 4, 1, 10), [self.old_order.id, quotation.id]],
        )
        self.env.invalidate_all()
        self.channel_engine._queue_changed_customers(self.company)
        self.assertEqual(self.queued_day(), date(2025, 3, 1), "its stored row's day")
        self.assertIsNone(self.queue._changed_from(self.company, quoted.ids)[quoted.id])
