from odoo.tests import tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestReferralChannel(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.customer("Referral Agent")
        cls.src_referral = cls.env["utm.source"].create({"name": "T Referral"})
        cls.medium_referral = cls.env["utm.medium"].create({"name": "T Word of mouth"})
        cls.referral = cls.env["customer.channel"].create(
            {
                "name": "T Partner Referral",
                "channel_type": "partner_referral",
                "source_ids": [(6, 0, cls.src_referral.ids)],
                "medium_ids": [(6, 0, cls.medium_referral.ids)],
                "partner_id": cls.agent.id,
            }
        )
        cls.buyer = cls.customer("Referred Buyer")

    def new_lead(self, **values):
        return self.env["crm.lead"].create({"name": "Interest", **values})

    def test_the_channel_contact_becomes_the_referrer(self):
        self.new_lead(source_id=self.src_referral.id, partner_id=self.buyer.id)
        self.assertEqual(self.buyer.customer_referrer_id, self.agent)

    def test_by_medium_and_when_the_source_is_set_later(self):
        lead = self.new_lead(partner_id=self.buyer.id, source_id=self.src_unmapped.id)
        self.assertFalse(self.buyer.customer_referrer_id)
        lead.medium_id = self.medium_referral
        self.assertEqual(self.buyer.customer_referrer_id, self.agent)

    def test_new_customer_converted_from_a_referral_lead(self):
        lead = self.new_lead(source_id=self.src_referral.id, partner_name="Fresh Co")
        lead._handle_partner_assignment(create_missing=True)
        self.assertEqual(lead.partner_id.commercial_partner_id.customer_referrer_id, self.agent)

    def test_the_named_referrer_wins_and_hand_set_referrers_stay(self):
        friend = self.customer("Friend Of Buyer")
        self.new_lead(
            source_id=self.src_referral.id, referred="friend of buyer", partner_id=self.buyer.id
        )
        self.assertEqual(self.buyer.customer_referrer_id, friend)
        other = self.customer("Other Buyer", customer_referrer_id=friend.id)
        self.new_lead(source_id=self.src_referral.id, partner_id=other.id)
        self.assertEqual(other.customer_referrer_id, friend)

    def test_other_channels_and_a_channel_without_contact(self):
        self.new_lead(source_id=self.src_ads.id, partner_id=self.buyer.id)
        self.assertFalse(self.buyer.customer_referrer_id)
        self.referral.partner_id = False
        self.new_lead(source_id=self.src_referral.id, partner_id=self.buyer.id)
        self.assertFalse(self.buyer.customer_referrer_id)

    def test_the_agent_is_not_its_own_referrer(self):
        self.new_lead(source_id=self.src_referral.id, partner_id=self.agent.id)
        self.assertFalse(self.agent.customer_referrer_id)
