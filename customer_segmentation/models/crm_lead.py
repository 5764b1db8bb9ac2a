from odoo import api, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._customer_carry_referrer()
        return leads

    def write(self, vals):
        result = super().write(vals)
        if self._customer_referrer_triggers() & set(vals):
            self._customer_carry_referrer()
        return result

    @api.model
    def _customer_referrer_triggers(self):
        """Lead fields whose change may give the lead's customer a referrer."""
        return {"partner_id", "referred"}

    def _customer_referrers(self):
        """{lead: referrer}: the one active contact (of the lead's company or shared) named
        exactly, case aside, as the lead's 'Referred By'; none when several have that name."""
        leads = self.filtered(lambda lead: lead.referred and lead.referred.strip())
        if not leads:
            return {}
        self.env["res.partner"].flush_model(["name", "active", "company_id"])
        self.env.cr.execute(
            SQL(
                """SELECT l.id, MIN(p.id) FROM crm_lead l
                     JOIN res_partner p ON lower(p.name) = lower(trim(l.referred))
                      AND p.active AND (p.company_id IS NULL OR p.company_id = l.company_id
                                        OR l.company_id IS NULL)
                    WHERE l.id = ANY(%s)
                    GROUP BY l.id HAVING COUNT(*) = 1""",
                leads.ids,
            )
        )
        Partner = self.env["res.partner"]
        return {
            self.browse(lead): Partner.browse(partner) for lead, partner in self.env.cr.fetchall()
        }

    def _customer_carry_referrer(self):
        """Give the leads' customers without a referrer the lead's referrer."""
        leads = self.filtered("partner_id")
        if not leads:
            return
        leads.flush_recordset()
        for lead, referrer in leads._customer_referrers().items():
            customer = lead.partner_id.commercial_partner_id.sudo()
            if not customer.customer_referrer_id and referrer.commercial_partner_id != customer:
                customer.customer_referrer_id = referrer
