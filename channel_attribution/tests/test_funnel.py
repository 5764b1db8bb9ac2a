import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.customer_segmentation.tests.common import run_cron_until_done

from ..models.channel_funnel_engine import DAILY_KEYS, KEYS, MEASURES
from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestFunnelRollup(ChannelCase):
    """The daily leads and new customers the channel analysis reads equal, after random
    changes and the engine's incremental runs, the same figures aggregated from the leads,
    acquisitions and profiles themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(11)
        cls.today = fields.Date.today()
        cls.salespeople = cls.env["res.users"].search([("share", "=", False)], limit=3)
        cls.partners = [cls.customer(f"Funnel {index}") for index in range(24)]
        for partner in cls.partners:
            for _lead in range(cls.rng.randint(0, 2)):
                cls.random_lead(partner)
            if cls.rng.random() < 0.7:
                cls.random_order(partner)
        cls.random_lead(None)  # a lead without a customer
        cls.random_lead(cls.partners[0]).company_id = False  # a lead of every company
        cls.env["customer.segmentation.engine"].run()
        cls.channel_engine.recompute()

    @classmethod
    def random_lead(cls, partner):
        moment = datetime.combine(cls.today - timedelta(days=cls.rng.randint(1, 500)), time(9))
        values = {"type": cls.rng.choice(["lead", "opportunity"])}
        if partner is None:
            values["partner_id"] = False
        return cls.lead(partner or cls.partners[0], moment, cls.rng.choice(cls.sources), **values)

    @classmethod
    def random_order(cls, partner):
        day = cls.today - timedelta(days=cls.rng.randint(0, 400))
        source = cls.rng.choice([*cls.sources, None])
        values = {"source_id": source.id} if source else {}
        return cls.order(partner, day, cls.rng.choice([40, 120, 999]), **values)

    def expected(self):
        """{key: measures} aggregated from the leads, acquisitions and profiles."""
        rows = defaultdict(lambda: [0] * len(MEASURES))
        profiles = {
            p.partner_id: p
            for p in self.env["customer.profile"].search([("company_id", "=", self.company.id)])
        }
        for lead in self.env["crm.lead"].with_context(active_test=False).search([]):
            if lead.company_id not in (self.company, self.env["res.company"]):
                continue
            profile = profiles.get(lead.partner_id.commercial_partner_id)
            key = ("lead", lead.create_date.date(), self.channel_of(lead.source_id),
                   lead.campaign_id.id, lead.source_id.id, lead.medium_id.id, lead.user_id.id,
                   *self.class_of(profile))  # fmt: skip
            won, lost = lead.won_status == "won", lead.won_status == "lost"
            figures = (1, lead.type == "opportunity", won, lost, 0, 0, 0)
            rows[key] = [a + b for a, b in zip(rows[key], figures, strict=True)]
        acquisitions = self.env["customer.acquisition"].search(
            [("company_id", "=", self.company.id)]
        )
        for acquisition in acquisitions:
            profile = profiles.get(acquisition.partner_id)
            if not profile or not profile.order_count:
                continue
            key = ("customer", acquisition.date, acquisition.channel_id.id or self.unassigned.id,
                   acquisition.campaign_id.id, acquisition.source_id.id,
                   acquisition.medium_id.id, acquisition.partner_id.user_id.id,
                   *self.class_of(profile))  # fmt: skip
            figures = (0, 0, 0, 0, 1, profile.total_revenue, profile.order_count)
            rows[key] = [a + b for a, b in zip(rows[key], figures, strict=True)]
        return {
            tuple(part or None for part in key): [round(v, 2) for v in values]
            for key, values in rows.items()
        }

    def channel_of(self, source):
        channel = self.env["customer.channel"].search([("source_ids", "in", source.ids)], limit=1)
        return (channel or self.unassigned).id

    @staticmethod
    def class_of(profile):
        if not profile:
            return (None, None, None)
        return (profile.lifecycle_stage or None, profile.segment_id.id or None,
                profile.value_tier or None)  # fmt: skip

    def summed(self, table, keys):
        """{key: measures} of the rows of ``table`` summed by ``keys``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT %(keys)s, %(sums)s FROM %(table)s
                    WHERE company_id = %(company)s GROUP BY %(keys)s
                   HAVING (%(sums)s) <> (%(zeros)s)""",
                table=SQL.identifier(table),
                keys=SQL(", ").join(SQL.identifier(k) for k in keys),
                sums=SQL(", ").join(SQL("SUM(%s)", SQL.identifier(m)) for m in MEASURES),
                zeros=SQL(", ".join("0" for _m in MEASURES)),
                company=self.company.id,
            )
        )
        return {
            tuple(row[: len(keys)]): [round(float(v), 2) for v in row[len(keys) :]]
            for row in self.env.cr.fetchall()
        }

    def assertRollupMatches(self):
        """The funnel rows by every dimension, and their daily sums by day, channel and
        stage, equal the figures from the source documents."""
        expected = self.expected()
        self.assertEqual(self.summed("customer_channel_funnel", KEYS), expected)
        daily = defaultdict(lambda: [0] * len(MEASURES))
        for key, values in expected.items():
            short = tuple(key[KEYS.index(name)] for name in DAILY_KEYS)
            daily[short] = [round(a + b, 2) for a, b in zip(daily[short], values, strict=True)]
        daily = {key: values for key, values in daily.items() if any(values)}
        self.assertEqual(self.summed("customer_channel_funnel_daily", DAILY_KEYS), daily)

    def random_changes(self):
        rng = self.rng
        leads = self.env["crm.lead"].search([])
        decided = rng.sample(list(leads.filtered(lambda lead: lead.won_status != "won")), 6)
        for lead in decided[:3]:
            lead.action_set_won()
        for lead in decided[3:]:
            lead.action_set_lost()
        for lead in rng.sample(list(leads), 3):
            lead.source_id = rng.choice(self.sources)
        lead = rng.choice(list(leads))
        lead.user_id = rng.choice(self.salespeople)
        redated = rng.choice(list(leads))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = create_date - interval '40 days', "
            "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
            [redated.id],
        )
        self.random_lead(rng.choice(self.partners))
        self.random_lead(None)
        rng.choice(list(leads)).partner_id = rng.choice(self.partners)
        for partner in rng.sample(self.partners, 3):
            self.random_order(partner)
        orders = self.env["sale.order"].search(
            [("partner_id", "in", [p.id for p in self.partners]), ("state", "=", "sale")]
        )
        for order in rng.sample(list(orders), 2):
            order._action_cancel()
        rng.choice(self.partners).user_id = rng.choice(self.salespeople)
        rng.choice(list(leads)).unlink()

    def test_rollup_follows_random_changes(self):
        self.assertRollupMatches()
        for _round in range(3):
            self.age_everything()
            self.random_changes()
            self.nightly()
            self.assertRollupMatches()
        # A channel's mapping changes: its leads, with or without a customer, move at once.
        self.social.source_ids = [(4, self.src_unmapped.id)]
        self.assertRollupMatches()
        # A full recomputation merges the daily rows and finds the same figures.
        self.channel_engine.recompute()
        self.assertRollupMatches()
        # So does the scheduled full recomputation, customer range by customer range.
        self.random_changes()
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.env["customer.segmentation.engine"].run()
        self.company.channel_attribution_as_of = False
        with patch.object(type(self.channel_engine), "_batch_partners", 5):
            run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        self.assertRollupMatches()
        daily = self.env["customer.channel.funnel.daily"].search([])
        self.assertEqual(len(daily), len(self.summed("customer_channel_funnel_daily", DAILY_KEYS)))

    def test_report_reads_the_rollup(self):
        """Channel × month and channel × class of the analysis, from the sums."""
        expected = defaultdict(lambda: [0, 0, 0])
        for key, values in self.expected().items():
            if key[1]:
                month = key[1].replace(day=1)
                expected[key[2], month][0] += values[0]
                expected[key[2], month][1] += values[2]
                expected[key[2], month][2] += values[4]
        rows = self.env["customer.channel.report"]._read_group(
            [("fact", "in", ["lead", "customer"])],
            ["channel_id", "date:month"],
            ["lead_count:sum", "won_count:sum", "new_customer_count:sum"],
        )
        actual = {(c.id, m): list(v) for c, m, *v in rows}
        self.assertEqual(actual, dict(expected))
        by_stage = defaultdict(int)
        for key, values in self.expected().items():
            if key[0] == "customer":
                by_stage[key[2], key[7]] += values[4]
        rows = self.env["customer.channel.report"]._read_group(
            [("fact", "=", "customer")], ["channel_id", "lifecycle_stage"],
            ["new_customer_count:sum"],
        )  # fmt: skip
        self.assertEqual({(c.id, s or None): n for c, s, n in rows}, dict(by_stage))
        # Grouped by a dimension the daily sums do not keep, the report reads the rows.
        by_user = defaultdict(int)
        for key, values in self.expected().items():
            if key[0] == "lead":
                by_user[key[2], key[6]] += values[0]
        rows = self.env["customer.channel.report"]._read_group(
            [("fact", "=", "lead")], ["channel_id", "user_id"], ["lead_count:sum"]
        )
        self.assertEqual({(c.id, u.id or None): n for c, u, n in rows}, dict(by_user))
        partner = self.partners[1]
        leads = self.env["crm.lead"].search_count([("partner_id", "=", partner.id)])
        rows = self.env["customer.channel.report"]._read_group(
            [("partner_id", "=", partner.id)], [], ["lead_count:sum"]
        )
        self.assertEqual(rows[0][0], leads)

    def test_nightly_refresh_counts_customers_whose_rows_differ(self):
        """Of the customers classified since the watermark, the attribution job counts
        again those whose rows differ from their profile or who lack their new-customer
        row; the others (such as those the queue classified and counted) keep theirs."""
        partner = self.customer("Classified again")
        self.lead(partner, datetime.combine(self.today - timedelta(days=30), time(9)), self.src_ads)
        self.order(partner, self.today - timedelta(days=20), 120)
        self.env["customer.segmentation.engine"].run()
        self.channel_engine.recompute()
        self.age_everything()
        funnel = self.env["customer.channel.funnel"]
        since = self.company.channel_attribution_watermark

        def rows():
            self.env.invalidate_all()
            return funnel.search([("partner_id", "=", partner.id)])

        def classify(values):
            self.env.cr.execute(
                SQL(
                    "UPDATE customer_profile SET %s, segmented_at = now() AT TIME ZONE 'UTC' "
                    "WHERE partner_id = %s",
                    SQL(", ").join(SQL("%s = %s", SQL.identifier(k), v) for k, v in values),
                    partner.id,
                )
            )
            self.channel_engine._refresh_changed_funnel(self.company, since)

        self.env.cr.execute(
            "UPDATE customer_channel_funnel SET lead_count = lead_count + 10 WHERE partner_id = %s",
            [partner.id],
        )
        classify([("rfm_score", "555")])
        self.assertEqual(sum(rows().mapped("lead_count")), 21, "rows equal to the profile")
        classify([("lifecycle_stage", "churned")])
        self.assertEqual(sum(rows().mapped("lead_count")), 1)
        self.assertEqual(set(rows().mapped("lifecycle_stage")), {"churned"})
        rows().filtered(lambda row: row.fact == "customer").unlink()
        classify([("rfm_score", "554")])
        self.assertEqual(rows().filtered(lambda row: row.fact == "customer").new_customer_count, 1)
