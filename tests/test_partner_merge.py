"""Contacts > Merge on two classified customers: every per-company row of Customer Insight
moves to the kept customer, pins and manual acquisitions survive, and it is reclassified."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPartnerMerge(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["customer.care.rule"].search([]).action_archive()
        cls.company = cls.env.company
        cls.today = fields.Date.today()
        cls.rep = cls.env.ref("base.user_admin")
        product = cls.env["product.product"].create({"name": "Merge item", "list_price": 10})
        source = cls.env["utm.source"].create({"name": "Merge fair"})
        cls.kept, cls.merged = cls.env["res.partner"].create(
            [
                {"name": "Acme", "is_company": True, "user_id": cls.rep.id},
                {"name": "ACME Ltd", "is_company": True, "user_id": cls.rep.id},
            ]
        )
        for partner in (cls.kept, cls.merged):
            cls.env["crm.lead"].create(
                {"name": "Fair lead", "partner_id": partner.id, "source_id": source.id}
            )
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "source_id": source.id,
                    "order_line": [(0, 0, {"product_id": product.id})],
                }
            )
            order.action_confirm()
            order.date_order = fields.Datetime.now() - timedelta(days=5)
        cls.env["customer.segmentation.engine"].run()
        cls.env["customer.channel.engine"].recompute()
        cls.env["customer.segment.pin.wizard"].with_context(
            default_partner_id=cls.merged.id
        ).create({"pinned_stage": "vip", "reason": "Key account"}).action_pin()
        unassigned = cls.env.ref("channel_attribution.channel_unassigned")
        cls.env["customer.acquisition.wizard"].with_context(default_partner_id=cls.kept.id).create(
            {"channel_id": unassigned.id}
        ).action_save()
        cls.rule = cls.env["customer.care.rule"].create(
            {
                "name": "Welcome",
                "partner_domain": f"[('id', 'in', {(cls.kept | cls.merged).ids})]",
                "summary": "Welcome {{ object.name }}",
                "holdout_percent": 0,
            }
        )
        cls.env["customer.care.engine"].run(cls.rule)
        cls.env["customer.clv.prediction"].create(
            [
                {"partner_id": partner.id, "company_id": cls.company.id, "p_alive": 0.5}
                for partner in (cls.kept, cls.merged)
            ]
        )
        today = fields.Date.today()
        cls.env["customer.segmentation.queue"]._enqueue(
            [(cls.company.id, cls.kept.id, today), (cls.company.id, cls.merged.id, today)]
        )

    def rows(self, model, **domain):
        return self.env[model].search(
            [("partner_id", "in", (self.kept | self.merged).ids)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def test_merging_classified_customers(self):
        merged_activity = (
            self.rows("customer.care.log", state="open")
            .filtered(lambda log: log.partner_id == self.merged)
            .activity_id
        )
        self.assertTrue(merged_activity)
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.kept | self.merged).ids, self.kept, extra_checks=False)
        self.assertFalse(self.merged.exists())
        self.env.invalidate_all()

        profile = self.rows("customer.profile")
        self.assertEqual(profile.partner_id, self.kept)
        self.assertEqual((profile.pinned_stage, profile.lifecycle_stage), ("vip", "vip"))
        acquisition = self.rows("customer.acquisition")
        self.assertEqual(acquisition.partner_id, self.kept)
        self.assertTrue(acquisition.is_manual, "the manager's acquisition survives")
        self.assertEqual(len(self.rows("customer.care.log", state="open")), 1)
        self.assertFalse(merged_activity.exists(), "the same need is not served twice")
        self.assertEqual(len(self.rows("customer.clv.prediction")), 1)
        attribution = self.env["customer.channel.attribution"].search(
            [("partner_id", "=", self.kept.id)]
        )
        self.assertEqual(len(attribution.order_id), 2, "both customers' orders")
        volume = self.env["customer.channel.order"].search([("partner_id", "=", self.kept.id)])
        self.assertEqual(len(volume), 2, "both customers' orders")
        queued = self.rows("customer.segmentation.queue")
        self.assertEqual((queued.partner_id, queued.company_id), (self.kept, self.company))
        self.assertFalse(queued.changed_from, "the whole merged history changed")

        self.env["customer.segmentation.engine"].process_queue()
        self.env.invalidate_all()
        self.assertEqual(self.kept.customer_order_count, 2, "reclassified with both orders")
        self.assertEqual(self.kept.customer_lifecycle_stage, "vip", "pinned")
