from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        """Stop at once the playbooks that stop when their customer orders."""
        result = super()._action_confirm()
        self.env["customer.care.engine"].sudo()._stop_plans(
            partner_ids=set(self.partner_id.commercial_partner_id.ids)
        )
        return result
