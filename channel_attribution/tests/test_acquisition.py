from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.customer_segmentation.tests.common import create_insight_users

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestAcquisition(ChannelCase):
    def test_earliest_touchpoint_wins_and_contacts_share_it(self):
        company = self.customer("Acme")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": company.id})
        self.lead(
            contact,
            self.at(2025, 3, 1),
            self.src_search,
            campaign_id=self.env["utm.campaign"].create({"name": "Spring"}).id,
        )
        self.lead(company, self.at(2025, 4, 1), self.src_ads)
        self.channel_engine._recompute_acquisition()
        self.assertEqual(company.acquisition_channel_id, self.search)
        self.assertEqual(contact.acquisition_channel_id, self.search)
        self.assertEqual(company.acquisition_campaign_id.name, "Spring")
        self.assertEqual(company.acquisition_date, date(2025, 3, 1))
        grouped = dict(
            self.env["res.partner"]._read_group(
                [("id", "in", (company | contact).ids)], ["acquisition_channel_id"], ["__count"]
            )
        )
        self.assertEqual(grouped, {self.search: 2})
        self.assertEqual(
            self.env["res.partner"].search([("acquisition_channel_type", "=", "search_engine")]),
            company | contact,
        )

    def test_manual_acquisition_is_kept_until_reset(self):
        partner = self.customer("Manual")
        self.lead(partner, self.at(2025, 3, 1), self.src_search)
        self.channel_engine._recompute_acquisition()
        action = partner.action_edit_acquisition()
        with Form(self.env[action["res_model"]].with_context(action["context"])) as form:
            self.assertEqual(form.channel_id, self.search)
            form.channel_id = self.social
            form.source_id = self.src_social
        wizard = form.record
        wizard.action_save()
        self.channel_engine._recompute_acquisition()
        self.assertEqual(partner.acquisition_channel_id, self.social)
        self.assertTrue(partner.acquisition_is_manual)
        wizard.action_reset()
        self.env.invalidate_all()
        self.assertEqual(partner.acquisition_channel_id, self.search)
        self.assertFalse(partner.acquisition_is_manual)

    def test_only_managers_edit_the_acquisition(self):
        users = create_insight_users(self.env)
        partner = self.customer("Guarded")
        with self.assertRaises(AccessError):
            self.env["customer.acquisition.wizard"].with_user(users["user"]).create(
                {"partner_id": partner.id, "channel_id": self.ads.id}
            )
        wizard = self.env["customer.acquisition.wizard"].with_context(default_partner_id=partner.id)
        with Form(wizard.with_user(users["manager"])) as form:
            form.channel_id = self.ads
        form.record.action_save()
        self.assertEqual(partner.acquisition_channel_id, self.ads)
        with self.assertRaises(AccessError):
            self.env["customer.channel.report"].with_user(users["rep"]).search([])
        self.env["customer.channel.report"].with_user(users["user"]).search([])

    def test_customer_created_from_a_lead_keeps_its_utm(self):
        medium = self.env["utm.medium"].create({"name": "T Banner"})
        lead = self.env["crm.lead"].create(
            {
                "name": "Enquiry",
                "type": "lead",
                "contact_name": "Wang Fang",
                "partner_name": "Fang Trading",
                "email_from": "fang@example.com",
                "source_id": self.src_ads.id,
                "medium_id": medium.id,
            }
        )
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create({"name": "convert", "action": "create"})
        )
        wizard.action_apply()
        customer = lead.partner_id.commercial_partner_id
        self.assertTrue(customer)
        self.assertEqual(customer.acquisition_source_id, self.src_ads)
        self.assertEqual(customer.acquisition_medium_id, medium)
        self.assertEqual(customer.acquisition_channel_id, self.ads)
