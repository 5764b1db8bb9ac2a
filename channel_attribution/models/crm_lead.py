from odoo import api, models
from odoo.tools import SQL

UTM_FIELDS = ("source_id", "medium_id", "campaign_id", "partner_id")
# What the channel analysis counts of a lead: written, it is counted again at once.
FUNNEL_FIELDS = {
    *UTM_FIELDS,
    "type",
    "stage_id",
    "active",
    "probability",
    "won_status",
    "user_id",
    "company_id",
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._enqueue_touchpoint_partners()
        leads._refresh_channel_funnel()
        return leads

    def write(self, vals):
        touched = any(field in vals for field in UTM_FIELDS)
        moved = "partner_id" in vals
        if moved:  # the former customer loses a touchpoint
            self._enqueue_touchpoint_partners(whole_history=True)
        result = super().write(vals)
        if touched:
            self._enqueue_touchpoint_partners(whole_history=moved)
        if FUNNEL_FIELDS & set(vals):
            self._refresh_channel_funnel()
        return result

    def _refresh_channel_funnel(self):
        """Count these leads again in the channel analysis of their company (of every
        company for a lead without one)."""
        companies = self.company_id
        if not all(self.mapped("company_id")):
            companies = self.env["res.company"].sudo().search([])
        for company in companies:
            self.env["customer.channel.engine"].with_company(company)._recompute_funnel(
                [], self.ids
            )

    def unlink(self):
        self._enqueue_touchpoint_partners()  # their customers lose a touchpoint on its day
        self.env["customer.channel.engine"]._forget_leads(self.ids)
        return super().unlink()

    def _handle_partner_assignment(
        self, force_partner_id=False, create_missing=True, with_parent=None
    ):
        """A customer created or linked from a lead gets the lead's UTM as acquisition now."""
        result = super()._handle_partner_assignment(
            force_partner_id=force_partner_id,
            create_missing=create_missing,
            with_parent=with_parent,
        )
        for company, leads in self.grouped("company_id").items():
            partners = leads.partner_id.commercial_partner_id
            if partners:
                self.env["customer.channel.engine"].with_company(
                    company or self.env.company
                )._recompute_acquisition(partners.ids)
        return result

    def _enqueue_touchpoint_partners(self, whole_history=False):
        """Queue the customers of these touchpoints: their history changed from each
        lead's day (its creation) on, any day with ``whole_history``."""
        self.env["customer.segmentation.queue"]._enqueue(
            (
                (lead.company_id or self.env.company).id,
                lead.partner_id.commercial_partner_id.id,
                None if whole_history else lead.create_date.date(),
            )
            for lead in self
            if lead.partner_id and (lead.source_id or lead.medium_id or lead.campaign_id)
        )

    @api.model
    def _customer_referrer_triggers(self):
        return super()._customer_referrer_triggers() | {"source_id", "medium_id"}

    def _customer_referrers(self):
        """Without a 'Referred By' that names a contact: the contact of the partner-referral
        channel the lead comes through (its source's channel, else its medium's)."""
        referrers = super()._customer_referrers()
        leads = self.filtered(lambda lead: lead not in referrers)
        if not leads:
            return referrers
        engine = self.env["customer.channel.engine"]
        self.env["customer.channel"].flush_model()
        joins, channel = engine._channel_of_sql(
            "channel_map",
            SQL("COALESCE(l.company_id, %s)", self.env.company.id),
            SQL.identifier("l", "source_id"),
            SQL.identifier("l", "medium_id"),
        )
        self.env.cr.execute(
            SQL(
                """WITH channel_map AS (%(map)s)
                   SELECT l.id, c.partner_id FROM crm_lead l %(joins)s
                     JOIN customer_channel c ON c.id = %(channel)s
                    WHERE l.id = ANY(%(ids)s) AND c.channel_type = 'partner_referral'
                      AND c.partner_id IS NOT NULL""",
                map=engine._channel_map_sql(),
                joins=joins,
                channel=channel,
                ids=leads.ids,
            )
        )
        Partner = self.env["res.partner"]
        for lead, partner in self.env.cr.fetchall():
            referrers[self.browse(lead)] = Partner.browse(partner)
        return referrers
