from datetime import datetime

from odoo.addons.customer_segmentation.tests.common import SegmentationCase


class ChannelCase(SegmentationCase):
    """Three channels with one source each, and helpers for touchpoints."""

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
