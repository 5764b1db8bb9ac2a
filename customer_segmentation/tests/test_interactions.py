import random
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestInteractions(SegmentationCase):
    """The last interaction and the interactions of the last 90 days equal a computation
    from the ORM's messages, meetings and orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["mail.message"]

    def message(self, record, day, message_type="comment"):
        return self.Message.create(
            {
                "model": record._name,
                "res_id": record.id,
                "message_type": message_type,
                "body": "Talked",
                "date": datetime.combine(day, time(10)),
            }
        )

    def meeting(self, contact, day):
        return self.env["calendar.event"].create(
            {
                "name": "Visit",
                "start": datetime.combine(day, time(9)),
                "stop": datetime.combine(day, time(10)),
                "partner_ids": [(6, 0, contact.ids)],
            }
        )

    def expected(self, partner, as_of):
        """(last interaction, interactions in the 90 days to ``as_of``) from the ORM."""
        contacts = self.env["res.partner"].search([("id", "child_of", partner.id)])
        orders = self.env["sale.order"].search(
            [("partner_id", "in", contacts.ids), ("company_id", "=", self.company.id)]
        )
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "in", contacts.ids)])
        )
        days = []
        for model, records in (
            ("res.partner", contacts),
            ("sale.order", orders),
            ("crm.lead", leads),
        ):
            messages = self.Message.search([("model", "=", model), ("res_id", "in", records.ids)])
            days += [
                m.date.date()
                for m in messages
                if m.message_type in ("comment", "email") or m.mail_activity_type_id
            ]
        meetings = self.env["calendar.event"].search([("partner_ids", "in", contacts.ids)])
        days += [event.start.date() for event in meetings]
        days += [o.date_order.date() for o in orders.filtered(lambda o: o.state == "sale")]
        days = [day for day in days if day <= as_of]
        if not days:
            return (False, 0)
        return (max(days), sum(1 for day in days if day > as_of - timedelta(days=90)))

    def assert_interactions(self, partner, as_of):
        profile = self.profile(partner)
        actual = (profile.last_interaction_date, profile.interaction_count_90d)
        self.assertEqual(actual, self.expected(partner, as_of), partner.name)
        if profile.last_interaction_date:
            self.assertEqual(
                profile.days_since_interaction, (as_of - profile.last_interaction_date).days
            )

    def test_sources_edge_cases_and_the_window(self):
        buyer = self.customer("Buyer")
        contact = self.env["res.partner"].create({"name": "Ms Wu", "parent_id": buyer.id})
        order = self.order(buyer, self.AS_OF - timedelta(days=200), 100)
        self.message(order, self.AS_OF - timedelta(days=150), "email")
        self.message(contact, self.AS_OF - timedelta(days=60))
        self.message(buyer, self.AS_OF - timedelta(days=10), "notification")  # not counted
        self.message(buyer, self.AS_OF + timedelta(days=5))  # after the as-of date
        self.meeting(contact, self.AS_OF - timedelta(days=30))
        prospect = self.customer("Prospect")
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "type": "opportunity", "partner_id": prospect.id}
        )
        self.message(lead, self.AS_OF - timedelta(days=3))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s",
            [self.AS_OF - timedelta(days=10), lead.id],
        )
        silent = self.customer("Silent")
        self.order(silent, self.AS_OF - timedelta(days=400), 100)
        self.run_engine()
        for partner in (buyer, prospect, silent):
            self.assert_interactions(partner, self.AS_OF)
        self.assertEqual(self.profile(buyer).interaction_count_90d, 2)
        self.assertEqual(self.profile(prospect).lifecycle_stage, "potential")
        self.assertEqual(
            self.profile(buyer).interactions_expire_on, self.AS_OF - timedelta(days=60 - 90)
        )
        # 31 days later: the contact's message left the window, the one dated after the
        # first as-of date came in.
        later = self.AS_OF + timedelta(days=31)
        # A classified prospect is aggregated again when a new message queues it, not at
        # every run: its figures are then as fresh as a customer's.
        self.message(lead, self.AS_OF + timedelta(days=20))
        stats = self.run_engine(as_of=later)
        self.assert_interactions(buyer, later)
        self.assertEqual(self.profile(buyer).interaction_count_90d, 2)
        self.assert_interactions(prospect, later)
        self.assertEqual(self.profile(prospect).interaction_count_90d, 2)
        self.assertTrue(stats["written"])
        partners = self.env["res.partner"]
        self.assertEqual(
            partners.search([("customer_days_since_interaction", ">", 90)]) & (buyer | silent),
            silent,
        )

    def test_generated_population_queue_and_incremental_run(self):
        """Dated from today: the queue job classifies as of today."""
        today = fields.Date.today()
        rng = random.Random(5)
        partners = [self.customer(f"Talker {n}") for n in range(20)]
        self.orders([(partner, today - timedelta(days=300), 50) for partner in partners])

        def talk(partner, since, days):
            day = since + timedelta(days=rng.randrange(days))
            kind = rng.choice(["partner", "order", "meeting", "email"])
            if kind == "partner":
                self.message(partner, day)
            elif kind == "order":
                self.message(partner.sale_order_ids[:1], day, "email")
            elif kind == "meeting":
                self.meeting(partner, day)
            else:
                self.message(partner, day, "email")

        for partner in partners:
            for _n in range(rng.randint(0, 6)):
                talk(partner, today - timedelta(days=200), 195)
        self.run_engine(as_of=today)
        for partner in partners:
            self.assert_interactions(partner, today)
        # New messages queue their customers: the queue job brings them up to date.
        queue = self.env["customer.segmentation.queue"]
        queue.search([]).unlink()
        for partner in partners[::3]:
            talk(partner, today - timedelta(days=4), 4)
        self.env.flush_all()
        self.assertEqual(set(queue.search([]).partner_id.ids), {p.id for p in partners[::3]})
        self.engine.process_queue()
        for partner in partners:
            self.assert_interactions(partner, today)
        later = today + timedelta(days=45)
        self.run_engine(as_of=later)
        for partner in partners:
            self.assert_interactions(partner, later)
        self.assertEqual(self.run_engine(as_of=later)["changed"], 0, "a second run writes nothing")
