from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        """Stop at once the playbooks that stop when their customer writes (an e-mail or a
        message of the customer or one of its contacts, on any record)."""
        messages = super().create(vals_list)
        authors = messages.filtered(
            lambda m: m.message_type in ("email", "comment") and m.author_id
        ).author_id
        if authors:
            self.env["customer.care.engine"].sudo()._stop_plans(
                partner_ids=set(authors.sudo().commercial_partner_id.ids)
            )
        return messages
