import random
from datetime import date, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestReferral(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.referrer = cls.customer("Alice Referrer")
        cls.customer_a = cls.customer("Buyer A")

    def lead(self, **values):
        return self.env["crm.lead"].create({"name": "Interest", **values})

    def test_lead_referred_by_name_is_carried_over(self):
        lead = self.lead(referred="  alice REFERRER ")
        self.assertFalse(self.customer_a.customer_referrer_id)
        lead.partner_id = self.customer_a
        self.assertEqual(self.customer_a.customer_referrer_id, self.referrer)

    def test_new_customer_from_a_lead(self):
        lead = self.lead(referred="Alice Referrer", partner_name="Brand New Ltd")
        lead._handle_partner_assignment(create_missing=True)
        customer = lead.partner_id.commercial_partner_id
        self.assertNotEqual(customer, self.referrer)
        self.assertEqual(customer.customer_referrer_id, self.referrer)

    def test_contact_of_a_customer_and_its_company(self):
        contact = self.env["res.partner"].create({"name": "Jo", "parent_id": self.customer_a.id})
        self.lead(referred="Alice Referrer", partner_id=contact.id)
        self.assertEqual(self.customer_a.customer_referrer_id, self.referrer)
        self.assertEqual(contact.customer_referrer_id, self.referrer, "contacts share it")

    def test_ambiguous_unknown_or_own_name_is_ignored(self):
        self.env["res.partner"].create({"name": "Bob Twice"})
        self.env["res.partner"].create({"name": "bob twice"})
        self.lead(referred="Bob Twice", partner_id=self.customer_a.id)
        self.lead(referred="Nobody Known", partner_id=self.customer_a.id)
        self.lead(referred="Buyer A", partner_id=self.customer_a.id)
        self.assertFalse(self.customer_a.customer_referrer_id)

    def test_a_referrer_set_by_hand_is_kept(self):
        other = self.customer("Other Referrer")
        self.customer_a.customer_referrer_id = other
        lead = self.lead(referred="Alice Referrer", partner_id=self.customer_a.id)
        lead.write({"referred": "Alice Referrer "})
        self.assertEqual(self.customer_a.customer_referrer_id, other)

    def test_no_self_referral(self):
        contact = self.env["res.partner"].create({"name": "Jo", "parent_id": self.customer_a.id})
        for referrer in (self.customer_a, contact):
            with self.assertRaises(ValidationError):
                self.customer_a.customer_referrer_id = referrer

    def test_referral_count_and_revenue(self):
        """Against the orders of the referred customers, generated."""
        rng = random.Random(5)
        company_b = self.env["res.company"].create({"name": "Referral B"})
        referrer_contact = self.env["res.partner"].create(
            {"name": "Alice's colleague", "parent_id": self.referrer.id}
        )
        referred = [self.customer(f"R{i}") for i in range(8)]
        individual = self.env["res.partner"].create({"name": "Private buyer"})
        referred.append(individual)
        specs = []
        for partner in referred:
            partner.customer_referrer_id = rng.choice([self.referrer, referrer_contact])
            for _ in range(rng.randint(0, 3)):
                specs.append(
                    (
                        partner,
                        date(2025, 1, 1) + timedelta(rng.randint(0, 150)),
                        rng.randint(1, 900),
                    )
                )
        self.orders(specs)
        # a contact of a referred company carries the referrer but is not a customer itself
        self.env["res.partner"].create({"name": "R0 buyer", "parent_id": referred[0].id})
        archived = self.customer("Gone", customer_referrer_id=self.referrer.id)
        archived.action_archive()
        self.customer("Elsewhere", customer_referrer_id=self.referrer.id, company_id=company_b.id)
        self.run_engine()
        revenue = sum(amount for _p, _d, amount in specs)
        in_a = self.env["res.partner"].with_context(allowed_company_ids=[self.company.id])
        for partner in in_a.browse([self.referrer.id, referrer_contact.id]):
            self.assertEqual(partner.customer_referral_count, len(referred))
            self.assertAlmostEqual(partner.customer_referral_revenue, revenue)
        self.assertEqual(self.customer_a.customer_referral_count, 0)
        in_b = self.referrer.with_company(company_b).with_context(
            allowed_company_ids=[company_b.id, self.company.id]
        )
        self.assertEqual(in_b.customer_referral_count, len(referred) + 1)
        self.assertEqual(in_b.customer_referral_revenue, 0, "no revenue in company B")
        action = in_a.browse(referrer_contact.id).action_view_customer_referrals()
        self.assertEqual(
            set(self.env["res.partner"].search(action["domain"]).ids), {p.id for p in referred}
        )
        grouped = dict(
            self.env["res.partner"]._read_group(
                [("customer_referrer_id", "!=", False), ("id", "in", [p.id for p in referred])],
                ["customer_referrer_id"],
                ["__count"],
            )
        )
        self.assertEqual(sum(grouped.values()), len(referred))

    def test_access(self):
        portal = new_test_user(self.env, "referral_portal", groups="base.group_portal")
        self.customer_a.customer_referrer_id = self.referrer
        with self.assertRaises(AccessError):
            self.customer_a.with_user(portal).read(["customer_referrer_id"])
        with self.assertRaises(AccessError):
            self.referrer.with_user(portal).read(["customer_referral_count"])
        plain = new_test_user(self.env, "referral_plain", groups="base.group_user")
        self.assertEqual(self.referrer.with_user(plain).customer_referral_count, 1)
        with self.assertRaises(AccessError):
            self.referrer.with_user(plain).read(["customer_referral_revenue"])
