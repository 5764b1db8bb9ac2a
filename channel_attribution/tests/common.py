from datetime import datetime, timedelta

from odoo.tools import SQL

from odoo.addons.customer_segmentation.tests.common import SegmentationCase, run_cron_until_done

OLD = datetime(2000, 1, 1)  # when ``age_everything`` says what exists was written


class ChannelCase(SegmentationCase):
    """Three channels with one source each, and helpers for touchpoints and nights."""

    nights = 0  # scheduled runs of the attribution job so far

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "channel_attribution_lookback_days": 90,
                "channel_attribution_half_life_days": 7,
                "channel_attribution_fallback": "unassigned",
            }
        )
        Source = cls.env["utm.source"]
        cls.src_ads, cls.src_search, cls.src_social, cls.src_unmapped = (
            Source.create({"name": name}) for name in ("T Ads", "T Search", "T Social", "T Forum")
        )
        cls.sources = [cls.src_ads, cls.src_search, cls.src_social, cls.src_unmapped]
        Channel = cls.env["customer.channel"]
        cls.ads = Channel.create(
            {
                "name": "T Online Ads",
                "channel_type": "online_ads",
                "source_ids": [(6, 0, cls.src_ads.ids)],
            }
        )
        cls.search = Channel.create(
            {
                "name": "T Search",
                "channel_type": "search_engine",
                "source_ids": [(6, 0, cls.src_search.ids)],
            }
        )
        cls.social = Channel.create(
            {
                "name": "T Social",
                "channel_type": "social_media",
                "source_ids": [(6, 0, cls.src_social.ids)],
            }
        )
        cls.unassigned = cls.env.ref("channel_attribution.channel_unassigned")
        cls.channel_engine = cls.env["customer.channel.engine"]

    @classmethod
    def lead(cls, partner, moment, source, **values):
        lead = cls.env["crm.lead"].create(
            {
                "name": f"{partner.name} lead",
                "partner_id": partner.id,
                "source_id": source.id,
                **values,
            }
        )
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", [moment, lead.id])
        lead.invalidate_recordset()
        return lead

    def attribution(self, order, model):
        rows = self.env["customer.channel.attribution"].search(
            [("order_id", "=", order.id), ("attribution_model", "=", model)]
        )
        return {row.channel_id: row.amount for row in rows}

    @staticmethod
    def at(*args):
        return datetime(*args)

    def attribution_rows(self):
        return sorted(
            self.env["customer.channel.attribution"]
            .search([("company_id", "=", self.company.id)])
            .mapped(
                lambda r: (r.order_id.id, r.channel_id.id, r.attribution_model, r.date, r.amount)
            )
        )

    def assertRevenueMatchesAttribution(self):
        """The daily revenue, and its sums per day, channel and model, equal the sum of the
        attribution rows for every date, channel and model."""

        def sums(model):
            groups = self.env[model]._read_group(
                [("company_id", "=", self.company.id)],
                ["date:day", "channel_id", "attribution_model"],
                ["amount:sum"],
            )
            return {tuple(key): round(total, 2) for *key, total in groups if round(total, 2)}

        attributed = sums("customer.channel.attribution")
        self.assertEqual(sums("customer.channel.revenue"), attributed)
        self.assertEqual(sums("customer.channel.revenue.daily"), attributed)

    def age_everything(self):
        """What exists now was written before the scheduled job's last run."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead SET write_date = %(old)s;
                   UPDATE customer_acquisition SET write_date = %(old)s;
                   UPDATE res_partner SET write_date = %(old)s;
                   UPDATE sale_order SET write_date = %(old)s;
                   UPDATE customer_profile SET segmented_at = %(old)s""",
                old=OLD,
            )
        )
        self.company.channel_attribution_watermark = OLD + timedelta(days=1)
        self.env.invalidate_all()

    def nightly(self):
        """The freshness queue, the classification and the scheduled attribution job."""
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
        self.env["customer.segmentation.engine"].run()  # customers reclassified
        job = self.env.ref("channel_attribution.ir_cron_recompute_attribution")
        # Each night is a run of its own: Odoo moves the job's last call after each run.
        self.nights += 1
        job.lastcall = OLD + timedelta(days=2, seconds=self.nights)
        run_cron_until_done(self, "channel_attribution.ir_cron_recompute_attribution")
        run_cron_until_done(self, "customer_segmentation.ir_cron_process_segmentation_queue")
