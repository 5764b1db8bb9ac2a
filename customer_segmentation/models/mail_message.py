from odoo import api, models
from odoo.tools import SQL

# Records whose messages are interactions with their customer (see the engine's
# ``_interaction_events_sql``): SQL giving (record id, commercial partner id).
INTERACTION_RECORDS = {
    "res.partner": "SELECT id, commercial_partner_id FROM res_partner",
    "sale.order": "SELECT so.id, rp.commercial_partner_id FROM sale_order so "
    "JOIN res_partner rp ON rp.id = so.partner_id",
    "crm.lead": "SELECT l.id, rp.commercial_partner_id FROM crm_lead l "
    "JOIN res_partner rp ON rp.id = l.partner_id",
}


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        talk = messages.filtered(
            lambda m: m.model in INTERACTION_RECORDS
            and (m.message_type in ("comment", "email") or m.mail_activity_type_id)
        )
        for model in set(talk.mapped("model")):
            records = talk.filtered(lambda m, model=model: m.model == model).mapped("res_id")
            self.env["customer.segmentation.queue"]._enqueue_classified(
                SQL(
                    "SELECT r.commercial_partner_id FROM (%s) r(id, commercial_partner_id) "
                    "WHERE r.id = ANY(%s)",
                    SQL(INTERACTION_RECORDS[model]),
                    records,
                )
            )
        return messages
